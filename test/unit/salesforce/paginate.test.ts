import { InvalidRequestError } from '../../../src/errors'
import { toId18 } from '../../../src/salesforce/ids'
import { FetchPage, ListPage, PageParams, keysetPages } from '../../../src/salesforce/paginate'
import { captureLogs } from '../../helpers/nock'
import { MESSY_USER_KEYS } from '../../helpers/scim-bodies'

interface Row {
    readonly id: string
}

/** Ids like Salesforce's: fixed width, digits only, so every order agrees. */
function ids(from: number, count: number): Row[] {
    return Array.from({ length: count }, (_, i) => ({ id: `005${String(from + i).padStart(12, '0')}AAA` }))
}

const binary = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
/** How a case-insensitive collation (SOQL's ORDER BY for text, "Sorting is case insensitive") orders ids. */
const caseInsensitive = (a: string, b: string): number => binary(a.toLowerCase(), b.toLowerCase()) || binary(a, b)

/** What `totalResults` counts (risk R4), or a capped count as /Entitlements may send it. */
type TotalMeaning = 'remaining past the cursor' | 'whole filter' | 'page size' | 'absent' | 'capped at 200'

interface EndpointOptions {
    readonly total?: TotalMeaning
    /** The most rows a page holds, whatever `count` asked (R5). */
    readonly clamp?: number
    readonly orderBy?: (a: string, b: string) => number
    /** How the server compares ids for `id gt`. */
    readonly gt?: (a: string, b: string) => number
    readonly date?: (call: number) => string | undefined
}

/** A fake SCIM list over `rows` that understands `id gt "<x>"` (ANDed with anything) and count. */
function endpoint(rows: readonly Row[], options: EndpointOptions = {}) {
    const calls: PageParams[] = []
    const fetch: FetchPage = (params) => {
        calls.push(params)
        const after = /id gt "([^"]+)"/.exec(String(params.filter ?? ''))?.[1]
        const gt = options.gt ?? binary
        const matching = rows
            .filter((r) => after === undefined || gt(r.id, after) > 0)
            .sort((a, b) => (options.orderBy ?? binary)(a.id, b.id))
        const page = matching.slice(0, Math.min(Number(params.count), options.clamp ?? Infinity))
        const totals: Record<TotalMeaning, number | undefined> = {
            'remaining past the cursor': matching.length,
            'whole filter': rows.length,
            'page size': page.length,
            absent: undefined,
            'capped at 200': Math.min(matching.length, 200),
        }
        const total = totals[options.total ?? 'remaining past the cursor']
        const body = {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
            ...(total !== undefined ? { totalResults: total } : {}),
            itemsPerPage: page.length,
            startIndex: 1,
            ...(page.length > 0 ? { Resources: page } : {}),
        }
        return Promise.resolve({ body, date: options.date?.(calls.length) })
    }
    return { calls, fetch }
}

async function collect<T>(pages: AsyncGenerator<ListPage<T>>): Promise<T[][]> {
    const out: T[][] = []
    for await (const page of pages) out.push([...page.resources])
    return out
}

async function all<T>(pages: AsyncGenerator<ListPage<T>>): Promise<T[]> {
    return (await collect(pages)).flat()
}

function answer(body: unknown, date?: string): Promise<{ body: unknown; date: string | undefined }> {
    return Promise.resolve({ body, date })
}

describe('keysetPages', () => {
    it('pages by id gt with startIndex=1, each part bracketed, and stops when totalResults fits in the page', async () => {
        const { calls, fetch } = endpoint(ids(1, 450))
        const pages = await collect(keysetPages(fetch, { pageSize: 200, filter: 'active eq "true"' }))
        expect(pages.map((p) => p.length)).toEqual([200, 200, 50])
        expect(pages.flat()).toEqual(ids(1, 450))
        expect(calls).toEqual([
            { count: 200, filter: '(active eq "true")', startIndex: 1 },
            { count: 200, filter: '(active eq "true") and (id gt "005000000000200AAA")', startIndex: 1 },
            { count: 200, filter: '(active eq "true") and (id gt "005000000000400AAA")', startIndex: 1 },
        ])
    })

    it('costs ceil(N/200) requests for N users when totalResults counts what is left past the cursor', async () => {
        const { calls, fetch } = endpoint(ids(1, 1000))
        expect(await all(keysetPages(fetch, { pageSize: 200 }))).toHaveLength(1000)
        expect(calls).toHaveLength(5)
    })

    it('sends no startIndex but 1: 2,450 rows are read past the startIndex wall (2001) by id alone', async () => {
        const { calls, fetch } = endpoint(ids(1, 2450))
        expect(await all(keysetPages(fetch, { pageSize: 200, filter: 'displayName sw "A"' }))).toEqual(ids(1, 2450))
        expect(calls).toHaveLength(13)
        expect(calls.every((c) => c.startIndex === 1)).toBe(true)
        expect(calls[12]?.filter).toBe('(displayName sw "A") and (id gt "005000000002400AAA")')
    })

    it('advances by what each page returned, never by itemsPerPage', async () => {
        const rows = ids(1, 5)
        const fetch: FetchPage = (params) => {
            const after = /id gt "([^"]+)"/.exec(String(params.filter ?? ''))?.[1]
            const rest = rows.filter((r) => after === undefined || r.id > after)
            // Salesforce may return fewer than count and report a misleading itemsPerPage.
            return answer({ totalResults: rest.length, itemsPerPage: 200, Resources: rest.slice(0, 2) })
        }
        expect(await collect(keysetPages(fetch, { pageSize: 3 }))).toEqual([
            rows.slice(0, 2),
            rows.slice(2, 4),
            rows.slice(4),
        ])
    })

    it('treats a missing Resources, or no body at all, as an empty, final page', async () => {
        const { calls, fetch } = endpoint([])
        expect(await all(keysetPages(fetch, { pageSize: 200 }))).toEqual([])
        expect(calls).toHaveLength(1)
        const noBody: FetchPage = () => answer(undefined)
        expect(await all(keysetPages(noBody, { pageSize: 200 }))).toEqual([])
    })

    it('keeps going without totalResults until a page comes back empty', async () => {
        const rows = ids(1, 3)
        let n = 0
        const fetch: FetchPage = () => answer(n++ === 0 ? { Resources: rows } : { Resources: [] })
        expect(await all(keysetPages(fetch, { pageSize: 200 }))).toEqual(rows)
        expect(n).toBe(2)
    })

    it('caps count at 200', async () => {
        const { calls, fetch } = endpoint(ids(1, 1))
        await collect(keysetPages(fetch, { pageSize: 5000, attributes: ['id', 'userName'] }))
        expect(calls[0]).toMatchObject({ count: 200, attributes: 'id,userName' })
    })

    it('hands each page on with the Date header of its answer', async () => {
        const { fetch } = endpoint(ids(1, 3), { date: (call) => `Sun, 01 Jun 2025 10:0${call}:00 GMT` })
        const dates: (string | undefined)[] = []
        for await (const page of keysetPages(fetch, { pageSize: 2 })) dates.push(page.date)
        expect(dates).toEqual(['Sun, 01 Jun 2025 10:01:00 GMT', 'Sun, 01 Jun 2025 10:02:00 GMT'])
    })

    it('hands on the first page of an empty list, with its date', async () => {
        const { fetch } = endpoint([], { date: () => 'Sun, 01 Jun 2025 10:00:00 GMT' })
        const pages: ListPage<Row>[] = []
        for await (const page of keysetPages<Row>(fetch, { pageSize: 2 })) pages.push(page)
        expect(pages).toEqual([{ resources: [], date: 'Sun, 01 Jun 2025 10:00:00 GMT' }])
    })

    it('requests the next page before yielding the current one', async () => {
        const { calls, fetch } = endpoint(ids(1, 5))
        const pages = keysetPages(fetch, { pageSize: 2 })
        const first = await pages.next()
        expect((first.value as ListPage<Row>).resources).toHaveLength(2)
        // The consumer has the first page; the second request is already out.
        expect(calls).toHaveLength(2)
        await pages.return(undefined)
    })

    it('sends no request beyond the one already out when the consumer stops after a page', async () => {
        const { calls, fetch } = endpoint(ids(1, 10))
        for await (const page of keysetPages(fetch, { pageSize: 4 })) {
            expect(page.resources).toEqual(ids(1, 4))
            break
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
        expect(calls.map((c) => c.filter)).toEqual([undefined, '(id gt "005000000000004AAA")'])
    })

    it('does not leave an unhandled rejection when the consumer stops early and the prefetch fails', async () => {
        let n = 0
        const fetch: FetchPage = () =>
            n++ === 0 ? answer({ totalResults: 10, Resources: ids(1, 2) }) : Promise.reject(new Error('late failure'))
        const unhandled = jest.fn()
        process.on('unhandledRejection', unhandled)
        for await (const page of keysetPages(fetch, { pageSize: 2 })) {
            expect(page.resources).toHaveLength(2)
            break
        }
        await new Promise((resolve) => setImmediate(resolve))
        process.off('unhandledRejection', unhandled)
        expect(unhandled).not.toHaveBeenCalled()
    })

    it('surfaces a failed prefetch to a consumer that keeps reading', async () => {
        let n = 0
        const fetch: FetchPage = () =>
            n++ === 0 ? answer({ totalResults: 10, Resources: ids(1, 2) }) : Promise.reject(new Error('page 2 failed'))
        await expect(collect(keysetPages(fetch, { pageSize: 2 }))).rejects.toThrow('page 2 failed')
    })

    it('refuses to loop when Salesforce ignores the id gt filter', async () => {
        const rows = ids(1, 2)
        const fetch: FetchPage = () => answer({ totalResults: 10, Resources: rows })
        await expect(collect(keysetPages(fetch, { pageSize: 2 }, 'user'))).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringMatching(
                /^Salesforce answered id gt "005000000000002AAA" with user 005000000000001AAA, which sorts before it/
            ),
        })
    })

    it('refuses to loop when a full page holds nothing but the cursor again', async () => {
        const row = ids(1, 1)
        const fetch: FetchPage = () => answer({ totalResults: 10, Resources: row })
        await expect(collect(keysetPages(fetch, { pageSize: 1 }, 'user'))).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message:
                'Salesforce returned user 005000000000001AAA again for id gt "005000000000001AAA"; stopping instead of looping',
        })
    })

    it('refuses a page that is not a ListResponse or a resource without an id', async () => {
        const notAPage: FetchPage = () => answer(null)
        await expect(collect(keysetPages(notAPage, { pageSize: 2 }))).rejects.toThrow(/without a ListResponse/)
        const noId: FetchPage = () => answer({ totalResults: 1, Resources: [{}] })
        await expect(collect(keysetPages(noId, { pageSize: 2 }))).rejects.toThrow(/without an id/)
    })

    it('refuses a Resources that is not a list', async () => {
        const fetch: FetchPage = () => answer({ totalResults: 1, Resources: 'x' })
        await expect(collect(keysetPages(fetch, { pageSize: 2 }))).rejects.toThrow(/not a list/)
    })
})

describe('keysetPages in Salesforce id order', () => {
    const messy = MESSY_USER_KEYS.map((key) => ({ id: toId18(key) }))
    const inIdOrder = [...messy].sort((a, b) => binary(a.id, b.id))

    it('reads ids across case flips and two pods once each, in base-62 order', async () => {
        const { calls, fetch } = endpoint(messy)
        expect(await all(keysetPages(fetch, { pageSize: 3 }))).toEqual(inIdOrder)
        expect(calls.map((c) => c.filter)).toEqual([
            undefined,
            `(id gt "${inIdOrder[2]?.id}")`,
            `(id gt "${inIdOrder[5]?.id}")`,
        ])
    })

    it('fails loudly, instead of skipping users, when the ORDER BY is case-insensitive and id gt is not', async () => {
        const { fetch } = endpoint(messy, { orderBy: caseInsensitive })
        await expect(all(keysetPages(fetch, { pageSize: 3 }, 'user'))).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringMatching(
                /^Salesforce returned user \w+ after \w+, out of id order: paging by id gt could skip users, so the listing stops rather than let ISC treat users it never received as deleted$/
            ),
        })
    })

    it('fails loudly, instead of skipping users, when id gt is case-insensitive and the ORDER BY is not', async () => {
        const { fetch } = endpoint(messy, { gt: caseInsensitive })
        await expect(all(keysetPages(fetch, { pageSize: 3 }, 'user'))).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringMatching(
                /^Salesforce answered id gt "\w+" with user \w+, which sorts before it: paging by id gt could skip users, so the listing stops rather than let ISC treat users it never received as deleted$/
            ),
        })
    })

    it('reads profiles (00e) before permission sets (0PS), as /Entitlements lists them', async () => {
        const entitlements = [
            { id: '00eRM000001VtbmYAC' },
            { id: '00eRM000001VtbnYAC' },
            { id: toId18('0PSRM0000004aBC') },
            { id: toId18('0PSRM0000004aBc') },
        ]
        const { fetch } = endpoint(entitlements)
        expect(await all(keysetPages(fetch, { pageSize: 2 }, 'entitlement'))).toEqual(entitlements)
    })
})

describe('keysetPages and repeats', () => {
    it('hands a user Salesforce returns twice out once, and says how many came twice', async () => {
        // `id gt` applied as `id ge`: each page after the first starts with the cursor again.
        const rows = ids(1, 7)
        const { fetch } = endpoint(rows, { gt: (a, b) => (binary(a, b) >= 0 ? 1 : -1) })
        const logs = captureLogs()
        const listed = await all(keysetPages(fetch, { pageSize: 3 }, 'user')).finally(logs.restore)
        expect(listed).toEqual(rows)
        expect(logs.lines.join('')).toContain('Salesforce returned 2 users twice; each was handed out once')
    })

    it('hands a user repeated within a page out once', async () => {
        const [a, b] = ids(1, 2)
        const fetch: FetchPage = (params) =>
            answer(params.filter === undefined ? { totalResults: 2, Resources: [a, a, b] } : { totalResults: 0 })
        expect(await all(keysetPages(fetch, { pageSize: 200 }))).toEqual([a, b])
    })
})

describe('keysetPages under each meaning of totalResults', () => {
    const rows = ids(1, 1000)

    it.each<[TotalMeaning, number | undefined, number]>([
        ['remaining past the cursor', undefined, 5],
        ['whole filter', undefined, 6],
        ['page size', undefined, 6],
        ['absent', undefined, 6],
        ['capped at 200', undefined, 6],
        ['remaining past the cursor', 100, 10],
        ['whole filter', 100, 11],
        ['absent', 100, 11],
        ['capped at 200', 100, 10],
    ])('reads all 1,000 when totalResults means %s and count is clamped to %s', async (total, clamp, requests) => {
        const { calls, fetch } = endpoint(rows, { total, ...(clamp !== undefined ? { clamp } : {}) })
        expect(await all(keysetPages(fetch, { pageSize: 200 }))).toEqual(rows)
        expect(calls).toHaveLength(requests)
    })

    it('reads 1,020 profiles and permission sets whole when totalResults is capped at 200', async () => {
        const entitlements = [
            ...Array.from({ length: 20 }, (_, i) => ({ id: `00e${String(i).padStart(12, '0')}AAA` })),
            ...Array.from({ length: 1000 }, (_, i) => ({ id: `0PS${String(i).padStart(12, '0')}AAA` })),
        ]
        const { fetch } = endpoint(entitlements, { total: 'capped at 200' })
        expect(await all(keysetPages(fetch, { pageSize: 200 }, 'entitlement'))).toEqual(entitlements)
    })

    it('a page that is full, with totalResults equal to it, is not taken as the last on its own', async () => {
        // 200 rows and totalResults 200: all there is, or only the page size. One more request settles it.
        const { calls, fetch } = endpoint(ids(1, 200))
        expect(await all(keysetPages(fetch, { pageSize: 200 }))).toHaveLength(200)
        expect(calls).toHaveLength(2)
    })
})

describe('keysetPages reconciles the count', () => {
    it('fails when a fresh count confirms that fewer came than Salesforce counts', async () => {
        // Rows past the cursor are counted but the last page is never served: a server that loses rows.
        const rows = ids(1, 5)
        const calls: PageParams[] = []
        const fetch: FetchPage = (params) => {
            calls.push(params)
            const after = /id gt "([^"]+)"/.exec(String(params.filter ?? ''))?.[1]
            const page = after === undefined ? rows.slice(0, Number(params.count)) : rows.slice(2, 3)
            return answer({ totalResults: after === undefined ? 5 : 1, Resources: page })
        }
        await expect(
            all(keysetPages(fetch, { pageSize: 2, filter: 'active eq "true"' }, 'user'))
        ).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message:
                'Salesforce counts 5 users for this filter, but the listing read only 3: 2 went missing while ' +
                'paging by id gt. The listing stops rather than let ISC treat the missing users as deleted; run ' +
                "it again, and if it fails the same way, send this message to the connector's maintainers",
        })
        expect(calls[calls.length - 1]).toEqual({ count: 1, filter: '(active eq "true")', startIndex: 1 })
    })

    it('ends quietly when the fresh count shows that users left the filter during the listing', async () => {
        const rows = ids(1, 3)
        let n = 0
        const fetch: FetchPage = (params) => {
            n++
            if (n === 1) return answer({ totalResults: 4, Resources: rows.slice(0, 2) })
            if (Number(params.count) === 1) return answer({ totalResults: 3, Resources: rows.slice(0, 1) })
            return answer({ totalResults: 1, Resources: rows.slice(2) })
        }
        expect(await all(keysetPages(fetch, { pageSize: 2 }))).toEqual(rows)
        expect(n).toBe(3)
    })

    it('sends no count request when the listing read what the first page counted', async () => {
        const { calls, fetch } = endpoint(ids(1, 3))
        await all(keysetPages(fetch, { pageSize: 2 }))
        expect(calls.every((c) => c.count === 2)).toBe(true)
    })
})

describe('keysetPages when Salesforce refuses the paging clause', () => {
    it("says that the connector's id gt was refused, not the account filter, keeping Salesforce's answer", async () => {
        let n = 0
        const fetch: FetchPage = () =>
            n++ === 0
                ? answer({ totalResults: 5, Resources: ids(1, 2) })
                : Promise.reject(
                      new InvalidRequestError(
                          'Salesforce refused the filter: INVALID_FILTER: Unsupported operator gt (HTTP 400 GET ' +
                              '/services/scim/v2/Users). Check Account Filter: quote every value ("true" too), ' +
                              'balance parentheses, use known attributes',
                          { errorCode: 'INVALID_FILTER', status: 400 }
                      )
                  )
        const listing = collect(keysetPages(fetch, { pageSize: 2, filter: 'active eq "true"' }, 'user'))
        await expect(listing).rejects.toMatchObject({
            name: 'InvalidRequestError',
            errorCode: 'INVALID_FILTER',
            status: 400,
            message:
                'Salesforce refused the connector\'s own paging clause id gt "005000000000002AAA" after it had ' +
                'accepted the first page of the user list with the same filter: Salesforce refused the filter: ' +
                'INVALID_FILTER: Unsupported operator gt (HTTP 400 GET /services/scim/v2/Users). Account Filter is ' +
                'not the cause: the connector reads every list page by page on id gt, as Salesforce itself advises. ' +
                "Check that the integration user's profile may filter on Id, run the aggregation again, and if " +
                "Salesforce keeps refusing, send this message to the connector's maintainers",
        })
        await expect(listing).rejects.not.toThrow(/Check Account Filter/)
    })

    it('leaves a refused first page as the account filter problem it is', async () => {
        const refused = new InvalidRequestError('Salesforce refused the filter: … Check Account Filter', {
            status: 400,
        })
        const fetch: FetchPage = () => Promise.reject(refused)
        await expect(collect(keysetPages(fetch, { pageSize: 2 }))).rejects.toBe(refused)
    })
})
