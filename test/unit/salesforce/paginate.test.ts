import { InvalidResponseError } from '../../../src/errors'
import { FetchPage, PageParams, asStreamed, indexedPages, keysetPages } from '../../../src/salesforce/paginate'
import { ScimListResponse } from '../../../src/salesforce/types'
import { captureLogs } from '../../helpers/nock'

interface Row {
    readonly id: string
}

/** Ids like Salesforce's: fixed width, so string order is id order. */
function ids(from: number, count: number): Row[] {
    return Array.from({ length: count }, (_, i) => ({ id: `005${String(from + i).padStart(12, '0')}AAA` }))
}

async function collect<T>(pages: AsyncGenerator<readonly T[]>): Promise<T[][]> {
    const out: T[][] = []
    for await (const page of pages) out.push([...page])
    return out
}

/** A fake endpoint over `rows` that understands `id gt "<x>"` (ANDed with anything) and startIndex/count. */
function endpoint(rows: readonly Row[], options: { maxStartIndex?: number; capTotal?: number } = {}) {
    const calls: PageParams[] = []
    const fetch: FetchPage<Row> = (params) => {
        calls.push(params)
        const filter = String(params.filter ?? '')
        const after = /id gt "([^"]+)"/.exec(filter)?.[1]
        const matching = rows.filter((r) => after === undefined || r.id > after)
        const start = Number(params.startIndex ?? 1)
        if (start > (options.maxStartIndex ?? Infinity)) return Promise.reject(new Error('Start index too big'))
        const count = Number(params.count)
        const visible =
            options.capTotal !== undefined && after === undefined ? matching.slice(0, options.capTotal) : matching
        const page = visible.slice(start - 1, start - 1 + count)
        const response: ScimListResponse<Row> = {
            totalResults: matching.length,
            ...(page.length > 0 ? { Resources: page } : {}),
        }
        return Promise.resolve(response)
    }
    return { calls, fetch }
}

describe('keysetPages', () => {
    it('pages by id gt with startIndex=1 and stops when totalResults fits in the page', async () => {
        const { calls, fetch } = endpoint(ids(1, 450))
        const pages = await collect(keysetPages(asStreamed(fetch), { pageSize: 200, filter: 'active eq "true"' }))
        expect(pages.map((p) => p.length)).toEqual([200, 200, 50])
        expect(pages.flat()).toEqual(ids(1, 450))
        expect(calls).toEqual([
            { count: 200, filter: 'active eq "true"', startIndex: 1 },
            { count: 200, filter: '(active eq "true") and (id gt "005000000000200AAA")', startIndex: 1 },
            { count: 200, filter: '(active eq "true") and (id gt "005000000000400AAA")', startIndex: 1 },
        ])
    })

    it('costs ceil(N/200) requests for N users', async () => {
        const { calls, fetch } = endpoint(ids(1, 1000))
        await collect(keysetPages(asStreamed(fetch), { pageSize: 200 }))
        expect(calls).toHaveLength(5)
    })

    it('treats a missing Resources as an empty, final page', async () => {
        const { calls, fetch } = endpoint([])
        expect(await collect(keysetPages(asStreamed(fetch), { pageSize: 200 }))).toEqual([])
        expect(calls).toHaveLength(1)
    })

    it('keeps going without totalResults until a page comes back empty', async () => {
        const rows = ids(1, 3)
        let n = 0
        const fetch: FetchPage<Row> = () => Promise.resolve(n++ === 0 ? { Resources: rows } : { Resources: [] })
        expect(await collect(keysetPages(asStreamed(fetch), { pageSize: 200 }))).toEqual([rows])
        expect(n).toBe(2)
    })

    it('caps count at 200', async () => {
        const { calls, fetch } = endpoint(ids(1, 1))
        await collect(keysetPages(asStreamed(fetch), { pageSize: 5000, attributes: ['id', 'userName'] }))
        expect(calls[0]).toMatchObject({ count: 200, attributes: 'id,userName' })
    })

    it('requests the next page before yielding the current one', async () => {
        const { calls, fetch } = endpoint(ids(1, 5))
        const pages = keysetPages(asStreamed(fetch), { pageSize: 2 })
        const first = await pages.next()
        expect(first.value).toHaveLength(2)
        // The consumer has the first page; the second request is already out.
        expect(calls).toHaveLength(2)
        await pages.return(undefined)
    })

    it('does not leave an unhandled rejection when the consumer stops early and the prefetch fails', async () => {
        let n = 0
        const fetch: FetchPage<Row> = () =>
            n++ === 0
                ? Promise.resolve({ totalResults: 10, Resources: ids(1, 2) })
                : Promise.reject(new Error('late failure'))
        const unhandled = jest.fn()
        process.on('unhandledRejection', unhandled)
        for await (const page of keysetPages(asStreamed(fetch), { pageSize: 2 })) {
            expect(page).toHaveLength(2)
            break
        }
        await new Promise((resolve) => setImmediate(resolve))
        process.off('unhandledRejection', unhandled)
        expect(unhandled).not.toHaveBeenCalled()
    })

    it('surfaces a failed prefetch to a consumer that keeps reading', async () => {
        let n = 0
        const fetch: FetchPage<Row> = () =>
            n++ === 0
                ? Promise.resolve({ totalResults: 10, Resources: ids(1, 2) })
                : Promise.reject(new Error('page 2 failed'))
        await expect(collect(keysetPages(asStreamed(fetch), { pageSize: 2 }))).rejects.toThrow('page 2 failed')
    })

    it('refuses to loop when Salesforce ignores the id gt filter', async () => {
        const rows = ids(1, 2)
        const fetch: FetchPage<Row> = () => Promise.resolve({ totalResults: 10, Resources: rows })
        await expect(collect(keysetPages(asStreamed(fetch), { pageSize: 2 }))).rejects.toBeInstanceOf(
            InvalidResponseError
        )
    })

    it('refuses a page that is not a ListResponse or a resource without an id', async () => {
        const notAPage = (() => Promise.resolve(null)) as unknown as FetchPage<Row>
        await expect(collect(keysetPages(asStreamed(notAPage), { pageSize: 2 }))).rejects.toThrow(
            /without a ListResponse/
        )
        const noId = (() => Promise.resolve({ totalResults: 1, Resources: [{}] })) as unknown as FetchPage<Row>
        await expect(collect(keysetPages(asStreamed(noId), { pageSize: 2 }))).rejects.toThrow(/without an id/)
    })

    it('refuses a Resources that is not a list', async () => {
        const fetch = (() => Promise.resolve({ totalResults: 1, Resources: 'x' })) as unknown as FetchPage<Row>
        await expect(collect(keysetPages(asStreamed(fetch), { pageSize: 2 }))).rejects.toThrow(/not a list/)
    })
})

describe('indexedPages', () => {
    it('pages by startIndex, advancing by what each page returned, never by itemsPerPage', async () => {
        const rows = ids(1, 5)
        const calls: PageParams[] = []
        const fetch: FetchPage<Row> = (params) => {
            calls.push(params)
            const start = Number(params.startIndex)
            // Salesforce may return fewer than count and report a misleading itemsPerPage.
            const page = rows.slice(start - 1, start + 1)
            return Promise.resolve({ totalResults: 5, itemsPerPage: 200, Resources: page })
        }
        const pages = await collect(indexedPages(fetch, { pageSize: 3 }))
        expect(pages.flat()).toEqual(rows)
        expect(calls.map((c) => c.startIndex)).toEqual([1, 3, 5])
    })

    it('switches to id gt keyset paging instead of passing startIndex 2001', async () => {
        const rows = ids(1, 2450)
        const { calls, fetch } = endpoint(rows, { maxStartIndex: 2001 })
        const pages = await collect(indexedPages(fetch, { pageSize: 200, filter: 'displayName sw "A"' }))
        expect(pages.flat()).toEqual(rows)
        expect(calls.map((c) => c.startIndex)).toEqual([
            1, 201, 401, 601, 801, 1001, 1201, 1401, 1601, 1801, 2001, 1, 1,
        ])
        expect(calls[11]?.filter).toBe('(displayName sw "A") and (id gt "005000000002200AAA")')
    })

    it('continues by id when Salesforce stops short of totalResults instead of dropping rows', async () => {
        const rows = ids(1, 450)
        const { fetch } = endpoint(rows, { capTotal: 200 })
        const logs = captureLogs()
        const pages = await collect(indexedPages(fetch, { pageSize: 200 }, 'entitlement')).finally(logs.restore)
        expect(pages.flat()).toEqual(rows)
        expect(logs.lines.join('')).toContain(
            'Salesforce stopped returning entitlements at 200 of 450; continuing by id'
        )
    })

    it('ends on the page that reaches totalResults', async () => {
        const { calls, fetch } = endpoint(ids(1, 400))
        await collect(indexedPages(fetch, { pageSize: 200 }))
        expect(calls).toHaveLength(2)
    })

    it('handles an empty result', async () => {
        const { fetch } = endpoint([])
        expect(await collect(indexedPages(fetch, { pageSize: 200 }))).toEqual([])
    })
})
