import { InvalidRequestError, InvalidResponseError, RateLimitError, SalesforceServerError } from '../../../src/errors'
import { LAST_ID_POSITION, compareIds, idFromPosition, idPosition, toId18 } from '../../../src/salesforce/ids'
import { FetchPage, ListPage, PageParams } from '../../../src/salesforce/paginate'
import { CountPoint, addPoint, closestPoint, nextProbe, partitionedPages } from '../../../src/salesforce/partitions'
import { captureLogs } from '../../helpers/nock'

interface Row {
    readonly id: string
}

/** A deterministic generator, so each test's ids repeat. */
function prng(seed: number): () => number {
    let s = seed >>> 0
    return () => {
        s = (s * 1664525 + 1013904223) >>> 0
        return s / 2 ** 32
    }
}

/**
 * Ids shaped like a real org's: two pods far apart in id order, counters taken in chunks with gaps, the last
 * character flipping case every 62 ids (base-62 counting does it by itself).
 */
function org(users: number, seed = 1): Row[] {
    const rand = prng(seed)
    const rows: Row[] = []
    const podOf = (pod: string): bigint => idPosition(`005${pod}0000000000`)
    const legacy = Math.floor(users / 20)
    for (const [pod, count] of [
        ['8d', users - legacy],
        ['i0', legacy],
    ] as const) {
        let position = podOf(pod)
        let left = count
        while (left > 0) {
            const chunk = Math.min(left, 20 + Math.floor(rand() * 380))
            for (let i = 0; i < chunk; i++) rows.push({ id: idFromPosition(position + BigInt(i)) })
            position += BigInt(chunk + Math.floor(rand() * 4000))
            left -= chunk
        }
    }
    return rows.sort((a, b) => compareIds(a.id, b.id))
}

type TotalMeaning = 'remaining' | 'filterTotal' | 'pageSize'

interface Server {
    readonly fetch: FetchPage
    readonly calls: PageParams[]
    inFlight: number
    mostInFlight: number
}

/** A fake /Users list over `rows` that understands `id ge|gt|lt "<x>"` (ANDed with anything) and count. */
function server(
    rows: readonly Row[],
    {
        total = 'remaining',
        fail,
        ignoresUpperBound = false,
    }: {
        total?: TotalMeaning
        fail?: (call: number, params: PageParams) => Error | undefined
        /** Answers as if `id lt` were not there. */
        ignoresUpperBound?: boolean
    } = {}
): Server {
    const calls: PageParams[] = []
    const state: Server = {
        calls,
        inFlight: 0,
        mostInFlight: 0,
        fetch: async (params) => {
            calls.push(params)
            const failure = fail?.(calls.length, params)
            state.inFlight++
            state.mostInFlight = Math.max(state.mostInFlight, state.inFlight)
            await new Promise((resolve) => setTimeout(resolve, 1))
            state.inFlight--
            if (failure !== undefined) throw failure
            const filter = String(params.filter ?? '')
            const bound = (op: string): string | undefined => new RegExp(`id ${op} "([^"]+)"`).exec(filter)?.[1]
            const [gt, ge] = [bound('gt'), bound('ge')]
            const lt = ignoresUpperBound ? undefined : bound('lt')
            const matching = rows.filter(
                (r) =>
                    (gt === undefined || compareIds(r.id, gt) > 0) &&
                    (ge === undefined || compareIds(r.id, ge) >= 0) &&
                    (lt === undefined || compareIds(r.id, lt) < 0)
            )
            const page = matching.slice(0, Number(params.count))
            const totalResults =
                total === 'filterTotal' ? rows.length : total === 'pageSize' ? page.length : matching.length
            return { body: { totalResults, Resources: page }, date: 'Tue, 01 Dec 2026 20:00:00 GMT' }
        },
    }
    return state
}

async function readAll(pages: AsyncGenerator<ListPage<Row>>): Promise<{ ids: string[]; streams: number[] }> {
    const ids: string[] = []
    const streams: number[] = []
    for await (const page of pages) {
        ids.push(...page.resources.map((r) => r.id))
        if (page.streams !== undefined) streams.push(page.streams)
    }
    return { ids, streams }
}

const options = { pageSize: 200 }
const probes = (calls: readonly PageParams[]): number => calls.filter((c) => c.count === 1).length

describe('ids as positions', () => {
    it('turns an id into its base-62 position and back, in byte order across case flips', () => {
        const id = toId18('0058d0000000DgZ')
        expect(idFromPosition(idPosition(id))).toBe(id)
        expect(idFromPosition(idPosition(id) + 1n)).toBe(toId18('0058d0000000Dga'))
        expect(idPosition('0058d0000000DgZ')).toBeLessThan(idPosition('0058d0000000Dga'))
        expect(idFromPosition(LAST_ID_POSITION + 5n)).toBe(toId18('zzzzzzzzzzzzzzz'))
    })
})

describe('the boundary planner', () => {
    const points: CountPoint[] = [
        { position: 1000n, below: 0 },
        { position: 1199n, below: 199 },
        { position: 1200n, below: 200 },
        { position: LAST_ID_POSITION + 1n, below: 10_000 },
    ]

    it('guesses past the known points from the density below, not a straight line to the top of the id space', () => {
        // One user a position from the first id: the 5,000th lies 4,800 past the first page's end.
        expect(nextProbe(points, 5000)).toBe(1200n + 4801n)
    })

    it('follows the straight line between two probed points', () => {
        const bracket = [...points.slice(0, 3), { position: 11_200n, below: 3000 }, ...points.slice(3)]
        expect(nextProbe(bracket, 1600)).toBe(1200n + (10_000n * 1400n) / 2800n)
    })

    it('has nothing to probe where no position lies between the bracket', () => {
        expect(nextProbe(points, 199)).toBeUndefined()
    })

    it('takes counts that do not rise with the id as a doubt about what totalResults means', () => {
        const known = [...points]
        addPoint(known, { position: 5000n, below: 3000 })
        expect(() => addPoint(known, { position: 6000n, below: 2000 })).toThrow(/did not fall/)
        expect(closestPoint(known, 2900)).toEqual({ point: { position: 5000n, below: 3000 }, off: 100 })
    })
})

describe('partitionedPages', () => {
    it.each([
        [20_000, 4, 1],
        [10_000, 8, 2],
        [3_000, 3, 3],
        [50_000, 4, 4],
    ])('reads %i users with %i streams exactly once (ids seeded %i)', async (users, streams, seed) => {
        const rows = org(users, seed)
        const sf = server(rows)
        const { ids, streams: seen } = await readAll(partitionedPages<Row>(sf.fetch, options, { streams }))
        expect(ids).toHaveLength(rows.length)
        expect(new Set(ids).size).toBe(rows.length)
        expect(Math.max(...seen)).toBe(Math.min(streams, Math.floor(users / 400)))
        expect(sf.mostInFlight).toBeLessThanOrEqual(streams + 1)
        // Probes and the ranges' last pages cost a few requests beyond one stream's.
        expect(sf.calls.length).toBeLessThanOrEqual(Math.ceil(rows.length / 200) + 6 * streams)
    })

    it('makes no probe for a list of a few pages, nor with one stream', async () => {
        for (const [users, streams] of [
            [1_000, 4],
            [400, 4],
            [50_000, 1],
        ] as const) {
            const sf = server(org(users))
            const { ids } = await readAll(partitionedPages<Row>(sf.fetch, options, { streams }))
            expect(ids).toHaveLength(users)
            expect(probes(sf.calls)).toBe(0)
            expect(sf.calls.length).toBe(Math.floor(users / 200))
        }
    })

    it.each<TotalMeaning>(['filterTotal', 'pageSize'])(
        'reads sequentially, every user once, when totalResults means %s',
        async (total) => {
            const rows = org(10_000)
            const sf = server(rows, { total })
            const logs = captureLogs()
            try {
                const { ids, streams } = await readAll(partitionedPages<Row>(sf.fetch, options, { streams: 4 }))
                expect(ids).toEqual(rows.map((r) => r.id))
                expect(streams).toEqual([])
            } finally {
                logs.restore()
            }
            const lines = logs.lines.filter((l) => l.includes('one sequential stream'))
            expect(lines).toHaveLength(total === 'filterTotal' ? 1 : 0)
        }
    )

    it('reads sequentially, every user once, when Salesforce ignores the upper bound of a range', async () => {
        const rows = org(10_000)
        const sf = server(rows, { ignoresUpperBound: true })
        const { ids, streams } = await readAll(partitionedPages<Row>(sf.fetch, options, { streams: 4 }))
        expect(ids).toEqual(rows.map((r) => r.id))
        expect(streams).toEqual([])
    })

    it('halves the streams after a 503, reads the refused range on from its cursor, and stops at one stream', async () => {
        const rows = org(20_000)
        const unavailable = new SalesforceServerError('Salesforce failed on its side (HTTP 503 GET /Users)', {
            status: 503,
        })
        const sf = server(rows, { fail: (call, p) => (call === 30 && p.count === 200 ? unavailable : undefined) })
        const { ids, streams } = await readAll(partitionedPages<Row>(sf.fetch, options, { streams: 4 }))
        expect(new Set(ids).size).toBe(rows.length)
        expect(ids).toHaveLength(rows.length)
        expect(streams.slice(-20).every((s) => s <= 2)).toBe(true)

        const always = server(rows, { fail: (call, p) => (call > 20 && p.count === 200 ? unavailable : undefined) })
        await expect(readAll(partitionedPages<Row>(always.fetch, options, { streams: 4 }))).rejects.toBe(unavailable)
    })

    it('stops on the org API limit as a single stream does', async () => {
        const limit = new RateLimitError('Salesforce API request limit reached (HTTP 403 REQUEST_LIMIT_EXCEEDED)', {
            status: 403,
            errorCode: 'REQUEST_LIMIT_EXCEEDED',
        })
        const sf = server(org(20_000), { fail: (call) => (call === 25 ? limit : undefined) })
        await expect(readAll(partitionedPages<Row>(sf.fetch, options, { streams: 4 }))).rejects.toBe(limit)
    })

    it('refuses a range whose ids come out of order, as a single stream does', async () => {
        const rows = org(10_000)
        const sf = server(rows)
        const fetch: FetchPage = async (params) => {
            const answer = await sf.fetch(params)
            const body = answer.body as { Resources: Row[] }
            if (sf.calls.length === 30 && body.Resources.length > 2) body.Resources.reverse()
            return answer
        }
        await expect(readAll(partitionedPages<Row>(fetch, options, { streams: 4 }))).rejects.toThrow(
            InvalidResponseError
        )
    })

    /** Reads every id with the answers `change` rewrites, and the reason logged for reading as one stream, if any. */
    async function readChanged(
        rows: readonly Row[],
        change: (params: PageParams, body: { totalResults?: unknown; Resources?: Row[] }) => unknown,
        fail?: (call: number, params: PageParams) => Error | undefined
    ): Promise<{ ids: string[]; streams: number[]; sequential: string[] }> {
        const sf = server(rows, fail !== undefined ? { fail } : {})
        const fetch: FetchPage = async (params) => {
            const answer = await sf.fetch(params)
            return { ...answer, body: change(params, answer.body as { totalResults?: unknown; Resources?: Row[] }) }
        }
        const logs = captureLogs()
        try {
            const read = await readAll(partitionedPages<Row>(fetch, options, { streams: 4, what: 'user' }))
            return { ...read, sequential: logs.lines.filter((l) => l.includes('as one sequential stream')) }
        } finally {
            logs.restore()
        }
    }

    it.each<[string, (params: PageParams, body: { totalResults?: unknown; Resources?: Row[] }) => unknown, RegExp]>([
        [
            'a probe counts users but lists none',
            (p, body) => (p.count === 1 ? { ...body, Resources: [] } : body),
            /a count of users past an id was \d+ with 0 users listed/,
        ],
        [
            'a probe lists a user before the id it asked from',
            (p, body) => (p.count === 1 ? { ...body, Resources: [{ id: '0058d0000000001AAA' }] } : body),
            /which sorts before it/,
        ],
        [
            'the first page lists a user twice',
            (p, body) =>
                p.filter === undefined && body.Resources !== undefined
                    ? { ...body, Resources: [body.Resources[0], ...body.Resources.slice(0, -1)] }
                    : body,
            /the first page listed a user twice/,
        ],
        [
            'a range answers without a count',
            (p, body) =>
                p.count === 200 && /id (gt|ge)/.test(String(p.filter)) ? { Resources: body.Resources } : body,
            /the 4 id ranges counted .* users past the first page's 200, where the first page counted 10000 in all/,
        ],
    ])('reads sequentially, every user once, when %s', async (_name, change, reason) => {
        const rows = org(10_000)
        const { ids, streams, sequential } = await readChanged(rows, change)
        expect(new Set(ids).size).toBe(rows.length)
        expect(streams).toEqual([])
        expect(sequential).toHaveLength(1)
        expect(sequential[0]).toMatch(reason)
    })

    it('reads sequentially when Salesforce refuses a filter on an id range', async () => {
        const rows = org(10_000)
        const refused = new InvalidRequestError('Salesforce refused the request: Unsupported attribute (HTTP 400)', {
            status: 400,
        })
        const { ids, sequential } = await readChanged(
            rows,
            (_p, body) => body,
            (_call, p) => (p.count === 1 ? refused : undefined)
        )
        expect(ids).toEqual(rows.map((r) => r.id))
        expect(sequential[0]).toContain('Salesforce refused a filter on an id range (Salesforce refused the request')
    })

    it('stops on a 503 while planning the ranges, as a single stream does', async () => {
        const unavailable = new SalesforceServerError('Salesforce failed on its side (HTTP 503 GET /Users)', {
            status: 503,
        })
        await expect(
            readChanged(
                org(10_000),
                (_p, body) => body,
                (_call, p) => (p.count === 1 ? unavailable : undefined)
            )
        ).rejects.toBe(unavailable)
    })

    it('reads a first answer without a body as an empty list', async () => {
        const { ids, streams } = await readChanged(org(1_000), () => undefined)
        expect(ids).toEqual([])
        expect(streams).toEqual([])
    })

    /** Tells the probes of a takeover: those asked once the ranges have been read from. */
    function takeovers(): (p: PageParams) => boolean {
        let reading = false
        return (p) => {
            if (p.count === 200 && p.filter !== undefined) reading = true
            return reading && p.count === 1
        }
    }

    it('reads every user once when a takeover probe answers with an id past every user', async () => {
        const rows = org(50_000, 4)
        const takeoverProbe = takeovers()
        let probed = 0
        const { ids, streams } = await readChanged(rows, (p, body) => {
            if (!takeoverProbe(p)) return body
            probed++
            return { totalResults: 1, Resources: [{ id: toId18('zzzzzzzzzzzzzzz') }] }
        })
        expect(probed).toBeGreaterThan(0)
        expect(ids).toHaveLength(rows.length)
        expect(new Set(ids).size).toBe(rows.length)
        expect(Math.max(...streams)).toBe(4)
    })
})
