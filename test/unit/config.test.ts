import { CONFIG_LABELS, parseConfig, scimFilterSyntaxError } from '../../src/config'
import { InvalidConfigurationError } from '../../src/errors'
import { SECRETS, describeError, rawConfig, testKeys } from '../helpers/nock'

function configError(raw: unknown): InvalidConfigurationError {
    try {
        parseConfig(raw)
    } catch (error) {
        if (error instanceof InvalidConfigurationError) return error
        throw error
    }
    throw new Error('parseConfig accepted the config')
}

describe('parseConfig', () => {
    it('parses a JWT bearer config with defaults and freezes it', () => {
        const config = parseConfig(rawConfig('jwtBearer', { maxRetries: undefined }))
        expect(config).toMatchObject({
            auth: { type: 'jwtBearer', clientId: '3MVG9-consumer-key', username: 'integration@acme.com' },
            sessionTimeoutMinutes: 120,
            pageSize: 200,
            maxConcurrency: 4,
            deltaOverlapMinutes: 5,
            requestTimeoutSeconds: 60,
            maxRetries: 4,
            traceHttp: false,
            statefulCommands: false,
        })
        expect(config.loginUrl.href).toBe('https://login.salesforce.com/')
        expect(Object.isFrozen(config)).toBe(true)
        expect(Object.isFrozen(config.auth)).toBe(true)
        expect(config.accountFilter).toBeUndefined()
    })

    it('defaults the authentication type to JWT bearer', () => {
        const raw = rawConfig('jwtBearer')
        delete raw.authType
        expect(parseConfig(raw).auth.type).toBe('jwtBearer')
    })

    it('reads numbers and booleans sent as strings', () => {
        const config = parseConfig(
            rawConfig('jwtBearer', {
                pageSize: '50',
                sessionTimeoutMinutes: ' 30 ',
                maxRetries: '0',
                traceHttp: 'true',
                spConnEnableStatefulCommands: true,
            })
        )
        expect(config).toMatchObject({
            pageSize: 50,
            sessionTimeoutMinutes: 30,
            maxRetries: 0,
            traceHttp: true,
            statefulCommands: true,
        })
    })

    it('treats empty strings as absent and ignores keys ISC adds', () => {
        const config = parseConfig(
            rawConfig('jwtBearer', {
                pageSize: '',
                accountFilter: '  ',
                spConnDebugLoggingEnabled: true,
                idnProxyType: 'x',
            })
        )
        expect(config.pageSize).toBe(200)
        expect(config.accountFilter).toBeUndefined()
    })

    it('keeps only the origin of the login URL', () => {
        const config = parseConfig(
            rawConfig('jwtBearer', { loginUrl: 'https://acme.my.salesforce.com/services/oauth2/' })
        )
        expect(config.loginUrl.origin).toBe('https://acme.my.salesforce.com')
        expect(config.loginUrl.pathname).toBe('/')
    })

    it.each(['http://localhost:8787', 'http://127.0.0.1:8787/', 'http://[::1]:9000'])(
        'allows plain http on loopback for a local emulator: %s',
        (loginUrl) => {
            expect(parseConfig(rawConfig('jwtBearer', { loginUrl })).loginUrl.protocol).toBe('http:')
        }
    )

    it('appends the security token to the password for the username-password flow', () => {
        const config = parseConfig(rawConfig('usernamePassword'))
        expect(config.auth).toMatchObject({
            type: 'usernamePassword',
            password: SECRETS.password + SECRETS.securityToken,
        })
    })

    it('parses client credentials against a My Domain URL', () => {
        expect(parseConfig(rawConfig('clientCredentials')).auth).toEqual({
            type: 'clientCredentials',
            clientId: '3MVG9-consumer-key',
            clientSecret: SECRETS.clientSecret,
        })
    })

    it('accepts an account filter and a default profile id', () => {
        const config = parseConfig(
            rawConfig('jwtBearer', {
                accountFilter: 'active eq "true" and (userType eq "Standard")',
                defaultProfileId: '00eRM000001VtbnYAC',
            })
        )
        expect(config.accountFilter).toBe('active eq "true" and (userType eq "Standard")')
        expect(config.defaultProfileId).toBe('00eRM000001VtbnYAC')
    })

    describe('private key normalisation', () => {
        const pem = (): string => testKeys().privateKey
        const body = (): string[] =>
            pem()
                .split('\n')
                .filter((l) => l !== '' && !l.startsWith('-----'))

        it('accepts a key pasted with literal \\n sequences', () => {
            const pasted = pem().trim().split('\n').join('\\n')
            const config = parseConfig(rawConfig('jwtBearer', { privateKey: pasted }))
            expect(config.auth.type === 'jwtBearer' && config.auth.privateKey).toBe(pem())
        })

        it('accepts a key whose newlines became spaces', () => {
            const pasted = `-----BEGIN PRIVATE KEY----- ${body().join(' ')} -----END PRIVATE KEY-----`
            const config = parseConfig(rawConfig('jwtBearer', { privateKey: pasted }))
            expect(config.auth.type === 'jwtBearer' && config.auth.privateKey).toBe(pem())
        })

        it('accepts a key on one line with no separators at all', () => {
            const pasted = `-----BEGIN PRIVATE KEY-----${body().join('')}-----END PRIVATE KEY-----`
            const config = parseConfig(rawConfig('jwtBearer', { privateKey: pasted }))
            expect(config.auth.type === 'jwtBearer' && config.auth.privateKey).toBe(pem())
        })
    })

    describe('rejects', () => {
        const cases: [string, Record<string, unknown>, RegExp][] = [
            ['a missing login URL', { loginUrl: undefined }, /^Login URL: is required/],
            ['a login URL that is not a URL', { loginUrl: 'acme' }, /^Login URL: "acme" is not a URL/],
            [
                'plain http to a remote host',
                { loginUrl: 'http://acme.my.salesforce.com' },
                /^Login URL: must use https/,
            ],
            ['an ftp URL', { loginUrl: 'ftp://acme.my.salesforce.com' }, /^Login URL: must be an https URL/],
            [
                'a Lightning URL, suggesting the My Domain URL',
                { loginUrl: 'https://acme.lightning.force.com/lightning/page/home' },
                /^Login URL: .*Lightning.*https:\/\/acme\.my\.salesforce\.com/,
            ],
            [
                'credentials in the URL',
                { loginUrl: 'https://u:p@acme.my.salesforce.com' },
                /^Login URL: must not contain/,
            ],
            ['an unknown authentication type', { authType: 'oauth' }, /^Authentication Type: "oauth" is not supported/],
            ['a missing consumer key', { clientId: '' }, /^Consumer Key: is required for JWT bearer/],
            ['a missing username for JWT bearer', { username: undefined }, /^Username: is required for JWT bearer/],
            [
                'a missing private key for JWT bearer',
                { privateKey: undefined },
                /^Private Key: is required for JWT bearer/,
            ],
            [
                'a client secret with JWT bearer',
                { clientSecret: 'x' },
                /^Consumer Secret: must be empty for JWT bearer/,
            ],
            ['a password with JWT bearer', { password: 'x' }, /^Password: must be empty for JWT bearer/],
            ['a key that is not PEM', { privateKey: 'MIIEvQIBADAN' }, /^Private Key: is not a PEM private key/],
            [
                'a certificate instead of a key',
                { privateKey: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' },
                /^Private Key: holds a certificate/,
            ],
            [
                'an encrypted key',
                { privateKey: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----' },
                /^Private Key: is encrypted/,
            ],
            [
                'a PEM block that does not decode',
                { privateKey: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----' },
                /^Private Key: could not be read/,
            ],
            [
                'a page size above 200',
                { pageSize: 500 },
                /^Page Size: must be a whole number from 1 to 200 \(got "500"\)/,
            ],
            ['a page size of zero', { pageSize: '0' }, /^Page Size: must be a whole number from 1 to 200/],
            ['a fractional page size', { pageSize: 10.5 }, /^Page Size: must be a whole number/],
            [
                'a non-numeric session timeout',
                { sessionTimeoutMinutes: 'two hours' },
                /^Session Timeout \(minutes\): must be a whole number from 15 to 1440/,
            ],
            ['a session timeout below 15', { sessionTimeoutMinutes: 5 }, /^Session Timeout \(minutes\)/],
            [
                'max concurrency above 10',
                { maxConcurrency: 11 },
                /^Max Concurrency: must be a whole number from 1 to 10/,
            ],
            [
                'a negative delta overlap',
                { deltaOverlapMinutes: -1 },
                /^Delta Overlap \(minutes\): must be a whole number from 0 to 1440/,
            ],
            [
                'a request timeout below 5 s',
                { requestTimeoutSeconds: 1 },
                /^Request Timeout \(seconds\): must be a whole number from 5 to 600/,
            ],
            ['more than 10 retries', { maxRetries: 11 }, /^Max Retries: must be a whole number from 0 to 10/],
            ['a trace flag that is not boolean', { traceHttp: 'yes' }, /^Trace HTTP: must be true or false/],
            [
                'a stateful flag that is not boolean',
                { spConnEnableStatefulCommands: 1 },
                /^Enable Stateful Commands: must be true or false/,
            ],
            [
                'an unquoted boolean in the account filter',
                { accountFilter: 'active eq true' },
                /^Account Filter: .*double-quoted/,
            ],
            [
                'unbalanced parentheses in the account filter',
                { accountFilter: '(active eq "true"' },
                /^Account Filter: .*unbalanced/,
            ],
            [
                'an unknown filter operator',
                { accountFilter: 'userName like "a"' },
                /^Account Filter: .*unknown operator "like"/,
            ],
            [
                'a default profile id of another object',
                { defaultProfileId: '0PSRM000001VtbnYAC' },
                /^Default Profile ID: must be a 15- or 18-character/,
            ],
            ['a default profile id of the wrong length', { defaultProfileId: '00eRM0000' }, /^Default Profile ID/],
            ['a username that is not text', { username: 42 }, /^Username: must be text, not number/],
        ]
        it.each(cases)('%s', (_name, overrides, message) => {
            const error = configError(rawConfig('jwtBearer', overrides))
            expect(error.message).toMatch(message)
            expect(error.type).toBe('generic')
        })

        const authCases: [string, 'clientCredentials' | 'usernamePassword', Record<string, unknown>, RegExp][] = [
            [
                'a private key with client credentials',
                'clientCredentials',
                { privateKey: testKeys().privateKey },
                /^Private Key: must be empty for client credentials/,
            ],
            [
                'a username with client credentials',
                'clientCredentials',
                { username: 'a@b.c' },
                /^Username: must be empty for client credentials.*Run As/,
            ],
            [
                'a password with client credentials',
                'clientCredentials',
                { password: 'x' },
                /^Password: must be empty for client credentials/,
            ],
            [
                'client credentials against login.salesforce.com',
                'clientCredentials',
                { loginUrl: 'https://login.salesforce.com' },
                /^Login URL: client credentials need your My Domain URL/,
            ],
            [
                'a missing client secret for client credentials',
                'clientCredentials',
                { clientSecret: undefined },
                /^Consumer Secret: is required for client credentials/,
            ],
            [
                'a private key with username-password',
                'usernamePassword',
                { privateKey: testKeys().privateKey },
                /^Private Key: must be empty for username-password/,
            ],
            [
                'a missing password',
                'usernamePassword',
                { password: '' },
                /^Password: is required for username-password/,
            ],
            [
                'a missing client secret for username-password',
                'usernamePassword',
                { clientSecret: undefined },
                /^Consumer Secret: is required for username-password/,
            ],
            [
                'a missing username for username-password',
                'usernamePassword',
                { username: undefined },
                /^Username: is required for username-password/,
            ],
        ]
        it.each(authCases)('%s', (_name, authType, overrides, message) => {
            expect(configError(rawConfig(authType, overrides)).message).toMatch(message)
        })

        it('a config that is not an object', () => {
            expect(configError(undefined).message).toMatch(/missing or is not an object/)
            expect(configError([]).message).toMatch(/missing or is not an object/)
        })
    })

    it('never puts a secret in an error message', () => {
        const errors = [
            configError(rawConfig('usernamePassword', { privateKey: testKeys().privateKey })),
            configError(rawConfig('jwtBearer', { clientSecret: SECRETS.clientSecret })),
            configError(rawConfig('clientCredentials', { password: SECRETS.password })),
            configError(
                rawConfig('jwtBearer', { privateKey: testKeys().privateKey.replace('PRIVATE KEY', 'PRIVAT KEY') })
            ),
        ]
        const keyLine = testKeys().privateKey.split('\n')[1] ?? 'unreachable'
        for (const error of errors) {
            const text = describeError(error)
            for (const secret of [SECRETS.clientSecret, SECRETS.password, keyLine]) expect(text).not.toContain(secret)
        }
        expect(errors).toHaveLength(4)
    })

    it('names each field by a label in CONFIG_LABELS', () => {
        expect(Object.keys(CONFIG_LABELS)).toEqual(
            expect.arrayContaining([
                'loginUrl',
                'clientId',
                'privateKey',
                'accountFilter',
                'spConnEnableStatefulCommands',
            ])
        )
        expect(configError(rawConfig('jwtBearer', { pageSize: 0 })).fields).toEqual(['pageSize'])
    })
})

describe('scimFilterSyntaxError', () => {
    it.each([
        'userName eq "a@b.c"',
        'active eq "true"',
        'title pr',
        'meta.lastModified gt "2024-01-01T00:00:00Z"',
        '(active eq "true") and (userName sw "a" or userName ew "b")',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R\\"D"',
        'userName EQ "x" AND active Eq "true"',
    ])('accepts %s', (filter) => {
        expect(scimFilterSyntaxError(filter)).toBeUndefined()
    })

    it.each([
        ['', /empty/],
        ['userName eq "open', /never closed/],
        ['userName eq "bad \\x escape"', /invalid escape/],
        ['(userName eq "a"', /unbalanced parentheses: a "\(" is never closed/],
        ['userName eq "a")', /unbalanced parentheses: a "\)" has no matching/],
        ['userName eq true', /double-quoted string.*got true/],
        ['userName eq', /double-quoted string.*end of the filter/],
        ['not (userName eq "a")', /does not support "not"/],
        ['emails[type eq "work"] pr', /value filters/],
        ['userName like "a"', /unknown operator "like"/],
        ['userName eq "a" xor active eq "true"', /expected "and", "or" or "\)" but found xor/],
        ['userName eq "a" and', /ends where a comparison was expected/],
        ['"a" eq userName', /expected an attribute name but found "a"/],
        ['user/name eq "a"', /is not an attribute name/],
        ['userName', /expected an operator after userName/],
    ])('rejects %j', (filter, problem) => {
        expect(scimFilterSyntaxError(filter)).toMatch(problem)
    })
})
