import { Readable } from 'stream'
import { InvalidResponseError, ListInterruptedError } from '../errors'
import { ListResponseSplitter } from './list-splitter'

/** A SCIM list answer being read as it arrives. */
export interface StreamedList<T> {
    /** The resources in the order Salesforce sent them, in batches as their bytes come in. Iterate once. */
    readonly batches: AsyncIterable<readonly T[]>
    /**
     * Whether the whole ListResponse is in: true by the time the last batch is handed out, when the body's
     * JSON closes in the same chunk as its last resource (as it does unless members follow `Resources`).
     */
    readonly complete: boolean
    /** The ListResponse's other members (`totalResults`, ...): known once `complete`. */
    envelope(): Readonly<Record<string, unknown>>
}

export interface StreamedListOptions {
    /** How long the body may go without a byte before the read is abandoned. */
    readonly idleTimeoutMs: number
    /** `GET /services/scim/v2/Users`, for messages. */
    readonly request: string
    /** Called once the body has ended or failed, with its first bytes, for Trace HTTP. */
    readonly onBodyEnd?: (bodyStart: string) => void
}

const TRACED_BODY_BYTES = 4000

function errorCode(error: unknown): string {
    const code = (error as { code?: unknown } | null)?.code
    return typeof code === 'string' ? code : 'ECONNRESET'
}

/**
 * Reads a 2xx list answer's body chunk by chunk through the splitter. A body that stops arriving for
 * `idleTimeoutMs`, or whose connection drops, ends in `ListInterruptedError`: the resources handed out before
 * it are sound, and a keyset caller can go on from the last of them.
 */
export function streamedList<T>(body: Readable, options: StreamedListOptions): StreamedList<T> {
    const splitter = new ListResponseSplitter()
    let envelope: Record<string, unknown> | undefined
    let started = false

    async function* batches(): AsyncGenerator<readonly T[]> {
        if (started) throw new Error('a streamed list can be read once')
        started = true
        const traced: Buffer[] = []
        let tracedBytes = 0
        let timer: NodeJS.Timeout | undefined
        const idle = (): void => {
            clearTimeout(timer)
            timer = setTimeout(() => {
                const timeout = Object.assign(new Error('the list stopped arriving'), { code: 'ETIMEDOUT' })
                body.destroy(timeout)
            }, options.idleTimeoutMs)
        }
        try {
            idle()
            for await (const chunk of body) {
                const bytes = chunk as Buffer
                if (options.onBodyEnd !== undefined && tracedBytes < TRACED_BODY_BYTES) {
                    traced.push(bytes.subarray(0, TRACED_BODY_BYTES - tracedBytes))
                    tracedBytes += Math.min(bytes.length, TRACED_BODY_BYTES - tracedBytes)
                }
                const completed = splitter.push(bytes) as T[]
                if (envelope === undefined && splitter.complete) envelope = splitter.end()
                if (completed.length > 0) {
                    // The time the caller spends on a batch is not the body's idleness.
                    clearTimeout(timer)
                    yield completed
                }
                idle()
            }
            envelope ??= splitter.end()
        } catch (error: unknown) {
            if (error instanceof InvalidResponseError) throw error
            // The JSON was whole before the connection went: nothing is missing.
            if (envelope !== undefined) return
            const code = errorCode(error)
            throw new ListInterruptedError(
                `The connection to Salesforce dropped while a list was arriving: ${code} (${options.request}), ` +
                    `after ${splitter.resourceCount} resources`,
                { errorCode: code }
            )
        } finally {
            clearTimeout(timer)
            // Left mid-way (an error, or a caller that stopped): close the connection rather than drain it.
            if (!body.readableEnded) body.destroy()
            options.onBodyEnd?.(Buffer.concat(traced).toString('utf8'))
        }
    }

    return {
        batches: { [Symbol.asyncIterator]: batches },
        get complete() {
            return envelope !== undefined
        },
        envelope() {
            if (envelope === undefined) throw new Error('the list envelope is known once the list is complete')
            return envelope
        },
    }
}
