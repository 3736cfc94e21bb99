/**
 * The one nock harness of the suite, for unit and handler tests alike: no real network, every interceptor used
 * and no request without one, a clean token cache per test, token and Salesforce stubs, source configs, a fake
 * clock/sleep, and a log capture.
 */
import { generateKeyPairSync } from 'crypto'
import * as fs from 'fs'
import * as path from 'path'
import type Nock from 'nock'
import { logger as sdkLogger } from '@sailpoint/connector-sdk'
import { SalesforceConfig, parseConfig } from '../../src/config'
import { clearTokenCache } from '../../src/auth/token-provider'
import { clearQueueCache } from '../../src/salesforce/queues'
import { clearUserDescribeCache } from '../../src/salesforce/rest/user-describe'
import { RetryTiming } from '../../src/http/retry-policy'
import { listResponse } from './scim-bodies'
import { REST, compositeAnswer, compositeOf } from './rest-bodies'
import { SECRETS } from './secrets'
import { IDS } from '../mapping/fixtures'

export { SECRETS }

/**
 * nock 15 ships as ES modules only, which Jest 29's CommonJS loader cannot import, so it is loaded through
 * Node's own loader (Node >= 20.19 can require() ES modules). It patches the process-wide `http`/`https`
 * modules, which Jest hands to axios unchanged. Its @mswjs/interceptors dependency calls
 * Promise.withResolvers (Node 22+), so Node 20 gets a polyfill in that (outer) realm.
 */
const getBuiltinModule = (process as unknown as { getBuiltinModule: (name: string) => unknown }).getBuiltinModule
const nodeModule = getBuiltinModule('module') as typeof import('module')
const outerFunction = nodeModule.createRequire.constructor as FunctionConstructor
/** nock checks `instanceof Error` in its own realm, so errors it raises must come from there. */
const OuterError = outerFunction('return Error')() as ErrorConstructor

function loadNock(): typeof Nock {
    const OuterPromise = outerFunction('return Promise')() as PromiseConstructor & { withResolvers?: unknown }
    if (typeof OuterPromise.withResolvers !== 'function') {
        OuterPromise.withResolvers = function withResolvers<T>() {
            let resolve: (value: T) => void = () => undefined
            let reject: (reason: unknown) => void = () => undefined
            const promise = new OuterPromise<T>((res, rej) => {
                resolve = res
                reject = rej
            })
            return { promise, resolve, reject }
        }
    }
    return (nodeModule.createRequire(__filename)('nock') as { default: typeof Nock }).default
}

export const nock = loadNock()

export const LOGIN_URL = 'https://login.salesforce.com'
export const MY_DOMAIN_URL = 'https://acme.my.salesforce.com'
export const INSTANCE_URL = 'https://acme.my.salesforce.com'
export const SCIM = '/services/scim/v2'
export const TOKEN_PATH = '/services/oauth2/token'
const CLIENT_ID = '3MVG9-consumer-key'

/** The source config of handler tests: client credentials on a My Domain, every other setting at its default. */
export const CONFIG: Readonly<Record<string, unknown>> = {
    authType: 'clientCredentials',
    loginUrl: MY_DOMAIN_URL,
    clientId: CLIENT_ID,
    clientSecret: SECRETS.clientSecret,
    governBeyondScim: false,
}

let keys: { privateKey: string; publicKey: string } | undefined

/** An RSA key pair made once per test file (PEM). */
export function testKeys(): { privateKey: string; publicKey: string } {
    keys ??= generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    })
    return keys
}

/** Raw source config (as ISC sends it) for each grant; override any key. */
export function rawConfig(
    authType: 'jwtBearer' | 'clientCredentials' | 'usernamePassword' = 'jwtBearer',
    overrides: Record<string, unknown> = {}
): Record<string, unknown> {
    // Handler tests are SCIM-only unless they are about the REST features: those turn governBeyondScim on.
    const common = { authType, clientId: CLIENT_ID, maxRetries: 2, governBeyondScim: false }
    const byType: Record<string, Record<string, unknown>> = {
        jwtBearer: { loginUrl: LOGIN_URL, username: 'integration@acme.com', privateKey: testKeys().privateKey },
        clientCredentials: { loginUrl: CONFIG.loginUrl, clientSecret: CONFIG.clientSecret },
        usernamePassword: {
            loginUrl: LOGIN_URL,
            clientSecret: SECRETS.clientSecret,
            username: 'integration@acme.com',
            password: SECRETS.password,
            securityToken: SECRETS.securityToken,
        },
    }
    return { ...common, ...byType[authType], ...overrides }
}

export function testConfig(
    authType: 'jwtBearer' | 'clientCredentials' | 'usernamePassword' = 'jwtBearer',
    overrides: Record<string, unknown> = {}
): SalesforceConfig {
    return parseConfig(rawConfig(authType, overrides))
}

/** A verbatim Salesforce payload from test/fixtures/salesforce/<api>/<name>.json. */
export function fixture<T = unknown>(name: string): T {
    const file = path.join(__dirname, '..', 'fixtures', 'salesforce', `${name}.json`)
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T
}

export interface TokenStubOptions {
    readonly loginUrl?: string
    readonly accessToken?: string
    readonly instanceUrl?: string
    readonly issuedAt?: number
    readonly times?: number
    /** Answer only a token request of this grant (`client_credentials` also gets Salesforce's `token_format`). */
    readonly grantType?: 'client_credentials'
}

/** Answers the token endpoint with a Salesforce-shaped token response (no expires_in, issued_at in ms). */
export function stubToken(options: TokenStubOptions = {}): Nock.Scope {
    const grantType = options.grantType
    return nock(options.loginUrl ?? LOGIN_URL)
        .post(TOKEN_PATH, grantType && ((body: Record<string, string>) => body.grant_type === grantType))
        .times(options.times ?? 1)
        .reply(200, {
            access_token: options.accessToken ?? SECRETS.accessToken,
            instance_url: options.instanceUrl ?? INSTANCE_URL,
            id: `https://login.salesforce.com/id/00DRM000000TESTAAA/${IDS.integrationUser}`,
            token_type: 'Bearer',
            issued_at: String(options.issuedAt ?? Date.now()),
            signature: 'nUFHwtfIGLKDTHcLWmDBG8frv0t+HQGl/iCZFIQUarE=',
            ...(grantType === 'client_credentials' ? { token_format: 'opaque' } : {}),
        })
}

/** The token endpoint of `CONFIG` (client credentials) and the SCIM API, authorised with the token it hands out. */
export function salesforce(options: { readonly listedGroups?: readonly object[] | false } = {}): Nock.Scope {
    // The connector lists /Groups to tell queues from public groups when it reads a user in some group; that list
    // answers `listedGroups` (none by default) if asked, or is left to the test to stub when it is false.
    const listedGroups = options.listedGroups ?? []
    if (listedGroups !== false)
        nock(INSTANCE_URL)
            .get('/services/scim/v2/Groups')
            .query((query) => query.excludedAttributes === 'members' && query.filter === undefined)
            .optionally()
            .reply(200, listResponse(listedGroups))
            .persist()
    stubToken({ loginUrl: MY_DOMAIN_URL, grantType: 'client_credentials' })
    return nock(INSTANCE_URL).matchHeader('authorization', `Bearer ${SECRETS.accessToken}`)
}

/**
 * An org whose roles and groups have no members, on `scope`. A first page of users without `groups` or `roles`
 * has the connector look for a member to tell whether Salesforce leaves the keys out (see account-list-memberships).
 */
export function noMembersAnywhere(scope: Nock.Scope): Nock.Scope {
    return scope
        .get(`${SCIM}/Roles`)
        .query(true)
        .reply(200, listResponse([]))
        .get(`${SCIM}/Groups`)
        .query(true)
        .reply(200, listResponse([]))
}

/** A stub's body matcher that records each body it is offered (see `recorder`). */
type BodyMatch = (body: unknown) => boolean

/** The parts of the Composite read of one account beyond SCIM, by referenceId. */
type AccountPart = 'user' | 'permissionSetLicenses' | 'packageLicenses' | 'queues' | 'logins'

/**
 * Salesforce's REST API on the session of `scope` (by default a new `salesforce()` one): each method stubs one call
 * under `REST` and answers with what it is given (see `./rest-bodies` for Salesforce's shapes); `match`, where a
 * method takes it, is the body matcher (a `recorder().match`). Calls to the same path are answered in the order
 * they are stubbed.
 */
export function rest(scope: Nock.Scope = salesforce()) {
    // nock offers a body matcher the bodies of other requests too (an empty one for a GET): every body these
    // calls send is a JSON object, so only an object is matched, and so recorded.
    const json = (match?: BodyMatch | Nock.DataMatcherMap): BodyMatch | Nock.DataMatcherMap | undefined =>
        typeof match === 'function' ? (body) => typeof body === 'object' && body !== null && match(body) : match
    const stubs = {
        scope,
        /** POST /composite. */
        composite(answer: unknown, match?: BodyMatch) {
            scope.post(`${REST}/composite`, json(match)).reply(200, answer)
            return stubs
        },
        /** GET /query of exactly this SOQL. */
        query(soql: string, answer: unknown) {
            scope.get(`${REST}/query`).query({ q: soql }).reply(200, answer)
            return stubs
        },
        /**
         * POST /sobjects/<type>: a create, answered 201 with `answer` unless `status` says otherwise; `match` may
         * also be the exact body expected.
         */
        create(type: string, answer: unknown, match?: BodyMatch | Nock.DataMatcherMap, status = 201) {
            scope.post(`${REST}/sobjects/${type}`, json(match)).reply(status, answer)
            return stubs
        },
        /** PATCH /sobjects/<type>/<id>: an update, answered 204. */
        update(type: string, id: string, match?: BodyMatch) {
            scope.patch(`${REST}/sobjects/${type}/${id}`, json(match)).reply(204)
            return stubs
        },
        /**
         * The plan of a command's page query (`readUserAccessPlan`): one Composite of the org's Profile query and
         * the User describe, answered with `rest/query.profiles` and `rest/describe.user`.
         */
        plan(options: { readonly match?: BodyMatch; readonly headers?: Record<string, string> } = {}) {
            scope.post(`${REST}/composite`, json(options.match)).reply(200, planAnswer(), options.headers)
            return stubs
        },
        /**
         * The plan of a later command of the same test, the User describe being held for the org: a Composite of
         * the Profile query alone.
         */
        planWithDescribeHeld() {
            scope.post(`${REST}/composite`).reply(200, compositeOf({ userLicense: fixture('rest/query.profiles') }))
            return stubs
        },
        /** GET the User describe (`rest/describe.user`), as `test-connection` and `discover-schema` read it. */
        describeUser(headers?: Record<string, string>) {
            scope.get(`${REST}/sobjects/User/describe`).reply(200, fixture('rest/describe.user'), headers)
            return stubs
        },
        /**
         * The reads of the account a command returns as aggregation lists it (`accountBeyondScim`): the plan, then
         * one Composite of the user's five queries, answered with `rows` by part (none by default).
         */
        account(rows: Readonly<Partial<Record<AccountPart, readonly unknown[]>>> = {}, match?: BodyMatch) {
            stubs.plan()
            const parts = ['user', 'permissionSetLicenses', 'packageLicenses', 'queues', 'logins'] as const
            scope
                .post(`${REST}/composite`, json(match))
                .reply(200, compositeAnswer(Object.fromEntries(parts.map((part) => [part, rows[part] ?? []]))))
            return stubs
        },
        /** DELETE /sobjects/<type>/<id>: answered 204 (no body) unless `status` and `answer` say otherwise. */
        remove(type: string, id: string, status = 204, answer?: unknown) {
            scope.delete(`${REST}/sobjects/${type}/${id}`).reply(status, answer)
            return stubs
        },
    }
    return stubs
}

/**
 * Salesforce's answer to the plan's Composite (`readUserAccessPlan`): the org's profiles with their licenses and
 * the User describe (by default `rest/describe.user`).
 */
export function planAnswer(describe: unknown = fixture('rest/describe.user')): Record<string, unknown> {
    return compositeOf({ userLicense: fixture('rest/query.profiles'), describe })
}

/** A Composite answer as Salesforce sends it: one subresponse per referenceId. */
export interface CompositeAnswer {
    compositeResponse: { referenceId: string; httpStatusCode: number; body: unknown; httpHeaders: object }[]
}

/**
 * Salesforce's answer to the Composite of a page of USER and INACTIVE_USER (`rest/composite.user-access`), with
 * the `refused` parts answered 400 with the body given.
 */
export function userAccessAnswer(refused: Readonly<Record<string, unknown>> = {}): CompositeAnswer {
    const answer = fixture<CompositeAnswer>('rest/composite.user-access')
    return {
        compositeResponse: answer.compositeResponse.map((response) =>
            refused[response.referenceId] === undefined
                ? response
                : { ...response, httpStatusCode: 400, body: refused[response.referenceId] }
        ),
    }
}

/**
 * Collects the request bodies a stub matches, so the test can assert them exactly afterwards. Use it as the
 * stub's body matcher: `.patch(path, patches.match)`.
 */
export function recorder(): { readonly bodies: unknown[]; readonly match: (body: unknown) => boolean } {
    const bodies: unknown[] = []
    return {
        bodies,
        match: (body) => {
            bodies.push(body)
            return true
        },
    }
}

/** Retry timing that never waits: records each sleep, fixed jitter, and a settable clock. */
export function fakeTiming(start = Date.now()): RetryTiming & { sleeps: number[]; clock: { now: number } } {
    const clock = { now: start }
    const sleeps: number[] = []
    return {
        sleeps,
        clock,
        sleep: (ms) => {
            sleeps.push(ms)
            return Promise.resolve()
        },
        random: () => 0.5,
        now: () => clock.now,
    }
}

/** Requests of the current test that no interceptor matched: each is a request the code should not have made. */
export const unmatched: string[] = []

/**
 * Blocks real network for the file, starts each test with a cold token cache, and fails a test that left an
 * interceptor unused or made a request no interceptor matched.
 */
export function useNock(): void {
    const recordUnmatched = (req: { method: string; url: string }): void => {
        unmatched.push(`${req.method} ${req.url}`)
    }
    beforeAll(() => {
        nock.disableNetConnect()
        nock.emitter.on('no match', recordUnmatched)
    })
    afterAll(() => {
        nock.emitter.removeListener('no match', recordUnmatched)
        nock.enableNetConnect()
    })
    beforeEach(() => {
        clearTokenCache()
        clearQueueCache()
        clearUserDescribeCache()
        unmatched.length = 0
    })
    afterEach(() => {
        const unused = nock.pendingMocks()
        const unexpected = unmatched.splice(0)
        nock.cleanAll()
        clearTokenCache()
        // Thrown, not expect()ed, so tests that count assertions are not thrown off.
        if (unused.length > 0 || unexpected.length > 0)
            throw new Error(
                `nock interceptors never used: [${unused.join(', ')}]; requests no interceptor matched: [${unexpected.join(', ')}]`
            )
    })
}

/**
 * Captures every line the SDK logger (and so the connector's child logger) writes, instead of printing it.
 * pino keeps its destination under a private symbol; it is looked up by its description.
 */
export function captureLogs(): { lines: string[]; restore: () => void } {
    const holder = sdkLogger as unknown as Record<symbol, unknown>
    const symbol = Object.getOwnPropertySymbols(holder).find((s) => s.description === 'pino.stream')
    const stream = symbol !== undefined ? (holder[symbol] as { write: (chunk: string) => boolean }) : undefined
    if (stream === undefined) throw new Error('pino stream not found: the SDK logger changed')
    const lines: string[] = []
    const original = stream.write
    stream.write = (chunk: string): boolean => {
        lines.push(String(chunk))
        return true
    }
    return {
        lines,
        restore: () => {
            stream.write = original
        },
    }
}

/** Captures the logs of every test in the file; `lines` holds the current test's lines (kept after it ends). */
export function useLogCapture(): { readonly lines: string[] } {
    let capture: ReturnType<typeof captureLogs> | undefined
    beforeEach(() => {
        capture = captureLogs()
    })
    afterEach(() => capture?.restore())
    return {
        get lines(): string[] {
            if (capture === undefined) throw new Error('logs are captured from beforeEach on: read them in a test')
            return capture.lines
        },
    }
}

/**
 * A network failure as nock should raise it: an Error of nock's realm with a Node error code (anything else,
 * a plain object or an Error of Jest's realm, leaves the request hanging).
 */
export function networkFailure(code: string, message = code === 'ECONNRESET' ? 'socket hang up' : code): Error {
    return Object.assign(new OuterError(message), { code })
}

/** A reply that arrives only after `ms`, so an axios timeout shorter than that fires first. */
export function slowReply(ms: number, status = 200, body: unknown = {}): () => Promise<[number, unknown]> {
    return () => new Promise((resolve) => setTimeout(() => resolve([status, body]), ms))
}

/**
 * nock 15 calls a reply function with the request as a Fetch API `Request`; this records method, path,
 * headers and body of each call and answers with `reply(request)`.
 */
export interface SeenRequest {
    readonly method: string
    readonly path: string
    readonly headers: Readonly<Record<string, string>>
    readonly body: string
}
export function recordingReply(
    seen: SeenRequest[],
    reply: (request: SeenRequest) => readonly [number, unknown?, Record<string, string>?]
): (request: Request) => Promise<readonly [number, unknown?, Record<string, string>?]> {
    return async (request) => {
        const url = new URL(request.url)
        const headers: Record<string, string> = {}
        request.headers.forEach((value, key) => {
            headers[key] = value
        })
        const entry = { method: request.method, path: url.pathname + url.search, headers, body: await request.text() }
        seen.push(entry)
        return reply(entry)
    }
}
