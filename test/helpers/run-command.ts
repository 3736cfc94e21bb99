/**
 * Runs one command on the connector of `src/`, in this process (for the built bundle, use `runOnBundle` of
 * `./bundle`), the way ISC does (see `scripts/run-bundle.ts`). Returns every chunk written, so tests assert after
 * the command ends, never inside a stream listener (where a command that sends nothing would pass).
 */
import { RawResponse } from '@sailpoint/connector-sdk'
import { connector } from '../../src/index'
import { CommandResult as BundleResult, runBundleCommand } from '../../scripts/run-bundle'

/** What the command wrote: outputs, states and keep-alives, and every chunk in order. */
export interface CommandResult extends Readonly<BundleResult> {
    readonly chunks: readonly RawResponse[]
}

export interface AccountChunk {
    readonly key: unknown
    readonly identity: string
    readonly disabled: boolean
    readonly locked: boolean
    readonly attributes: Record<string, unknown>
}

/** `chunks`, when given, fills as the command writes: a stub can check what was already sent when it is called. */
export async function runCommand(
    type: string,
    input: unknown,
    config: Record<string, unknown>,
    chunks: RawResponse[] = []
): Promise<CommandResult> {
    const { outputs, states, keepAlives } = await runBundleCommand(connector, type, input, config, undefined, (chunk) =>
        chunks.push(chunk as unknown as RawResponse)
    )
    return { chunks, outputs, states, keepAlives }
}

/** The single output of a command that sends one account. */
export function onlyAccount(result: CommandResult): AccountChunk {
    expect(result.outputs).toHaveLength(1)
    return result.outputs[0] as unknown as AccountChunk
}
