import { performance } from 'perf_hooks'
/**
 * Integration tests drive the built bundle (dist/index.js, which jest's global set-up builds before any test runs)
 * the way ISC does, against the local emulator over HTTP.
 * Every error the bundle throws is checked for secrets before the test sees it.
 */
import * as path from 'path'
import { SEED } from '../../emulator'
import { CommandResult, loadBundle, runBundleCommand } from '../../scripts/run-bundle'
import type { AccountChunk } from './run-command'
import { assertNoSecrets } from './secrets'

export const BUNDLE_PATH = path.resolve(__dirname, '..', '..', 'dist', 'index.js')

let cached: ReturnType<typeof loadBundle> | undefined
export function bundle(): ReturnType<typeof loadBundle> {
    cached ??= loadBundle(BUNDLE_PATH)
    return cached
}

/**
 * Runs one command on the built bundle (for the connector compiled from `src/` in this process, use
 * `runCommand` of `./run-command`). With `onOutput`, outputs go there instead of into the result.
 */
export async function runOnBundle(
    type: string,
    input: unknown,
    config: Record<string, unknown>,
    onOutput?: (data: Record<string, unknown>) => void
): Promise<CommandResult> {
    try {
        return await runBundleCommand(bundle(), type, input, config, onOutput)
    } catch (err) {
        assertNoSecrets(err)
        throw err
    }
}

/** The attributes of the first output, for terse assertions. */
export function firstAccount(result: CommandResult): AccountChunk {
    const output = result.outputs[0]
    if (!output) throw new Error('the command sent no output')
    return output as unknown as AccountChunk
}

/**
 * Creates a user through the built bundle and returns its id: `userName` is its email too, and the emulator's
 * Standard User its profile unless `attributes` says otherwise.
 */
export async function createUserOnBundle(
    config: Record<string, unknown>,
    userName: string,
    attributes: Record<string, unknown>
): Promise<string> {
    const created = await runOnBundle(
        'std:account:create',
        { attributes: { userName, email: userName, profile: SEED.profiles.standardUser, ...attributes } },
        config
    )
    return firstAccount(created).identity
}

/** `std:account:update` of the account with this id, through the built bundle. */
export function updateOnBundle(
    config: Record<string, unknown>,
    id: string,
    changes: readonly Record<string, unknown>[]
): Promise<CommandResult> {
    return runOnBundle('std:account:update', { key: { simple: { id } }, changes }, config)
}

/** A line the bundle's connector logs (pino, one JSON object a line on stdout). */
export interface BundleLogLine {
    readonly level?: string
    readonly message?: string
    /** `performance.now()` when the line was written: when the connector logged it, as the bundle logs at once. */
    readonly writtenAt: number
}

/**
 * Runs `run` (commands on the bundle), keeping the log lines the bundle writes to stdout meanwhile. Every chunk
 * still goes on to the `write` it replaced, so a failing test's report shows the lines as it does for any test.
 */
export async function withBundleLogs<T>(run: () => Promise<T>): Promise<{ result: T; logs: BundleLogLine[] }> {
    const logs: BundleLogLine[] = []
    const write = process.stdout.write
    process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
        for (const line of text.split('\n').filter(Boolean)) {
            try {
                logs.push({ ...(JSON.parse(line) as Omit<BundleLogLine, 'writtenAt'>), writtenAt: performance.now() })
            } catch {
                // not a log line
            }
        }
        return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean).call(process.stdout, chunk, ...rest)
    }
    try {
        return { result: await run(), logs }
    } finally {
        process.stdout.write = write
    }
}
