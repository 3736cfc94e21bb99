import { decode } from 'jsonwebtoken'
import { jwtAudience, jwtBearerForm } from '../../../src/auth/jwt-bearer'
import { JwtBearerAuth } from '../../../src/config'
import { testConfig } from '../../helpers/nock'

describe('jwtAudience', () => {
    it.each([
        // Production and Developer Edition log in at login.salesforce.com.
        ['https://login.salesforce.com', 'https://login.salesforce.com'],
        ['https://acme.my.salesforce.com', 'https://login.salesforce.com'],
        ['https://acme.develop.my.salesforce.com', 'https://login.salesforce.com'],
        ['https://acme.my.salesforce.mil', 'https://login.salesforce.com'],
        ['https://na139.salesforce.com', 'https://login.salesforce.com'],
        // Sandboxes and scratch orgs at test.salesforce.com, in every host form.
        ['https://test.salesforce.com', 'https://test.salesforce.com'],
        ['https://acme--uat.sandbox.my.salesforce.com', 'https://test.salesforce.com'],
        ['https://ACME--UAT.Sandbox.My.Salesforce.com', 'https://test.salesforce.com'],
        ['https://acme--uat.my.salesforce.com', 'https://test.salesforce.com'],
        ['https://acme--uat.cs42.my.salesforce.com', 'https://test.salesforce.com'],
        ['https://acme.cs42.my.salesforce.com', 'https://test.salesforce.com'],
        ['https://cs42.salesforce.com', 'https://test.salesforce.com'],
        ['https://fun-dev-123.scratch.my.salesforce.com', 'https://test.salesforce.com'],
        ['https://usa2s.sfdc-yzvlcf.salesforce.com', 'https://test.salesforce.com'],
        // A local emulator is its own login server.
        ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
        ['http://localhost:8787', 'http://localhost:8787'],
    ])('%s → %s', (loginUrl, audience) => {
        expect(jwtAudience(new URL(loginUrl))).toBe(audience)
    })
})

describe('jwtBearerForm', () => {
    function claims(form: URLSearchParams): Record<string, unknown> {
        return decode(form.get('assertion') ?? '', { json: true }) ?? {}
    }

    it('signs an RS256 assertion with the audience the login URL decides', () => {
        const config = testConfig('jwtBearer', { loginUrl: 'https://acme--uat.my.salesforce.com' })
        const form = jwtBearerForm(config.auth as JwtBearerAuth, config.loginUrl, 1_700_000_000_000)
        expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer')
        expect(claims(form)).toEqual({
            iss: '3MVG9-consumer-key',
            sub: 'integration@acme.com',
            aud: 'https://test.salesforce.com',
            exp: 1_700_000_180,
            iat: expect.any(Number) as number,
        })
    })

    it('uses the Audience field instead when the admin set one', () => {
        const config = testConfig('jwtBearer', {
            loginUrl: 'https://acme.my.salesforce.com',
            audience: 'https://test.salesforce.com/',
        })
        const form = jwtBearerForm(config.auth as JwtBearerAuth, config.loginUrl, Date.now())
        expect(claims(form).aud).toBe('https://test.salesforce.com')
    })
})
