import { PassThrough } from 'stream'
import { gzipSync } from 'zlib'
import { CachingTokenProvider } from '../../../src/auth/token-provider'
import { SalesforceConfig } from '../../../src/config'
import { SalesforceHttpClient } from '../../../src/http/http-client'
import { RequestPipeline, queryString } from '../../../src/http/request-pipeline'
import { createTokenTransport } from '../../../src/http/token-transport'
import { retryAfterMs, retryDelayMs } from '../../../src/http/retry-policy'
import { httpOptions } from '../../../src/salesforce/create-client'
import { ScimUser } from '../../../src/salesforce/types'
import { cutAfterEachUser, wire } from '../../helpers/wire'
import { JSON_UTF8, listedUsers, usersPage } from '../../helpers/scim-bodies'
import {
    INSTANCE_URL,
    LOGIN_URL,
    MY_DOMAIN_URL,
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
    const pipeline = new RequestPipeline(httpOptions(config), timing)
    const tokens = new CachingTokenProvider(config, {
        transport: createTokenTransport(pipeline, config.loginUrl),
        now: timing.now,
    })
    return { http: new SalesforceHttpClient(pipeline, tokens, SCIM), timing, tokens }
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

    it('sends under the base path it was made with, so a REST client reuses the pipeline', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get('/services/data/v62.0/limits')
            .reply(200, { DailyApiRequests: { Max: 15000 } })
        const { http: scim, tokens } = makeHttp()
        const rest = new SalesforceHttpClient(
            new RequestPipeline(httpOptions(testConfig()), fakeTiming()),
            tokens,
            '/services/data/v62.0'
        )
        await expect(rest.get('/limits')).resolves.toEqual({ DailyApiRequests: { Max: 15000 } })
        expect(scim).toBeInstanceOf(SalesforceHttpClient)
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

        it.each([
            ['is cut off after its headers', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
            ['stream is aborted after its headers, as a dropped connection', new Error('aborted')],
        ])('retries a GET whose body %s', async (_label, failure) => {
            stubToken()
            nock(INSTANCE_URL)
                .get(`${SCIM}/Users/${USER_ID}`)
                .reply(200, wire([`{"id":"${USER_ID}","userName":"ada`, failure]), JSON_UTF8)
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
            await expect(http.post('/Users', {})).rejects.toMatchObject({
                name: 'SalesforceServerError',
                message: expect.stringMatching(
                    /^Salesforce failed on its side: Internal error \(HTTP 500 POST \/services\/scim\/v2\/Users\)/
                ),
            })
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

        it('traces a failure that carries no error code as a network error, and reports a dropped connection', async () => {
            stubToken()
            nock(INSTANCE_URL).get(`${SCIM}/Me`).replyWithError('proxy closed the tunnel')
            const { http } = makeHttp(testConfig('jwtBearer', { traceHttp: true }))
            const failure: unknown = await http.get('/Me').catch((error: unknown) => error)
            expect(failure).toMatchObject({
                name: 'TimeoutError',
                message: expect.stringMatching(/^The connection to Salesforce dropped: ERR_NETWORK \(GET /),
            })
            const traces = logs.lines
                .map((l) => JSON.parse(l) as { salesforceHttp?: { status: unknown } })
                .filter((t) => t.salesforceHttp !== undefined)
            expect(traces.map((t) => t.salesforceHttp?.status)).toEqual([200, 'network error'])
        })

        // Issue 17: the redactor took the version in "OAuth 2.0" for a token.
        it('keeps "OAuth 2.0" readable in a trace while the tokens around it stay redacted', async () => {
            stubToken()
            const text = 'Enable OAuth 2.0 for the app; the header was Authorization: OAuth 00Dxx0000001gPL!AR8AQJXg'
            nock(INSTANCE_URL)
                .get(`${SCIM}/Me`)
                .reply(200, { id: USER_ID, title: text, nickName: `Bearer ${SECRETS.accessToken.slice(16)}` })
            const { http } = makeHttp(testConfig('jwtBearer', { traceHttp: true }))
            await http.get('/Me')
            const trace = logs.lines
                .map((l) => JSON.parse(l) as { salesforceHttp?: { method: string; responseBody: unknown } })
                .find((t) => t.salesforceHttp?.method === 'GET')
            expect(trace?.salesforceHttp?.responseBody).toEqual({
                id: USER_ID,
                title: 'Enable OAuth 2.0 for the app; the header was Authorization: OAuth [REDACTED]',
                nickName: 'Bearer [REDACTED]',
            })
            expect(logs.lines.join('\n')).not.toContain(SECRETS.accessToken.slice(16))
        })

        it('traces the token request through the same pipeline, its secrets redacted', async () => {
            nock(MY_DOMAIN_URL)
                .post(TOKEN_PATH)
                .reply(503, '<html><title>Down</title></html>', { 'Content-Type': 'text/html' })
            stubToken({ loginUrl: MY_DOMAIN_URL })
            nock(INSTANCE_URL).get(`${SCIM}/Me`).reply(200, { id: USER_ID })
            const { http } = makeHttp(testConfig('clientCredentials', { traceHttp: true }))
            await http.get('/Me')
            const traces = logs.lines
                .map(
                    (l) => JSON.parse(l) as { salesforceHttp?: { path: string; status: unknown; requestBody: unknown } }
                )
                .filter((t) => t.salesforceHttp?.path === TOKEN_PATH)
            expect(traces.map((t) => t.salesforceHttp?.status)).toEqual([503, 200])
            expect(traces[0]?.salesforceHttp?.requestBody).toEqual({
                grant_type: 'client_credentials',
                client_id: '3MVG9-consumer-key',
                client_secret: '[REDACTED]',
            })
            const warning = logs.lines.find((l) => l.includes('"level":"WARN"')) ?? ''
            expect(warning).toContain(
                'Retrying Salesforce POST /services/oauth2/token (attempt 1/2) in 250 ms after HTTP 503'
            )
            const all = logs.lines.join('\n')
            for (const secret of [SECRETS.accessToken, SECRETS.clientSecret]) expect(all).not.toContain(secret)
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

describe('list pages, read whole', () => {
    it('answers a list page with its parsed body and the Date header, Salesforce’s clock', async () => {
        stubToken()
        const users = listedUsers(3)
        const date = 'Tue, 01 Dec 2026 20:00:00 GMT'
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(200, usersPage(users), { ...JSON_UTF8, Date: date })
        const { http } = makeHttp()
        const answer = await http.requestWithDate({ method: 'GET', path: '/Users', params: { count: 3 } })
        expect(answer).toEqual({ body: JSON.parse(usersPage(users)) as unknown, date })
    })

    it('answers an empty 200 body with an undefined body, not an error', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${SCIM}/Entitlements`)
            .query(true)
            .reply(200, '', { Date: 'Tue, 01 Dec 2026 20:00:00 GMT' })
        const { http } = makeHttp()
        await expect(
            http.requestWithDate({ method: 'GET', path: '/Entitlements', params: { startIndex: 201 } })
        ).resolves.toEqual({ body: undefined, date: 'Tue, 01 Dec 2026 20:00:00 GMT' })
    })

    it('retries a page whose connection drops mid-body whole, and lists each user once', async () => {
        stubToken()
        const users = listedUsers(3)
        const chunks = cutAfterEachUser(usersPage(users))
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(
                recordingReply(seen, () => [
                    200,
                    wire([chunks[0] ?? '', (chunks[1] ?? '').slice(0, 50), networkFailure('ECONNRESET')]),
                    JSON_UTF8,
                ])
            )
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(recordingReply(seen, () => [200, usersPage(users), JSON_UTF8]))
        const { http, timing } = makeHttp()
        const page = await http.get<{ Resources: ScimUser[] }>('/Users', { count: 3, filter: 'id gt "005"' })
        expect(page.Resources).toEqual(users)
        expect(seen.map((r) => r.path)).toEqual([
            `${SCIM}/Users?count=3&filter=id%20gt%20%22005%22`,
            `${SCIM}/Users?count=3&filter=id%20gt%20%22005%22`,
        ])
        expect(timing.sleeps).toEqual([250])
        const warnings = logs.lines.filter((l) => l.includes('"level":"WARN"'))
        expect(warnings[0]).toContain(
            'Retrying Salesforce GET /services/scim/v2/Users (attempt 1/2) in 250 ms after ECONNRESET'
        )
    })

    it('fails a page cut mid-body more often than Max Retries allows as a dropped connection', async () => {
        stubToken()
        const start = cutAfterEachUser(usersPage(listedUsers(3)))[0] ?? ''
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .times(3)
            .reply(200, () => wire([start, networkFailure('ECONNRESET')]), JSON_UTF8)
        const { http, timing } = makeHttp()
        await expect(http.get('/Users')).rejects.toMatchObject({
            name: 'TimeoutError',
            errorCode: 'ECONNRESET',
            message: expect.stringMatching(
                /^The connection to Salesforce dropped: ECONNRESET \(GET \/services\/scim\/v2\/Users\)\. Retry later/
            ),
        })
        expect(timing.sleeps).toEqual([250, 500])
    })

    it('abandons a page whose body stops arriving for Request Timeout, as TimeoutError', async () => {
        stubToken()
        const body = new PassThrough()
        body.write(cutAfterEachUser(usersPage(listedUsers(2)))[0])
        nock(INSTANCE_URL).get(`${SCIM}/Users`).reply(200, body, JSON_UTF8)
        const { http } = makeHttp({ ...testConfig(), requestTimeoutSeconds: 0.05, maxRetries: 0 })
        await expect(http.get('/Users')).rejects.toMatchObject({
            name: 'TimeoutError',
            message: expect.stringMatching(
                /^Salesforce did not answer in time: .*raise Request Timeout \(now 0\.05 s\)/
            ),
        })
        body.destroy()
    })

    it('refreshes an expired session once, then reads the page', async () => {
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
                        : [200, usersPage(users), JSON_UTF8]
                )
            )
        const { http } = makeHttp()
        await expect(http.get('/Users')).resolves.toMatchObject({ Resources: users })
        expect(tokens.count()).toBe(2)
        expect(seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN_A}`, `Bearer ${TOKEN_B}`])
        expect(logs.lines.join('\n')).toContain(
            'Salesforce session expired; fetching a new token and replaying the request once'
        )
    })

    it('retries a 503 and a connection dropped before the answer, then reads the page', async () => {
        stubToken()
        const users = listedUsers(2)
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .reply(503, '<html><head><title>Service Unavailable</title></head></html>', { 'Content-Type': 'text/html' })
        nock(INSTANCE_URL).get(`${SCIM}/Users`).replyWithError(networkFailure('ECONNRESET'))
        nock(INSTANCE_URL).get(`${SCIM}/Users`).reply(200, usersPage(users), JSON_UTF8)
        const { http, timing } = makeHttp()
        await expect(http.get('/Users')).resolves.toMatchObject({ Resources: users })
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
        await expect(http.get('/Users', { filter: 'active eq true' })).rejects.toMatchObject({
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
        await expect(http.get('/Users')).rejects.toMatchObject({
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
        await expect(http.get('/Users')).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: 'Salesforce answered without JSON (HTTP 200 GET /services/scim/v2/Users). Check Login URL',
        })
    })

    it('reads a gzip-compressed page, as Salesforce sends one to a client that accepts it', async () => {
        stubToken()
        const users = listedUsers(250)
        nock(INSTANCE_URL)
            .get(`${SCIM}/Users`)
            .query(true)
            .reply(200, gzipSync(usersPage(users)), { ...JSON_UTF8, 'Content-Encoding': 'gzip' })
        const { http } = makeHttp()
        const page = await http.get<{ totalResults: number; Resources: ScimUser[] }>('/Users', { count: 200 })
        expect(page.totalResults).toBe(250)
        expect(page.Resources.map((u) => u.id)).toEqual(users.map((u) => u.id))
    })

    it('traces a page by its first 4000 characters, redacting a secret that straddles the cut whole', async () => {
        const config = testConfig('usernamePassword', { traceHttp: true })
        stubToken()
        const user = listedUsers(1)[0] as ScimUser
        const page = usersPage([{ ...user, nickName: 'x'.repeat(4000) }])
        const at = page.indexOf('x'.repeat(4000))
        // The echoed secret starts ten characters before the trace's cut.
        const body = page.replace('x'.repeat(4000), 'x'.repeat(4000 - at - 10) + SECRETS.clientSecret + 'x'.repeat(at))
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(200, body, JSON_UTF8)
        const { http } = makeHttp(config)
        await http.get('/Users', { count: 1 })
        const trace = logs.lines.find((l) => l.includes('"salesforceHttp"') && l.includes('"GET"')) ?? ''
        const traced = JSON.parse(trace) as { salesforceHttp: { responseBody: unknown } }
        expect(traced.salesforceHttp.responseBody).toBe(
            `${body.split(SECRETS.clientSecret).join('[REDACTED]').slice(0, 4000)}…`
        )
        expect(trace).not.toContain(SECRETS.clientSecret.slice(0, 8))
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
            message: expect.stringMatching(
                /^Could not reach Salesforce: ENOTFOUND .*Check Login URL \(host name and spelling\)/
            ),
        })
    })

    it('refuses a token endpoint answer without a body and says to check Login URL', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).reply(204)
        const { http } = makeHttp()
        await expect(http.get('/Me')).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message:
                'The Salesforce token endpoint answered with an empty body (POST /services/oauth2/token). Check Login URL',
        })
    })

    it('refuses a 200 from the token endpoint that is not JSON', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).reply(200, 'ok', { 'Content-Type': 'text/plain' })
        const { http } = makeHttp()
        await expect(http.get('/Me')).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringMatching(
                /^Salesforce answered without JSON \(HTTP 200 POST \/services\/oauth2\/token\)\. Check Login URL/
            ),
        })
    })
})
