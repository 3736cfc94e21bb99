/**
 * Nothing the transport logs or throws may contain a secret: not the consumer secret, the private key, the
 * password or security token, the access token, or the signed JWT assertion. Every scenario runs with
 * Trace HTTP on, so request and response bodies are logged too.
 */
import { SalesforceConfig } from '../../src/config'
import { createSalesforceClient } from '../../src/salesforce/create-client'
import {
    INSTANCE_URL,
    LOGIN_URL,
    MY_DOMAIN_URL,
    SCIM,
    SECRETS,
    TOKEN_PATH,
    fakeTiming,
    fixture,
    networkFailure,
    nock,
    recordingReply,
    SeenRequest,
    stubToken,
    testConfig,
    testKeys,
    useLogCapture,
    useNock,
} from '../helpers/nock'
import { describeError } from '../helpers/secrets'

useNock()

const USER_ID = '005RM000002FZAlYAO'
const NEW_USER_PASSWORD = 'NewUserPassw0rd-7d1e'

/** The errors the current scenario ended in, and the JWT assertions it sent; its log lines are in `logs`. */
const captured: string[] = []
const assertions: string[] = []
const logs = useLogCapture()
beforeEach(() => {
    captured.length = 0
    assertions.length = 0
})

/** Every secret a scenario hands the connector, and the assertions it signed, as they would leak. */
function secretsOfThisTest(): string[] {
    const keyLines = testKeys()
        .privateKey.split('\n')
        .filter((l) => l.length >= 40 && !l.startsWith('-----'))
    return [
        SECRETS.clientSecret,
        SECRETS.password,
        SECRETS.securityToken,
        SECRETS.accessToken,
        NEW_USER_PASSWORD,
        ...keyLines,
        ...assertions,
    ]
}

// Each scenario is scanned on its own, whatever runs before or after it.
afterEach(() => {
    const produced = [...logs.lines, ...captured]
    expect(produced.length).toBeGreaterThan(0)
    const leaks = secretsOfThisTest().filter((secret) => produced.some((text) => text.includes(secret)))
    expect(leaks.map((s) => `${s.slice(0, 6)}… (${s.length} chars)`)).toEqual([])
})

async function failure(promise: Promise<unknown>): Promise<void> {
    const error = await promise.then(
        () => undefined,
        (e: unknown) => e
    )
    expect(error).toBeInstanceOf(Error)
    captured.push(describeError(error))
}

function traced(authType: 'jwtBearer' | 'clientCredentials' | 'usernamePassword', overrides = {}): SalesforceConfig {
    return testConfig(authType, { traceHttp: true, ...overrides })
}

/** Token endpoint that records the assertion it receives, so the test can look for it afterwards. */
function recordAssertion(status: number, body: unknown, loginUrl = LOGIN_URL): void {
    const seen: SeenRequest[] = []
    nock(loginUrl)
        .post(TOKEN_PATH)
        .reply(
            recordingReply(seen, (r) => {
                const assertion = new URLSearchParams(r.body).get('assertion')
                if (assertion !== null) assertions.push(assertion)
                return [status, body]
            })
        )
}

describe('no secret in any log line or error', () => {
    it('JWT bearer: successful calls, a password change and a rejected password echoed back', async () => {
        recordAssertion(200, {
            ...fixture<object>('oauth/token.client-credentials'),
            access_token: SECRETS.accessToken,
            instance_url: INSTANCE_URL,
        })
        nock(INSTANCE_URL).get(`${SCIM}/Users/${USER_ID}`).reply(200, fixture('scim/user.create.response'))
        nock(INSTANCE_URL)
            .patch(`${SCIM}/Users/${USER_ID}`)
            .reply(400, [
                { message: `Invalid password ${NEW_USER_PASSWORD}: too simple`, errorCode: 'INVALID_NEW_PASSWORD' },
            ])
        const sf = createSalesforceClient(traced('jwtBearer'), fakeTiming())
        await sf.getUser(USER_ID)
        await failure(sf.patchUser(USER_ID, [{ op: 'replace', value: { password: NEW_USER_PASSWORD } }]))
        expect(assertions).toHaveLength(1)
    })

    it('JWT bearer: a refused assertion', async () => {
        recordAssertion(400, fixture('oauth/error.user-not-approved'))
        await failure(createSalesforceClient(traced('jwtBearer'), fakeTiming()).getUser(USER_ID))
        expect(assertions).toHaveLength(1)
    })

    it('username-password: an OAuth refusal that echoes the request', async () => {
        nock(LOGIN_URL)
            .post(TOKEN_PATH)
            .reply(400, {
                error: 'invalid_grant',
                error_description: `authentication failure for password=${SECRETS.password}${SECRETS.securityToken}&client_secret=${SECRETS.clientSecret}`,
            })
        await failure(createSalesforceClient(traced('usernamePassword'), fakeTiming()).getUser(USER_ID))
    })

    it('client credentials: expired sessions, retries and a create whose answer is lost', async () => {
        stubToken({ loginUrl: MY_DOMAIN_URL, times: 3 })
        nock(INSTANCE_URL)
            .get(`${SCIM}/ServiceProviderConfigs`)
            .times(2)
            .reply(401, fixture('rest/error.invalid-session-id'))
        nock(INSTANCE_URL)
            .get(`${SCIM}/Groups`)
            .query(true)
            .times(3)
            .reply(503, '<html>down</html>', { 'Content-Type': 'text/html' })
        nock(INSTANCE_URL).post(`${SCIM}/Users`).replyWithError(networkFailure('ECONNRESET'))
        nock(INSTANCE_URL).get(`${SCIM}/Users`).query(true).reply(403, fixture('rest/error.request-limit-exceeded'))
        const sf = createSalesforceClient(traced('clientCredentials'), fakeTiming())
        await failure(sf.testConnection())
        await failure(sf.groupPages().next())
        await failure(sf.createUser({ userName: 'new@acme.com', password: NEW_USER_PASSWORD }))
    })

    it('a token sent to a host that is not Salesforce is refused, and the token is not logged', async () => {
        stubToken({ instanceUrl: 'https://collector.example.net' })
        await failure(createSalesforceClient(traced('jwtBearer'), fakeTiming()).getUser(USER_ID))
    })

    it('a private key pasted where it does not belong is ignored, and named without its value', () => {
        expect(testConfig('clientCredentials', { privateKey: testKeys().privateKey }).auth.type).toBe(
            'clientCredentials'
        )
        expect(logs.lines.join('\n')).toContain('Private Key is not used by client credentials')
    })
})
