/**
 * The test environment of every test file: Node's, with the connector's log lines captured instead of printed.
 *
 * The connector logs through the SDK's pino logger, which writes to `process.stdout`. pino writes through
 * `process.stdout.write` itself when that method has been replaced (otherwise it writes to file descriptor 1
 * directly, past Jest, and the lines land in the output tied to no test). So each test file's `process.stdout`
 * is the real one with `write` replaced by a capture. This holds for both copies of pino a test can load: the
 * SDK's in `node_modules` (unit and handler tests) and the one bundled into `dist/index.js` (integration tests).
 *
 * A failing test's report ends with the lines logged since the previous test ended (its hooks included); a passing
 * test's lines are not shown. When `CONNECTOR_LOG_FILE` names a file, every line is also appended to it, so the
 * secret scan of `scripts/test-suite.ts` sees all of them.
 */
import * as fs from 'fs'
import NodeEnvironment from 'jest-environment-node'
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment'
import type { Circus } from '@jest/types'
import { CONNECTOR_LOG_FILE } from './connector-log'

export default class LogCaptureEnvironment extends NodeEnvironment {
    private lines: string[] = []
    private readonly logFile: number | undefined

    constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
        super(config, context)
        const logPath = process.env[CONNECTOR_LOG_FILE]
        this.logFile = logPath ? fs.openSync(logPath, 'a') : undefined
        const realStdout = this.global.process.stdout
        const capture = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
            const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
            this.lines.push(text.endsWith('\n') ? text.slice(0, -1) : text)
            if (this.logFile !== undefined) fs.writeSync(this.logFile, text.endsWith('\n') ? text : `${text}\n`)
            const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
            if (callback) process.nextTick(callback)
            return true
        }
        // A test that swaps `write` itself (to read the lines in the test) swaps this one, never the real stream's.
        let write: unknown = capture
        const stdout = new Proxy(realStdout, {
            get(target, property) {
                if (property === 'write') return write
                const value: unknown = Reflect.get(target, property, target)
                return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
            },
            set(target, property, value: unknown) {
                if (property !== 'write') return Reflect.set(target, property, value, target)
                write = value
                return true
            },
        })
        Object.defineProperty(this.global.process, 'stdout', { value: stdout, configurable: true, writable: true })
    }

    handleTestEvent(event: Circus.Event): void {
        if (event.name !== 'test_done') return
        const lines = this.lines
        this.lines = []
        if (event.test.errors.length === 0 || lines.length === 0) return
        const report = [`Connector log since the previous test (${lines.length} lines):`, ...lines].join('\n')
        // An error without stack frames: Jest prints it as is, after the test's own failure.
        const logs = new Error(report)
        logs.stack = report
        event.test.errors.push(logs)
    }

    override async teardown(): Promise<void> {
        if (this.logFile !== undefined) fs.closeSync(this.logFile)
        await super.teardown()
    }
}
