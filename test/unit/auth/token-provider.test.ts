import { verify, JwtPayload } from 'jsonwebtoken'
import {
    CachingTokenProvider,
    clearTokenCache,
    sessionExpiresAt,
    tokenCacheKey,
    userIdOfIdentityUrl,
} from '../../../src/auth/token-provider'
import { jwtAudience } from '../../../src/auth/jwt-bearer'
import { trustedInstanceUrl } from '../../../src/auth/instance-url'
import { RequestPipeline } from '../../../src/http/request-pipeline'
import { createTokenTransport } from '../../../src/http/token-transport'
import { httpOptions } from '../../../src/salesforce/create-client'
import { SalesforceConfig } from '../../../src/config'
import { InvalidResponseError } from '../../../src/errors'
import {
    INSTANCE_URL,
    LOGIN_URL,
    MY_DOMAIN_URL,
    SECRETS,
    TOKEN_PATH,
    fakeTiming,
    fixture,
    nock,
    recordingReply,
    SeenRequest,
    stubToken,
    testConfig,
    testKeys,
    useNock,
} from '../../helpers/nock'

useNock()

function provider(config: SalesforceConfig, timing = fakeTiming()): CachingTokenProvider {
    const transport = createTokenTransport(new RequestPipeline(httpOptions(config), timing), config.loginUrl)
    return new CachingTokenProvider(config, { transport, now: timing.now })
}

/** Captures the form of the next token request and answers it with a token response. */
function captureTokenForm(loginUrl = LOGIN_URL, response: object = fixture('oauth/token.client-credentials')) {
    const requests: SeenRequest[] = []
    const scope = nock(loginUrl)
        .post(TOKEN_PATH)
        .reply(recordingReply(requests, () => [200, response]))
    const seen = {
        get form(): URLSearchParams | undefined {
            return requests[0] !== undefined ? new URLSearchParams(requests[0].body) : undefined
        },
        get contentType(): string | undefined {
            return requests[0]?.headers['content-type']
        },
    }
    return { seen, scope }
}

describe('token requests per grant', () => {
    it('signs an RS256 JWT with iss, sub, aud and a 3-minute exp for the JWT bearer flow', async () => {
        const timing = fakeTiming(1_700_000_000_000)
        const { seen, scope } = captureTokenForm(LOGIN_URL, fixture('oauth/token.jwt-bearer'))
        const session = await provider(testConfig('jwtBearer'), timing).getToken()

        expect(session.instanceUrl).toBe('https://eu6.salesforce.com')
        expect(seen.contentType).toMatch(/^application\/x-www-form-urlencoded/)
        expect(seen.form?.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer')
        const assertion = seen.form?.get('assertion') ?? ''
        const claims = verify(assertion, testKeys().publicKey, {
            algorithms: ['RS256'],
            ignoreExpiration: true,
        }) as JwtPayload
        expect(claims).toMatchObject({
            iss: '3MVG9-consumer-key',
            sub: 'integration@acme.com',
            aud: 'https://login.salesforce.com',
            exp: 1_700_000_000 + 180,
        })
        expect([...(seen.form?.keys() ?? [])].sort()).toEqual(['assertion', 'grant_type'])
        scope.done()
    })

    it('posts client_id and client_secret for client credentials to the My Domain host', async () => {
        const { seen, scope } = captureTokenForm(MY_DOMAIN_URL)
        await provider(testConfig('clientCredentials')).getToken()
        expect(Object.fromEntries(seen.form ?? [])).toEqual({
            grant_type: 'client_credentials',
            client_id: '3MVG9-consumer-key',
            client_secret: SECRETS.clientSecret,
        })
        scope.done()
    })

    it('posts username and password with the security token appended for the password flow', async () => {
        const { seen, scope } = captureTokenForm(LOGIN_URL, fixture('oauth/token.username-password'))
        await provider(testConfig('usernamePassword')).getToken()
        expect(Object.fromEntries(seen.form ?? [])).toEqual({
            grant_type: 'password',
            client_id: '3MVG9-consumer-key',
            client_secret: SECRETS.clientSecret,
            username: 'integration@acme.com',
            password: SECRETS.password + SECRETS.securityToken,
        })
        scope.done()
    })
})

describe('jwtAudience', () => {
    it.each([
        ['https://login.salesforce.com', 'https://login.salesforce.com'],
        ['https://test.salesforce.com', 'https://test.salesforce.com'],
        ['https://acme--uat.sandbox.my.salesforce.com', 'https://test.salesforce.com'],
        ['https://acme.my.salesforce.com', 'https://login.salesforce.com'],
        ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
        ['http://localhost:8787', 'http://localhost:8787'],
    ])('uses %s → %s', (loginUrl, audience) => {
        expect(jwtAudience(new URL(loginUrl))).toBe(audience)
    })
})

describe('CachingTokenProvider', () => {
    it('reuses a cached token instead of logging in again', async () => {
        const scope = stubToken()
        const config = testConfig()
        const first = await provider(config).getToken()
        const second = await provider(config).getToken()
        expect(second).toEqual(first)
        expect(first).toMatchObject({ accessToken: SECRETS.accessToken, instanceUrl: INSTANCE_URL })
        scope.done()
    })

    it('keeps the cache on globalThis so a reloaded module still finds it', async () => {
        const scope = stubToken()
        const config = testConfig()
        await provider(config).getToken()
        let reloaded: typeof import('../../../src/auth/token-provider') | undefined
        jest.isolateModules(() => {
            reloaded = jest.requireActual<typeof import('../../../src/auth/token-provider')>(
                '../../../src/auth/token-provider'
            )
        })
        const again = new reloaded!.CachingTokenProvider(config, {
            transport: () => Promise.reject(new Error('must not log in again')),
        })
        await expect(again.getToken()).resolves.toMatchObject({ accessToken: SECRETS.accessToken })
        scope.done()
    })

    it('logs in once for 50 concurrent callers on a cold cache', async () => {
        let calls = 0
        const scope = nock(LOGIN_URL)
            .post(TOKEN_PATH)
            .reply(() => {
                calls++
                return [200, fixture('oauth/token.client-credentials')]
            })
        const config = testConfig()
        const sessions = await Promise.all(Array.from({ length: 50 }, () => provider(config).getToken()))
        expect(calls).toBe(1)
        expect(new Set(sessions.map((s) => s.accessToken)).size).toBe(1)
        scope.done()
    })

    it('expires the token at issued_at + session timeout less the margin', async () => {
        const issuedAt = 1_700_000_000_000
        const timing = fakeTiming(issuedAt + 1000)
        const config = testConfig('jwtBearer', { sessionTimeoutMinutes: 120 })
        stubToken({ issuedAt, accessToken: '00DRM000000TEST!first-token-value' })
        const tokens = provider(config, timing)
        await tokens.getToken()

        timing.clock.now = issuedAt + 115 * 60_000 - 1
        await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: '00DRM000000TEST!first-token-value' })

        stubToken({ issuedAt: timing.clock.now, accessToken: '00DRM000000TEST!second-token-value' })
        timing.clock.now = issuedAt + 115 * 60_000
        await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: '00DRM000000TEST!second-token-value' })
    })

    it('computes expiry from the earlier of issued_at and the local clock, with a 10% margin on short timeouts', () => {
        expect(sessionExpiresAt(1_000_000, 2_000_000, 120)).toBe(1_000_000 + 115 * 60_000)
        expect(sessionExpiresAt(5_000_000, 2_000_000, 120)).toBe(2_000_000 + 115 * 60_000)
        expect(sessionExpiresAt(0, 0, 15)).toBe(15 * 60_000 - 90_000)
    })

    it('times a session from its arrival when its issued_at is already too old to reuse', async () => {
        const timing = fakeTiming(1_700_000_000_000)
        const config = testConfig()
        // issued_at 2023-03-14: a session Salesforce handed back again, or a skewed clock.
        const scope = nock(LOGIN_URL).post(TOKEN_PATH).once().reply(200, fixture('oauth/token.client-credentials'))
        const tokens = provider(config, timing)
        await tokens.getToken()
        timing.clock.now += 60 * 60_000
        await expect(tokens.getToken()).resolves.toMatchObject({ issuedAt: 1678833535086 })
        expect(sessionExpiresAt(1678833535086, 1_700_000_000_000, 120)).toBe(1_700_000_000_000 + 115 * 60_000)
        scope.done()
    })

    it('falls back to the local clock when issued_at is missing', async () => {
        const timing = fakeTiming(1_700_000_000_000)
        nock(LOGIN_URL).post(TOKEN_PATH).reply(200, fixture('oauth/token.jwt-bearer'))
        await expect(provider(testConfig(), timing).getToken()).resolves.toMatchObject({ issuedAt: 1_700_000_000_000 })
    })

    it('keeps the sessions of two sources apart', async () => {
        stubToken({ accessToken: '00DRM000000TEST!token-of-source-a' })
        stubToken({ accessToken: '00DRM000000TEST!token-of-source-b' })
        const a = testConfig('jwtBearer', { username: 'a@acme.com' })
        const b = testConfig('jwtBearer', { username: 'b@acme.com' })
        expect(tokenCacheKey(a)).not.toBe(tokenCacheKey(b))
        expect((await provider(a).getToken()).accessToken).toBe('00DRM000000TEST!token-of-source-a')
        expect((await provider(b).getToken()).accessToken).toBe('00DRM000000TEST!token-of-source-b')
        expect((await provider(a).getToken()).accessToken).toBe('00DRM000000TEST!token-of-source-a')
    })

    it('keys on the secret too, so a rotated secret logs in again, and never contains the secret', () => {
        const a = testConfig('clientCredentials')
        const b = testConfig('clientCredentials', { clientSecret: 'rotated-secret-value' })
        expect(tokenCacheKey(a)).not.toBe(tokenCacheKey(b))
        expect(tokenCacheKey(a)).toMatch(/^[0-9a-f]{64}$/)
        expect(tokenCacheKey(testConfig('clientCredentials'))).toBe(tokenCacheKey(a))
    })

    it('drops the cached session on invalidate only if it still holds that token', async () => {
        stubToken({ accessToken: '00DRM000000TEST!first-token-value' })
        const config = testConfig()
        const tokens = provider(config)
        await tokens.getToken()
        tokens.invalidate('00DRM000000TEST!some-older-token')
        await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: '00DRM000000TEST!first-token-value' })

        stubToken({ accessToken: '00DRM000000TEST!second-token-value' })
        tokens.invalidate('00DRM000000TEST!first-token-value')
        tokens.invalidate('00DRM000000TEST!first-token-value')
        await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: '00DRM000000TEST!second-token-value' })
    })

    it('does not cache a failed login', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).reply(400, fixture('oauth/error.invalid-grant-authentication-failure'))
        stubToken()
        const tokens = provider(testConfig())
        await expect(tokens.getToken()).rejects.toMatchObject({
            name: 'AuthenticationError',
            message: expect.stringMatching(
                /^Salesforce refused to log in: invalid_grant: authentication failure .*Check Username, Password and Security Token/
            ),
        })
        await expect(tokens.getToken()).resolves.toMatchObject({ accessToken: SECRETS.accessToken })
    })

    it('refuses an instance_url outside Salesforce and never caches it', async () => {
        expect.assertions(3)
        stubToken({ instanceUrl: 'https://evil.example.com' })
        const error = await provider(testConfig())
            .getToken()
            .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(InvalidResponseError)
        expect((error as Error).message).toMatch(/https:\/\/evil\.example\.com.*not a Salesforce domain.*refused/)
        stubToken()
        await expect(provider(testConfig()).getToken()).resolves.toMatchObject({ instanceUrl: INSTANCE_URL })
    })

    it('rejects a token response without access_token', async () => {
        nock(LOGIN_URL).post(TOKEN_PATH).reply(200, { instance_url: INSTANCE_URL })
        await expect(provider(testConfig()).getToken()).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringMatching(/no access_token/),
        })
    })
})

describe('trustedInstanceUrl', () => {
    const login = new URL('https://login.salesforce.com')
    it.each([
        'https://acme.my.salesforce.com',
        'https://eu6.salesforce.com/',
        'https://acme--uat.sandbox.my.salesforce.com',
        'https://acme.my.salesforce.mil',
        'https://acme.my.sfcrmproducts.cn',
        'https://na1.force.com',
    ])('accepts %s', (url) => {
        expect(trustedInstanceUrl(url, login).origin).toBe(new URL(url).origin)
    })

    it.each([
        'http://acme.my.salesforce.com',
        'https://evilsalesforce.com',
        'https://salesforce.com.evil.net',
        'https://user:pw@acme.my.salesforce.com',
        'https://127.0.0.1',
    ])('refuses %s', (url) => {
        expect(() => trustedInstanceUrl(url, login)).toThrow(InvalidResponseError)
        expect(() => trustedInstanceUrl(url, login)).toThrow(
            /^The Salesforce token response named .* as the instance URL, which is not a Salesforce domain; the connector refused to send the session there/
        )
    })

    it('refuses a missing or malformed instance_url', () => {
        expect(() => trustedInstanceUrl(undefined, login)).toThrow(/no usable instance_url/)
        expect(() => trustedInstanceUrl('not a url', login)).toThrow(/no usable instance_url/)
    })

    it('accepts the login URL origin and loopback hosts for a local emulator', () => {
        const local = new URL('http://127.0.0.1:8787')
        expect(trustedInstanceUrl('http://127.0.0.1:8787', local).origin).toBe('http://127.0.0.1:8787')
        expect(trustedInstanceUrl('http://localhost:8787', local).origin).toBe('http://localhost:8787')
        expect(() => trustedInstanceUrl('http://localhost:8787', login)).toThrow(InvalidResponseError)
        expect(() => trustedInstanceUrl('http://localhost:8787', login)).toThrow(
            /named http:\/\/localhost as the instance URL, which is not a Salesforce domain/
        )
    })
})

afterAll(() => clearTokenCache())

describe('userIdOfIdentityUrl', () => {
    it.each([
        ['https://login.salesforce.com/id/00DRM000000TESTAAA/005RM000001IntgYAC', '005RM000001IntgYAC'],
        ['https://test.salesforce.com/id/00DRM000000TESTAAA/005RM000001Intg', '005RM000001IntgYAC'],
        ['https://login.salesforce.com/id/00DRM000000TESTAAA/005RM000001IntgYAC/', '005RM000001IntgYAC'],
    ])('reads the user of %s', (url, userId) => {
        expect(userIdOfIdentityUrl(url)).toBe(userId)
    })

    it.each([
        ['no user in the URL', 'https://login.salesforce.com/id/00DRM000000TESTAAA'],
        ['a record that is no user', 'https://login.salesforce.com/id/00DRM000000TESTAAA/00eRM000001VtbnYAC'],
        ['no URL', undefined],
    ])('names nobody for %s', (_case, url) => {
        expect(userIdOfIdentityUrl(url)).toBeUndefined()
    })
})
