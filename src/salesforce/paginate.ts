import { InvalidResponseError } from '../errors'
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

export type PageParams = Readonly<Record<string, string | number | undefined>>
export type FetchPage<T> = (params: PageParams) => Promise<ScimListResponse<T>>

export interface PageOptions {
    readonly filter?: string
    readonly pageSize: number
    readonly attributes?: readonly string[]
    readonly excludedAttributes?: readonly string[]
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

function lastId<T extends WithId>(resources: readonly T[], cursor: string | undefined, what: string): string {
    const last = resources[resources.length - 1]?.id
    if (typeof last !== 'string' || last === '') {
        throw new InvalidResponseError(`Salesforce returned a ${what} without an id`)
    }
    // Keyset paging relies on Salesforce ordering by Id; a page that does not move past the cursor would loop.
    if (last === cursor) {
        throw new InvalidResponseError(
            `Salesforce returned ${what} ${last} again for id gt "${last}"; stopping instead of looping`
        )
    }
    return last
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
 * requests. The next page is requested before the current one is yielded, so the caller's work on a page
 * overlaps the next round trip.
 */
export async function* keysetPages<T extends WithId>(
    fetchPage: FetchPage<T>,
    options: PageOptions,
    what = 'resource',
    startAfter?: string
): AsyncGenerator<readonly T[]> {
    const base = baseParams(options)
    const request = (cursor: string | undefined): Promise<ScimListResponse<T>> =>
        prefetch(() =>
            fetchPage({
                ...base,
                filter: and(options.filter, cursor !== undefined && `id gt ${quoteFilterValue(cursor)}`),
                startIndex: 1,
            })
        )
    let cursor = startAfter
    let pending = request(cursor)
    for (;;) {
        const page = await pending
        const resources = resourcesOf(page, what)
        if (resources.length === 0) return
        const last = lastId(resources, cursor, what)
        const done = typeof page.totalResults === 'number' && page.totalResults <= resources.length
        if (!done) {
            cursor = last
            pending = request(cursor)
            await letRequestGoOut()
        }
        yield resources
        if (done) return
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
                yield* keysetPages(fetchPage, options, what, lastSeen)
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
            const rest = keysetPages(fetchPage, options, what, lastSeen)
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
