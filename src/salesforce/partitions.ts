import { InvalidRequestError, RateLimitError, SalesforceServerError } from '../errors'
import { logger } from '../logger'
import { LAST_ID_POSITION, compareIds, idFromPosition, idPosition } from './ids'
import {
    FetchPage,
    KeysetRange,
    ListAnswer,
    ListPage,
    MAX_PAGE_SIZE,
    PageOptions,
    checkPage,
    keysetPages,
    keysetParams,
} from './paginate'
import { and, quoteFilterValue } from './scim-filter'

/**
 * A large list read as id ranges side by side, the way Salesforce's Bulk API reads a table by PK chunking: each
 * range is read by keyset (`keysetPages`, with every check a single stream makes), within `streams` parallel
 * streams. The ranges' bounds come from Salesforce's own counts, since ids are neither dense nor evenly spread:
 * two pods far apart in id order, counters taken in chunks with gaps, case flips.
 *
 * Why the plan can be trusted, or is not used:
 * - Ranges are half-open and chained: `[−∞, b1)`, `[b1, b2)`, …, `[bk, +∞)`, with `id ge` and `id lt` on the same
 *   boundary id, so they cover the whole id space with no gap and no overlap, whatever Salesforce holds.
 * - Every boundary is an id Salesforce returned (the first id at or past a probed point), so it is an id literal
 *   Salesforce accepts, never a made-up string it might refuse or read another way.
 * - A probe asks `count=1` with `id ge <point>`: its `totalResults` is how many lie at or past the point on the
 *   pilot's meaning (what is left past the bounds). Under the other meanings (the whole filter; the page) the
 *   answers do not add up: a count that does not fall as the point rises, a count with no resource, more past the
 *   first page than the first page left. Before any account leaves, the first pages of all ranges are asked for
 *   together, and their counts must add up to the first page's total exactly. Any doubt (that, a refused filter, an
 *   odd answer) reads the list as one sequential stream from the first page, with one log line saying why.
 * - While reading, each range reconciles its own count (`keysetPages`), less what a stream that took over part
 *   of it reads: a shortfall is the same error a single stream raises, never a shorter list.
 */

/** Salesforce's refusals that mean "fewer at once", not "stop": the parallelism halves for the rest of the run. */
function isPushback(error: unknown): boolean {
    if (error instanceof SalesforceServerError) return error.status === 503
    // 403 REQUEST_LIMIT_EXCEEDED for concurrent long-running requests; the org's daily limit stops as before.
    return error instanceof RateLimitError && /concurren/i.test(error.message)
}

/** Something about Salesforce's answers that makes the plan untrustworthy: read sequentially instead. */
class PlanDoubt extends Error {}

/** How many pages a list must have before ranges pay: below it, the probes' round trips cost more than they save. */
const MIN_PAGES_TO_PARTITION = 8
/** Rounds of probes for the boundaries, each round one request per boundary still off its target, side by side. */
const PROBE_ROUNDS = 4
/** A stream that finishes takes over half of another range only when that much is left there (in pages). */
const MIN_PAGES_TO_TAKE_OVER = 4

/** A point of the id space and how many of the list's resources lie below it (`ids < position`). */
export interface CountPoint {
    readonly position: bigint
    readonly below: number
}

/**
 * Where to probe next for a boundary with `target` resources below it, between the known points `points` (sorted
 * by position, `below` not falling). With nothing probed above the target yet, the density (resources per
 * position) is taken from the first id to the nearest known point below the target: averaged over many of the
 * chunks ids come in, it predicts the next stretch far better than a straight line to the top of the id space,
 * which the gaps between pods make almost empty.
 * Between two probed points (or when the density's guess leaves the bracket) the bracket's straight line is used;
 * when even that is on an edge, its middle.
 * @returns undefined when no position lies strictly between the bracket's two points.
 */
export function nextProbe(points: readonly CountPoint[], target: number): bigint | undefined {
    let lowIndex = -1
    for (let i = 0; i < points.length; i++) if ((points[i] as CountPoint).below <= target) lowIndex = i
    const low = points[lowIndex]
    const high = points.slice(lowIndex + 1).find((p) => p.below > target)
    if (low === undefined || high === undefined || high.position - low.position < 2n) return undefined
    const inside = (p: bigint): boolean => p > low.position && p < high.position
    const previous = points[0]
    // Between two probed points the straight line is the better guess; towards the top of the id space (nothing
    // probed above yet) only the density below can tell.
    if (previous !== undefined && previous.below < low.below && high.position > LAST_ID_POSITION) {
        const step =
            ((low.position - previous.position) * BigInt(Math.max(1, target - low.below + 1))) /
            BigInt(low.below - previous.below)
        const estimate = low.position + (step > 0n ? step : 1n)
        if (inside(estimate)) return estimate
    }
    const line =
        low.position +
        ((high.position - low.position) * BigInt(Math.max(1, target - low.below))) / BigInt(high.below - low.below)
    if (inside(line)) return line
    return low.position + (high.position - low.position) / 2n
}

/** The point among those known closest to the target, and how far off it is. */
export function closestPoint(
    points: readonly CountPoint[],
    target: number
): { readonly point: CountPoint; readonly off: number } | undefined {
    let best: { point: CountPoint; off: number } | undefined
    for (const point of points) {
        const off = Math.abs(point.below - target)
        if (best === undefined || off < best.off) best = { point, off }
    }
    return best
}

/**
 * Adds a point, keeping the list sorted by position.
 * @throws PlanDoubt when the counts do not rise with the position: `totalResults` does not mean what the plan needs.
 */
export function addPoint(points: CountPoint[], point: CountPoint): void {
    let at = points.findIndex((p) => p.position >= point.position)
    if (at === -1) at = points.length
    const before = points[at - 1]
    const after = points[at]
    if ((before !== undefined && before.below > point.below) || (after !== undefined && after.below < point.below)) {
        throw new PlanDoubt('counts past successive ids did not fall as the id rose')
    }
    if (after !== undefined && after.position === point.position) return
    points.splice(at, 0, point)
}

interface Probe {
    /** Resources at or past the point (and below `before`, when given). */
    readonly atOrPast: number
    /** The first of them: the id a boundary at this point is. */
    readonly first?: string
}

/**
 * One `count=1` probe: how many resources of the list lie at or past `from` (below `before`, when given), and the
 * first of them.
 * @throws PlanDoubt for an answer that does not add up.
 */
async function probe(
    fetchPage: FetchPage,
    options: PageOptions,
    from: string,
    before: string | undefined,
    most: number,
    what: string
): Promise<Probe> {
    const filter = and(
        options.filter,
        `id ge ${quoteFilterValue(from)}`,
        before !== undefined && `id lt ${quoteFilterValue(before)}`
    )
    const { body } = await fetchPage({ count: 1, startIndex: 1, attributes: 'id', filter })
    const page = (body ?? {}) as { readonly totalResults?: unknown; readonly Resources?: unknown }
    const total = page.totalResults
    const resources = Array.isArray(page.Resources) ? (page.Resources as readonly { id: string }[]) : []
    if (typeof total !== 'number' || !Number.isInteger(total) || total < 0 || total > most) {
        throw new PlanDoubt(`a count of ${what}s past an id was ${String(total)}, where at most ${most} could be`)
    }
    if ((total === 0) !== (resources.length === 0)) {
        throw new PlanDoubt(`a count of ${what}s past an id was ${total} with ${resources.length} ${what}s listed`)
    }
    const first = resources[0]
    if (first === undefined) return { atOrPast: 0 }
    try {
        checkPage([first], undefined, what, from)
    } catch (error: unknown) {
        throw new PlanDoubt(error instanceof Error ? error.message : String(error))
    }
    if (before !== undefined && compareIds(first.id, before) >= 0) {
        throw new PlanDoubt(`Salesforce answered id lt ${quoteFilterValue(before)} with ${what} ${first.id}`)
    }
    return { atOrPast: total, first: first.id }
}

/**
 * Boundary ids that cut the resources past the first page into `parts` runs of about equal size, found by probing
 * counts in rounds (one request per boundary still off target, side by side), each boundary a resource's id.
 * `firstId`/`lastId` are the first page's first and last ids, `total` the list's size, `firstPage` its length.
 */
async function findBoundaries(
    fetchPage: FetchPage,
    options: PageOptions,
    what: string,
    first: { readonly firstId: string; readonly lastId: string; readonly total: number; readonly size: number },
    parts: number
): Promise<string[]> {
    const { total, size } = first
    const points: CountPoint[] = [
        { position: idPosition(first.firstId), below: 0 },
        { position: idPosition(first.lastId), below: size - 1 },
        { position: idPosition(first.lastId) + 1n, below: size },
        { position: LAST_ID_POSITION + 1n, below: total },
    ]
    /** A boundary's id by the position it was found at: the first resource at or past it. */
    const boundaryAt = new Map<bigint, string>()
    const share = (total - size) / parts
    const targets = Array.from({ length: parts - 1 }, (_, i) => Math.round(size + share * (i + 1)))
    // Off by a sixth of a share is close enough: a stream that finishes early takes over half of another range.
    const tolerance = Math.max(MAX_PAGE_SIZE, Math.round(share / 6))
    const good = (target: number): boolean => {
        const best = closestPoint(
            points.filter((p) => boundaryAt.has(p.position)),
            target
        )
        return best !== undefined && best.off <= tolerance
    }
    for (let round = 0; round < PROBE_ROUNDS; round++) {
        const wanted = targets.filter((t) => !good(t)).map((t) => nextProbe(points, t))
        const positions = [...new Set(wanted.filter((p): p is bigint => p !== undefined))]
        if (positions.length === 0) break
        const answers = await Promise.all(
            positions.map((position) =>
                probe(fetchPage, options, idFromPosition(position), undefined, total - size, what)
            )
        )
        positions.forEach((position, i) => {
            const answer = answers[i] as Probe
            const below = total - answer.atOrPast
            addPoint(points, { position, below })
            if (answer.first !== undefined) {
                const at = idPosition(answer.first)
                addPoint(points, { position: at, below })
                boundaryAt.set(at, answer.first)
            }
        })
    }
    const found = points.filter((p) => boundaryAt.has(p.position))
    const chosen = new Set<string>()
    for (const target of targets) {
        const best = closestPoint(found, target)
        if (best !== undefined && best.point.below > size && best.point.below < total) {
            chosen.add(boundaryAt.get(best.point.position) as string)
        }
    }
    return [...chosen].sort(compareIds)
}

/** Where a list's reading stands: its ranges, read or waiting, and how many may run at once. */
interface Stream<T> {
    readonly range: KeysetRange
    readonly pages: AsyncGenerator<ListPage<T>>
    pending?: Promise<Settled<T>> | undefined
}
type Settled<T> =
    | { readonly kind: 'page'; readonly stream: Stream<T>; readonly result: IteratorResult<ListPage<T>> }
    | { readonly kind: 'failed'; readonly stream: Stream<T>; readonly error: unknown }
    | { readonly kind: 'split'; readonly range: KeysetRange | undefined }

export interface PartitionOptions {
    /** Streams read side by side at most (Parallel Streams). */
    readonly streams: number
    readonly what?: string
}

/**
 * Pages of a SCIM list, every resource exactly once, read in id ranges by up to `streams` streams side by side;
 * pages come in the order they arrive, not in id order. A list of fewer than `MIN_PAGES_TO_PARTITION` pages, or
 * one `streams: 1` reads, is read as `keysetPages` reads it, without a probe.
 */
export async function* partitionedPages<T extends { readonly id: string }>(
    fetchPage: FetchPage,
    options: PageOptions,
    { streams, what = 'resource' }: PartitionOptions
): AsyncGenerator<ListPage<T>> {
    const firstAnswer = await fetchPage(keysetParams(options))
    const sequential = (reason: string | undefined): AsyncGenerator<ListPage<T>> => {
        if (reason !== undefined) {
            logger.info({ reason }, `Reading ${what}s as one sequential stream: ${reason}`)
        }
        return keysetPages<T>(fetchPage, options, what, { firstAnswer })
    }
    const body = (firstAnswer.body ?? {}) as { readonly totalResults?: unknown; readonly Resources?: unknown }
    const firstResources = Array.isArray(body.Resources) ? (body.Resources as readonly T[]) : []
    const total = body.totalResults
    // A short first page is the whole list, unless Salesforce served fewer than asked for (then its total says
    // so): either way the first page's length is what a page holds. A list of a few pages (a total that is only
    // the page among them) gains nothing from ranges and is read without a probe.
    if (
        streams <= 1 ||
        typeof total !== 'number' ||
        firstResources.length === 0 ||
        total <= firstResources.length * MIN_PAGES_TO_PARTITION
    ) {
        yield* sequential(undefined)
        return
    }

    let plan: { readonly first: ListPage<T>; readonly ranges: KeysetRange[]; readonly answers: ListAnswer[] }
    try {
        plan = await planRanges<T>(fetchPage, options, what, { answer: firstAnswer, total, streams })
    } catch (error: unknown) {
        if (error instanceof PlanDoubt || (error instanceof InvalidRequestError && error.status === 400)) {
            const reason =
                error instanceof PlanDoubt
                    ? error.message
                    : `Salesforce refused a filter on an id range (${error.message})`
            yield* sequential(reason)
            return
        }
        throw error
    }
    yield { ...plan.first, streams: plan.ranges.length }
    yield* readRanges<T>(fetchPage, options, what, plan.ranges, plan.answers, streams, firstResources.length)
}

/**
 * The ranges past the first page, and each one's first answer, or a PlanDoubt. The first page is checked like any
 * keyset page; the ranges' first answers are asked for together and must count exactly what the first page said
 * was left, so that the plan is known to cover the list before any account leaves.
 */
async function planRanges<T extends { readonly id: string }>(
    fetchPage: FetchPage,
    options: PageOptions,
    what: string,
    { answer, total, streams }: { readonly answer: ListAnswer; readonly total: number; readonly streams: number }
): Promise<{ readonly first: ListPage<T>; readonly ranges: KeysetRange[]; readonly answers: ListAnswer[] }> {
    const resources = (answer.body as { Resources?: readonly T[] }).Resources ?? []
    const { fresh, last, repeats } = checkPage(resources, undefined, what)
    if (repeats > 0 || last === undefined || fresh[0] === undefined) {
        throw new PlanDoubt(`the first page listed a ${what} twice`)
    }
    const size = fresh.length
    const parts = Math.min(streams, Math.floor((total - size) / (size * 2)) || 1)
    const boundaries =
        parts > 1
            ? await findBoundaries(fetchPage, options, what, { firstId: fresh[0].id, lastId: last, total, size }, parts)
            : []
    const ranges: KeysetRange[] = [{ after: last, ...(boundaries[0] !== undefined ? { before: boundaries[0] } : {}) }]
    boundaries.forEach((from, i) => {
        const before = boundaries[i + 1]
        ranges.push({ from, ...(before !== undefined ? { before } : {}) })
    })
    const answers = await Promise.all(ranges.map((range) => fetchPage(keysetParams(options, range))))
    const counts = answers.map((a) => (a.body as { totalResults?: unknown } | undefined)?.totalResults)
    const counted = counts.reduce<number>((sum, c) => sum + (typeof c === 'number' ? c : NaN), size)
    if (counted !== total) {
        throw new PlanDoubt(
            `the ${ranges.length} id ranges counted ${counts.map((c) => (typeof c === 'number' ? c : 'no total')).join(' + ')} ` +
                `${what}s past the first page's ${size}, ` +
                `where the first page counted ${total} in all`
        )
    }
    logger.info(
        { ranges: ranges.length, boundaries, counts },
        `Reading ${total} ${what}s in ${ranges.length} id ranges side by side`
    )
    return { first: { resources: fresh, date: answer.date }, ranges, answers }
}

/**
 * Reads the ranges with at most `streams` at once, handing out each page as it arrives (one page per stream in
 * hand: a stream is asked for its next page only once its last one has been handed out). A stream that finishes
 * takes over half of the largest range left; a 503 or a concurrency refusal halves the streams.
 */
async function* readRanges<T extends { readonly id: string }>(
    fetchPage: FetchPage,
    options: PageOptions,
    what: string,
    initial: readonly KeysetRange[],
    firstAnswers: readonly (ListAnswer | undefined)[],
    maxStreams: number,
    pageSize: number
): AsyncGenerator<ListPage<T>> {
    let parallelism = maxStreams
    const waiting: { range: KeysetRange; firstAnswer?: ListAnswer }[] = initial.map((range, i) => {
        const firstAnswer = firstAnswers[i]
        return firstAnswer !== undefined ? { range, firstAnswer } : { range }
    })
    const streams: Stream<T>[] = []
    let split: Promise<Settled<T>> | undefined
    let takeovers = 0

    const pull = (stream: Stream<T>): void => {
        stream.pending = stream.pages.next().then(
            (result): Settled<T> => ({ kind: 'page', stream, result }),
            (error: unknown): Settled<T> => ({ kind: 'failed', stream, error })
        )
    }
    for (;;) {
        while (streams.length < parallelism && waiting.length > 0) {
            const next = waiting.shift() as { range: KeysetRange; firstAnswer?: ListAnswer }
            const start =
                next.firstAnswer !== undefined
                    ? { range: next.range, firstAnswer: next.firstAnswer }
                    : { range: next.range }
            // After a push-back, a stream past the parallelism asks for no page ahead of being pulled again.
            const stream: Stream<T> = {
                range: next.range,
                pages: keysetPages<T>(fetchPage, options, what, {
                    ...start,
                    readAhead: () => streams.indexOf(stream) < parallelism,
                }),
            }
            streams.push(stream)
        }
        // Streams past the parallelism (after a push-back) finish the page they were asked for, then wait.
        for (const stream of streams.slice(0, parallelism)) if (stream.pending === undefined) pull(stream)
        if (split === undefined && waiting.length === 0 && streams.length < parallelism && takeovers < maxStreams * 2) {
            const donor = largestLeft(streams, pageSize * MIN_PAGES_TO_TAKE_OVER)
            if (donor !== undefined) {
                takeovers++
                split = takeOver(fetchPage, options, what, donor).then(
                    (range): Settled<T> => ({ kind: 'split', range }),
                    (): Settled<T> => ({ kind: 'split', range: undefined })
                )
            }
        }
        const racing = [...streams.flatMap((s) => (s.pending ? [s.pending] : [])), ...(split ? [split] : [])]
        if (racing.length === 0) return
        const settled = await Promise.race(racing)
        if (settled.kind === 'split') {
            split = undefined
            if (settled.range !== undefined) waiting.push({ range: settled.range })
            continue
        }
        const { stream } = settled
        stream.pending = undefined
        if (settled.kind === 'failed') {
            streams.splice(streams.indexOf(stream), 1)
            // No takeover may lower this range's bound any more: what is left of it is read as a range of its own.
            stream.range.done = true
            if (!isPushback(settled.error) || parallelism === 1) throw settled.error
            parallelism = Math.max(1, Math.floor(parallelism / 2))
            logger.warn(
                { streams: parallelism },
                `Salesforce pushed back (${(settled.error as Error).message}); reading ${what}s with ` +
                    `${parallelism} stream${parallelism === 1 ? '' : 's'} from now on`
            )
            // The range is read on from its last id handed out: its pages so far are not asked for again.
            waiting.unshift({ range: rest(stream.range) })
            continue
        }
        if (settled.result.done === true) {
            streams.splice(streams.indexOf(stream), 1)
            continue
        }
        yield { ...settled.result.value, streams: Math.min(streams.length, parallelism) }
    }
}

/** What is left of a range whose stream failed: from its cursor (exclusive), or all of it. */
function rest(range: KeysetRange): KeysetRange {
    const before = range.before !== undefined ? { before: range.before } : {}
    if (range.cursor !== undefined) return { after: range.cursor, ...before }
    if (range.after !== undefined) return { after: range.after, ...before }
    return { ...(range.from !== undefined ? { from: range.from } : {}), ...before }
}

function largestLeft<T>(streams: readonly Stream<T>[], least: number): KeysetRange | undefined {
    let best: KeysetRange | undefined
    for (const { range } of streams) {
        if (range.done === true || range.left === undefined || range.span === undefined || range.left < least) continue
        if (best === undefined || (best.left ?? 0) < range.left) best = range
    }
    return best
}

/**
 * Half of what is left of `donor`, as a range of its own, with the donor's upper bound lowered to where it starts;
 * undefined when the donor has moved past the point meanwhile or the probe says nothing useful. The point is
 * estimated from the density of the donor's last page and checked with one probe (two when the first is far off).
 */
async function takeOver(
    fetchPage: FetchPage,
    options: PageOptions,
    what: string,
    donor: KeysetRange
): Promise<KeysetRange | undefined> {
    const { cursor, left, span, before } = donor
    if (cursor === undefined || left === undefined || span === undefined) return undefined
    const from = idPosition(cursor)
    const until = before !== undefined ? idPosition(before) : LAST_ID_POSITION + 1n
    const perId = (idPosition(span.last) - idPosition(span.first)) / BigInt(span.count - 1)
    const half = Math.floor(left / 2)
    let guess = from + (perId > 0n ? perId : 1n) * BigInt(half)
    let found: Probe | undefined
    for (let attempt = 0; attempt < 2 && guess > from && guess < until; attempt++) {
        const answer = await probe(fetchPage, options, idFromPosition(guess), before, left, what)
        const taken = answer.atOrPast
        const closer = found === undefined || Math.abs(taken - half) < Math.abs(found.atOrPast - half)
        if (answer.first !== undefined && taken > 0 && closer) found = answer
        if (taken >= left / 4 && taken <= (left * 3) / 4) break
        // Scale the step by how far off the count was: the density near the cursor predicted it wrongly.
        const gone = left - taken
        if (gone <= 0) break
        guess = from + ((guess - from) * BigInt(half)) / BigInt(gone)
    }
    if (found?.first === undefined) return undefined
    const start = found.first
    // The donor may have passed the point, or finished, while the probe was out: then there is nothing to take.
    if (donor.done === true || donor.before !== before || compareIds(donor.cursor ?? '', start) >= 0) return undefined
    donor.before = start
    donor.givenAway = (donor.givenAway ?? 0) + found.atOrPast
    return { from: start, ...(before !== undefined ? { before } : {}) }
}
