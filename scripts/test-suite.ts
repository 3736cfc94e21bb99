/**
 * Runs the whole jest suite (with coverage) and then scans everything it printed — every connector log line and
 * every reported error — for the secrets the suite handed the connector and every token the emulator issued.
 * One leak fails the run; the report names the kind of secret and the line, never the secret.
 */
import { spawn } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { TEST_SECRETS } from '../test/helpers/secrets'

const ROOT = path.resolve(__dirname, '..')

async function main(): Promise<void> {
    const tokenLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sf-tokens-')), 'tokens.txt')
    fs.writeFileSync(tokenLog, '')
    const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js')
    const child = spawn(process.execPath, [jest, '--coverage', ...process.argv.slice(2)], {
        cwd: ROOT,
        env: { ...process.env, EMULATOR_TOKEN_LOG: tokenLog },
        stdio: ['ignore', 'pipe', 'pipe'],
    })
    const captured: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => {
        captured.push(chunk)
        process.stdout.write(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
        captured.push(chunk)
        process.stderr.write(chunk)
    })
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)))

    const tokens = fs.readFileSync(tokenLog, 'utf8').split('\n').filter(Boolean)
    fs.rmSync(path.dirname(tokenLog), { recursive: true, force: true })
    const secrets = [
        ...TEST_SECRETS.map((value) => ({ kind: 'credential', value })),
        ...tokens.map((value) => ({ kind: 'access token', value })),
    ]
    const lines = Buffer.concat(captured).toString('utf8').split('\n')
    let leaks = 0
    lines.forEach((line, index) => {
        for (const secret of secrets) {
            if (line.includes(secret.value)) {
                leaks++
                console.error(`secret scan: a ${secret.kind} appears in output line ${index + 1}`)
            }
        }
    })
    console.log(
        `secret scan: ${lines.length} lines of test output checked against ${secrets.length} secrets ` +
            `(${tokens.length} issued tokens): ${leaks === 0 ? 'none found' : `${leaks} leak(s)`}`
    )
    process.exit(code !== 0 ? code : leaks > 0 ? 1 : 0)
}

void main()
