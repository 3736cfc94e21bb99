/**
 * Starts the SDK's local server (`spcx run dist/index.js <port>`) as a child process, the way connector developers
 * run a connector on their machine. The SDK's runner also launches `tsc --watch` when it finds one on the PATH; the
 * connector ships as an esbuild bundle, so the child gets a PATH without the project's binaries.
 *
 * spcx hands each request's config to the connector through its own copy of the SDK (`_withConfig`). The shipped
 * bundle (dist/index.js) carries a copy of its own, which cannot see it, so the local server runs
 * build/local/index.js: the same bundle with the SDK left in node_modules (`npm run build:local`). axios stays
 * there too: spcx reloads everything outside node_modules on each request, and a fresh axios per request would
 * add its socket listener again to every pooled keep-alive connection.
 */
import { ChildProcess, spawn } from 'child_process'
import * as net from 'net'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '..')
const SPCX = path.join(ROOT, 'node_modules', '@sailpoint', 'connector-sdk', 'dist', 'bin', 'spcx.js')

export interface LocalServer {
    readonly url: string
    /** Settles when the server's process ends, with its exit code (null when a signal ended it). */
    readonly exited: Promise<number | null>
    stop(): Promise<void>
}

/** Another program already listens on the port. */
export class PortInUseError extends Error {
    override readonly name = 'PortInUseError'
    constructor(readonly port: number) {
        super(`port ${port} is already in use`)
    }
}

/**
 * Checks that nothing listens on `port`, by listening on it the way the SDK's server does (all interfaces).
 * The SDK's server cannot say so itself: Express 5 calls its "listening" callback with the error, and spcx
 * prints "listening at" and exits without a word.
 * @throws PortInUseError when the port is taken.
 */
export function assertPortFree(port: number, host?: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const probe = net.createServer()
        probe.once('error', (err: NodeJS.ErrnoException) =>
            reject(err.code === 'EADDRINUSE' ? new PortInUseError(port) : err)
        )
        probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()))
    })
}

export async function startLocalServer(
    port: number,
    bundle = path.join(ROOT, 'build', 'local', 'index.js')
): Promise<LocalServer> {
    await assertPortFree(port)
    const binDir = path.join(ROOT, 'node_modules', '.bin')
    const pathWithoutBin = (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter((p) => path.resolve(p) !== binDir)
        .join(path.delimiter)
    const child: ChildProcess = spawn(process.execPath, [SPCX, 'run', bundle, String(port)], {
        cwd: ROOT,
        env: { ...process.env, PATH: pathWithoutBin },
        stdio: ['ignore', 'pipe', 'pipe'],
    })
    const forward = (chunk: Buffer, to: NodeJS.WriteStream) => {
        for (const line of chunk.toString().split('\n')) {
            if (line.trim() && !line.startsWith('tsc:')) to.write(`[connector] ${line}\n`)
        }
    }
    child.stderr?.on('data', (chunk: Buffer) => forward(chunk, process.stderr))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
            if (chunk.toString().includes('listening at')) {
                child.stdout?.off('data', onData)
                child.stdout?.on('data', (c: Buffer) => forward(c, process.stdout))
                resolve()
            }
        }
        child.stdout?.on('data', onData)
        child.once('exit', (code) => reject(new Error(`the connector's local server exited with code ${code}`)))
        child.once('error', reject)
    })
    return {
        url: `http://localhost:${port}`,
        exited,
        stop: () =>
            new Promise<void>((resolve) => {
                if (child.exitCode !== null) return resolve()
                child.once('exit', () => resolve())
                child.kill('SIGTERM')
            }),
    }
}
