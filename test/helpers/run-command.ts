/**
 * Runs one command on the connector of `src/`, in this process (for the built bundle, use `runOnBundle` of
 * `./bundle`), through `connector._exec` the way ISC does: config in `CONNECTOR_CONFIG` (base64 JSON), an
 * objectMode stream for the responses. Returns every chunk written, so tests assert after the command ends,
 * never inside a stream listener (where a command that sends nothing would pass).
 */
import { PassThrough } from 'stream'
import { Context, RawResponse, ResponseType } from '@sailpoint/connector-sdk'
import { connector } from '../../src/index'

export interface CommandResult {
    readonly chunks: readonly RawResponse[]
    readonly outputs: readonly Record<string, unknown>[]
    readonly states: readonly Record<string, unknown>[]
    readonly keepAlives: number
}

export interface AccountChunk {
    readonly key: unknown
    readonly identity: string
    readonly disabled: boolean
    readonly locked: boolean
    readonly attributes: Record<string, unknown>
}

function mockContext(config: Record<string, unknown>, commandType?: string): Context {
    return {
        ...(commandType !== undefined ? { commandType } : {}),
        reloadConfig: () => Promise.resolve(config),
        assumeAwsRole: () => Promise.reject(new Error('assumeAwsRole is not available in tests')),
    }
}

/** `chunks`, when given, fills as the command writes: a stub can check what was already sent when it is called. */
export async function runCommand(
    type: string,
    input: unknown,
    config: Record<string, unknown>,
    chunks: RawResponse[] = []
): Promise<CommandResult> {
    process.env.CONNECTOR_CONFIG = Buffer.from(JSON.stringify(config)).toString('base64')
    const sink = new PassThrough({ objectMode: true })
    sink.on('data', (chunk: RawResponse) => chunks.push(chunk))
    await connector._exec(type, mockContext(config, type), input, sink)
    const data = (kind: ResponseType) =>
        chunks.filter((chunk) => chunk.type === kind).map((chunk) => chunk.data as unknown as Record<string, unknown>)
    return {
        chunks,
        outputs: data(ResponseType.Output),
        states: data(ResponseType.State),
        keepAlives: chunks.filter((chunk) => chunk.type === ResponseType.KeepAlive).length,
    }
}

/** The single output of a command that sends one account. */
export function onlyAccount(result: CommandResult): AccountChunk {
    expect(result.outputs).toHaveLength(1)
    return result.outputs[0] as unknown as AccountChunk
}
