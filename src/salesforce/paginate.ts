import { InvalidRequestError, InvalidResponseError } from '../errors'
import { logger } from '../logger'
import { compareIds } from './ids'
import { and, quoteFilterValue } from './scim-filter'

/** Salesforce's SCIM page size cap (ServiceProviderConfig `filter.maxResults`). */
export const MAX_PAGE_SIZE = 200

export type PageParams = Readonly<Record<string, string | number | undefined>>

/** One list answer: the parsed body (undefined when Salesforce sent none) and its `Date` header. */
export interface ListAnswer {
    readonly body: unknown
    readonly date: string | undefined
}
export type FetchPage = (params: PageParams) => Promise<ListAnswer>

/** One SCIM page as a value: the resources it brought (in id order, none twice) and when Salesforce answered. */
export interface ListPage<T> {
    readonly resources: readonly T[]
    /** The answer's `Date` header (`Tue, 01 Dec 2026 20:12:21 GMT`): the time on Salesforce's clock. */
    readonly date: string | undefined
    /** Streams reading side by side when the page was handed out, when the list is read in id ranges. */
    readonly streams?: number
}

/**
 * One id range of a list read by keyset (`partitions.ts`): what its requests add to the filter, and what the
 * reader reports back after each page. A plain mutable record shared by the range's reader and its planner, which
 * may lower `before` while the range is read, when another stream takes over the rest of it.
 */
export interface KeysetRange {
    /** Inclusive lower bound (`id ge`) of the first request; later ones go on from the cursor (`id gt`). */
    readonly from?: string
    /** Exclusive lower bound (`id gt`) of the first request: a range read on from where an earlier read stopped. */
    readonly after?: string
    /** Exclusive upper bound (`id lt`), read at each request. */
    before?: string
    /**
     * Of what the range's first page counted, how many another stream reads since `before` was lowered: the
     * count reconciliation expects that many fewer.
     */
    givenAway?: number
    /** Set by the reader: the last id handed out. */
    cursor?: string
    /** Set by the reader: the latest page's `totalResults` less its resources (what is left past it). */
    left?: number | undefined
    /** Set by the reader: the ids of the latest page, first and last, to estimate how densely ids lie. */
    span?: { readonly first: string; readonly last: string; readonly count: number }
    /** Set by the reader once the range is read to its end. */
    done?: boolean
}

/** Where `keysetPages` starts: a first answer already fetched, or a range. */
export interface KeysetStart {
    /** The answer to the first request, already fetched with the same parameters: it is not asked for again. */
    readonly firstAnswer?: ListAnswer
    readonly range?: KeysetRange
    /**
     * Asked as each page is handed out: whether the next page is requested before it (the default) or only once
     * the next page is asked for. A stream past the parallelism after a push-back starts no request of its own.
     */
    readonly readAhead?: () => boolean
}

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
        count: pageSizeOf(options),
        attributes: options.attributes?.length ? options.attributes.join(',') : undefined,
        excludedAttributes: options.excludedAttributes?.length ? options.excludedAttributes.join(',') : undefined,
    }
}

function pageSizeOf(options: PageOptions): number {
    return Math.max(1, Math.min(options.pageSize, MAX_PAGE_SIZE))
}

/**
 * The answer's resources and `totalResults`. Salesforce leaves `Resources` out of an empty result, and its pilot
 * answers an empty `/Entitlements` result with no body at all: both are an empty page.
 */
function readPage<T>(body: unknown, what: string): { readonly resources: readonly T[]; readonly total?: number } {
    if (body === undefined) return { resources: [] }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new InvalidResponseError(`Salesforce answered a ${what} list request without a ListResponse`)
    }
    const page = body as { readonly Resources?: unknown; readonly totalResults?: unknown }
    const resources: unknown = page.Resources ?? []
    if (!Array.isArray(resources)) {
        throw new InvalidResponseError(`Salesforce answered a ${what} list request with Resources that is not a list`)
    }
    const total = page.totalResults
    return { resources: resources as readonly T[], ...(typeof total === 'number' ? { total } : {}) }
}

function idOf(resource: unknown, what: string): string {
    const id = (resource as Partial<WithId> | null)?.id
    if (typeof id !== 'string' || id === '')
        throw new InvalidResponseError(`Salesforce returned a ${what} without an id`)
    return id
}

/** Why a listing stops rather than hand ISC a list that may lack some: ISC takes a missing account as deleted. */
function mayHaveSkipped(what: string): string {
    return (
        `paging by id gt could skip ${what}s, so the listing stops rather than let ISC treat ${what}s it never ` +
        'received as deleted'
    )
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
 * A 400 for a page after the first is a refusal of the one thing that differs from the first page, which Salesforce
 * accepted with the same filter: the connector's own `id gt` clause. Saying "check Account Filter" would mislead.
 */
function pagingRefused(error: InvalidRequestError, cursor: string, what: string): InvalidRequestError {
    // Keep Salesforce's code and text and the request; drop the advice after them, which is about the filter.
    const answer = /^.*?\(HTTP \d+ [A-Z]+ [^)]*\)/s.exec(error.message)?.[0] ?? error.message
    return new InvalidRequestError(
        `Salesforce refused the connector's own paging clause id gt ${quoteFilterValue(cursor)} after it had ` +
            `accepted the first page of the ${what} list with the same filter: ${answer}. Account Filter is not the ` +
            'cause: the connector reads every list page by page on id gt, as Salesforce itself advises. Check that ' +
            "the integration user's profile may filter on Id, run the aggregation again, and if Salesforce keeps " +
            "refusing, send this message to the connector's maintainers",
        {
            ...(error.errorCode !== undefined ? { errorCode: error.errorCode } : {}),
            ...(error.status !== undefined ? { status: error.status } : {}),
        }
    )
}

/**
 * Fewer came than the first page counted. Resources can leave the filter during a long listing (a user
 * deactivated under `active eq "true"`), so only a fresh count for the same filter tells a real shortfall.
 * @throws InvalidResponseError when the fresh count is higher than what was handed out.
 */
async function confirmNoneMissing(
    fetchPage: FetchPage,
    params: PageParams,
    listed: { readonly handedOut: number; readonly firstTotal: number },
    what: string
): Promise<void> {
    const { handedOut, firstTotal } = listed
    const { total } = readPage((await fetchPage(params)).body, what)
    if (total === undefined || handedOut >= total) {
        logger.info(
            { listed: handedOut, firstTotal, totalResults: total },
            `Listed ${handedOut} ${what}s where the first page counted ${firstTotal}; Salesforce now counts ` +
                `${total ?? 'no total'}, so none is missing`
        )
        return
    }
    throw new InvalidResponseError(
        `Salesforce counts ${total} ${what}s for this filter, but the listing read only ${handedOut}: ` +
            `${total - handedOut} went missing while paging by id gt. The listing stops rather than let ISC treat ` +
            `the missing ${what}s as deleted; run it again, and if it fails the same way, send this message to the ` +
            "connector's maintainers"
    )
}

/** The filter of a keyset request: the list's own, the range's bounds, and the cursor, each part bracketed. */
function keysetFilter(filter: string | undefined, range: KeysetRange | undefined, cursor: string | undefined) {
    const after = cursor ?? range?.after
    return and(
        filter,
        after !== undefined
            ? `id gt ${quoteFilterValue(after)}`
            : range?.from !== undefined && `id ge ${quoteFilterValue(range.from)}`,
        range?.before !== undefined && `id lt ${quoteFilterValue(range.before)}`
    )
}

/** The parameters of a keyset request for the page past `cursor` (the first page without one) of the range. */
export function keysetParams(options: PageOptions, range?: KeysetRange, cursor?: string): PageParams {
    return { ...baseParams(options), filter: keysetFilter(options.filter, range, cursor), startIndex: 1 }
}

/**
 * A page's resources checked against Salesforce's id order: strictly rising within the page, the first past
 * `after` (the cursor, exclusive) or at or past `from` (inclusive); an id equal to the one before it is a repeat,
 * counted and left out.
 * @throws InvalidResponseError for an id out of that order: users may have been skipped.
 */
export function checkPage<T extends WithId>(
    resources: readonly T[],
    after: string | undefined,
    what: string,
    from?: string
): { readonly fresh: T[]; readonly last: string | undefined; readonly repeats: number } {
    const fresh: T[] = []
    let last = after
    let repeats = 0
    for (const resource of resources) {
        const id = idOf(resource, what)
        if (last === undefined && from !== undefined && compareIds(id, from) < 0) {
            throw new InvalidResponseError(
                `Salesforce answered id ge ${quoteFilterValue(from)} with ${what} ${id}, which sorts before it: ` +
                    mayHaveSkipped(what)
            )
        }
        const order = last === undefined ? 1 : compareIds(id, last)
        if (order === 0) {
            repeats++
            continue
        }
        if (order < 0) {
            throw new InvalidResponseError(
                last === after
                    ? `Salesforce answered id gt ${quoteFilterValue(last ?? '')} with ${what} ${id}, which sorts ` +
                          `before it: ${mayHaveSkipped(what)}`
                    : `Salesforce returned ${what} ${id} after ${last}, out of id order: ${mayHaveSkipped(what)}`
            )
        }
        fresh.push(resource)
        last = id
    }
    return { fresh, last, repeats }
}

/**
 * Pages of a SCIM list in Salesforce's id order by keyset: every request has startIndex=1, and each after the
 * first is `(<filter>) and (id gt "<last id so far>")`, so depth costs nothing and neither the startIndex wall
 * (2001) nor the 200-record cap of unfiltered `/Entitlements` applies. The next page is requested as soon as the
 * current one has been checked, before the caller handles it, so the caller's work overlaps the round trip.
 *
 * What it checks, because a silent loss is the worst outcome (ISC takes a missing account as deleted):
 * - ids rise strictly in `compareIds` order within a page and across pages, the first of a page past the cursor;
 *   a page out of that order means Salesforce's ORDER BY and its `id gt` disagree, so users may be skipped:
 *   `InvalidResponseError`;
 * - an id equal to the last one handed out is a repeat: it is not handed out again, and is counted;
 * - a listing that ends with fewer resources than the first page's `totalResults` is checked with a fresh
 *   count (count=1, same filter, no cursor); a shortfall it confirms is an `InvalidResponseError`.
 *
 * With `start.range` it reads one id range (`partitions.ts`) the same way: the range's bounds join the filter
 * (`id ge`/`id gt` for the first request, `id lt` for every one), ids at or past the upper bound end the range and
 * are left to the next one, and the recount counts the range (less what another stream took over).
 *
 * When it stops, given c = the count asked for, n = the page's resources and t = its `totalResults`. What
 * `totalResults` means on Salesforce is not confirmed (risk R4): the pilot counts what is left past the cursor,
 * RFC 7644 would count the whole filter, and a server might report just the page; nor whether Salesforce lowers
 * `count` silently (R5). The rule must hold under each:
 * - n = 0: nothing is left past the cursor, under any meaning. Stop.
 * - t = n and n < c: this page holds all that is left if t counts past the cursor; if t is the page size, a short
 *   page is the end unless `count` was also lowered (then nothing but an empty page could tell, and that pairing
 *   of two unconfirmed behaviours is the one case this rule cannot see); if t counts the whole filter, t = n on a
 *   short page means the whole filter fits on it. Stop.
 * - t = n and n = c: the last page if t counts past the cursor, but the first of many if t is the page size. Stop
 *   only once an earlier page has shown t > n, which rules out "the page size" (and a page holding the whole
 *   filter would be page 1); otherwise ask once more. So a full last page costs no extra request on the pilot's
 *   meaning, and a capped `totalResults` (200 on a full page of /Entitlements) never ends a list early.
 * - t > n, t absent, or t < n: go on. A lowered `count` gives short pages with t > n, so it never ends a list.
 * Never by `itemsPerPage`, which Salesforce sizes by what it returned.
 */
export async function* keysetPages<T extends WithId>(
    fetchPage: FetchPage,
    options: PageOptions,
    what = 'resource',
    start: KeysetStart = {}
): AsyncGenerator<ListPage<T>> {
    const count = pageSizeOf(options)
    const range = start.range
    const request = (cursor: string | undefined): Promise<ListAnswer> =>
        prefetch(() => fetchPage(keysetParams(options, range, cursor)))
    let cursor: string | undefined
    let pending = start.firstAnswer !== undefined ? Promise.resolve(start.firstAnswer) : request(cursor)
    let firstTotal: number | undefined
    let totalsCountBeyondPage = false
    let handedOut = 0
    let repeats = 0
    for (let pageNumber = 1; ; pageNumber++) {
        let answer: ListAnswer
        try {
            answer = await pending
        } catch (error: unknown) {
            if (cursor !== undefined && error instanceof InvalidRequestError && error.status === 400) {
                throw pagingRefused(error, cursor, what)
            }
            throw error
        }
        const { resources, total } = readPage<T>(answer.body, what)
        if (pageNumber === 1) firstTotal = total

        const checked = checkPage(resources, cursor ?? range?.after, what, range?.from)
        let fresh = checked.fresh
        const last = checked.last
        repeats += checked.repeats
        // Ids at or past the range's upper bound belong to the next range (Salesforce ignored the bound, or the
        // bound was lowered after this request left): another stream hands them out, so this range ends here.
        const before = range?.before
        const beyond = before !== undefined ? fresh.findIndex((r) => compareIds(r.id, before) >= 0) : -1
        if (beyond >= 0) fresh = fresh.slice(0, beyond)
        handedOut += fresh.length
        if (total !== undefined && total > resources.length) totalsCountBeyondPage = true

        const ends =
            beyond >= 0 ||
            resources.length === 0 ||
            (total === resources.length && (resources.length < count || totalsCountBeyondPage))
        if (range !== undefined) {
            const lastFresh = fresh[fresh.length - 1]
            if (lastFresh !== undefined) range.cursor = lastFresh.id
            range.left = total !== undefined ? Math.max(0, total - resources.length) : undefined
            const firstFresh = fresh[0]
            if (firstFresh !== undefined && lastFresh !== undefined && fresh.length > 1) {
                range.span = { first: firstFresh.id, last: lastFresh.id, count: fresh.length }
            }
            if (ends) range.done = true
        }
        if (ends) {
            // Yielded even when empty: the first answer's Date is when the listing started, on Salesforce's clock.
            yield { resources: fresh, date: answer.date }
            if (repeats > 0) {
                logger.warn({ repeats }, `Salesforce returned ${repeats} ${what}s twice; each was handed out once`)
            }
            const expected = firstTotal !== undefined ? firstTotal - (range?.givenAway ?? 0) : undefined
            if (expected !== undefined && handedOut < expected) {
                const recount = { ...keysetParams(options, range), count: 1 }
                await confirmNoneMissing(fetchPage, recount, { handedOut, firstTotal: expected }, what)
            }
            return
        }
        if (fresh.length === 0) {
            // Only the cursor came back: the same request again would loop.
            throw new InvalidResponseError(
                `Salesforce returned ${what} ${cursor ?? ''} again for id gt ${quoteFilterValue(cursor ?? '')}; ` +
                    'stopping instead of looping'
            )
        }
        cursor = last
        const ahead = start.readAhead?.() ?? true
        if (ahead) {
            pending = request(cursor)
            await letRequestGoOut()
        }
        yield { resources: fresh, date: answer.date }
        if (!ahead) pending = request(cursor)
    }
}
