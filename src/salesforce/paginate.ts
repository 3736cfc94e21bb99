import { InvalidResponseError, ListInterruptedError } from '../errors'
import { logger } from '../logger'
import { and, quoteFilterValue } from './scim-filter'
import { ScimListResponse } from './types'

/** Salesforce's SCIM page size cap (ServiceProviderConfig `filter.maxResults`). */
export const MAX_PAGE_SIZE = 200
/**
 * The last startIndex Salesforce accepts: it turns startIndex into a SOQL OFFSET (capped at 2000) and answers
 * "Start index too big. Consider filtering down your result set, e.g. id gt ..." beyond it.
 */
export const MAX_START_INDEX = 2001

/** A list page seen as batches of resources (a page read whole is one batch: see `asStreamed`). */
export interface StreamedList<T> {
    readonly batches: AsyncIterable<readonly T[]>
    readonly complete: boolean
    readonly completed: Promise<void>
    readonly resourceCount: number
    lastResource(): T | undefined
    envelope(): Readonly<Record<string, unknown>>
    close(): void
}

export type PageParams = Readonly<Record<string, string | number | undefined>>
export type FetchPage<T> = (params: PageParams) => Promise<ScimListResponse<T>>
export type FetchStreamedPage<T> = (params: PageParams) => Promise<StreamedList<T>>

export interface PageOptions {
    readonly filter?: string
    readonly pageSize: number
    readonly attributes?: readonly string[]
    readonly excludedAttributes?: readonly string[]
    /** Whether to read on after a list whose connection dropped mid-body (retry is 1-based); waits first. */
    readonly retryInterrupted?: (error: ListInterruptedError, retry: number) => Promise<boolean>
}

interface WithId {
    readonly id: string
}

function baseParams(options: PageOptions): Record<string, string | number | undefined> {
    return {
        count: Math.max(1, Math.min(options.pageSize, MAX_PAGE_SIZE)),
        attributes: options.attributes?.length ? options.attributes.join(',') : undefined,
        excludedAttributes: options.excludedAttributes?.length ? options.excludedAttributes.join(',') : undefined,
    }
}

/** The page's resources; Salesforce leaves `Resources` out of an empty result. */
function resourcesOf<T extends WithId>(page: ScimListResponse<T>, what: string): readonly T[] {
    if (typeof page !== 'object' || page === null) {
        throw new InvalidResponseError(`Salesforce answered a ${what} list request without a ListResponse`)
    }
    const resources: unknown = page.Resources ?? []
    if (!Array.isArray(resources)) {
        throw new InvalidResponseError(`Salesforce answered a ${what} list request with Resources that is not a list`)
    }
    return resources as readonly T[]
}

/** The batch's last id; refuses a batch without ids, or one that holds the cursor again (paging would loop). */
function lastId<T extends WithId>(resources: readonly T[], cursor: string | undefined, what: string): string {
    for (const resource of resources) {
        const id = (resource as Partial<WithId> | null)?.id
        if (typeof id !== 'string' || id === '') {
            throw new InvalidResponseError(`Salesforce returned a ${what} without an id`)
        }
        // Keyset paging relies on Salesforce ordering by Id; a page that does not move past the cursor would loop.
        if (id === cursor) {
            throw new InvalidResponseError(
                `Salesforce returned ${what} ${id} again for id gt "${id}"; stopping instead of looping`
            )
        }
    }
    return (resources[resources.length - 1] as T).id
}

function asyncOf<T>(items: readonly T[]): AsyncIterable<T> {
    return {
        [Symbol.asyncIterator]: () => {
            const iterator = items.values()
            return { next: () => Promise.resolve(iterator.next()) }
        },
    }
}

/** A list answer read whole, seen as a streamed one of a single batch. */
export function asStreamed<T extends WithId>(fetchPage: FetchPage<T>, what = 'resource'): FetchStreamedPage<T> {
    return async (params) => {
        const page = await fetchPage(params)
        const resources = resourcesOf(page, what)
        return {
            batches: asyncOf(resources.length > 0 ? [resources] : []),
            complete: true,
            completed: Promise.resolve(),
            close: () => undefined,
            resourceCount: resources.length,
            lastResource: () => resources[resources.length - 1],
            envelope: () => page as unknown as Readonly<Record<string, unknown>>,
        }
    }
}

/** Starts the request now and marks its failure handled, so an abandoned prefetch is no unhandled rejection. */
function prefetch<T>(start: () => Promise<T>): Promise<T> {
    const promise = start()
    promise.catch(() => undefined)
    return promise
}

/**
 * Lets a request just started reach the socket before the caller's synchronous work on the current page: its
 * dispatch is a chain of promise steps that would otherwise wait until the whole page had been handled.
 */
function letRequestGoOut(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Pages of a list in id order by keyset: each request is `(<filter>) and id gt "<last id>"` with startIndex=1,
 * so depth costs nothing and no startIndex wall applies. Stops on a page without Resources or once
 * `totalResults` (which counts what is left past the cursor) fits in the page: N rows cost ceil(N/count)
 * requests. Resources come in batches while each page's body arrives; the next page is requested before the
 * page's last batch is handed on, so the caller's work overlaps the next round trip. A page whose connection
 * drops mid-body is read on from its last resource received (`retryInterrupted` says whether, and waits):
 * nothing is handed out twice or skipped.
 */
export async function* keysetPages<T extends WithId>(
    fetchPage: FetchStreamedPage<T>,
    options: PageOptions,
    what = 'resource',
    startAfter?: string
): AsyncGenerator<readonly T[]> {
    const base = baseParams(options)
    const request = (cursor: string | undefined): Promise<StreamedList<T>> =>
        prefetch(() =>
            fetchPage({
                ...base,
                filter: and(options.filter, cursor !== undefined && `id gt ${quoteFilterValue(cursor)}`),
                startIndex: 1,
            })
        )
    let cursor = startAfter
    let pending = request(cursor)
    let interruptions = 0
    // A page requested ahead that the loop has not taken up yet: closed if the caller stops first.
    let unread: Promise<StreamedList<T>> | undefined
    try {
        for (;;) {
            // The last resource handed on: where a page cut mid-way is read on from.
            let handedOn = cursor
            // Set once the page is whole: whether the list ends with it, else the next page has been requested.
            let done: boolean | undefined
            const finish = (page: StreamedList<T>): void => {
                const count = page.resourceCount
                const lastOfPage = page.lastResource()?.id
                const total = page.envelope().totalResults
                done = count === 0 || lastOfPage === undefined || (typeof total === 'number' && total <= count)
                if (!done) {
                    cursor = lastOfPage
                    pending = request(cursor)
                    unread = pending
                }
            }
            try {
                unread = undefined
                const page = await pending
                const startedAfter = cursor
                // The next request goes out the moment the page's last byte is in, from the callback that read it,
                // while the page's batches are still being handed on.
                const finished = page.completed.then(() => finish(page))
                finished.catch(() => undefined)
                for await (const batch of page.batches) {
                    handedOn = lastId(batch, startedAfter, what)
                    yield batch
                }
                await finished
            } catch (error: unknown) {
                const readOn =
                    done === undefined &&
                    error instanceof ListInterruptedError &&
                    options.retryInterrupted !== undefined &&
                    (await options.retryInterrupted(error, ++interruptions))
                if (!readOn) throw error
                cursor = handedOn
                pending = request(cursor)
                continue
            }
            if (done) return
            interruptions = 0
        }
    } finally {
        void unread?.then(
            (page) => page.close(),
            () => undefined
        )
    }
}

/**
 * Pages of a list by startIndex/count, for endpoints whose ordering beyond Id is not guaranteed for keyset
 * filters (Groups, Roles, Entitlements). Advances by what each page really returned (never `itemsPerPage`),
 * and switches to keyset paging on `id gt` before passing startIndex 2001, or when a page comes back empty
 * before `totalResults` is reached (Salesforce caps unfiltered /Entitlements at 200): rows are never dropped.
 */
export async function* indexedPages<T extends WithId>(
    fetchPage: FetchPage<T>,
    options: PageOptions,
    what = 'resource'
): AsyncGenerator<readonly T[]> {
    const base = baseParams(options)
    const request = (startIndex: number): Promise<ScimListResponse<T>> =>
        prefetch(() =>
            fetchPage({ ...base, ...(options.filter !== undefined ? { filter: options.filter } : {}), startIndex })
        )
    let startIndex = 1
    let lastSeen: string | undefined
    let pending = request(startIndex)
    for (;;) {
        const page = await pending
        const resources = resourcesOf(page, what)
        const total = typeof page.totalResults === 'number' ? page.totalResults : undefined
        if (resources.length === 0) {
            if (lastSeen !== undefined && total !== undefined && startIndex <= total) {
                logger.info(
                    { listed: startIndex - 1, totalResults: total },
                    `Salesforce stopped returning ${what}s at ${startIndex - 1} of ${total}; continuing by id`
                )
                yield* keysetPages(asStreamed(fetchPage, what), options, what, lastSeen)
            }
            return
        }
        lastSeen = lastId(resources, lastSeen, what)
        const nextStart = startIndex + resources.length
        const done = total !== undefined && nextStart > total
        if (done) {
            yield resources
            return
        }
        if (nextStart > MAX_START_INDEX) {
            const rest = keysetPages(asStreamed(fetchPage, what), options, what, lastSeen)
            const first = prefetch(() => rest.next())
            yield resources
            const next = await first
            if (next.done === true) return
            yield next.value
            yield* rest
            return
        }
        startIndex = nextStart
        pending = request(startIndex)
        await letRequestGoOut()
        yield resources
    }
}
