import { EMULATOR_CREDENTIALS, ORG_ID, SEED } from '../../emulator'
import { at, clientCredentialsForm, http, SCIM, signAssertion, useOrg } from './helpers'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** The form of the username-password grant of the emulator's integration user, with this `password`. */
const passwordForm = (password: string): Record<string, string> => ({
    grant_type: 'password',
    client_id: EMULATOR_CREDENTIALS.clientId,
    client_secret: EMULATOR_CREDENTIALS.clientSecret,
    username: EMULATOR_CREDENTIALS.username,
    password,
})

describe('emulator OAuth token endpoint', () => {
    const org = useOrg()
    let tokenUrl: string

    beforeAll(() => {
        tokenUrl = `${org.url}/services/oauth2/token`
    })

    const jwtClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
        iss: EMULATOR_CREDENTIALS.clientId,
        sub: EMULATOR_CREDENTIALS.username,
        aud: 'https://login.salesforce.com',
        exp: nowSeconds() + 120,
        ...overrides,
    })
    const jwtGrant = (claims: Record<string, unknown>) =>
        http(tokenUrl, {
            method: 'POST',
            form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signAssertion(claims) },
        })

    it('issues a client-credentials token shaped like Salesforce (no expires_in, ms issued_at string)', async () => {
        const res = await http(tokenUrl, { method: 'POST', form: clientCredentialsForm() })
        expect(res.status).toBe(200)
        expect(res.body).toMatchObject({
            token_type: 'Bearer',
            instance_url: org.url,
            id: `https://login.salesforce.com/id/${ORG_ID}/${SEED.users.integration}`,
        })
        expect(res.body).not.toHaveProperty('expires_in')
        const issuedAt = at(res.body, 'issued_at')
        expect(typeof issuedAt).toBe('string')
        expect(Math.abs(Number(issuedAt) - Date.now())).toBeLessThan(60_000)
        expect(String(at(res.body, 'access_token'))).toMatch(new RegExp(`^${ORG_ID.slice(0, 15)}![A-Za-z0-9._]+$`))
        expect(typeof at(res.body, 'signature')).toBe('string')
    })

    it('accepts the grant parameters in the query string as well', async () => {
        const qs = new URLSearchParams(clientCredentialsForm()).toString()
        const res = await http(`${tokenUrl}?${qs}`, { method: 'POST' })
        expect(res.status).toBe(200)
        expect(typeof at(res.body, 'access_token')).toBe('string')
    })

    it('issues a token for the password grant with password + security token', async () => {
        const res = await http(tokenUrl, {
            method: 'POST',
            form: passwordForm(EMULATOR_CREDENTIALS.password + EMULATOR_CREDENTIALS.securityToken),
        })
        expect(res.status).toBe(200)
        expect(res.body).not.toHaveProperty('expires_in')
        const me = await http(`${org.url}${SCIM}/Me`, {
            headers: { Authorization: `OAuth ${String(at(res.body, 'access_token'))}` },
        })
        expect(me.status).toBe(200)
        expect(at(me.body, 'userName')).toBe(EMULATOR_CREDENTIALS.username)
    })

    it('refuses the password grant without the security token', async () => {
        const res = await http(tokenUrl, { method: 'POST', form: passwordForm(EMULATOR_CREDENTIALS.password) })
        expect(res.status).toBe(400)
        expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'authentication failure' })
    })

    it('issues a JWT bearer token with scope, and accepts prn over sub and a far-future exp', async () => {
        const res = await jwtGrant(
            jwtClaims({ sub: 'nobody@example.com', prn: EMULATOR_CREDENTIALS.username, exp: Date.now() + 300 })
        )
        expect(res.status).toBe(200)
        expect(at(res.body, 'scope')).toBe('api')
        expect(res.body).not.toHaveProperty('expires_in')
        expect(at(res.body, 'id')).toBe(`https://login.salesforce.com/id/${ORG_ID}/${SEED.users.integration}`)
    })

    it("accepts the emulator's own URL and test.salesforce.com as audience", async () => {
        expect((await jwtGrant(jwtClaims({ aud: org.url }))).status).toBe(200)
        expect((await jwtGrant(jwtClaims({ aud: 'https://test.salesforce.com' }))).status).toBe(200)
    })

    it('answers JWT errors with Salesforce error pairs', async () => {
        expect((await jwtGrant(jwtClaims({ aud: 'https://example.com' }))).body).toEqual({
            error: 'invalid_grant',
            error_description: 'Audience validation failed',
        })
        expect((await jwtGrant(jwtClaims({ iss: 'someone-else' }))).body).toEqual({
            error: 'invalid_client_id',
            error_description: 'client identifier invalid',
        })
        expect((await jwtGrant(jwtClaims({ exp: nowSeconds() - 600 }))).body).toEqual({
            error: 'invalid_grant',
            error_description: 'expired authorization code',
        })
        // Within the three-minute skew an "expired" assertion still works.
        expect((await jwtGrant(jwtClaims({ exp: nowSeconds() - 60 }))).status).toBe(200)
        const stranger = await jwtGrant(jwtClaims({ sub: 'nobody@example.com' }))
        expect(stranger.status).toBe(400)
        expect(stranger.body).toEqual({
            error: 'invalid_grant',
            error_description: "user hasn't approved this consumer",
        })
        // An existing active user whose profile is not pre-authorized on the connected app.
        expect((await jwtGrant(jwtClaims({ sub: 'olivia.bennett@acme-corp.example.com' }))).body).toEqual({
            error: 'invalid_grant',
            error_description: "user hasn't approved this consumer",
        })
        expect((await jwtGrant(jwtClaims({ sub: 'carlos.mendes@acme-corp.example.com' }))).body).toEqual({
            error: 'invalid_grant',
            error_description: 'inactive user',
        })
        const forged = await http(tokenUrl, {
            method: 'POST',
            form: {
                grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
                assertion: signAssertion(jwtClaims()).replace(/\.[^.]+$/, '.AAAA'),
            },
        })
        expect(forged.body).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' })
    })

    it('answers client errors and unknown grants with Salesforce error pairs', async () => {
        const badId = await http(tokenUrl, { method: 'POST', form: { ...clientCredentialsForm(), client_id: 'nope' } })
        expect(badId.status).toBe(400)
        expect(badId.body).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' })
        const badSecret = await http(tokenUrl, {
            method: 'POST',
            form: { ...clientCredentialsForm(), client_secret: 'wrong' },
        })
        expect(badSecret.body).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' })
        const unknown = await http(tokenUrl, { method: 'POST', form: { grant_type: 'authorization_code' } })
        expect(unknown.status).toBe(400)
        expect(unknown.body).toEqual({ error: 'unsupported_grant_type', error_description: 'grant type not supported' })
    })

    it('accepts both Bearer and OAuth authorization schemes and refuses unknown tokens with the REST array', async () => {
        const ok = await http(`${org.url}${SCIM}/ServiceProviderConfigs`, {
            headers: { Authorization: `OAuth ${org.accessToken}` },
        })
        expect(ok.status).toBe(200)
        const bad = await http(`${org.url}${SCIM}/Users`, { headers: { Authorization: 'Bearer 00D!nonsense' } })
        expect(bad.status).toBe(401)
        expect(bad.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
        const none = await http(`${org.url}${SCIM}/Users`)
        expect(none.status).toBe(401)
    })

    it('kills every session on revokeSessions()', async () => {
        const res = await http(tokenUrl, { method: 'POST', form: clientCredentialsForm() })
        const t = String(at(res.body, 'access_token'))
        expect((await http(`${org.url}${SCIM}/Me`, { headers: { Authorization: `Bearer ${t}` } })).status).toBe(200)
        org.emulator.revokeSessions()
        const after = await http(`${org.url}${SCIM}/Me`, { headers: { Authorization: `Bearer ${t}` } })
        expect(after.status).toBe(401)
        expect(after.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
        org.accessToken = String(
            at((await http(tokenUrl, { method: 'POST', form: clientCredentialsForm() })).body, 'access_token')
        )
    })

    it('refuses writes with 403 INSUFFICIENT_ACCESS to a user without Manage Users, and still serves reads', async () => {
        const store = org.emulator.store
        store.approvedProfileIds.add(SEED.profiles.standardUser)
        const standardUser = store.listUsers().find((u) => u.profileId === SEED.profiles.standardUser && u.active)
        if (!standardUser) throw new Error('the seed has no active Standard User')
        const granted = await jwtGrant(jwtClaims({ sub: standardUser.userName }))
        expect(granted.status).toBe(200)
        const headers = { Authorization: `Bearer ${String(at(granted.body, 'access_token'))}` }
        const read = await http(`${org.url}${SCIM}/Users/${standardUser.id}`, { headers })
        expect(read.status).toBe(200)
        const write = await http(`${org.url}${SCIM}/Users/${standardUser.id}`, {
            method: 'DELETE',
            headers,
        })
        expect(write.status).toBe(403)
        expect(write.body).toEqual([
            { message: expect.stringMatching(/^Insufficient Privileges/), errorCode: 'INSUFFICIENT_ACCESS' },
        ])
        expect(store.listUsers().find((u) => u.id === standardUser.id)?.active).toBe(true)
    })
})

describe('emulator session inactivity timeout', () => {
    const org = useOrg({ sessionTimeoutSeconds: 1 })

    it('keeps a session alive while it is used and expires it after the idle timeout', async () => {
        for (let i = 0; i < 3; i++) {
            await new Promise((r) => setTimeout(r, 600))
            expect((await org.scim('/Me')).status).toBe(200)
        }
        await new Promise((r) => setTimeout(r, 1300))
        const res = await org.scim('/Me')
        expect(res.status).toBe(401)
        expect(res.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
    })
})
