import { ConnectorErrorType } from '@sailpoint/connector-sdk'
import { Readable } from 'stream'
import { SalesforceConfig } from '../../../src/config'
import { MissingEntitlementError } from '../../../src/errors'
import { createSalesforceClient } from '../../../src/salesforce/create-client'
import { toId18 } from '../../../src/salesforce/ids'
import { ListPage } from '../../../src/salesforce/paginate'
import { QUEUE_IDS_TTL_MS, clearQueueCache } from '../../../src/salesforce/queues'
import { ScimEntitlement, ScimUser } from '../../../src/salesforce/types'
import { JSON_UTF8, MESSY_USER_KEYS, listResponse, scimError } from '../../helpers/scim-bodies'
import { wire } from '../../helpers/wire'
import {
    INSTANCE_URL,
    SCIM,
    SeenRequest,
    fakeTiming,
    fixture,
    networkFailure,
    nock,
    recordingReply,
    stubToken,
    testConfig,
    useLogCapture,
    useNock,
} from '../../helpers/nock'

useNock()
beforeEach(clearQueueCache)

const USER_ID = '005RM000002FZAlYAO'
const GROUP_ID = '00G4W000006IKBnUAO'
const PROFILE_ID = '00eRM000001VtbnYAC'
const ROLE_ID = '00E4W000006IKBnUAO'
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

function client(config: SalesforceConfig = testConfig(), timing = fakeTiming()) {
    return createSalesforceClient(config, timing)
}

function user(n: number): ScimUser {
    return { id: `005RM${String(n).padStart(10, '0')}AAA`, userName: `user${n}@acme.com` }
}

const logs = useLogCapture()

/** The documented create response (a verbatim Salesforce user) as user number `n` of a listing. */
function listedUser(n: number): ScimUser {
    return {
        ...fixture<ScimUser>('scim/user.create.response'),
        id: `005RM${String(n).padStart(10, '0')}AAA`,
        userName: `user${n}@mycompany.com`,
    }
}

/**
 * A /Users page as Salesforce streams it, one chunk per user; with `cutAfter`, the connection resets that many
 * users in, half-way through the next one.
 */
function streamedUsersPage(users: readonly ScimUser[], totalResults: number, cutAfter?: number): Readable {
    const { totalResults: _total, ...envelope } = fixture<Record<string, unknown>>('scim/list.users.empty')
    const opening = JSON.stringify({ totalResults, ...envelope, itemsPerPage: users.length, startIndex: 1 })
    if (users.length === 0) return wire([opening])
    const chunks = users.map((u, i) => `${i === 0 ? `${opening.slice(0, -1)},"Resources":[` : ','}${JSON.stringify(u)}`)
    chunks[chunks.length - 1] += ']}'
    const parts: (string | Error)[] =
        cutAfter === undefined
            ? chunks
            : [
                  ...chunks.slice(0, cutAfter),
                  (chunks[cutAfter] ?? '').slice(0, 200),
                  Object.assign(new Error('aborted'), { code: 'ECONNRESET' }),
              ]
    return wire(parts)
}

/** Salesforce's id order: bytewise, case-sensitive (base 62). */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * `GET /Users` answered `times` times over `users` as Salesforce pages them: `count` a page, past the filter's
 * `id gt` compared bytewise, in `orderBy` order (Salesforce's id order unless said otherwise). The answer to
 * request number `cutAfter` (1-based) drops its connection after that many users when it returns one.
 */
function keysetUsersEndpoint(
    users: readonly ScimUser[],
    times: number,
    options: {
        readonly orderBy?: (a: string, b: string) => number
        readonly cutAfter?: (request: number) => number | undefined
    } = {}
): SeenRequest[] {
    const seen: SeenRequest[] = []
    const orderBy = options.orderBy ?? byteOrder
    nock(INSTANCE_URL)
        .get(`${SCIM}/Users`)
        .query(true)
        .times(times)
        .reply(
            recordingReply(seen, (r) => {
                const url = new URL(r.path, INSTANCE_URL)
                const after = /id gt "([^"]+)"/.exec(url.searchParams.get('filter') ?? '')?.[1]
                const rest = users
                    .filter((u) => after === undefined || byteOrder(u.id, after) > 0)
                    .sort((a, b) => orderBy(a.id, b.id))
                const page = rest.slice(0, Number(url.searchParams.get('count')))
                return [200, streamedUsersPage(page, rest.length, options.cutAfter?.(seen.length)), JSON_UTF8]
            })
        )
    return seen
}

describe('createSalesforceClient', () => {
    it('works with the default timing', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${SCIM}/Roles/00E4W000006IKBnUAO`)
            .reply(200, { id: '00E4W000006IKBnUAO', displayName: 'CEO' })
        await expect(createSalesforceClient(testConfig()).getRole('00E4W000006IKBnUAO')).resolves.toMatchObject({
            displayName: 'CEO',
        })
    })
})

describe('testConnection', () => {
    it('gets a token, then the service provider config and the calling user', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/ServiceProviderConfigs`).reply(200, fixture('scim/service-provider-configs'))
        nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, fixture('scim/user.create.response'))
        const result = await client().testConnection()
        expect(result.serviceProvider.filter?.maxResults).toBe(200)
        expect(result.me.userName).toBe('scimuser@mycompany.com')
    })
})

/** The resources of a listing, page by page. */
async function listedPages<T>(pages: AsyncGenerator<ListPage<T>>): Promise<(readonly T[])[]> {
    const out: (readonly T[])[] = []
    for await (const page of pages) out.push(page.resources)
    return out
}

describe('users', () => {
    it('lists users with keyset paging on id gt, ANDed with the caller filter, each part bracketed', async () => {
        stubToken()
        const page1 = Array.from({ length: 2 }, (_, i) => user(i + 1))
        const page2 = [user(3)]
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .times(2)
            .reply(
                recordingReply(seen, (r) =>
                    r.path.includes('id%20gt')
                        ? [200, { totalResults: 1, Resources: page2 }]
                        : [200, { totalResults: 3, itemsPerPage: 2, Resources: page1 }]
                )
            )
        const pages = await listedPages(client().userPages({ filter: 'active eq "true"', pageSize: 2 }))
        expect(pages).toEqual([page1, page2])
        expect(seen.map((r) => decodeURIComponent(r.path))).toEqual([
            `${SCIM}/Users?count=2&filter=(active eq "true")&startIndex=1`,
            `${SCIM}/Users?count=2&filter=(active eq "true") and (id gt "${page1[1]?.id}")&startIndex=1`,
        ])
    })

    it("hands each page on with Salesforce's Date header", async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(200, { totalResults: 1, Resources: [user(1)] }, { Date: 'Sun, 01 Jun 2025 10:00:00 GMT' })
        const dates: (string | undefined)[] = []
        for await (const page of client().userPages()) dates.push(page.date)
        expect(dates).toEqual(['Sun, 01 Jun 2025 10:00:00 GMT'])
    })

    it('asks for a page again whole when its connection drops mid-body, listing each user once', async () => {
        stubToken()
        const users = Array.from({ length: 5 }, (_, i) => listedUser(i + 1))
        // The second page's connection resets after its first user, half-way through the second.
        const seen = keysetUsersEndpoint(users, 4, { cutAfter: (request) => (request === 2 ? 1 : undefined) })
        const timing = fakeTiming()
        const listed: ScimUser[] = []
        for await (const page of client(testConfig(), timing).userPages({ filter: 'active eq "true"', pageSize: 2 })) {
            listed.push(...page.resources)
        }
        expect(listed.map((u) => u.userName)).toEqual(users.map((u) => u.userName))
        expect(listed).toEqual(users)
        expect(seen.map((r) => decodeURIComponent(r.path))).toEqual([
            `${SCIM}/Users?count=2&filter=(active eq "true")&startIndex=1`,
            `${SCIM}/Users?count=2&filter=(active eq "true") and (id gt "${users[1]?.id}")&startIndex=1`,
            `${SCIM}/Users?count=2&filter=(active eq "true") and (id gt "${users[1]?.id}")&startIndex=1`,
            `${SCIM}/Users?count=2&filter=(active eq "true") and (id gt "${users[3]?.id}")&startIndex=1`,
        ])
        expect(timing.sleeps).toEqual([250])
        const warning = logs.lines.find((l) => l.includes('"level":"WARN"')) ?? ''
        expect(warning).toContain(
            'Retrying Salesforce GET /services/scim/v2/Users (attempt 1/2) in 250 ms after ECONNRESET'
        )
    })

    it('gives each page its own retries: a listing survives a drop on every page', async () => {
        stubToken()
        const users = Array.from({ length: 12 }, (_, i) => listedUser(i + 1))
        // The first attempt at each page drops after one user.
        const seen = keysetUsersEndpoint(users, 6, { cutAfter: (request) => (request % 2 === 1 ? 1 : undefined) })
        const timing = fakeTiming()
        const listed: ScimUser[] = []
        for await (const page of client(testConfig(), timing).userPages({ pageSize: 4 })) listed.push(...page.resources)
        expect(listed).toEqual(users)
        expect(seen).toHaveLength(6)
        expect(timing.sleeps).toEqual([250, 250, 250])
    })

    it('fails the listing once a page has dropped more often than Max Retries allows, after the pages before it', async () => {
        stubToken()
        const users = Array.from({ length: 8 }, (_, i) => listedUser(i + 1))
        // Every page after the first resets after one user.
        const seen = keysetUsersEndpoint(users, 4, { cutAfter: (request) => (request > 1 ? 1 : undefined) })
        const timing = fakeTiming()
        const listed: ScimUser[] = []
        const listing = (async () => {
            for await (const page of client(testConfig(), timing).userPages({ pageSize: 3 })) {
                listed.push(...page.resources)
            }
        })()
        await expect(listing).rejects.toMatchObject({
            name: 'TimeoutError',
            errorCode: 'ECONNRESET',
            message: expect.stringMatching(
                /^The connection to Salesforce dropped: ECONNRESET \(GET \/services\/scim\/v2\/Users\)/
            ),
        })
        // Users 1-3, and nothing of the page that never arrived whole: none twice.
        expect(listed).toEqual(users.slice(0, 3))
        expect(seen).toHaveLength(4)
        expect(timing.sleeps).toEqual([250, 500])
    })

    it('ends on a ListResponse without Resources', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, fixture('scim/list.users.empty'))
        expect((await listedPages(client().userPages())).flat()).toEqual([])
    })

    it('lists users again without an excluded attribute the org does not know, and says so', async () => {
        stubToken()
        const excluding = (value: string) => (query: Record<string, unknown>) => query.excludedAttributes === value
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(excluding('photos,addresses'))
            .reply(400, scimError(400, 'Unsupported attribute: photos'))
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(excluding('addresses'))
            .reply(200, { totalResults: 1, Resources: [{ id: USER_ID, userName: 'ada@acme.com' }] })
        const pages = await listedPages(client().userPages({ excludedAttributes: ['photos', 'addresses'] }))
        expect(pages.flat().map((u) => u.id)).toEqual([USER_ID])
        const warnings = logs.lines.filter((l) => l.includes('"level":"WARN"'))
        expect(warnings.some((l) => l.includes('Salesforce does not know the User attribute photos'))).toBe(true)
    })

    it('does not list again when Salesforce refuses an attribute the connector did not exclude', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(400, scimError(400, 'Unsupported attribute: favoriteColor'))
        await expect(listedPages(client().userPages({ excludedAttributes: ['photos'] }))).rejects.toMatchObject({
            name: 'InvalidRequestError',
            status: 400,
        })
    })

    it('refuses a /Users answer without a body rather than list no users', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, '')
        await expect(listedPages(client().userPages())).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: 'Salesforce answered GET /services/scim/v2/Users with an empty body',
        })
    })

    describe('in Salesforce id order', () => {
        const keys = MESSY_USER_KEYS
        const users = keys.map((key, i) => ({ ...listedUser(i + 1), id: toId18(key) }))
        const caseInsensitive = (a: string, b: string): number =>
            byteOrder(a.toLowerCase(), b.toLowerCase()) || byteOrder(a, b)

        it('lists users of two pods, across case flips, once each, in base-62 order', async () => {
            stubToken()
            const seen = keysetUsersEndpoint(users, 3)
            const listed = (await listedPages(client().userPages({ pageSize: 3 }))).flat()
            const inIdOrder = [...users].sort((a, b) => byteOrder(a.id, b.id))
            expect(listed.map((u) => u.id)).toEqual(inIdOrder.map((u) => u.id))
            expect(listed[0]?.id).toBe(toId18('0051U000007xYzA'))
            expect(seen).toHaveLength(3)
        })

        it('fails loudly, instead of losing users, when the ORDER BY disagrees with id gt', async () => {
            stubToken()
            keysetUsersEndpoint(users, 1, { orderBy: caseInsensitive })
            const listed: ScimUser[] = []
            const listing = (async () => {
                for await (const page of client().userPages({ pageSize: 3 })) listed.push(...page.resources)
            })()
            await expect(listing).rejects.toMatchObject({
                name: 'InvalidResponseError',
                message: expect.stringMatching(
                    /^Salesforce returned user \w{18} after \w{18}, out of id order: paging by id gt could skip users/
                ),
            })
            expect(listed).toEqual([])
        })

        it('hands out a user that Salesforce returns twice only once', async () => {
            stubToken()
            const [first, second, third] = [...users].sort((a, b) => byteOrder(a.id, b.id))
            nock(INSTANCE_URL)
                .get(`${SCIM}/Users`)
                .query((q) => q.filter === undefined)
                .reply(200, listResponse([first, second], 3))
                .get(`${SCIM}/Users`)
                .query((q) => typeof q.filter === 'string' && q.filter.includes(String(second?.id)))
                // `id gt` applied as `id ge`: the cursor comes back first.
                .reply(200, listResponse([second, third], 2))
            const listed = (await listedPages(client().userPages({ pageSize: 2 }))).flat()
            expect(listed.map((u) => u.id)).toEqual([first?.id, second?.id, third?.id])
            expect(logs.lines.join('')).toContain('Salesforce returned 1 users twice; each was handed out once')
        })
    })

    it("says that Salesforce refused the connector's own id gt, not the account filter", async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query((q) => q.filter === '(active eq "true")')
            .reply(200, listResponse([user(1), user(2)], 3))
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(400, {
                schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
                detail: 'Unsupported operator : gt',
                status: '400',
            })
        const listing = listedPages(client().userPages({ filter: 'active eq "true"', pageSize: 2 }))
        await expect(listing).rejects.toMatchObject({
            name: 'InvalidRequestError',
            status: 400,
            message: expect.stringMatching(
                new RegExp(
                    `^Salesforce refused the connector's own paging clause id gt "${user(2).id}" after it had accepted ` +
                        'the first page of the user list with the same filter: .*Unsupported operator : gt.*\\(HTTP 400 GET ' +
                        '/services/scim/v2/Users\\)\\. Account Filter is not the cause: the connector reads every list page ' +
                        'by page on id gt'
                )
            ),
        })
        await expect(listing).rejects.not.toThrow(/Check Account Filter/)
    })

    it('reads a user by id', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users/${USER_ID}`).reply(200, fixture('scim/user.create.response'))
        await expect(client().getUser(USER_ID)).resolves.toMatchObject({ id: USER_ID })
    })

    it('reports a 404 as NotFoundError of type notFound', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users/${USER_ID}`).reply(404, fixture('scim/error.no-such-resource'))
        await expect(client().getUser(USER_ID)).rejects.toMatchObject({
            name: 'NotFoundError',
            type: ConnectorErrorType.NotFound,
            status: 404,
        })
    })

    it('reports a 200 with an empty ListResponse as NotFoundError', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users/${USER_ID}`).reply(200, fixture('scim/list.users.empty'))
        await expect(client().getUser(USER_ID)).rejects.toMatchObject({
            name: 'NotFoundError',
            type: ConnectorErrorType.NotFound,
            message: expect.stringMatching(/user 005RM000002FZAlYAO does not exist/),
        })
    })

    it('validates the id before any request', async () => {
        await expect(client().getUser('005RM000002FZAl/../../x')).rejects.toMatchObject({ name: 'InvalidRequestError' })
        await expect(client().deactivateUser(GROUP_ID)).rejects.toMatchObject({ name: 'InvalidRequestError' })
    })

    it('finds a user by userName with a quoted eq filter', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(
                recordingReply(seen, () => [
                    200,
                    { totalResults: 1, Resources: [{ id: USER_ID, userName: 'o"brien@acme.com' }] },
                ])
            )
        await expect(client().findUserByUserName('O"Brien@acme.com')).resolves.toMatchObject({ id: USER_ID })
        expect(decodeURIComponent(seen[0]?.path ?? '')).toBe(
            `${SCIM}/Users?filter=userName eq "O\\"Brien@acme.com"&startIndex=1&count=2`
        )
    })

    it('refuses a userName look-up answered without a body', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, '')
        await expect(client().findUserByUserName('ada@acme.com')).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: 'Salesforce answered GET /services/scim/v2/Users with an empty body',
        })
    })

    it('refuses a user read answered with something that is neither a user nor a list', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users/${USER_ID}`).reply(200, { status: 'ok' })
        await expect(client().getUser(USER_ID)).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: `Salesforce answered GET /services/scim/v2/Users/${USER_ID} without a user`,
        })
    })

    it('returns undefined when no user has that userName', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, fixture('scim/list.users.empty'))
        await expect(client().findUserByUserName('nobody@acme.com')).resolves.toBeUndefined()
    })

    it('creates a user with the core schema', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .post(`${SCIM}/Users`)
            .reply(recordingReply(seen, () => [201, fixture('scim/user.create.response')]))
        const request = fixture<Record<string, unknown>>('scim/user.create.request')
        delete request.schemas
        await expect(client().createUser(request as never)).resolves.toMatchObject({ id: USER_ID })
        expect(JSON.parse(seen[0]?.body ?? '{}')).toEqual(fixture('scim/user.create.request'))
        expect(seen[0]?.headers['content-type']).toMatch(/^application\/json/)
    })

    describe('when the create response is lost', () => {
        const request = fixture<Record<string, unknown>>('scim/user.create.request')
        /** Our clock when the create is sent. */
        const SENT = Date.parse('2026-12-01T20:00:00Z')

        /** The lookup's answer: the user found by userName (created at `created`), or none. */
        function lookupAnswer(created: string | undefined): Record<string, unknown> {
            if (created === undefined) return fixture('scim/list.users.empty')
            const page = fixture<{ Resources: Record<string, unknown>[] }>('scim/list.users.by-username')
            const [found] = page.Resources
            const meta = { ...(found?.meta as Record<string, unknown>), created, lastModified: created }
            return { ...page, Resources: [{ ...found, meta }] }
        }

        /**
         * POST /Users fails as `fail` says once our clock has moved on by `postTakesMs`; then each lookup answers
         * with the next of `found` and a Date header of `salesforceNow()`.
         */
        function lostCreate(
            fail: 'drop' | 500,
            found: readonly (string | undefined)[],
            salesforceNow: () => string,
            postTakesMs = 30_000
        ) {
            const timing = fakeTiming(SENT)
            // Matching the body is the moment the request reaches Salesforce; the answer is lost 30 s later.
            const takesTime = () => {
                timing.clock.now += postTakesMs
                return true
            }
            const post = nock(INSTANCE_URL).post(`${SCIM}/Users`, takesTime).once()
            if (fail === 'drop') post.replyWithError(networkFailure('ECONNRESET'))
            else post.reply(500, { detail: 'Internal error', status: 500 })
            const seen: SeenRequest[] = []
            for (const created of found) {
                nock(INSTANCE_URL)
                    .get(`${SCIM}/Users`)
                    .query(true)
                    .reply(recordingReply(seen, () => [200, lookupAnswer(created), { Date: salesforceNow() }]))
            }
            return { timing, seen, sf: client(testConfig(), timing) }
        }

        const httpDate = (iso: string) => new Date(iso).toUTCString()

        it('returns the user Salesforce created after the request was sent, without posting again', async () => {
            stubToken()
            // Sent at 20:00:00, the answer lost after 30 s; the lookup answers at 20:00:30 on Salesforce's clock.
            const { sf, seen, timing } = lostCreate('drop', ['2026-12-01T20:00:01Z'], () =>
                httpDate('2026-12-01T20:00:30Z')
            )
            await expect(sf.createUser(request as never)).resolves.toMatchObject({ id: USER_ID })
            expect(decodeURIComponent(seen[0]?.path ?? '')).toContain('filter=userName eq "scimUser@mycompany.com"')
            expect(timing.sleeps).toEqual([])
            expect(logs.lines.some((l) => l.includes('looking it up before anything is retried'))).toBe(true)
        })

        it("judges by Salesforce's clock: its own user is adopted though that clock runs 10 minutes behind ours", async () => {
            stubToken()
            // Our clock says 20:00:30 at the lookup; Salesforce's says 19:50:30, and it created the user at 19:50:01.
            const { sf } = lostCreate(500, ['2026-12-01T19:50:01Z'], () => httpDate('2026-12-01T19:50:30Z'))
            await expect(sf.createUser(request as never)).resolves.toMatchObject({ id: USER_ID })
        })

        it('refuses an older user with that userName, saying the username is taken and when that user was created', async () => {
            stubToken()
            const { sf } = lostCreate('drop', ['2020-10-25T09:27:40Z'], () => httpDate('2026-12-01T20:00:30Z'))
            // Nothing is stubbed after the lookup: no request may touch that user.
            await expect(sf.createUser(request as never)).rejects.toMatchObject({
                name: 'ObjectAlreadyExistsError',
                message: expect.stringMatching(
                    /^Salesforce username scimUser@mycompany\.com is taken by an existing user, 005RM000002FZAlYAO, created at 2020-10-25T09:27:40Z, before this create was sent: choose another username\. .*nothing was assigned to 005RM000002FZAlYAO$/
                ),
            })
        })

        it("refuses a user created before the request by Salesforce's clock, though after it by ours", async () => {
            stubToken()
            // Salesforce runs 10 minutes ahead: the request left at 20:10:00 its time; the user is from 20:05.
            const { sf } = lostCreate('drop', ['2026-12-01T20:05:00Z'], () => httpDate('2026-12-01T20:10:30Z'))
            await expect(sf.createUser(request as never)).rejects.toMatchObject({ name: 'ObjectAlreadyExistsError' })
        })

        it('looks again over a few seconds for a user still committing, and returns it once it shows', async () => {
            stubToken()
            const { sf, seen, timing } = lostCreate(500, [undefined, undefined, '2026-12-01T20:00:01Z'], () =>
                httpDate('2026-12-01T20:00:33Z')
            )
            await expect(sf.createUser(request as never)).resolves.toMatchObject({ id: USER_ID })
            expect(seen).toHaveLength(3)
            expect(timing.sleeps).toEqual([1000, 2000])
        })

        it('says retrying is safe only after no lookup over seven seconds found the user', async () => {
            stubToken()
            const { sf, seen, timing } = lostCreate('drop', [undefined, undefined, undefined, undefined], () =>
                httpDate('2026-12-01T20:00:30Z')
            )
            await expect(sf.createUser(request as never)).rejects.toMatchObject({
                name: 'TimeoutError',
                errorCode: 'ECONNRESET',
                message: expect.stringMatching(
                    /^The outcome of creating Salesforce user scimUser@mycompany\.com is unknown: .*No user with that userName was found in 4 lookups over 7 seconds, so it was most likely not created; retrying is safe$/
                ),
            })
            expect(seen).toHaveLength(4)
            expect(timing.sleeps).toEqual([1000, 2000, 4000])
        })

        it('cannot tell, and assigns nothing, when the user found carries no creation time', async () => {
            stubToken()
            const { sf } = lostCreate('drop', [], () => '')
            const { meta: _meta, ...withoutMeta } = fixture<Record<string, unknown>>('scim/user.create.response')
            nock(INSTANCE_URL)
                .get(`${SCIM}/Users`)
                .query(true)
                .reply(200, { totalResults: 1, Resources: [withoutMeta] })
            await expect(sf.createUser(request as never)).rejects.toMatchObject({
                name: 'TimeoutError',
                message: expect.stringMatching(/did not say when it was created.*nothing was assigned to it/),
            })
        })

        it('says the outcome is unknown when the lookup fails too', async () => {
            stubToken()
            nock(INSTANCE_URL).post(`${SCIM}/Users`).once().replyWithError(networkFailure('ECONNRESET'))
            nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(403, fixture('rest/error.request-limit-exceeded'))
            await expect(client().createUser(request as never)).rejects.toMatchObject({
                name: 'TimeoutError',
                message: expect.stringMatching(/lookup by userName failed as well/),
            })
        })

        it('does not look up after a refusal such as the missing profile', async () => {
            stubToken()
            nock(INSTANCE_URL)
                .post(`${SCIM}/Users`)
                .once()
                .reply(409, fixture('scim/error.required-field-missing-profile'))
            await expect(client().createUser(request as never)).rejects.toMatchObject({
                name: 'InvalidRequestError',
                errorCode: 'REQUIRED_FIELD_MISSING',
                status: 409,
                fields: ['entitlements'],
            })
        })
    })

    it('looks the user up when the create answers without a body', async () => {
        stubToken()
        nock(INSTANCE_URL).post(`${SCIM}/Users`).reply(201)
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(200, { totalResults: 1, Resources: [fixture('scim/user.create.response')] })
        await expect(client().createUser({ userName: 'scimuser@mycompany.com' })).resolves.toMatchObject({
            id: USER_ID,
        })
    })

    it('refuses a create that answers without a body when no such user exists', async () => {
        stubToken()
        nock(INSTANCE_URL).post(`${SCIM}/Users`).reply(201)
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, fixture('scim/list.users.empty'))
        await expect(client().createUser({ userName: 'ghost@acme.com' })).rejects.toMatchObject({
            name: 'InvalidResponseError',
        })
    })

    it('refuses to create a user with a blank userName', async () => {
        await expect(client().createUser({ userName: '  ', name: { familyName: 'X' } })).rejects.toMatchObject({
            name: 'InvalidRequestError',
        })
    })

    it('patches a user with a PatchOp body and returns the updated user', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .patch(`${SCIM}/Users/${USER_ID}`)
            .reply(recordingReply(seen, () => [200, fixture('scim/user.create.response')]))
        const operations = [{ op: 'replace' as const, value: { nickName: 'user2' } }]
        await expect(client().patchUser(USER_ID, operations)).resolves.toMatchObject({ id: USER_ID })
        expect(JSON.parse(seen[0]?.body ?? '{}')).toEqual({ schemas: [PATCH_SCHEMA], Operations: operations })
    })

    it('reads the user back when a PATCH answers without a body', async () => {
        stubToken()
        nock(INSTANCE_URL).patch(`${SCIM}/Users/${USER_ID}`).reply(204)
        nock(INSTANCE_URL).get(`${SCIM}/Users/${USER_ID}`).reply(200, fixture('scim/user.create.response'))
        await expect(client().patchUser(USER_ID, [{ op: 'remove', path: 'title' }])).resolves.toMatchObject({
            id: USER_ID,
        })
    })

    it('deactivates with DELETE', async () => {
        stubToken()
        const scope = nock(INSTANCE_URL).delete(`${SCIM}/Users/${USER_ID}`).reply(204)
        await expect(client().deactivateUser(USER_ID)).resolves.toBeUndefined()
        scope.done()
    })
})

describe('groups', () => {
    it('adds members in the wrapped form Salesforce expects', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .patch(`${SCIM}/Groups/${GROUP_ID}`)
            .reply(recordingReply(seen, () => [200, fixture('scim/group.patch.add-member.response')]))
        await client().addGroupMembers(GROUP_ID, ['0054W00000CVREkQAP'])
        expect(JSON.parse(seen[0]?.body ?? '{}')).toEqual({
            schemas: [PATCH_SCHEMA],
            Operations: [{ op: 'add', path: 'members', value: { members: [{ value: '0054W00000CVREkQAP' }] } }],
        })
    })

    it('removes members in chunks of 200', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .patch(`${SCIM}/Groups/${GROUP_ID}`)
            .times(2)
            .reply(recordingReply(seen, () => [200, fixture('scim/group.patch.add-member.response')]))
        const members = Array.from({ length: 250 }, (_, i) => user(i).id)
        await client().removeGroupMembers(GROUP_ID, members)
        const bodies = seen.map(
            (r) => JSON.parse(r.body) as { Operations: { op: string; value: { members: unknown[] } }[] }
        )
        expect(bodies.map((b) => b.Operations[0]?.value.members.length)).toEqual([200, 50])
        expect(bodies.every((b) => b.Operations[0]?.op === 'remove')).toBe(true)
    })

    it('sends nothing for an empty member list, and validates member ids first', async () => {
        await expect(client().addGroupMembers(GROUP_ID, [])).resolves.toBeUndefined()
        await expect(client().addGroupMembers(GROUP_ID, [PROFILE_ID])).rejects.toMatchObject({
            name: 'InvalidRequestError',
        })
    })

    it('lists groups by id gt from the first page, and reads one', async () => {
        stubToken()
        const group = fixture<{ id: string }>('scim/group.patch.add-member.response')
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Groups`)
            .query(true)
            .reply(recordingReply(seen, () => [200, { totalResults: 1, Resources: [group] }]))
        nock(INSTANCE_URL).get(`${SCIM}/Groups/${GROUP_ID}`).reply(404, fixture('scim/error.no-such-resource'))
        const sf = client()
        const pages: unknown[] = []
        for await (const page of sf.groupPages()) pages.push(page.resources)
        expect(pages).toEqual([[group]])
        expect(seen[0]?.path).toBe(`${SCIM}/Groups?count=200&startIndex=1`)
        // A group's 404 is the group's, not the account's: ISC's notFound would make it create the account again.
        const error: unknown = await sf.getGroup(GROUP_ID).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(MissingEntitlementError)
        expect(error).not.toMatchObject({ type: ConnectorErrorType.NotFound })
        expect((error as Error).message).toContain(`Salesforce has no public group ${GROUP_ID}`)
    })
})

describe("queues among a user's groups", () => {
    const QUEUE_ID = '00G4W000006IKBoUAO'
    const WEST = { id: GROUP_ID, displayName: 'mycompany-West', type: 'Regular' }
    const QUEUE = { id: QUEUE_ID, displayName: 'Support Queue', type: 'Queue' }
    const UNTYPED = { id: '00G4W000006IKBpUAO', displayName: 'No type' }
    const groupsOf = (u: ScimUser) => (u.groups ?? []).map((g) => g.value)
    const inGroups = (n: number, ...ids: string[]): ScimUser => ({
        ...user(n),
        groups: ids.map((value) => ({ value, $ref: `/Groups/${value}`, display: value })),
    })

    /** The /Groups list, as the connector reads it to tell queues apart: members excluded. */
    function groupsList(groups: readonly object[]): SeenRequest[] {
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Groups`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(recordingReply(seen, () => [200, { totalResults: groups.length, Resources: groups }]))
        return seen
    }

    it('leaves the queues Salesforce lists in /Groups out of a user it reads, and reads them once for later reads', async () => {
        stubToken()
        const lists = groupsList([WEST, QUEUE, UNTYPED])
        const member = inGroups(1, GROUP_ID, QUEUE_ID, UNTYPED.id)
        nock(INSTANCE_URL).get(`${SCIM}/Users/${member.id}`).times(2).reply(200, member)
        nock(INSTANCE_URL).patch(`${SCIM}/Users/${member.id}`).reply(200, member)
        const timing = fakeTiming()
        const sf = client(testConfig(), timing)
        expect(groupsOf(await sf.getUser(member.id))).toEqual([GROUP_ID, UNTYPED.id])
        expect(groupsOf(await sf.patchUser(member.id, [{ op: 'replace', value: { title: 'x' } }]))).toEqual([
            GROUP_ID,
            UNTYPED.id,
        ])
        timing.clock.now += QUEUE_IDS_TTL_MS - 1
        expect(groupsOf(await sf.getUser(member.id))).toEqual([GROUP_ID, UNTYPED.id])
        expect(lists).toHaveLength(1)
    })

    it('reads the queue ids again once they are older than their time to live', async () => {
        stubToken()
        groupsList([QUEUE])
        groupsList([QUEUE])
        const member = inGroups(1, QUEUE_ID)
        nock(INSTANCE_URL).get(`${SCIM}/Users/${member.id}`).times(2).reply(200, member)
        const timing = fakeTiming()
        const sf = client(testConfig(), timing)
        expect(groupsOf(await sf.getUser(member.id))).toEqual([])
        timing.clock.now += QUEUE_IDS_TTL_MS
        expect(groupsOf(await sf.getUser(member.id))).toEqual([])
    })

    it('fails a read whose /Groups list fails, and keeps no answer from it: the next read asks again', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Groups`).query(true).reply(403, fixture('rest/error.request-limit-exceeded'))
        groupsList([QUEUE])
        const member = inGroups(1, GROUP_ID, QUEUE_ID)
        nock(INSTANCE_URL).get(`${SCIM}/Users/${member.id}`).times(2).reply(200, member)
        const sf = client()
        await expect(sf.getUser(member.id)).rejects.toMatchObject({ name: 'RateLimitError' })
        expect(groupsOf(await sf.getUser(member.id))).toEqual([GROUP_ID])
    })

    it('asks nothing about queues for a user in no group', async () => {
        stubToken()
        const loner = user(1)
        nock(INSTANCE_URL).get(`${SCIM}/Users/${loner.id}`).reply(200, loner)
        await expect(client().getUser(loner.id)).resolves.toEqual(loner)
    })

    it('changes nothing when /Groups lists no queues', async () => {
        stubToken()
        groupsList([WEST])
        const member = inGroups(1, GROUP_ID, QUEUE_ID)
        nock(INSTANCE_URL).get(`${SCIM}/Users/${member.id}`).reply(200, member)
        await expect(client().getUser(member.id)).resolves.toEqual(member)
    })

    it('reads the queue ids afresh once per listing of users, at the first user in a group', async () => {
        stubToken()
        const lists = groupsList([WEST, QUEUE])
        const users = [user(1), inGroups(2, QUEUE_ID), inGroups(3, GROUP_ID, QUEUE_ID), inGroups(4, GROUP_ID)]
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(200, { totalResults: 4, Resources: users.slice(0, 2) })
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(200, { totalResults: 2, Resources: users.slice(2) })
        const listed: ScimUser[] = []
        for await (const page of client().userPages({ pageSize: 2 })) listed.push(...page.resources)
        expect(listed.map(groupsOf)).toEqual([[], [], [GROUP_ID], [GROUP_ID]])
        expect(lists).toHaveLength(1)
    })
})

describe('entitlements, roles and schemas', () => {
    it('lists entitlements and reads a profile or a permission set by id', async () => {
        stubToken()
        const profile = { id: PROFILE_ID, displayName: 'System Administrator', type: 'Profile' }
        nock(INSTANCE_URL)
            .get(`${SCIM}/Entitlements`)
            .query(true)
            .reply(200, { totalResults: 1, Resources: [profile] })
        nock(INSTANCE_URL).get(`${SCIM}/Entitlements/${PROFILE_ID}`).reply(200, profile)
        const sf = client()
        const pages: unknown[] = []
        for await (const page of sf.entitlementPages()) pages.push(page.resources)
        expect(pages).toEqual([[profile]])
        await expect(sf.getEntitlement(PROFILE_ID)).resolves.toEqual(profile)
        await expect(sf.getEntitlement(ROLE_ID)).rejects.toMatchObject({ name: 'InvalidRequestError' })
    })

    describe('an org with 1,000 permission sets, whatever form the 200-record cap of /Entitlements takes', () => {
        const profiles = Array.from({ length: 20 }, (_, i) => ({
            schemas: ['urn:salesforce:schemas:extension:1.0:Entitlement'],
            id: toId18(`00eRM${String(i).padStart(10, '0')}`),
            displayName: `Profile ${i}`,
            type: 'Profile',
        }))
        const permissionSets = Array.from({ length: 1000 }, (_, i) => ({
            schemas: ['urn:salesforce:schemas:extension:1.0:Entitlement'],
            // Case flips among the permission set ids too: ...00a, ...00A sort apart.
            id: toId18(`0PSRM${String(i).padStart(9, '0')}${i % 2 === 0 ? 'a' : 'A'}`),
            displayName: `Permission set ${i}`,
            type: 'Permission Set',
        }))
        const all: ScimEntitlement[] = [...profiles, ...permissionSets].sort((a, b) =>
            a.id < b.id ? -1 : a.id > b.id ? 1 : 0
        )

        type CapForm = 'capped totalResults' | 'empty page' | '400 past startIndex 200' | 'empty body'

        /**
         * /Entitlements as the native service may cap it (risk R3): an unfiltered list holds the first 200 only,
         * and past them comes the cap's form; a list filtered by id gt is answered in full.
         */
        function entitlementsEndpoint(form: CapForm): SeenRequest[] {
            const seen: SeenRequest[] = []
            nock(INSTANCE_URL)
                .persist()
                .get(`${SCIM}/Entitlements`)
                .query(true)
                .reply(
                    recordingReply(seen, (r) => {
                        const url = new URL(r.path, INSTANCE_URL)
                        const after = /id gt "([^"]+)"/.exec(url.searchParams.get('filter') ?? '')?.[1]
                        const start = Number(url.searchParams.get('startIndex') ?? 1)
                        const count = Number(url.searchParams.get('count') ?? 200)
                        const rest = all.filter((e) => after === undefined || e.id > after)
                        const visible = after === undefined ? rest.slice(0, 200) : rest
                        if (after === undefined && start > 200) {
                            if (form === '400 past startIndex 200') {
                                return [
                                    400,
                                    {
                                        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
                                        detail: 'Start index too big',
                                        status: '400',
                                    },
                                ]
                            }
                            if (form === 'empty body') return [200, '']
                            return [200, listResponse([], rest.length)]
                        }
                        const page = visible.slice(start - 1, start - 1 + count)
                        if (page.length === 0 && form === 'empty body') return [200, '']
                        const total = form === 'capped totalResults' ? Math.min(rest.length, 200) : rest.length
                        // An empty page keeps its empty `Resources`.
                        return [200, { ...listResponse(page, total), Resources: page }]
                    })
                )
            return seen
        }

        it.each<CapForm>(['capped totalResults', 'empty page', '400 past startIndex 200', 'empty body'])(
            'reads every profile and permission set when the cap is %s',
            async (form) => {
                stubToken()
                const seen = entitlementsEndpoint(form)
                const listed = (await listedPages(client().entitlementPages())).flat()
                expect(listed).toHaveLength(1020)
                expect(listed.map((e) => e.id)).toEqual(all.map((e) => e.id))
                // Profiles (00e) before permission sets (0PS), each once.
                expect(listed.slice(0, 20).every((e) => e.type === 'Profile')).toBe(true)
                expect(seen.every((r) => new URL(r.path, INSTANCE_URL).searchParams.get('startIndex') === '1')).toBe(
                    true
                )
            }
        )
    })

    it('lists roles and reads one; an empty answer is not found', async () => {
        stubToken()
        const role = { id: ROLE_ID, displayName: 'CEO' }
        nock(INSTANCE_URL)
            .get(`${SCIM}/Roles`)
            .query(true)
            .reply(200, { totalResults: 1, Resources: [role] })
        nock(INSTANCE_URL).get(`${SCIM}/Roles/${ROLE_ID}`).reply(200, { totalResults: 0, Resources: [] })
        const sf = client()
        const pages: unknown[] = []
        for await (const page of sf.rolePages()) pages.push(page.resources)
        expect(pages).toEqual([[role]])
        await expect(sf.getRole(ROLE_ID)).rejects.toMatchObject({
            name: 'NotFoundError',
            type: ConnectorErrorType.NotFound,
        })
    })

    it('reads schemas sent as a bare list or not at all, and refuses anything else', async () => {
        stubToken()
        const schema = { id: 'urn:ietf:params:scim:schemas:core:2.0:User' }
        nock(INSTANCE_URL).get(`${SCIM}/Schemas`).reply(200, [schema])
        nock(INSTANCE_URL).get(`${SCIM}/Schemas`).reply(200, { totalResults: 0 })
        nock(INSTANCE_URL).get(`${SCIM}/Schemas`).reply(200, { Resources: 'x' })
        const sf = client()
        await expect(sf.schemas()).resolves.toEqual([schema])
        await expect(sf.schemas()).resolves.toEqual([])
        await expect(sf.schemas()).rejects.toMatchObject({ name: 'InvalidResponseError' })
    })

    it('reads the schemas from a ListResponse', async () => {
        stubToken()
        const schema = { id: 'urn:ietf:params:scim:schemas:core:2.0:User', attributes: [{ name: 'userName' }] }
        nock(INSTANCE_URL)
            .get(`${SCIM}/Schemas`)
            .reply(200, { totalResults: 1, Resources: [schema] })
        await expect(client().schemas()).resolves.toEqual([schema])
    })
})
