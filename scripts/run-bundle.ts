/**
 * Loads a built connector bundle the way ISC does (require it, take `exports.connector`, call `_exec` with the
 * config in `CONNECTOR_CONFIG`) and runs commands on it, collecting everything the connector wrote.
 */
import { PassThrough } from 'stream'

export interface RawChunk {
    readonly type: 'output' | 'state' | 'keepAlive' | 'config'
    readonly data: Record<string, unknown>
}

export interface CommandResult {
    readonly outputs: Record<string, unknown>[]
    readonly states: Record<string, unknown>[]
    readonly keepAlives: number
}

interface BundledConnector {
    _exec(type: string, context: unknown, input: unknown, res: NodeJS.WritableStream): Promise<void>
    readonly handlers: Map<string, unknown>
}

export function loadBundle(bundlePath: string): BundledConnector {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(bundlePath) as { connector?: BundledConnector }
    if (!mod.connector) throw new Error(`${bundlePath} does not export a connector`)
    return mod.connector
}

/**
 * Runs one command on `connector` (a loaded bundle, or the connector of `src/` itself). With `onOutput`, outputs
 * go there instead of into the result; `onChunk` sees every chunk as it is written, in order.
 */
export async function runBundleCommand(
    connector: BundledConnector,
    type: string,
    input: unknown,
    config: Record<string, unknown>,
    onOutput?: (data: Record<string, unknown>) => void,
    onChunk?: (chunk: RawChunk) => void
): Promise<CommandResult> {
    process.env.CONNECTOR_CONFIG = Buffer.from(JSON.stringify(config)).toString('base64')
    const result = { outputs: [] as Record<string, unknown>[], states: [] as Record<string, unknown>[], keepAlives: 0 }
    const sink = new PassThrough({ objectMode: true })
    sink.on('data', (chunk: RawChunk) => {
        onChunk?.(chunk)
        if (chunk.type === 'output') {
            if (onOutput) onOutput(chunk.data)
            else result.outputs.push(chunk.data)
        } else if (chunk.type === 'state') result.states.push(chunk.data)
        else if (chunk.type === 'keepAlive') result.keepAlives++
    })
    const context = {
        commandType: type,
        reloadConfig: () => Promise.resolve(config),
        assumeAwsRole: () => Promise.reject(new Error('not available outside ISC')),
    }
    await connector._exec(type, context, input, sink)
    return result
}
