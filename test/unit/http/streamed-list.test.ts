import { PassThrough, Readable } from 'stream'
import { InvalidResponseError, ListInterruptedError } from '../../../src/errors'
import { StreamedList, StreamedListOptions, streamedList } from '../../../src/http/streamed-list'
import { ScimUser } from '../../../src/salesforce/types'
import { fixture } from '../../helpers/nock'
import { cutAfterEachUser } from '../../helpers/wire'

const REQUEST = 'GET /services/scim/v2/Users'
const NOT_A_LIST = 'Salesforce sent a list that is not a SCIM ListResponse'

/** The documented create response (a verbatim Salesforce user), under `n` ids of its own. */
function users(count: number): ScimUser[] {
    const sample = fixture<ScimUser>('scim/user.create.response')
    return Array.from({ length: count }, (_, i) => ({
        ...sample,
        id: `005RM${String(i + 1).padStart(10, '0')}AAA`,
        userName: `user${i + 1}@mycompany.com`,
    }))
}

/** A ListResponse as Salesforce writes it: the envelope first, `Resources` last. */
function listBody(resources: readonly ScimUser[], totalResults = resources.length): string {
    return JSON.stringify({
        totalResults,
        itemsPerPage: resources.length,
        startIndex: 1,
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        ...(resources.length > 0 ? { Resources: resources } : {}),
    })
}

function sizes(body: string, size: number): string[] {
    const chunks: string[] = []
    for (let i = 0; i < body.length; i += size) chunks.push(body.slice(i, i + size))
    return chunks
}

/** A response body delivering `parts` one by one, as separate socket reads; an Error part drops the connection. */
function bodyOf(parts: readonly (string | Error)[], gapMs = 0): Readable {
    return Readable.from(
        (async function* () {
            for (const part of parts) {
                await new Promise((resolve) => (gapMs > 0 ? setTimeout(resolve, gapMs) : setImmediate(resolve)))
                if (part instanceof Error) throw part
                yield Buffer.from(part)
            }
        })()
    )
}

function connectionReset(): Error {
    return Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
}

function list(body: Readable, options: Partial<StreamedListOptions> = {}): StreamedList<ScimUser> {
    return streamedList<ScimUser>(body, { idleTimeoutMs: 5000, request: REQUEST, ...options })
}

interface Reading {
    readonly batches: ScimUser[][]
    /** `complete` as the consumer saw it with each batch. */
    readonly completeAtBatch: boolean[]
    readonly error?: unknown
}

async function read(streamed: StreamedList<ScimUser>): Promise<Reading> {
    const batches: ScimUser[][] = []
    const completeAtBatch: boolean[] = []
    try {
        for await (const batch of streamed.batches) {
            batches.push([...batch])
            completeAtBatch.push(streamed.complete)
        }
    } catch (error: unknown) {
        return { batches, completeAtBatch, error }
    }
    return { batches, completeAtBatch }
}

/** The message of a list cut after `resources` resources; its advice may follow. */
function droppedAfter(code: string, resources: number): RegExp {
    return new RegExp(
        `^The connection to Salesforce dropped while a list was arriving: ${code} \\(GET /services/scim/v2/Users\\), ` +
            `(after )?${resources} resources\\b`
    )
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms))
}

describe('streamedList', () => {
    it('hands out the users of a Salesforce list in order, with its envelope', async () => {
        const page = users(3)
        const streamed = list(bodyOf(cutAfterEachUser(listBody(page))))
        const reading = await read(streamed)
        expect(reading.error).toBeUndefined()
        expect(reading.batches.flat()).toEqual(page)
        // The JSON closes in the chunk of the last user: the list is known whole when that user is handed out.
        expect(reading.completeAtBatch[reading.completeAtBatch.length - 1]).toBe(true)
        expect(streamed.envelope()).toEqual({
            totalResults: 3,
            itemsPerPage: 3,
            startIndex: 1,
            schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        })
    })

    it('hands out the first user before the rest of the body has arrived', async () => {
        const page = users(3)
        const chunks = cutAfterEachUser(listBody(page))
        const body = new PassThrough()
        body.write(chunks[0])
        // Should the first user wait for the whole body, the rest is sent anyway after a second, and noted.
        let forced = false
        const fallback = setTimeout(() => {
            forced = true
            body.end(chunks.slice(1).join(''))
        }, 1000)
        const streamed = list(body)
        const batches: ScimUser[][] = []
        for await (const batch of streamed.batches) {
            batches.push([...batch])
            if (batches.length === 1) {
                expect(streamed.complete).toBe(false)
                clearTimeout(fallback)
                if (!forced) body.end(chunks.slice(1).join(''))
            }
        }
        expect(forced).toBe(false)
        expect(batches[0]).toEqual([page[0]])
        expect(batches.flat()).toEqual(page)
        expect(streamed.complete).toBe(true)
    })

    it('reads the same users whatever the chunking, down to one byte at a time', async () => {
        const page = users(4)
        const body = listBody(page)
        for (const chunks of [[body], sizes(body, 7), sizes(body, 1)]) {
            const reading = await read(list(bodyOf(chunks)))
            expect(reading.error).toBeUndefined()
            expect(reading.batches.flat()).toEqual(page)
        }
    })

    it('hands out nothing for a list without Resources, and is complete', async () => {
        const streamed = list(bodyOf([JSON.stringify(fixture('scim/list.users.empty'))]))
        const reading = await read(streamed)
        expect(reading).toEqual({ batches: [], completeAtBatch: [] })
        expect(streamed.complete).toBe(true)
        expect(streamed.envelope()).toMatchObject({ totalResults: 0 })
    })

    it('is complete only at the end when members follow Resources in a later chunk', async () => {
        const page = users(2)
        const text = `{"Resources":${JSON.stringify(page)},"totalResults":2,"itemsPerPage":2}`
        const cut = text.indexOf(',"totalResults"')
        const body = new PassThrough()
        body.write(text.slice(0, cut))
        const streamed = list(body)
        expect(() => streamed.envelope()).toThrow('the list envelope is known once the list is complete')
        const batches: ScimUser[][] = []
        for await (const batch of streamed.batches) {
            batches.push([...batch])
            // Every user is in, but not the members after them.
            expect(streamed.complete).toBe(false)
            body.end(text.slice(cut))
        }
        expect(batches).toEqual([page])
        expect(streamed.complete).toBe(true)
        expect(streamed.envelope()).toEqual({ totalResults: 2, itemsPerPage: 2 })
    })

    describe('a connection that drops mid-body', () => {
        it('ends in ListInterruptedError after the users that arrived whole', async () => {
            const page = users(3)
            const chunks = cutAfterEachUser(listBody(page))
            // Two users whole, the third half-way, then the connection resets.
            const third = chunks[2] ?? ''
            const body = bodyOf([chunks[0] ?? '', chunks[1] ?? '', third.slice(0, 200), connectionReset()])
            const reading = await read(list(body))
            expect(reading.batches.flat()).toEqual(page.slice(0, 2))
            expect(reading.error).toBeInstanceOf(ListInterruptedError)
            expect(reading.error).toMatchObject({
                name: 'ListInterruptedError',
                errorCode: 'ECONNRESET',
                message: expect.stringMatching(droppedAfter('ECONNRESET', 2)),
            })
            expect(body.destroyed).toBe(true)
        })

        it("keeps the socket error's code, and calls a failure without one ECONNRESET", async () => {
            const start = cutAfterEachUser(listBody(users(2)))[0] ?? ''
            const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })
            const withCode = await read(list(bodyOf([start, epipe])))
            expect(withCode.error).toMatchObject({
                errorCode: 'EPIPE',
                message: expect.stringMatching(droppedAfter('EPIPE', 1)),
            })
            const withoutCode = await read(list(bodyOf([start, new Error('socket hang up')])))
            expect(withoutCode.error).toMatchObject({ name: 'ListInterruptedError', errorCode: 'ECONNRESET' })
        })

        it('drops before any user arrived: nothing handed out, after 0 resources', async () => {
            const reading = await read(list(bodyOf(['{"totalResults":5,"Resources":[{"id":"005', connectionReset()])))
            expect(reading.batches).toEqual([])
            expect(reading.error).toMatchObject({
                name: 'ListInterruptedError',
                message: expect.stringMatching(droppedAfter('ECONNRESET', 0)),
            })
        })

        it('is ignored once the JSON is whole: nothing is missing', async () => {
            const page = users(2)
            const body = new PassThrough()
            const streamed = list(body)
            body.write(listBody(page))
            const batches: ScimUser[][] = []
            for await (const batch of streamed.batches) {
                batches.push([...batch])
                // The last user is in; the socket fails before the response's end is seen.
                body.destroy(connectionReset())
            }
            expect(batches.flat()).toEqual(page)
            expect(streamed.envelope()).toMatchObject({ totalResults: 2 })
        })
    })

    describe('a body that stops arriving', () => {
        it('is abandoned after idleTimeoutMs without a byte, as ListInterruptedError ETIMEDOUT', async () => {
            const page = users(3)
            const chunks = cutAfterEachUser(listBody(page))
            const body = new PassThrough()
            body.write(chunks[0])
            const started = Date.now()
            const reading = await read(list(body, { idleTimeoutMs: 50 }))
            expect(Date.now() - started).toBeGreaterThanOrEqual(45)
            expect(reading.batches).toEqual([[page[0]]])
            expect(reading.error).toBeInstanceOf(ListInterruptedError)
            expect(reading.error).toMatchObject({
                errorCode: 'ETIMEDOUT',
                message: expect.stringMatching(droppedAfter('ETIMEDOUT', 1)),
            })
            // The stalled connection is closed, not left open.
            expect(body.destroyed).toBe(true)
        })

        it('is not abandoned while bytes keep trickling in, however long the whole body takes', async () => {
            const page = users(3)
            const chunks = sizes(listBody(page), 400)
            expect(chunks.length).toBeGreaterThan(6)
            const started = Date.now()
            const reading = await read(list(bodyOf(chunks, 15), { idleTimeoutMs: 60 }))
            expect(Date.now() - started).toBeGreaterThan(60)
            expect(reading.error).toBeUndefined()
            expect(reading.batches.flat()).toEqual(page)
        })

        it('does not count the time the caller spends on a batch as idleness', async () => {
            const page = users(2)
            const chunks = cutAfterEachUser(listBody(page))
            const body = new PassThrough()
            body.write(chunks[0])
            const streamed = list(body, { idleTimeoutMs: 40 })
            const batches: ScimUser[][] = []
            for await (const batch of streamed.batches) {
                batches.push([...batch])
                if (batches.length === 1) {
                    // The rest arrives at once, but the caller is busy for three idle timeouts.
                    body.end(chunks[1])
                    await sleep(120)
                }
            }
            expect(batches.flat()).toEqual(page)
        })
    })

    describe('a body that is not a ListResponse', () => {
        it('refuses an HTML page sent as JSON, and closes the connection', async () => {
            const body = bodyOf(['<html><head><title>Login | Salesforce</title></head>', '<body></body></html>'])
            const reading = await read(list(body))
            expect(reading.error).toBeInstanceOf(InvalidResponseError)
            expect(reading.error).toMatchObject({ message: `${NOT_A_LIST}: it is not a JSON object` })
            expect(body.destroyed).toBe(true)
        })

        it('refuses a body that ends mid-way without a connection error', async () => {
            const body = listBody(users(2))
            const reading = await read(list(bodyOf([body.slice(0, body.length - 40)])))
            expect(reading.error).toBeInstanceOf(InvalidResponseError)
            expect((reading.error as Error).message).toMatch(new RegExp(`^${NOT_A_LIST}: it ends mid-way`))
        })

        it('refuses an empty body and a malformed user', async () => {
            const empty = await read(list(bodyOf([])))
            expect(empty.error).toMatchObject({ name: 'InvalidResponseError', message: `${NOT_A_LIST}: it is empty` })
            const malformed = await read(list(bodyOf(['{"totalResults":1,"Resources":[{"id":"005",}]}'])))
            expect(malformed.error).toMatchObject({
                name: 'InvalidResponseError',
                message: `${NOT_A_LIST}: resource 1 of it is malformed JSON`,
            })
        })
    })

    describe('Trace HTTP', () => {
        it('gets the whole of a short body once it has ended', async () => {
            const body = listBody(users(1))
            const traced: string[] = []
            const streamed = list(bodyOf(sizes(body, 100)), { onBodyEnd: (start) => traced.push(start) })
            expect(traced).toEqual([])
            await read(streamed)
            expect(traced).toEqual([body])
        })

        it('gets the start of a long body, with a margin past 4000 bytes so a secret across the cut is redacted whole', async () => {
            const body = listBody(users(200))
            expect(body.length).toBeGreaterThan(4000 + 16 * 1024)
            const traced: string[] = []
            await read(list(bodyOf(sizes(body, 1500)), { onBodyEnd: (start) => traced.push(start) }))
            expect(traced).toEqual([body.slice(0, 4000 + 16 * 1024)])
        })

        it('gets what arrived of a body whose connection dropped', async () => {
            const traced: string[] = []
            const start = '{"totalResults":5,"Resources":[{"id":"005RM0000000001AAA"}'
            await read(list(bodyOf([start, connectionReset()]), { onBodyEnd: (s) => traced.push(s) }))
            expect(traced).toEqual([start])
        })
    })

    it('can be read once', async () => {
        const streamed = list(bodyOf([listBody(users(1))]))
        await read(streamed)
        await expect(read(streamed)).resolves.toMatchObject({
            error: expect.objectContaining({ message: 'a streamed list can be read once' }),
        })
    })

    it('closes the connection when the caller stops early, without an error', async () => {
        const page = users(3)
        const body = new PassThrough()
        body.write(cutAfterEachUser(listBody(page))[0])
        const traced: string[] = []
        const streamed = list(body, { onBodyEnd: (start) => traced.push(start) })
        const seen: ScimUser[] = []
        for await (const batch of streamed.batches) {
            seen.push(...batch)
            break
        }
        expect(seen).toEqual([page[0]])
        expect(body.destroyed).toBe(true)
        expect(traced).toHaveLength(1)
    })
})
