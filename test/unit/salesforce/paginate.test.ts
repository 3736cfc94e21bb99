import { PassThrough, Readable } from 'stream'
import { InvalidResponseError, ListInterruptedError } from '../../../src/errors'
import { streamedList } from '../../../src/http/streamed-list'
import {
    FetchPage,
    FetchStreamedPage,
    PageParams,
    asStreamed,
    indexedPages,
    keysetPages,
} from '../../../src/salesforce/paginate'
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

interface StreamedEndpointOptions {
    /** After how many whole resources the body of request number `call` (1-based) drops; undefined: it does not. */
    readonly cut?: (call: number) => number | undefined
    /** Writes `totalResults` after `Resources`, in a chunk of its own: the page is complete only at its end. */
    readonly totalsLast?: boolean
    /** Sends the closing `]}` in a chunk of its own, after the last resource's. */
    readonly closeApart?: boolean
    /** After how many resources the body of request number `call` stops arriving, without ending. */
    readonly stall?: (call: number) => number | undefined
    /** Leaves `totalResults` out. */
    readonly noTotals?: boolean
    /** Which rows a request for those after `after` gets; by default `id gt` as Salesforce applies it. */
    readonly matching?: (rows: readonly Row[], after: string | undefined) => readonly Row[]
}

/**
 * A fake /Users that streams each page as Salesforce does, one chunk per resource through `streamedList`, and
 * logs each request as it goes out (`request`, or `request gt <n>` with the row number of the cursor).
 */
function streamedEndpoint(rows: readonly Row[], log: string[], options: StreamedEndpointOptions = {}) {
    const calls: PageParams[] = []
    const bodies: Readable[] = []
    const fetch: FetchStreamedPage<Row> = (params) => {
        calls.push(params)
        const after = /id gt "([^"]+)"/.exec(String(params.filter ?? ''))?.[1]
        log.push(after === undefined ? 'request' : `request gt ${rowNumber(after)}`)
        const matching = (options.matching ?? ((all, a) => all.filter((r) => a === undefined || r.id > a)))(rows, after)
        const page = matching.slice(0, Number(params.count))
        const totals = options.noTotals === true ? '' : `"totalResults":${matching.length}`
        const resources = page.map((r) => JSON.stringify(r))
        const opening = `{${totals}${totals !== '' ? ',' : ''}"Resources":[${resources[0] ?? ''}`
        const chunks =
            options.totalsLast === true
                ? [`{"Resources":[${resources[0] ?? ''}`, ...resources.slice(1).map((r) => `,${r}`), `],${totals}}`]
                : options.closeApart === true
                  ? [opening, ...resources.slice(1).map((r) => `,${r}`), ']}']
                  : [opening, ...resources.slice(1).map((r) => `,${r}`)].map((chunk, i) =>
                        i === Math.max(0, resources.length - 1) ? `${chunk}]}` : chunk
                    )
        const stallAfter = options.stall?.(calls.length)
        if (stallAfter !== undefined) {
            // The connection stays open; nothing more comes.
            const stalled = new PassThrough()
            stalled.write(chunks.slice(0, stallAfter).join(''))
            bodies.push(stalled)
            return Promise.resolve(
                streamedList<Row>(stalled, { idleTimeoutMs: 5000, request: 'GET /services/scim/v2/Users' })
            )
        }
        const cutAfter = options.cut?.(calls.length)
        const parts: (string | Error)[] =
            cutAfter === undefined
                ? chunks
                : [
                      ...chunks.slice(0, cutAfter),
                      (chunks[cutAfter] ?? '').slice(0, 12),
                      Object.assign(new Error('aborted'), { code: 'ECONNRESET' }),
                  ]
        const body = Readable.from(
            (async function* () {
                for (const part of parts) {
                    await new Promise((resolve) => setImmediate(resolve))
                    if (part instanceof Error) throw part
                    yield Buffer.from(part)
                }
            })()
        )
        bodies.push(body)
        return Promise.resolve(streamedList<Row>(body, { idleTimeoutMs: 5000, request: 'GET /services/scim/v2/Users' }))
    }
    return { calls, bodies, fetch }
}

/** The row number in an id made by `ids`. */
function rowNumber(id: string): number {
    return Number(id.slice(3, 15))
}

/** Where in the log the batch holding row `n` was handed out. */
function batchWith(log: readonly string[], n: number): number {
    return log.findIndex((entry) => entry.startsWith('batch ') && entry.slice(6).split(',').includes(String(n)))
}

/** Matches the message of a list cut after `resources` resources. */
function droppedAfter(resources: number): RegExp {
    return new RegExp(
        '^The connection to Salesforce dropped while a list was arriving: ECONNRESET \\(GET /services/scim/v2/Users\\), ' +
            `(after )?${resources} resources\\b`
    )
}

/** Reads the pages, logging each batch as `batch <first>-<last>` (row numbers); stops at the first error. */
async function consume(
    pages: AsyncGenerator<readonly Row[]>,
    log: string[]
): Promise<{ rows: Row[]; error?: unknown }> {
    const rows: Row[] = []
    try {
        for await (const batch of pages) {
            log.push(`batch ${batch.map((r) => rowNumber(r.id)).join(',')}`)
            rows.push(...batch)
        }
    } catch (error: unknown) {
        return { rows, error }
    }
    return { rows }
}

describe('keysetPages over streamed lists', () => {
    it('asks for the next page before handing on the last batch of the current one', async () => {
        const log: string[] = []
        const { fetch } = streamedEndpoint(ids(1, 5), log)
        const { rows, error } = await consume(keysetPages(fetch, { pageSize: 2 }), log)
        expect(error).toBeUndefined()
        expect(rows).toEqual(ids(1, 5))
        expect(log.filter((l) => l.startsWith('request'))).toEqual(['request', 'request gt 2', 'request gt 4'])
        // Each next page is out before the batch holding the last user of the page before it is handed on.
        expect(log.indexOf('request gt 2')).toBeLessThan(batchWith(log, 2))
        expect(log.indexOf('request gt 4')).toBeLessThan(batchWith(log, 4))
    })

    it('reads on with id gt the last user received when a page drops mid-body, handing out each once, in order', async () => {
        const log: string[] = []
        // The second page drops after its first user, half-way through the next.
        const { calls, fetch } = streamedEndpoint(ids(1, 10), log, { cut: (call) => (call === 2 ? 1 : undefined) })
        const retries: number[] = []
        const retryInterrupted = jest.fn((error: ListInterruptedError, retry: number) => {
            retries.push(retry)
            expect(error.message).toMatch(droppedAfter(1))
            return Promise.resolve(true)
        })
        const pages = keysetPages(fetch, { pageSize: 4, filter: 'active eq "true"', retryInterrupted }, 'user')
        const { rows, error } = await consume(pages, log)
        expect(error).toBeUndefined()
        expect(rows).toEqual(ids(1, 10))
        expect(retries).toEqual([1])
        expect(calls.map((c) => c.filter)).toEqual([
            'active eq "true"',
            '(active eq "true") and (id gt "005000000000004AAA")',
            '(active eq "true") and (id gt "005000000000005AAA")',
            '(active eq "true") and (id gt "005000000000009AAA")',
        ])
        expect(calls.every((c) => c.startIndex === 1 && c.count === 4)).toBe(true)
    })

    it('reads on from the same cursor when a page drops before its first user', async () => {
        const log: string[] = []
        const { calls, fetch } = streamedEndpoint(ids(1, 3), log, { cut: (call) => (call === 1 ? 0 : undefined) })
        const pages = keysetPages(fetch, { pageSize: 5, retryInterrupted: () => Promise.resolve(true) })
        const { rows, error } = await consume(pages, log)
        expect(error).toBeUndefined()
        expect(rows).toEqual(ids(1, 3))
        expect(calls.map((c) => c.filter)).toEqual([undefined, undefined])
    })

    it('gives the budget back after each whole page', async () => {
        const log: string[] = []
        // The first attempt at each page drops after one user; one retry is allowed in a row.
        const { calls, fetch } = streamedEndpoint(ids(1, 12), log, { cut: (call) => (call % 2 === 1 ? 1 : undefined) })
        const retries: number[] = []
        const retryInterrupted = (_error: ListInterruptedError, retry: number): Promise<boolean> => {
            retries.push(retry)
            return Promise.resolve(retry <= 1)
        }
        const { rows, error } = await consume(keysetPages(fetch, { pageSize: 4, retryInterrupted }), log)
        expect(error).toBeUndefined()
        expect(rows).toEqual(ids(1, 12))
        expect(retries).toEqual([1, 1, 1])
        expect(calls).toHaveLength(6)
    })

    it('lets the ListInterruptedError through once retries are refused, after handing out what arrived', async () => {
        const log: string[] = []
        // Every page after the first drops after one user.
        const { calls, fetch } = streamedEndpoint(ids(1, 20), log, { cut: (call) => (call >= 2 ? 1 : undefined) })
        const retries: number[] = []
        const retryInterrupted = (_error: ListInterruptedError, retry: number): Promise<boolean> => {
            retries.push(retry)
            return Promise.resolve(retry <= 2)
        }
        const { rows, error } = await consume(keysetPages(fetch, { pageSize: 4, retryInterrupted }), log)
        expect(error).toBeInstanceOf(ListInterruptedError)
        expect(error).toMatchObject({ errorCode: 'ECONNRESET', message: expect.stringMatching(droppedAfter(1)) })
        expect(rows).toEqual(ids(1, 7))
        expect(retries).toEqual([1, 2, 3])
        expect(calls).toHaveLength(4)
    })

    it('lets the ListInterruptedError through at once without retryInterrupted', async () => {
        const log: string[] = []
        const { calls, fetch } = streamedEndpoint(ids(1, 10), log, { cut: (call) => (call === 2 ? 2 : undefined) })
        const { rows, error } = await consume(keysetPages(fetch, { pageSize: 4 }), log)
        expect(error).toBeInstanceOf(ListInterruptedError)
        expect(rows).toEqual(ids(1, 6))
        expect(calls).toHaveLength(2)
    })

    it('refuses a resumed page that holds the cursor again instead of looping', async () => {
        const log: string[] = []
        // Salesforce applying `id gt` as `id ge`: the user the cut page ended on comes again.
        const { calls, fetch } = streamedEndpoint(ids(1, 10), log, {
            cut: (call) => (call === 2 ? 1 : undefined),
            matching: (all, after) => all.filter((r) => after === undefined || r.id >= after),
        })
        const pages = keysetPages(fetch, { pageSize: 4, retryInterrupted: () => Promise.resolve(true) }, 'user')
        const { rows, error } = await consume(pages, log)
        expect(error).toBeInstanceOf(InvalidResponseError)
        expect(error).toMatchObject({
            message:
                'Salesforce returned user 005000000000004AAA again for id gt "005000000000004AAA"; stopping instead of looping',
        })
        expect(rows).toEqual(ids(1, 4))
        expect(calls).toHaveLength(2)
    })

    // A page whose closing `]}` (or trailing members) arrives after its last user was handed out still knows its
    // last user: the listing must not end there.
    it('ends on a last page whose totalResults comes after its Resources, without another request', async () => {
        const log: string[] = []
        const { calls, fetch } = streamedEndpoint(ids(1, 5), log, { totalsLast: true })
        const { rows, error } = await consume(keysetPages(fetch, { pageSize: 2 }), log)
        expect(error).toBeUndefined()
        expect(rows).toEqual(ids(1, 5))
        expect(calls.map((c) => c.filter)).toEqual([
            undefined,
            'id gt "005000000000002AAA"',
            'id gt "005000000000004AAA"',
        ])
    })

    // A page whose closing `]}` (or trailing members) arrives after its last user was handed out still knows its
    // last user: the listing must not end there.
    it('reads on past a page whose closing brackets come in a chunk of their own', async () => {
        const log: string[] = []
        const { fetch } = streamedEndpoint(ids(1, 5), log, { closeApart: true })
        const { rows, error } = await consume(keysetPages(fetch, { pageSize: 2 }), log)
        expect(error).toBeUndefined()
        expect(rows).toEqual(ids(1, 5))
        expect(log.filter((l) => l.startsWith('request'))).toEqual(['request', 'request gt 2', 'request gt 4'])
    })

    it('goes on until an empty page when Salesforce sends no totalResults', async () => {
        const log: string[] = []
        const { calls, fetch } = streamedEndpoint(ids(1, 3), log, { noTotals: true })
        const { rows, error } = await consume(keysetPages(fetch, { pageSize: 2 }), log)
        expect(error).toBeUndefined()
        expect(rows).toEqual(ids(1, 3))
        expect(calls.map((c) => c.filter)).toEqual([
            undefined,
            'id gt "005000000000002AAA"',
            'id gt "005000000000003AAA"',
        ])
    })

    it('stops requesting, and closes the page, when the consumer stops mid-page', async () => {
        const log: string[] = []
        // The first page stalls after two users, so it is not known whole when the consumer stops.
        const { calls, bodies, fetch } = streamedEndpoint(ids(1, 10), log, {
            stall: (call) => (call === 1 ? 2 : undefined),
        })
        for await (const batch of keysetPages(fetch, { pageSize: 4 })) {
            expect(batch[0]).toEqual(ids(1, 1)[0])
            break
        }
        await new Promise((resolve) => setImmediate(resolve))
        expect(calls).toHaveLength(1)
        expect(bodies[0]?.destroyed).toBe(true)
    })

    it('sends no request beyond the one already out when the consumer stops after a whole page', async () => {
        const log: string[] = []
        const { fetch } = streamedEndpoint(ids(1, 10), log)
        const seen: Row[] = []
        for await (const batch of keysetPages(fetch, { pageSize: 4 })) {
            seen.push(...batch)
            if (seen.length === 4) break
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
        expect(seen).toEqual(ids(1, 4))
        expect(log.filter((l) => l.startsWith('request'))).toEqual(['request', 'request gt 4'])
    })

    it('closes the connection of the page requested ahead when the consumer stops after a whole page', async () => {
        const log: string[] = []
        const { bodies, fetch } = streamedEndpoint(ids(1, 10), log)
        for await (const batch of keysetPages(fetch, { pageSize: 4 })) {
            if (batch[batch.length - 1]?.id === ids(4, 1)[0]?.id) break
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
        expect(bodies).toHaveLength(2)
        expect(bodies[1]?.destroyed).toBe(true)
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
