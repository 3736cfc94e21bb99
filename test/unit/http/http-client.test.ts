import { PassThrough } from 'stream'
import { gzipSync } from 'zlib'
import { CachingTokenProvider } from '../../../src/auth/token-provider'
import { SalesforceConfig } from '../../../src/config'
import { ListInterruptedError } from '../../../src/errors'
import { SalesforceHttpClient, queryString } from '../../../src/http/http-client'
import { createTokenTransport } from '../../../src/http/token-transport'
import { retryAfterMs, retryDelayMs } from '../../../src/http/retry-policy'
import { StreamedList } from '../../../src/http/streamed-list'
import { ScimUser } from '../../../src/salesforce/types'
import { cutAfterEachUser, wire } from '../../helpers/wire'
import {
    INSTANCE_URL,
    LOGIN_URL,
    SCIM,
    SECRETS,
    SeenRequest,
    TOKEN_PATH,
    fakeTiming,
    fixture,
    networkFailure,
    nock,
    recordingReply,
    slowReply,
    stubToken,
    testConfig,
    useLogCapture,
    useNock,
} from '../../helpers/nock'

useNock()

const USER_ID = '005RM000002FZAlYAO'
const TOKEN_A = '00DRM000000TEST!AQ4-token-A-abcdefghijklmnopqrstuvwxyz'
const TOKEN_B = '00DRM000000TEST!AQ4-token-B-abcdefghijklmnopqrstuvwxyz'

function makeHttp(config: SalesforceConfig = testConfig(), timing = fakeTiming()) {
    const tokens = new CachingTokenProvider(config, {
        transport: createTokenTransport(config, timing),
        now: timing.now,
    })
    return { http: new SalesforceHttpClient(config, tokens, timing), timing, tokens }
}

/** Counts token requests and hands out the given tokens in turn. */
function tokenSequence(...tokens: string[]): { count: () => number } {
    let calls = 0
    nock(LOGIN_URL)
        .post(TOKEN_PATH)
        .times(tokens.length)
        .reply(() => {
            const token = tokens[calls] ?? tokens[tokens.length - 1]
            calls++
            return [
                200,
                {
                    ...fixture<object>('oauth/token.client-credentials'),
                    access_token: token,
                    instance_url: INSTANCE_URL,
                },
            ]
        })
    return { count: () => calls }
}

const logs = useLogCapture()

describe('SalesforceHttpClient', () => {
    it('sends the bearer token to the instance URL under /services/scim/v2', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users/${USER_ID}`)
            .reply(recordingReply(seen, () => [200, fixture('scim/user.create.response')]))
        const { http } = makeHttp()
        await expect(http.get(`/Users/${USER_ID}`)).resolves.toMatchObject({ id: USER_ID })
        expect(seen[0]?.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`)
        expect(seen[0]?.headers.accept).toBe('application/json')
    })

    it('percent-encodes query values with %20 for spaces', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(recordingReply(seen, () => [200, fixture('scim/list.users.empty')]))
        const { http } = makeHttp()
        await http.get('/Users', { filter: 'userName eq "a+b@c.com"', count: 2, skipped: undefined })
        expect(seen[0]?.path).toBe(`${SCIM}/Users?filter=userName%20eq%20%22a%2Bb%40c.com%22&count=2`)
        expect(queryString({})).toBe('')
    })

    it('returns undefined for a 204 with no body', async () => {
        stubToken()
        nock(INSTANCE_URL).delete(`${SCIM}/Users/${USER_ID}`).reply(204)
        const { http } = makeHttp()
        await expect(http.delete(`/Users/${USER_ID}`)).resolves.toBeUndefined()
    })

    it('refuses a 200 that is not JSON', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, '<html>login</html>', { 'Content-Type': 'text/html' })
        const { http } = makeHttp()
        await expect(http.get('/Me')).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringMatching(/without JSON/),
        })
    })

    describe('expired sessions', () => {
        it('refreshes the token once on INVALID_SESSION_ID and replays the request', async () => {
            const tokens = tokenSequence(TOKEN_A, TOKEN_B)
            const seen: SeenRequest[] = []
            nock(INSTANCE_URL)
                .post(`${SCIM}/Users`)
                .times(2)
                .reply(
                    recordingReply(seen, (r) =>
                        r.headers.authorization === `Bearer ${TOKEN_A}`
                            ? [401, fixture('rest/error.invalid-session-id')]
                            : [201, fixture('scim/user.create.response')]
                    )
                )
            const { http } = makeHttp()
            await expect(http.post('/Users', fixture('scim/user.create.request'))).resolves.toMatchObject({
                id: USER_ID,
            })
            expect(tokens.count()).toBe(2)
            expect(seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN_A}`, `Bearer ${TOKEN_B}`])
            expect(seen[1]?.body).toBe(seen[0]?.body)
        })

        it('does not loop when the fresh token is refused too', async () => {
            const tokens = tokenSequence(TOKEN_A, TOKEN_B)
            const scope = nock(INSTANCE_URL)
                .get(`${SCIM}/Me`)
                .times(2)
                .reply(401, fixture('rest/error.invalid-session-id'))
            const { http } = makeHttp()
            await expect(http.get('/Me')).rejects.toMatchObject({
                name: 'AuthenticationError',
                errorCode: 'INVALID_SESSION_ID',
                status: 401,
            })
            expect(tokens.count()).toBe(2)
            scope.done()
        })

        it('does not refresh on "This session is not valid for use with the REST API"', async () => {
            const tokens = tokenSequence(TOKEN_A)
            nock(INSTANCE_URL).get(`${SCIM}/Me`).once().reply(401, fixture('rest/error.invalid-session-id-rest-api'))
            const { http } = makeHttp()
            await expect(http.get('/Me')).rejects.toMatchObject({
                name: 'AuthenticationError',
                message: expect.stringMatching(/Manage user data via APIs \(api\)/),
            })
            expect(tokens.count()).toBe(1)
        })

        it('does not refresh on a 401 that is not INVALID_SESSION_ID', async () => {
            const tokens = tokenSequence(TOKEN_A)
            nock(INSTANCE_URL)
                .get(`${SCIM}/Me`)
                .once()
                .reply(401, [{ message: 'nope', errorCode: 'SOMETHING_ELSE' }])
            const { http } = makeHttp()
            await expect(http.get('/Me')).rejects.toMatchObject({
                name: 'AuthenticationError',
                errorCode: 'SOMETHING_ELSE',
            })
            expect(tokens.count()).toBe(1)
        })

        it('refreshes once for 50 concurrent requests that all hit an expired token', async () => {
            const tokens = tokenSequence(TOKEN_A, TOKEN_B)
            let stale = 0
            nock(INSTANCE_URL)
                .get(`${SCIM}/Me`)
                .times(100)
                .reply(
                    recordingReply([], (r) => {
                        if (r.headers.authorization === `Bearer ${TOKEN_A}`) {
                            stale++
                            return [401, fixture('rest/error.invalid-session-id')]
                        }
                        return [200, { id: USER_ID, userName: 'me@acme.com' }]
                    })
                )
            const { http } = makeHttp()
            const results = await Promise.all(Array.from({ length: 50 }, () => http.get<{ id: string }>('/Me')))
            expect(results.every((r) => r.id === USER_ID)).toBe(true)
            expect(stale).toBe(50)
            expect(tokens.count()).toBe(2)
        })
    })

    describe('retries', () => {
        it('retries a GET on 503 with exponential backoff and full jitter, then succeeds', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Groups`).times(2).reply(503, 'busy')
            nock(INSTANCE_URL).get(`${SCIM}/Groups`).reply(200, { totalResults: 0, Resources: [] })
            const { http, timing } = makeHttp()
            await expect(http.get('/Groups')).resolves.toMatchObject({ totalResults: 0 })
            // random() = 0.5 of ceilings 500 ms and 1000 ms
            expect(timing.sleeps).toEqual([250, 500])
            const warnings = logs.lines.filter((l) => l.includes('"level":"WARN"'))
            expect(warnings).toHaveLength(2)
            expect(warnings[0]).toContain('attempt 1/2')
            expect(warnings[1]).toContain('attempt 2/2')
        })

        it('honours Retry-After in seconds and as an HTTP date, capped at 60 s', async () => {
            stubToken()
            const timing = fakeTiming(Date.parse('2026-01-01T00:00:00Z'))
            nock(INSTANCE_URL).get(`${SCIM}/Roles`).reply(503, '', { 'Retry-After': '3' })
            nock(INSTANCE_URL).get(`${SCIM}/Roles`).reply(503, '', { 'Retry-After': 'Thu, 01 Jan 2026 00:00:10 GMT' })
            nock(INSTANCE_URL).get(`${SCIM}/Roles`).reply(503, '', { 'Retry-After': '3600' })
            nock(INSTANCE_URL).get(`${SCIM}/Roles`).reply(200, { totalResults: 0 })
            const { http } = makeHttp(testConfig('jwtBearer', { maxRetries: 3 }), timing)
            await http.get('/Roles')
            expect(timing.sleeps).toEqual([3000, 10000, 60000])
        })

        it('retries a GET after a dropped connection', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Me`).replyWithError(networkFailure('ECONNRESET'))
            nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, { id: USER_ID, userName: 'me@acme.com' })
            const { http, timing } = makeHttp()
            await expect(http.get('/Me')).resolves.toMatchObject({ id: USER_ID })
            expect(timing.sleeps).toHaveLength(1)
        })

        it('retries a GET whose body is cut off after its headers', async () => {
            stubToken()
            const cut = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
            nock(INSTANCE_URL)
                .get(`${SCIM}/Users/${USER_ID}`)
                .reply(200, wire([`{"id":"${USER_ID}","userName":"ada`, cut]), JSON_UTF8)
            nock(INSTANCE_URL).get(`${SCIM}/Users/${USER_ID}`).reply(200, { id: USER_ID, userName: 'ada@acme.com' })
            const { http, timing } = makeHttp()
            await expect(http.get(`/Users/${USER_ID}`)).resolves.toMatchObject({ userName: 'ada@acme.com' })
            expect(timing.sleeps).toHaveLength(1)
            const warnings = logs.lines.filter((l) => l.includes('"level":"WARN"'))
            expect(warnings[0]).toContain('after ECONNRESET')
        })

        it('retries a GET that timed out', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(slowReply(500))
            nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, { id: USER_ID, userName: 'me@acme.com' })
            const { http } = makeHttp({ ...testConfig(), requestTimeoutSeconds: 0.05 })
            await expect(http.get('/Me')).resolves.toMatchObject({ id: USER_ID })
        })

        it('gives up after Max Retries and reports the last failure', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Me`).times(3).reply(500, { detail: 'Internal error', status: 500 })
            const { http, timing } = makeHttp()
            await expect(http.get('/Me')).rejects.toMatchObject({ name: 'SalesforceServerError', status: 500 })
            expect(timing.sleeps).toHaveLength(2)
        })

        it('reports a timeout as TimeoutError once retries run out', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(slowReply(500))
            const { http } = makeHttp({ ...testConfig(), requestTimeoutSeconds: 0.05, maxRetries: 0 })
            await expect(http.get('/Me')).rejects.toMatchObject({ name: 'TimeoutError', errorCode: 'ECONNABORTED' })
        })

        it('does not retry a POST on 500', async () => {
            stubToken()
            nock(INSTANCE_URL).post(`${SCIM}/Users`).once().reply(500, { detail: 'Internal error', status: 500 })
            const { http, timing } = makeHttp()
            await expect(http.post('/Users', {})).rejects.toMatchObject({ name: 'SalesforceServerError' })
            expect(timing.sleeps).toEqual([])
        })

        it('does not retry a PATCH after a dropped connection', async () => {
            stubToken()
            nock(INSTANCE_URL).patch(`${SCIM}/Users/${USER_ID}`).once().replyWithError(networkFailure('ECONNRESET'))
            const { http, timing } = makeHttp()
            await expect(http.patch(`/Users/${USER_ID}`, {})).rejects.toMatchObject({
                name: 'TimeoutError',
                errorCode: 'ECONNRESET',
            })
            expect(timing.sleeps).toEqual([])
        })

        it('does not retry REQUEST_LIMIT_EXCEEDED', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Users`).once().reply(403, fixture('rest/error.request-limit-exceeded'))
            const { http, timing } = makeHttp()
            await expect(http.get('/Users')).rejects.toMatchObject({
                name: 'RateLimitError',
                errorCode: 'REQUEST_LIMIT_EXCEEDED',
            })
            expect(timing.sleeps).toEqual([])
        })

        it('computes delays from the policy functions', () => {
            const timing = fakeTiming(0)
            expect(retryDelayMs(1, { kind: 'network', code: 'ECONNRESET' }, timing)).toBe(250)
            expect(retryDelayMs(20, { kind: 'network', code: 'ECONNRESET' }, timing)).toBe(15000)
            expect(retryAfterMs('soon', 0)).toBeUndefined()
            expect(retryAfterMs('1.5', 0)).toBe(1500)
        })
    })

    describe('tracing', () => {
        it('logs each request and response with method, path, status and time, secrets redacted', async () => {
            const config = testConfig('usernamePassword', { traceHttp: true })
            stubToken()
            nock(INSTANCE_URL)
                .patch(`${SCIM}/Users/${USER_ID}`)
                .reply(200, { ...fixture<object>('scim/user.create.response'), echoedToken: SECRETS.accessToken })
            const { http } = makeHttp(config)
            await http.patch(`/Users/${USER_ID}`, {
                schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                Operations: [{ op: 'replace', value: { password: 'NewUserPassw0rd!' } }],
            })
            const traces = logs.lines.map(
                (l) => JSON.parse(l) as { salesforceHttp?: Record<string, unknown>; message: string }
            )
            const token = traces.find((t) => t.salesforceHttp?.path === TOKEN_PATH)
            const patch = traces.find((t) => t.salesforceHttp?.method === 'PATCH')
            expect(token?.salesforceHttp).toMatchObject({
                method: 'POST',
                status: 200,
                requestBody: {
                    grant_type: 'password',
                    client_secret: '[REDACTED]',
                    password: '[REDACTED]',
                    username: 'integration@acme.com',
                },
                responseBody: { access_token: '[REDACTED]', instance_url: INSTANCE_URL },
            })
            expect(patch?.salesforceHttp).toMatchObject({
                path: `${SCIM}/Users/${USER_ID}`,
                status: 200,
                ms: expect.any(Number),
                requestBody: { Operations: [{ op: 'replace', value: { password: '[REDACTED]' } }] },
                responseBody: { id: USER_ID, echoedToken: '[REDACTED]' },
            })
            expect(patch?.message).toMatch(
                /^Salesforce PATCH \/services\/scim\/v2\/Users\/005RM000002FZAlYAO → 200 in \d+ ms$/
            )
            const all = logs.lines.join('\n')
            for (const secret of [SECRETS.accessToken, SECRETS.clientSecret, SECRETS.password, 'NewUserPassw0rd!']) {
                expect(all).not.toContain(secret)
            }
        })

        it('traces HTML bodies as text and network failures by their code', async () => {
            stubToken()
            nock(INSTANCE_URL)
                .get(`${SCIM}/Me`)
                .reply(503, `<html>${'x'.repeat(5000)}</html>`, { 'Content-Type': 'text/html' })
            nock(INSTANCE_URL).get(`${SCIM}/Me`).replyWithError(networkFailure('ECONNRESET'))
            nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, { id: USER_ID })
            const { http } = makeHttp(testConfig('jwtBearer', { traceHttp: true }))
            await http.get('/Me')
            const traces = logs.lines
                .map((l) => JSON.parse(l) as { salesforceHttp?: { status: unknown; responseBody?: unknown } })
                .filter((t) => t.salesforceHttp !== undefined && t.salesforceHttp.status !== 200)
            expect(traces.map((t) => t.salesforceHttp?.status)).toEqual([503, 'ECONNRESET'])
            expect(String(traces[0]?.salesforceHttp?.responseBody)).toHaveLength(4001)
        })

        it('logs nothing per request when tracing is off', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, { id: USER_ID })
            const { http } = makeHttp()
            await http.get('/Me')
            expect(logs.lines).toEqual([])
        })
    })
})

/** The documented create response (a verbatim Salesforce user) under ids of its own, as a /Users page holds it. */
function listedUsers(count: number, first = 1): ScimUser[] {
    const sample = fixture<ScimUser>('scim/user.create.response')
    return Array.from({ length: count }, (_, i) => ({
        ...sample,
        id: `005RM${String(first + i).padStart(10, '0')}AAA`,
        userName: `user${first + i}@mycompany.com`,
    }))
}

/** A /Users ListResponse as Salesforce writes it: the envelope of an empty list, then `Resources`. */
function usersPage(users: readonly ScimUser[], totalResults = users.length): string {
    const { totalResults: _total, ...envelope } = fixture<Record<string, unknown>>('scim/list.users.empty')
    return JSON.stringify({ totalResults, ...envelope, itemsPerPage: users.length, startIndex: 1, Resources: users })
}

const JSON_UTF8 = { 'Content-Type': 'application/json;charset=UTF-8' }

async function readAll<T>(list: StreamedList<T>): Promise<{ batches: T[][]; error?: unknown }> {
    const batches: T[][] = []
    try {
        for await (const batch of list.batches) batches.push([...batch])
    } catch (error: unknown) {
        return { batches, error }
    }
    return { batches }
}

/** The message of a list whose connection went after `resources` resources; advice may follow. */
function droppedAfter(code: string, resources: number): RegExp {
    return new RegExp(
        `^The connection to Salesforce dropped while a list was arriving: ${code} \\(GET /services/scim/v2/Users\\), ` +
            `(after )?${resources} resources\\b`
    )
}

describe('SalesforceHttpClient.getList', () => {
    it('redacts a secret that straddles the 4000th character of a traced list whole', async () => {
        const config = testConfig('usernamePassword', { traceHttp: true })
        stubToken()
        const user = listedUsers(1)[0] as ScimUser
        const page = usersPage([{ ...user, nickName: 'x'.repeat(4000) }])
        const at = page.indexOf('x'.repeat(4000))
        // The echoed secret starts ten characters before the trace's cut.
        const body = page.replace('x'.repeat(4000), 'x'.repeat(4000 - at - 10) + SECRETS.clientSecret + 'x'.repeat(at))
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, body, JSON_UTF8)
        const { http } = makeHttp(config)
        await readAll(await http.getList<ScimUser>('/Users', { count: 1 }))
        const trace = logs.lines.find((l) => l.includes('"salesforceHttp"') && l.includes('"GET"')) ?? ''
        expect(trace).toContain('[REDACTED]')
        expect(trace).not.toContain(SECRETS.clientSecret.slice(0, 8))
    })

    it('reads a gzip-compressed list, as Salesforce sends one to a client that accepts it', async () => {
        stubToken()
        const users = listedUsers(250)
        const page = usersPage(users)
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(200, gzipSync(page), { ...JSON_UTF8, 'Content-Encoding': 'gzip' })
        const { http } = makeHttp()
        const list = await http.getList<ScimUser>('/Users', { count: 200 })
        const { batches, error } = await readAll(list)
        expect(error).toBeUndefined()
        expect(batches.flat().map((u) => u.id)).toEqual(users.map((u) => u.id))
        expect(list.envelope()).toMatchObject({ totalResults: 250 })
    })

    it('hands out the users of a Salesforce ListResponse while its body is still arriving', async () => {
        stubToken()
        const users = listedUsers(3)
        const chunks = cutAfterEachUser(usersPage(users))
        const body = new PassThrough()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(recordingReply(seen, () => [200, body, JSON_UTF8]))
        const { http } = makeHttp()
        body.write(chunks[0])
        const list = await http.getList<ScimUser>('/Users', { count: 3, startIndex: 1 })
        const batches: ScimUser[][] = []
        for await (const batch of list.batches) {
            batches.push([...batch])
            // The rest of the page goes out only once the first user has been handed out.
            const next = chunks[batches.length]
            if (next !== undefined) body.write(next)
            if (batches.length === chunks.length - 1) body.end()
        }
        expect(batches).toEqual([[users[0]], [users[1]], [users[2]]])
        expect(list.envelope()).toEqual({
            totalResults: 3,
            itemsPerPage: 3,
            startIndex: 1,
            schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        })
        expect(seen.map((r) => r.path)).toEqual([`${SCIM}/Users?count=3&startIndex=1`])
        expect(seen[0]?.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`)
        expect(seen[0]?.headers.accept).toBe('application/json')
    })

    it('refreshes an expired session once, then streams the list', async () => {
        const tokens = tokenSequence(TOKEN_A, TOKEN_B)
        const users = listedUsers(2)
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .times(2)
            .reply(
                recordingReply(seen, (r) =>
                    r.headers.authorization === `Bearer ${TOKEN_A}`
                        ? [401, fixture('rest/error.invalid-session-id')]
                        : [200, wire(cutAfterEachUser(usersPage(users))), JSON_UTF8]
                )
            )
        const { http } = makeHttp()
        const { batches, error } = await readAll(await http.getList<ScimUser>('/Users'))
        expect(error).toBeUndefined()
        expect(batches.flat()).toEqual(users)
        expect(tokens.count()).toBe(2)
        expect(seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN_A}`, `Bearer ${TOKEN_B}`])
        expect(logs.lines.join('\n')).toContain(
            'Salesforce session expired; fetching a new token and replaying the request once'
        )
    })

    it('retries a 503 and a connection dropped before the answer, then streams the list', async () => {
        stubToken()
        const users = listedUsers(2)
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .reply(503, '<html><head><title>Service Unavailable</title></head></html>', { 'Content-Type': 'text/html' })
        nock(INSTANCE_URL).get(`${SCIM}/Users`).replyWithError(networkFailure('ECONNRESET'))
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .reply(200, () => wire(cutAfterEachUser(usersPage(users))), JSON_UTF8)
        const { http, timing } = makeHttp()
        const { batches, error } = await readAll(await http.getList<ScimUser>('/Users'))
        expect(error).toBeUndefined()
        expect(batches.flat()).toEqual(users)
        expect(timing.sleeps).toEqual([250, 500])
        const warnings = logs.lines.filter((l) => l.includes('"level":"WARN"'))
        expect(warnings[0]).toContain(
            'Retrying Salesforce GET /services/scim/v2/Users (attempt 1/2) in 250 ms after HTTP 503'
        )
        expect(warnings[1]).toContain(
            'Retrying Salesforce GET /services/scim/v2/Users (attempt 2/2) in 500 ms after ECONNRESET'
        )
    })

    it('reports a refused filter (400) as InvalidRequestError, without retrying', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).once().reply(400, {
            schemas: '["urn:ietf:params:scim:api:messages:2.0:Error"]',
            detail: 'Argument has to be a quoted string literal : true',
            status: 400,
        })
        const { http, timing } = makeHttp()
        await expect(http.getList('/Users', { filter: 'active eq true' })).rejects.toMatchObject({
            name: 'InvalidRequestError',
            status: 400,
            message: expect.stringMatching(
                /^Salesforce refused the filter: Argument has to be a quoted string literal : true \(HTTP 400 GET \/services\/scim\/v2\/Users\)\. Check Account Filter/
            ),
        })
        expect(timing.sleeps).toEqual([])
    })

    it('reports REQUEST_LIMIT_EXCEEDED (403) as RateLimitError, without retrying', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Users`).once().reply(403, fixture('rest/error.request-limit-exceeded'))
        const { http, timing } = makeHttp()
        await expect(http.getList('/Users')).rejects.toMatchObject({
            name: 'RateLimitError',
            errorCode: 'REQUEST_LIMIT_EXCEEDED',
            status: 403,
            message: expect.stringMatching(/^Salesforce API request limit reached: REQUEST_LIMIT_EXCEEDED/),
        })
        expect(timing.sleeps).toEqual([])
    })

    it('refuses an HTML page answered with 200 and says to check Login URL', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .reply(200, '<html><head><title>Login | Salesforce</title></head><body></body></html>', {
                'Content-Type': 'text/html;charset=UTF-8',
            })
        const { http } = makeHttp()
        await expect(http.getList('/Users')).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: 'Salesforce answered without JSON (HTTP 200 GET /services/scim/v2/Users). Check Login URL',
        })
    })

    it('ends in ListInterruptedError when the connection drops mid-body, after the users that arrived', async () => {
        stubToken()
        const users = listedUsers(3)
        const chunks = cutAfterEachUser(usersPage(users))
        const cut = (chunks[2] ?? '').slice(0, 300)
        const scope = nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .once()
            .reply(200, () => wire([chunks[0] ?? '', chunks[1] ?? '', cut, networkFailure('ECONNRESET')]), JSON_UTF8)
        const { http, timing } = makeHttp()
        const { batches, error } = await readAll(await http.getList<ScimUser>('/Users'))
        expect(batches.flat()).toEqual(users.slice(0, 2))
        expect(error).toBeInstanceOf(ListInterruptedError)
        expect(error).toMatchObject({
            name: 'ListInterruptedError',
            errorCode: 'ECONNRESET',
            message: expect.stringMatching(droppedAfter('ECONNRESET', 2)),
        })
        // The request is not sent again by getList: paging decides whether and from where to read on.
        scope.done()
        expect(timing.sleeps).toEqual([])
    })

    it('abandons a body that stops arriving for Request Timeout, as ListInterruptedError ETIMEDOUT', async () => {
        stubToken()
        const users = listedUsers(2)
        const body = new PassThrough()
        body.write(cutAfterEachUser(usersPage(users))[0])
        nock(INSTANCE_URL).get(`${SCIM}/Users`).reply(200, body, JSON_UTF8)
        const { http } = makeHttp({ ...testConfig(), requestTimeoutSeconds: 0.05 })
        const { batches, error } = await readAll(await http.getList<ScimUser>('/Users'))
        expect(batches.flat()).toEqual([users[0]])
        expect(error).toMatchObject({
            name: 'ListInterruptedError',
            errorCode: 'ETIMEDOUT',
            message: expect.stringMatching(droppedAfter('ETIMEDOUT', 1)),
        })
        body.destroy()
    })

    describe('tracing', () => {
        it('logs one redacted trace line per list, once its body has ended', async () => {
            const config = testConfig('usernamePassword', { traceHttp: true })
            stubToken()
            const users = listedUsers(5).map((u) => ({ ...u, nickName: SECRETS.accessToken }))
            const body = new PassThrough()
            nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, body, JSON_UTF8)
            const { http } = makeHttp(config)
            const page = usersPage(users)
            const chunks = cutAfterEachUser(page)
            body.write(chunks[0])
            const list = await http.getList<ScimUser>('/Users', { filter: 'active eq "true"', count: 5 })
            const listTraces = (): { salesforceHttp: Record<string, unknown>; message: string }[] =>
                logs.lines
                    .map((l) => JSON.parse(l) as { salesforceHttp?: Record<string, unknown>; message: string })
                    .filter((t) => t.salesforceHttp?.method === 'GET')
                    .map((t) => ({ salesforceHttp: t.salesforceHttp ?? {}, message: t.message }))
            const batches: ScimUser[][] = []
            for await (const batch of list.batches) {
                batches.push([...batch])
                // Nothing is traced while the body is still arriving.
                expect(listTraces()).toEqual([])
                const next = chunks[batches.length]
                if (next !== undefined) body.write(next)
                if (batches.length === chunks.length - 1) body.end()
            }
            expect(batches.flat().map((u) => u.id)).toEqual(users.map((u) => u.id))
            const traces = listTraces()
            expect(traces).toHaveLength(1)
            expect(traces[0]?.salesforceHttp).toMatchObject({
                path: `${SCIM}/Users?filter=active%20eq%20%22true%22&count=5`,
                status: 200,
                ms: expect.any(Number),
            })
            expect(traces[0]?.message).toMatch(
                /^Salesforce GET \/services\/scim\/v2\/Users\?filter=active%20eq%20%22true%22&count=5 → 200 in \d+ ms$/
            )
            // A page of some 5 KB is traced by its first 4000 characters once redacted, marked as cut.
            expect(page.length).toBeGreaterThan(4000)
            expect(traces[0]?.salesforceHttp.responseBody).toBe(
                `${page.split(SECRETS.accessToken).join('[REDACTED]').slice(0, 4000)}…`
            )
            const all = logs.lines.join('\n')
            for (const secret of [SECRETS.accessToken, SECRETS.clientSecret, SECRETS.password]) {
                expect(all).not.toContain(secret)
            }
        })

        it('traces what arrived of a list whose connection dropped', async () => {
            stubToken()
            const start = cutAfterEachUser(usersPage(listedUsers(2)))[0] ?? ''
            nock(INSTANCE_URL)
                .get(`${SCIM}/Users`)
                .reply(200, () => wire([start, networkFailure('ECONNRESET')]), JSON_UTF8)
            const { http } = makeHttp(testConfig('jwtBearer', { traceHttp: true }))
            const { error } = await readAll(await http.getList<ScimUser>('/Users'))
            expect(error).toBeInstanceOf(ListInterruptedError)
            const traces = logs.lines
                .map(
                    (l) =>
                        JSON.parse(l) as { salesforceHttp?: { method: string; status: unknown; responseBody: unknown } }
                )
                .filter((t) => t.salesforceHttp?.method === 'GET')
            expect(traces).toHaveLength(1)
            expect(traces[0]?.salesforceHttp).toMatchObject({ status: 200, responseBody: start })
        })

        it('logs nothing per list when tracing is off', async () => {
            stubToken()
            nock(INSTANCE_URL)
                .get(`${SCIM}/Users`)
                .reply(200, () => wire(cutAfterEachUser(usersPage(listedUsers(2)))), JSON_UTF8)
            const { http } = makeHttp()
            const { batches } = await readAll(await http.getList<ScimUser>('/Users'))
            expect(batches.flat()).toHaveLength(2)
            expect(logs.lines).toEqual([])
        })
    })

    describe('retryInterruptedList', () => {
        async function interrupted(): Promise<ListInterruptedError> {
            stubToken()
            const start = cutAfterEachUser(usersPage(listedUsers(3)))[0] ?? ''
            nock(INSTANCE_URL)
                .get(`${SCIM}/Users`)
                .reply(200, () => wire([start, networkFailure('ECONNRESET')]), JSON_UTF8)
            const { http } = makeHttp()
            const { error } = await readAll(await http.getList<ScimUser>('/Users'))
            if (!(error instanceof ListInterruptedError)) throw new Error('the list was not interrupted')
            return error
        }

        it('reads on within Max Retries, after the same backoff as a retried read', async () => {
            const error = await interrupted()
            const { http, timing } = makeHttp()
            await expect(http.retryInterruptedList(error, 1)).resolves.toBe(true)
            await expect(http.retryInterruptedList(error, 2)).resolves.toBe(true)
            expect(timing.sleeps).toEqual([250, 500])
            const warnings = logs.lines.filter((l) => l.includes('"level":"WARN"'))
            expect(warnings).toHaveLength(2)
            const first = JSON.parse(warnings[0] ?? '{}') as { message?: string }
            expect(first.message).toMatch(
                /^Reading the list on from its last resource received \(attempt 1\/2\) in 250 ms: /
            )
            expect(first.message?.replace(/^[^:]*: /, '')).toMatch(droppedAfter('ECONNRESET', 1))
            expect(warnings[1]).toContain('(attempt 2/2) in 500 ms')
        })

        it('gives up beyond Max Retries without waiting', async () => {
            const error = await interrupted()
            const { http, timing } = makeHttp()
            await expect(http.retryInterruptedList(error, 3)).resolves.toBe(false)
            const none = makeHttp(testConfig('jwtBearer', { maxRetries: 0 }))
            await expect(none.http.retryInterruptedList(error, 1)).resolves.toBe(false)
            expect(timing.sleeps).toEqual([])
            expect(none.timing.sleeps).toEqual([])
            expect(logs.lines.filter((l) => l.includes('"level":"WARN"'))).toEqual([])
        })
    })
})

describe('token transport', () => {
    it('retries the token request on 503, since it changes nothing', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).reply(503, '<html><title>Down</title></html>', { 'Content-Type': 'text/html' })
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, { id: USER_ID })
        const { http, timing } = makeHttp()
        await expect(http.get('/Me')).resolves.toMatchObject({ id: USER_ID })
        expect(timing.sleeps).toHaveLength(1)
    })

    it('does not retry an OAuth refusal and says what to check', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).once().reply(400, fixture('oauth/error.audience-validation-failed'))
        const { http, timing } = makeHttp()
        await expect(http.get('/Me')).rejects.toMatchObject({
            name: 'AuthenticationError',
            errorCode: 'invalid_grant',
            status: 400,
            message: expect.stringMatching(
                /^Salesforce refused to log in: invalid_grant: Audience validation failed \(HTTP 400 POST \/services\/oauth2\/token\)\. Check Login URL/
            ),
        })
        expect(timing.sleeps).toEqual([])
    })

    it('retries the token request after a dropped connection', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).replyWithError(networkFailure('ECONNRESET'))
        stubToken()
        nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, { id: USER_ID })
        const { http, timing } = makeHttp()
        await expect(http.get('/Me')).resolves.toMatchObject({ id: USER_ID })
        expect(timing.sleeps).toHaveLength(1)
    })

    it('reports a key that cannot sign as a configuration problem', async () => {
        const config = testConfig()
        const broken = { ...config, auth: { ...config.auth, privateKey: 'not a key' } } as SalesforceConfig
        const { http } = makeHttp(broken)
        await expect(http.get('/Me')).rejects.toMatchObject({
            name: 'InvalidConfigurationError',
            message: expect.stringMatching(/^Private Key: could not sign/),
        })
    })

    it('reports an unreachable login host as a configuration problem', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).replyWithError(networkFailure('ENOTFOUND', 'getaddrinfo ENOTFOUND'))
        const { http } = makeHttp()
        await expect(http.get('/Me')).rejects.toMatchObject({
            name: 'InvalidConfigurationError',
            errorCode: 'ENOTFOUND',
        })
    })

    it('refuses a 200 from the token endpoint that is not JSON', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).reply(200, 'ok', { 'Content-Type': 'text/plain' })
        const { http } = makeHttp()
        await expect(http.get('/Me')).rejects.toMatchObject({ name: 'InvalidResponseError' })
    })
})
