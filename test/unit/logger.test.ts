import { logger, redactDeep, redactSecrets, redactText } from '../../src/logger'
import { captureLogs } from '../helpers/nock'

describe('logger', () => {
    it('tags lines with the connector name and redacts secret fields up to four levels deep', () => {
        const logs = captureLogs()
        try {
            logger.info(
                {
                    password: 'p0',
                    config: { clientSecret: 'c1', auth: { privateKey: 'k2', nested: { access_token: 't3' } } },
                    headers: { Authorization: 'Bearer t', authorization: 'Bearer u' },
                    form: { assertion: 'a', client_secret: 'b', refresh_token: 'r', securityToken: 's' },
                    userName: 'kept@acme.com',
                },
                'hello'
            )
        } finally {
            logs.restore()
        }
        expect(logs.lines).toHaveLength(1)
        const line = JSON.parse(logs.lines[0] ?? '{}') as Record<string, unknown>
        expect(line).toMatchObject({
            connectorName: 'salesforce-scim',
            message: 'hello',
            password: '[REDACTED]',
            config: {
                clientSecret: '[REDACTED]',
                auth: { privateKey: '[REDACTED]', nested: { access_token: '[REDACTED]' } },
            },
            headers: { Authorization: '[REDACTED]', authorization: '[REDACTED]' },
            form: {
                assertion: '[REDACTED]',
                client_secret: '[REDACTED]',
                refresh_token: '[REDACTED]',
                securityToken: '[REDACTED]',
            },
            userName: 'kept@acme.com',
        })
    })
})

describe('redactSecrets', () => {
    it('replaces a secret in plain, URL-encoded and JSON-escaped form', () => {
        const secret = 'p@ss w"rd+1'
        const text = `plain ${secret} form ${encodeURIComponent(secret)} urlsearch ${new URLSearchParams({ s: secret }).toString().slice(2)} json ${JSON.stringify(secret)}`
        expect(redactSecrets(text, [secret])).toBe(
            'plain [REDACTED] form [REDACTED] urlsearch [REDACTED] json "[REDACTED]"'
        )
    })

    it('ignores undefined and very short values', () => {
        expect(redactSecrets('abc def', [undefined, 'abc'])).toBe('abc def')
    })
})

describe('redactText', () => {
    it('redacts secrets by their shape', () => {
        expect(redactText('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [REDACTED]')
        expect(redactText('token 00DRM000000TEST!AQ4AQ.xyz end')).toBe('token [REDACTED] end')
        expect(redactText('a=1&client_secret=xyz&password=p%40s')).toBe(
            'a=1&client_secret=[REDACTED]&password=[REDACTED]'
        )
        expect(redactText('{"access_token": "x\\"y", "id": 1}')).toBe('{"access_token": "[REDACTED]", "id": 1}')
        expect(redactText('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----')).toBe('[REDACTED]')
    })
})

describe('redactDeep', () => {
    it('copies a value with secret members and secret-shaped strings redacted at any depth', () => {
        const input = { a: [{ b: { c: { d: { e: { Password: 'x', note: 'Bearer abc' } } } } }], n: 1, z: null }
        expect(redactDeep(input)).toEqual({
            a: [{ b: { c: { d: { e: { Password: '[REDACTED]', note: 'Bearer [REDACTED]' } } } } }],
            n: 1,
            z: null,
        })
        expect(input.a[0]?.b.c.d.e.Password).toBe('x')
    })
})
