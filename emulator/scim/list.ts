import { ScimError } from '../errors'
import { CompiledFilter } from '../filter'
import { lowerBound } from '../store'
import { Variants } from '../variants'

export const LIST_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
/** ServiceProviderConfig `filter.maxResults`; larger `count` values are refused. */
export const MAX_COUNT = 200
/**
 * Salesforce turns `startIndex` into a SOQL OFFSET, which stops at 2000, so anything past 2001 is refused with this
 * exact text (seen from native Salesforce in 2019 and in the pilot source).
 */
export const MAX_START_INDEX = 2001
export const START_INDEX_TOO_BIG =
    'Start index too big. Consider filtering down your result set, e.g. id gt "(the last id in the result set)"'

export interface Paging {
    readonly startIndex: number
    readonly count: number
    /** Whether the client sent them: Salesforce echoes `startIndex` and sizes `itemsPerPage` only then. */
    readonly startIndexSent: boolean
    readonly countSent: boolean
}

export function firstParam(value: unknown): string | undefined {
    if (typeof value === 'string') return value
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0]
    return undefined
}

const NUMERIC = /^\d+$/

/** @throws ScimError 400 with the pilot's texts. */
export function validateCount(raw: string): number {
    const n = NUMERIC.test(raw) ? Number(raw) : Number.NaN
    if (!(n >= 1 && n <= MAX_COUNT)) throw new ScimError(400, `Illegal count value : ${raw}`)
    return n
}

/** @throws ScimError 400 with the pilot's texts. */
export function validateStartIndex(raw: string): number {
    if (!NUMERIC.test(raw)) throw new ScimError(400, `Illegal startIndex value : ${raw}`)
    const n = Number(raw)
    if (n < 1) throw new ScimError(400, `Illegal startIndex value: ${raw}`)
    if (n > MAX_START_INDEX) throw new ScimError(400, START_INDEX_TOO_BIG)
    return n
}

/** Variant `countClamp: 'clamp100'`: a larger `count` is served as this many, without a word. */
export const CLAMPED_COUNT = 100

export function parsePaging(
    query: Record<string, unknown>,
    defaultCount: number,
    countClamp: Variants['countClamp'] = 'none'
): Paging {
    const rawCount = firstParam(query.count)
    const rawStart = firstParam(query.startIndex)
    const count = rawCount === undefined ? defaultCount : validateCount(rawCount)
    return {
        count: countClamp === 'clamp100' ? Math.min(count, CLAMPED_COUNT) : count,
        startIndex: rawStart === undefined ? 1 : validateStartIndex(rawStart),
        countSent: rawCount !== undefined,
        startIndexSent: rawStart !== undefined,
    }
}

export interface ListSource<T extends { readonly id: string }> {
    /** All items, sorted by id. */
    items(): readonly T[]
    /** Changes whenever any item changes, so cached matches can be reused until then. */
    version(): number
    /** Items with `attr` equal to `value` (sorted by id), when an index can answer it; undefined otherwise. */
    lookup?(attr: string, value: string): readonly T[] | undefined
}

export interface QueryResult<T> {
    /** Matches past the cursor: the filter with its id bounds (what the pilot's count query counts). */
    readonly total: number
    /** Matches of the filter without its id bounds. */
    readonly filterTotal: number
    readonly page: readonly T[]
}

/** `totalResults` as variant R4 says Salesforce counts it. */
export function totalResultsOf(result: QueryResult<unknown>, meaning: Variants['totalResults']): number {
    if (meaning === 'filterTotal') return result.filterTotal
    if (meaning === 'pageSize') return result.page.length
    return result.total
}

type Collation = Variants['idCollation']

const binaryOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const caseInsensitiveOrder = (a: string, b: string): number => binaryOrder(a.toLowerCase(), b.toLowerCase())

/**
 * Remembers which items match a filter (without its id bounds) per data version, so keyset paging through a large
 * result costs a binary search per page instead of a scan: `id gt "<last id>"` pages stay fast at 100,000 users.
 */
export class MatchCache<T> {
    private readonly entries = new Map<string, { version: number; matches: readonly T[] }>()

    constructor(private readonly capacity = 32) {}

    get(key: string, version: number, compute: () => readonly T[]): readonly T[] {
        const hit = this.entries.get(key)
        if (hit && hit.version === version) {
            this.entries.delete(key)
            this.entries.set(key, hit)
            return hit.matches
        }
        const matches = compute()
        this.entries.set(key, { version, matches })
        if (this.entries.size > this.capacity) {
            const oldest = this.entries.keys().next().value
            if (oldest !== undefined) this.entries.delete(oldest)
        }
        return matches
    }
}

/** Evaluate a compiled filter over an id-sorted source and cut one page, Salesforce style (`ORDER BY Id`). */
export function runQuery<T extends { readonly id: string }>(
    source: ListSource<T>,
    filter: CompiledFilter<T>,
    paging: Pick<Paging, 'startIndex' | 'count'>,
    cache?: MatchCache<T>,
    collation: Collation = 'binary'
): QueryResult<T> {
    let list: readonly T[]
    const indexed = source.lookup ? firstIndexed(source, filter) : undefined
    if (indexed) {
        list = filter.rest ? indexed.filter(filter.rest) : indexed
    } else if (filter.rest) {
        const rest = filter.rest
        const compute = (): readonly T[] => source.items().filter(rest)
        list = cache ? cache.get(filter.restKey, source.version(), compute) : compute()
    } else {
        list = source.items()
    }
    if (collation !== 'binary') return collatedQuery(list, filter, paging, collation)
    const lo = filter.lower ? lowerBound(list, filter.lower.id, filter.lower.inclusive) : 0
    const hi = filter.upper ? lowerBound(list, filter.upper.id, !filter.upper.inclusive) : list.length
    const total = Math.max(0, hi - lo)
    const start = lo + paging.startIndex - 1
    const end = Math.min(start + paging.count, hi)
    return { total, filterTotal: list.length, page: start < end ? list.slice(start, end) : [] }
}

/**
 * Variant R2, where `ORDER BY Id` and `id gt` disagree: the id bounds compare with one collation and the rows are
 * ordered by the other. `id eq` stays exact (SOQL equality on Id is case-sensitive). A scan per page: test sizes only.
 */
function collatedQuery<T extends { readonly id: string }>(
    list: readonly T[],
    filter: CompiledFilter<T>,
    paging: Pick<Paging, 'startIndex' | 'count'>,
    collation: Exclude<Collation, 'binary'>
): QueryResult<T> {
    const { lower, upper } = filter
    const exact = lower !== undefined && upper !== undefined && lower.id === upper.id
    const compare = collation === 'gtCaseInsensitive' && !exact ? caseInsensitiveOrder : binaryOrder
    const inRange = list.filter((item) => {
        if (lower) {
            const c = compare(item.id, lower.id)
            if (c < 0 || (c === 0 && !lower.inclusive)) return false
        }
        if (upper) {
            const c = compare(item.id, upper.id)
            if (c > 0 || (c === 0 && !upper.inclusive)) return false
        }
        return true
    })
    const ordered =
        collation === 'orderByCaseInsensitive'
            ? [...inRange].sort((a, b) => caseInsensitiveOrder(a.id, b.id) || binaryOrder(a.id, b.id))
            : inRange
    const start = paging.startIndex - 1
    return { total: ordered.length, filterTotal: list.length, page: ordered.slice(start, start + paging.count) }
}

function firstIndexed<T extends { readonly id: string }>(
    source: ListSource<T>,
    filter: CompiledFilter<T>
): readonly T[] | undefined {
    for (const term of filter.eqTerms) {
        const hit = source.lookup?.(term.attr, term.value)
        if (hit) return hit
    }
    return undefined
}

/**
 * The ListResponse envelope with the pilot's field rules: `itemsPerPage` is `min(count, returned)` when `count` was
 * sent, otherwise present only when not everything was returned; `startIndex` is echoed only when sent.
 */
export function listResponse(total: number, resources: readonly unknown[], paging: Paging): Record<string, unknown> {
    const body: Record<string, unknown> = { totalResults: total }
    if (paging.countSent) body.itemsPerPage = Math.min(paging.count, resources.length)
    else if (total !== resources.length) body.itemsPerPage = resources.length
    if (paging.startIndexSent) body.startIndex = paging.startIndex
    body.schemas = [LIST_RESPONSE_URN]
    body.Resources = resources
    return body
}

/** Salesforce's empty `/Users` answer: zeros and no `Resources` key at all. */
export function emptyUserList(): Record<string, unknown> {
    return { totalResults: 0, itemsPerPage: 0, startIndex: 0, schemas: [LIST_RESPONSE_URN] }
}
