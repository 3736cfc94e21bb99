import { Readable } from 'stream'
import { InvalidResponseError, ListInterruptedError } from '../errors'
import { ListResponseSplitter, RawResource } from './list-splitter'

/** A SCIM list answer being read as it arrives. */
export interface StreamedList<T> {
    /** The resources in the order Salesforce sent them, in batches as their bytes come in. Iterate once. */
    readonly batches: AsyncIterable<readonly T[]>
    /**
     * Whether the whole ListResponse is in. Once it is, `resourceCount`, `lastResource()` and `envelope()` answer
     * for the whole page, though batches may still be waiting to be handed out.
     */
    readonly complete: boolean
    /** Resolves the moment the list becomes `complete`, while its batches may still be waiting to be read. */
    readonly completed: Promise<void>
    /** How many resources the body has held so far. */
    readonly resourceCount: number
    /** The page's last resource, once `complete`; undefined for an empty page. */
    lastResource(): T | undefined
    /** The ListResponse's other members (`totalResults`, ...), once `complete`. */
    envelope(): Readonly<Record<string, unknown>>
    /** Closes the connection of a list that will not be read (a prefetched page nobody wants any more). */
    close(): void
}

export interface StreamedListOptions {
    /** How long the body may go without a byte before the read is abandoned. */
    readonly idleTimeoutMs: number
    /** `GET /services/scim/v2/Users`, for messages. */
    readonly request: string
    /** Called once the body has ended or failed, with its first bytes, for Trace HTTP. */
    readonly onBodyEnd?: (bodyStart: string) => void
}

/**
 * The trace keeps 4000 characters of a body (see `forTrace`), cut after redaction; a margin beyond them lets a
 * secret that straddles the cut be recognised whole and redacted.
 */
const TRACED_BODY_BYTES = 4000 + 16 * 1024
/** How long a body may go quiet before the batches cut so far are handed out while the rest is awaited. */
const PAUSE_MS = 1
/** Resources parsed and handed out together: enough to keep the per-batch cost small, few enough to die young. */
const BATCH_SIZE = 32

function errorCode(error: unknown): string {
    const code = (error as { code?: unknown } | null)?.code
    return typeof code === 'string' ? code : 'ECONNRESET'
}

/**
 * Reads a 2xx list answer's body through the splitter. The body is read as fast as it arrives and only cut into
 * resources on the way in; batches are handed out once the body is whole or pauses, so the end of the page (and
 * the next request, which needs its last id) comes as early as the bytes allow. Resources are parsed only when
 * their batch is handed out, so few are ever alive at once. A body that stops arriving for `idleTimeoutMs`, or
 * whose connection drops, ends in `ListInterruptedError`: the batches handed out before it are sound, and a keyset
 * caller can go on from the last of them.
 */
export function streamedList<T>(body: Readable, options: StreamedListOptions): StreamedList<T> {
    const splitter = new ListResponseSplitter()
    let envelope: Record<string, unknown> | undefined
    // By number, not by its bytes: a kept reference to them would keep their whole chunk alive.
    let last: { readonly number: number; readonly resource: T } | undefined
    let started = false
    let markComplete: () => void = () => undefined
    const completed = new Promise<void>((resolve) => (markComplete = resolve))

    /** Parses and hands out what has been cut so far, a batch at a time. */
    function* handOut(queue: RawResource[], limit = Infinity): Generator<readonly T[]> {
        for (let taken = 0; queue.length > 0 && taken < limit; taken += BATCH_SIZE) {
            const batch = queue.splice(0, BATCH_SIZE)
            yield batch.map((raw) => (raw.number === last?.number ? last.resource : (splitter.parse(raw) as T)))
        }
    }

    async function* batches(): AsyncGenerator<readonly T[]> {
        if (started) throw new Error('a streamed list can be read once')
        started = true
        const traced: Buffer[] = []
        let tracedBytes = 0
        const queue: RawResource[] = []
        let lastCut: RawResource | undefined
        let ended = false
        let failure: unknown
        let wake: (() => void) | undefined
        const notify = (): void => {
            wake?.()
            wake = undefined
        }
        let timer: NodeJS.Timeout | undefined
        const idle = (): void => {
            clearTimeout(timer)
            timer = setTimeout(() => {
                const timeout = Object.assign(new Error('the list stopped arriving'), { code: 'ETIMEDOUT' })
                body.destroy(timeout)
            }, options.idleTimeoutMs)
        }
        let chunksRead = 0
        let turnGiven = false
        const bodyWholeOrPaused = async (): Promise<void> => {
            for (;;) {
                if (envelope !== undefined && !turnGiven) {
                    // Once, as the page becomes whole: a turn of the event loop lets whatever the completion set
                    // off (the request for the next page) reach the socket before the batches are handed out.
                    turnGiven = true
                    await new Promise((resolve) => setImmediate(resolve))
                }
                if (envelope !== undefined || failure !== undefined || ended) return
                const before = chunksRead
                await new Promise<void>((resolve) => {
                    const pause = setTimeout(resolve, PAUSE_MS)
                    wake = () => {
                        clearTimeout(pause)
                        resolve()
                    }
                })
                if (chunksRead === before) return
            }
        }
        // Flowing, never paused: pausing the socket while the caller works would stretch the transfer, and the end
        // of the page, which the next request waits for. A page is a few hundred KB at most.
        const onData = (chunk: Buffer): void => {
            chunksRead++
            idle()
            try {
                if (options.onBodyEnd !== undefined && tracedBytes < TRACED_BODY_BYTES) {
                    traced.push(chunk.subarray(0, TRACED_BODY_BYTES - tracedBytes))
                    tracedBytes += Math.min(chunk.length, TRACED_BODY_BYTES - tracedBytes)
                }
                for (const raw of splitter.pushRaw(chunk)) {
                    queue.push(raw)
                    lastCut = raw
                }
                if (envelope === undefined && splitter.complete) {
                    envelope = splitter.end()
                    // The page's last resource, handed out already or not: the next request starts after it.
                    if (lastCut !== undefined) last = { number: lastCut.number, resource: splitter.parse(lastCut) as T }
                    lastCut = undefined
                    markComplete()
                }
            } catch (error: unknown) {
                failure = error
                body.destroy()
            }
            notify()
        }
        const onEnd = (): void => {
            clearTimeout(timer)
            ended = true
            notify()
        }
        const onClose = (): void => {
            // Closed before its end without an error event: the connection went all the same.
            if (!body.readableEnded) failure ??= Object.assign(new Error('premature close'), { code: 'ECONNRESET' })
            notify()
        }
        const onError = (error: unknown): void => {
            failure ??= error
            notify()
        }
        body.on('data', onData)
        body.once('end', onEnd)
        body.once('error', onError)
        body.once('close', onClose)
        try {
            idle()
            for (;;) {
                if (queue.length > 0) {
                    // Reading comes first while the page is arriving: its end, which the next request waits for,
                    // comes before the caller's work on batches, which go out once the body is whole or pauses.
                    await bodyWholeOrPaused()
                    yield* handOut(queue, BATCH_SIZE)
                    continue
                }
                if (failure !== undefined) throw failure instanceof Error ? failure : new Error('the list failed')
                if (ended) break
                await new Promise<void>((resolve) => (wake = resolve))
            }
            envelope ??= splitter.end()
            markComplete()
        } catch (error: unknown) {
            if (error instanceof InvalidResponseError) throw error
            // The JSON was whole before the connection went: nothing is missing.
            if (envelope !== undefined) {
                yield* handOut(queue)
                return
            }
            const code = errorCode(error)
            throw new ListInterruptedError(
                `The connection to Salesforce dropped while a list was arriving: ${code} (${options.request}), ` +
                    `${splitter.resourceCount} resources into the page. Retry later; if it persists, check the ` +
                    'network path to Salesforce or raise Max Retries',
                { errorCode: code }
            )
        } finally {
            clearTimeout(timer)
            body.off('data', onData)
            body.off('end', onEnd)
            body.off('error', onError)
            body.off('close', onClose)
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
        completed,
        get resourceCount() {
            return splitter.resourceCount
        },
        lastResource() {
            if (envelope === undefined) throw new Error('the last resource is known once the list is complete')
            return last?.resource
        },
        envelope() {
            if (envelope === undefined) throw new Error('the list envelope is known once the list is complete')
            return envelope
        },
        close() {
            if (!started && !body.readableEnded) body.destroy()
        },
    }
}
