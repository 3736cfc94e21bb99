/**
 * Runs the jest suite, then scans everything it printed and every line the connector logged (the test
 * environment captures those and appends them to `CONNECTOR_LOG_FILE`) for the secrets the suite handed the
 * connector and every token the emulator issued. One leak fails the run; the report names the kind of secret and
 * the line, never the secret.
 *
 * With no arguments this is the full run, with coverage (the threshold is in jest.config.js). Arguments go to
 * jest; a file or name filter (`npm test -- test/unit/config.test.ts`, `-t <name>`) runs part of the suite,
 * without coverage, since a part cannot meet a threshold set for the whole.
 */
import { spawn } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { TEST_SECRETS } from '../test/helpers/secrets'
import { CONNECTOR_LOG_FILE } from '../test/setup/connector-log'

const ROOT = path.resolve(__dirname, '..')

function linesOf(text: string): string[] {
    return text === '' ? [] : text.replace(/\n$/, '').split('\n')
}

/** Arguments that select part of the suite: a path or pattern, or a test name filter. */
function selectsPart(args: readonly string[]): boolean {
    return args.some((arg) => !arg.startsWith('-') || arg === '-t' || arg.startsWith('--testNamePattern'))
}

async function main(): Promise<void> {
    const args = process.argv.slice(2)
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-test-run-'))
    const tokenLog = path.join(folder, 'tokens.txt')
    const connectorLog = path.join(folder, 'connector.log')
    fs.writeFileSync(tokenLog, '')
    fs.writeFileSync(connectorLog, '')
    const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js')
    const child = spawn(process.execPath, [jest, ...(selectsPart(args) ? [] : ['--coverage']), ...args], {
        cwd: ROOT,
        env: { ...process.env, EMULATOR_TOKEN_LOG: tokenLog, [CONNECTOR_LOG_FILE]: connectorLog },
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
    const secrets = [
        ...TEST_SECRETS.map((value) => ({ kind: 'credential', value })),
        ...tokens.map((value) => ({ kind: 'access token', value })),
    ]
    const sources = [
        { name: 'test output', lines: linesOf(Buffer.concat(captured).toString('utf8')) },
        { name: 'connector log', lines: linesOf(fs.readFileSync(connectorLog, 'utf8')) },
    ]
    let leaks = 0
    for (const source of sources) {
        source.lines.forEach((line, index) => {
            for (const secret of secrets) {
                if (line.includes(secret.value)) {
                    leaks++
                    console.error(`secret scan: a ${secret.kind} appears in ${source.name} line ${index + 1}`)
                }
            }
        })
    }
    const counts = sources.map((source) => `${source.lines.length} lines of ${source.name}`).join(' and ')
    console.log(
        `secret scan: ${counts} checked against ${secrets.length} secrets ` +
            `(${tokens.length} issued tokens): ${leaks === 0 ? 'none found' : `${leaks} leak(s)`}`
    )
    if (code === 0 && leaks === 0) fs.rmSync(folder, { recursive: true, force: true })
    else console.log(`every line the connector logged in this run: ${connectorLog}`)
    process.exit(code !== 0 ? code : leaks > 0 ? 1 : 0)
}

void main()
