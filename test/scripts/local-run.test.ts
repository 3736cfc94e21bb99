/**
 * `npm start` and `npm run invoke` as a developer runs them: separate processes, the SDK's local server, the
 * emulator, and what each prints. Runs in an empty folder, so a developer's own `.env` is never read.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process'
import * as fs from 'fs'
import * as net from 'net'
import * as os from 'os'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '..', '..')
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx')
const CWD = fs.mkdtempSync(path.join(os.tmpdir(), 'local-run-'))

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer()
        server.once('error', reject)
        server.listen(0, () => {
            const address = server.address()
            const port = typeof address === 'object' && address ? address.port : 0
            server.close(() => resolve(port))
        })
    })
}

/** A server that holds a port, as another program would. */
function holdPort(port: number): Promise<net.Server> {
    return new Promise((resolve) => {
        const server = net.createServer((socket) => socket.end())
        server.listen(port, () => resolve(server))
    })
}

interface Run {
    readonly code: number | null
    readonly stdout: string
    readonly stderr: string
}

function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
    return new Promise((resolve) => {
        execFile(
            TSX,
            [path.join(ROOT, 'scripts', script), ...args],
            { cwd: CWD, env: { ...process.env, ...env }, timeout: 30_000 },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
                resolve({ code, stdout, stderr })
            }
        )
    })
}

/** Starts `npm start`'s script and resolves once it printed its instructions. */
function start(env: Record<string, string>): Promise<{ child: ChildProcess; stdout: () => string }> {
    const child = spawn(TSX, [path.join(ROOT, 'scripts', 'start.ts')], {
        cwd: CWD,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    return new Promise((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
            stdout += chunk.toString()
            if (stdout.includes('Ctrl+C stops both.')) resolve({ child, stdout: () => stdout })
        })
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${stdout}${stderr}`)))
    })
}

function stop(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
    })
}

afterAll(() => fs.rmSync(CWD, { recursive: true, force: true }))

describe('npm start when a port is taken', () => {
    it('says the connector port is taken and how to choose another, instead of claiming to listen', async () => {
        const [connectorPort, emulatorPort] = [await freePort(), await freePort()]
        const holder = await holdPort(connectorPort)
        try {
            const result = await run('start.ts', [], {
                CONNECTOR_PORT: String(connectorPort),
                EMULATOR_PORT: String(emulatorPort),
            })
            expect(result.code).toBe(1)
            expect(result.stderr).toContain(`Port ${connectorPort} is already in use`)
            expect(result.stderr).toContain(`CONNECTOR_PORT=${connectorPort + 1} npm start`)
            expect(result.stdout).not.toContain('Connector local server:')
            expect(result.stdout).not.toContain('listening')
        } finally {
            holder.close()
        }
    })

    it('says the emulator port is taken and names EMULATOR_PORT', async () => {
        const [connectorPort, emulatorPort] = [await freePort(), await freePort()]
        const holder = await holdPort(emulatorPort)
        try {
            const result = await run('start.ts', [], {
                CONNECTOR_PORT: String(connectorPort),
                EMULATOR_PORT: String(emulatorPort),
            })
            expect(result.code).toBe(1)
            expect(result.stderr).toContain(`Port ${emulatorPort} is already in use, so the Salesforce emulator`)
            expect(result.stderr).toContain(`EMULATOR_PORT=${emulatorPort + 1} npm start`)
            expect(result.stderr).not.toMatch(/\n\s+at /)
        } finally {
            holder.close()
        }
    })
})

describe('npm run invoke against npm start', () => {
    let server: { child: ChildProcess; stdout: () => string } | undefined
    const env: Record<string, string> = {}

    beforeAll(async () => {
        execFileSync('npm', ['run', '--silent', 'build:local'], { cwd: ROOT, stdio: 'ignore' })
        env.CONNECTOR_PORT = String(await freePort())
        env.EMULATOR_PORT = String(await freePort())
        server = await start(env)
    })

    afterAll(async () => {
        if (server) await stop(server.child)
    })

    it('npm start names its target first', () => {
        expect(server?.stdout().split('\n')[0]).toBe(
            `Target: the local Salesforce emulator at http://127.0.0.1:${env.EMULATOR_PORT} (no SF_LOGIN_URL in .env)`
        )
    })

    it('names the target on every run and prints the output', async () => {
        const result = await run('invoke.ts', ['std:test-connection'], env)
        expect(result.code).toBe(0)
        expect(result.stderr.split('\n')[0]).toBe(
            `Target: the local Salesforce emulator at http://127.0.0.1:${env.EMULATOR_PORT} (no SF_LOGIN_URL in .env)`
        )
        expect(result.stderr).toMatch(/std:test-connection: ok, 1 output\(s\)/)
    })

    it('prints only the connector’s message when a command fails', async () => {
        const result = await run('invoke.ts', ['std:account:read', '{"identity":"005000000000000AAA"}'], env)
        expect(result.code).toBe(1)
        const lines = result.stderr.trim().split('\n')
        expect(lines).toHaveLength(3)
        expect(lines[1]).toMatch(/^Not found in Salesforce: .*\(notFound\)$/)
        expect(lines[2]).toMatch(/^std:account:read: FAILED, 0 output\(s\)/)
        expect(result.stderr).not.toMatch(/\n\s+at |type: '|NotFoundError/)
    })

    it('adds the stack and the error’s properties with --verbose', async () => {
        const result = await run(
            'invoke.ts',
            ['std:account:read', '{"identity":"005000000000000AAA"}', '--verbose'],
            env
        )
        expect(result.code).toBe(1)
        expect(result.stderr).toMatch(/\n\s+at /)
        expect(result.stderr).toContain("type: 'notFound'")
    })
})
