import { generateKeyPairSync } from 'crypto'
import { CONFIG_LABELS, parseConfig } from '../../src/config'
import { InvalidConfigurationError } from '../../src/errors'
import { toId18 } from '../../src/salesforce/ids'
import { SECRETS, rawConfig, testKeys, useLogCapture } from '../helpers/nock'
import { describeError } from '../helpers/secrets'

/** A PKCS#8 PEM private key of the given type (RSA of the given size). */
function pemKey(type: 'rsa' | 'ec' | 'ed25519' | 'dsa', bits = 2048): string {
    const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const
    const publicKeyEncoding = { type: 'spki', format: 'pem' } as const
    switch (type) {
        case 'rsa':
            return generateKeyPairSync('rsa', { modulusLength: bits, privateKeyEncoding, publicKeyEncoding }).privateKey
        case 'ec':
            return generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding, publicKeyEncoding }).privateKey
        case 'ed25519':
            return generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding }).privateKey
        case 'dsa':
            return generateKeyPairSync('dsa', {
                modulusLength: 1024,
                divisorLength: 160,
                privateKeyEncoding,
                publicKeyEncoding,
            }).privateKey
    }
}

function rsaKey(bits: number): string {
    return pemKey('rsa', bits)
}

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
            configError(rawConfig('usernamePassword', { privateKey: testKeys().privateKey, password: '' })),
            configError(
                rawConfig('jwtBearer', {
                    clientSecret: SECRETS.clientSecret,
                    privateKey: testKeys().privateKey.replace('PRIVATE KEY', 'PRIVAT KEY'),
                })
            ),
            configError(
                rawConfig('clientCredentials', { password: SECRETS.password, loginUrl: 'https://login.salesforce.com' })
            ),
            configError(rawConfig('jwtBearer', { privateKey: rsaKey(1024) })),
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

describe('parseConfig forgives fields the authentication type does not use', () => {
    const logs = useLogCapture()
    const ignoredLines = (): Record<string, unknown>[] =>
        logs.lines
            .map((line) => JSON.parse(line) as Record<string, unknown>)
            .filter((line) => Array.isArray(line.ignoredConfigFields))

    it.each([
        [
            'a private key, password and security token left after switching to client credentials',
            'clientCredentials',
            {
                privateKey: testKeys().privateKey,
                password: SECRETS.password,
                securityToken: SECRETS.securityToken,
                username: 'integration@acme.com',
                audience: 'https://test.salesforce.com',
            },
            ['username', 'privateKey', 'audience', 'password', 'securityToken'],
            'Source configuration: Username, Private Key, Audience, Password, Security Token are not used by client credentials authentication and ignored',
        ],
        [
            'a client secret, password and security token left after switching to JWT bearer',
            'jwtBearer',
            { clientSecret: SECRETS.clientSecret, password: SECRETS.password, securityToken: SECRETS.securityToken },
            ['clientSecret', 'password', 'securityToken'],
            'Source configuration: Consumer Secret, Password, Security Token are not used by JWT bearer authentication and ignored',
        ],
        [
            'a private key left after switching to username-password',
            'usernamePassword',
            { privateKey: testKeys().privateKey },
            ['privateKey'],
            'Source configuration: Private Key is not used by username-password authentication and ignored',
        ],
    ] as const)('%s', (_name, authType, stale, keys, message) => {
        const config = parseConfig(rawConfig(authType, stale))
        expect(config.auth.type).toBe(authType)
        for (const key of keys) expect(config.auth).not.toHaveProperty(key)
        const lines = ignoredLines()
        expect(lines).toHaveLength(1)
        expect(lines[0]).toMatchObject({ level: 'INFO', message, ignoredConfigFields: [...keys] })
        const text = logs.lines.join('\n')
        const keyLine = testKeys().privateKey.split('\n')[1] ?? 'unreachable'
        for (const secret of [SECRETS.clientSecret, SECRETS.password, SECRETS.securityToken, keyLine]) {
            expect(text).not.toContain(secret)
        }
    })

    it('does not check what it ignores, and logs nothing when every field is used', () => {
        expect(parseConfig(rawConfig('clientCredentials', { privateKey: 'not a key', username: 42 })).auth).toEqual({
            type: 'clientCredentials',
            clientId: '3MVG9-consumer-key',
            clientSecret: SECRETS.clientSecret,
        })
        expect(ignoredLines()).toHaveLength(1)
        logs.lines.length = 0
        parseConfig(rawConfig('usernamePassword', { privateKey: '  ', audience: '' }))
        parseConfig(rawConfig('jwtBearer'))
        expect(ignoredLines()).toHaveLength(0)
    })
})

describe('parseConfig login URLs', () => {
    it.each([
        ['https://mycompany--uat.sandbox.lightning.force.com', 'https://mycompany--uat.sandbox.my.salesforce.com'],
        [
            'https://mycompany.develop.lightning.force.com/lightning/setup',
            'https://mycompany.develop.my.salesforce.com',
        ],
        ['https://mycompany--uat.sandbox.my.salesforce-setup.com', 'https://mycompany--uat.sandbox.my.salesforce.com'],
        ['https://mycompany.my.salesforce-setup.com', 'https://mycompany.my.salesforce.com'],
        ['https://mycompany.lightning.force.com/lightning/page/home', 'https://mycompany.my.salesforce.com'],
        ['https://mycompany.scratch.lightning.force.com', 'https://mycompany.scratch.my.salesforce.com'],
        ['https://mycompany--uat.lightning.force.com', 'https://mycompany--uat.my.salesforce.com'],
    ])('answers the Lightning/Setup URL %s with the My Domain URL %s', (loginUrl, myDomain) => {
        const message = configError(rawConfig('jwtBearer', { loginUrl })).message
        expect(message).toMatch(/^Login URL: .* is a Lightning\/Setup address; use the My Domain URL instead/)
        expect(message).toContain(`, ${myDomain} (Setup → My Domain)`)
    })
})

describe('parseConfig Audience', () => {
    it.each([
        ['https://test.salesforce.com', 'https://test.salesforce.com'],
        ['https://test.salesforce.com/', 'https://test.salesforce.com'],
        [' https://login.salesforce.com ', 'https://login.salesforce.com'],
        ['https://acme.my.site.com/customers/', 'https://acme.my.site.com/customers'],
        ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ])('keeps %j as %j', (audience, kept) => {
        const config = parseConfig(rawConfig('jwtBearer', { audience }))
        expect(config.auth.type === 'jwtBearer' && config.auth.audience).toBe(kept)
    })

    it('is absent when left empty', () => {
        const config = parseConfig(rawConfig('jwtBearer', { audience: '' }))
        expect(config.auth).not.toHaveProperty('audience')
    })

    it.each([
        ['test.salesforce.com', /^Audience: "test\.salesforce\.com" is not a URL/],
        ['http://test.salesforce.com', /^Audience: must be the https URL of the Salesforce login server/],
        ['https://test.salesforce.com/?x=1', /^Audience: must be the https URL/],
        ['https://u:p@test.salesforce.com', /^Audience: must be the https URL/],
    ])('refuses %j', (audience, message) => {
        const error = configError(rawConfig('jwtBearer', { audience }))
        expect(error.message).toMatch(message)
        expect(error.fields).toEqual(['audience'])
    })
})

describe('parseConfig private keys', () => {
    it('refuses an RSA key under 2048 bits when the source is saved, saying how to make one', () => {
        const error = configError(rawConfig('jwtBearer', { privateKey: rsaKey(1024) }))
        expect(error.message).toMatch(/^Private Key: is a 1024-bit RSA key; JWT signing needs at least 2048 bits/)
        expect(error.message).toContain('openssl req -x509 -newkey rsa:2048')
        expect(error.fields).toEqual(['privateKey'])
    })

    it('accepts a 2048-bit RSA key in PKCS#1 form too', () => {
        const pkcs1 = generateKeyPairSync('rsa', {
            modulusLength: 2048,
            privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
            publicKeyEncoding: { type: 'spki', format: 'pem' },
        }).privateKey
        expect(parseConfig(rawConfig('jwtBearer', { privateKey: pkcs1 })).auth.type).toBe('jwtBearer')
    })

    it.each([
        ['ec', 'is an EC key'],
        ['ed25519', 'is an Ed25519 key'],
        ['dsa', 'is a DSA key'],
    ] as const)('names a %s key with its article', (type, phrase) => {
        expect(configError(rawConfig('jwtBearer', { privateKey: pemKey(type) })).message).toBe(
            `Private Key: ${phrase}; Salesforce's JWT bearer flow needs an RSA key (RS256)`
        )
    })
})

describe('parseConfig ids and the account filter', () => {
    it('normalises a 15-character Default Profile ID to its 18-character form', () => {
        expect(parseConfig(rawConfig('jwtBearer', { defaultProfileId: '00eRM000001Vtbn' })).defaultProfileId).toBe(
            '00eRM000001VtbnYAC'
        )
        expect(toId18('00eRM000001Vtbn')).toBe('00eRM000001VtbnYAC')
    })

    it('upper-cases a Default Profile ID whose suffix was typed in lower case', () => {
        expect(parseConfig(rawConfig('jwtBearer', { defaultProfileId: '00eRM000001Vtbnyac' })).defaultProfileId).toBe(
            '00eRM000001VtbnYAC'
        )
    })

    it('refuses an account filter that mixes and with or without brackets, asking for brackets', () => {
        const error = configError(
            rawConfig('jwtBearer', { accountFilter: 'userType eq "Standard" or active eq "true" and title pr' })
        )
        expect(error.message).toMatch(/^Account Filter: is not a filter Salesforce accepts: it mixes "and" and "or"/)
        expect(error.message).toMatch(/add brackets/)
        expect(error.fields).toEqual(['accountFilter'])
    })

    it('accepts the same filter with brackets', () => {
        const accountFilter = 'userType eq "Standard" or (active eq "true" and title pr)'
        expect(parseConfig(rawConfig('jwtBearer', { accountFilter })).accountFilter).toBe(accountFilter)
    })
})

describe('parseConfig: governing access beyond SCIM', () => {
    // rawConfig turns the REST features off for handler tests; these read the product's defaults.
    const withDefaults = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
        const raw: Record<string, unknown> = { ...rawConfig('jwtBearer'), ...overrides }
        if (!('governBeyondScim' in overrides)) delete raw.governBeyondScim
        return raw
    }

    it('governs beyond SCIM by default: deactivate on disable, licenses kept, stop at 90% of the API allocation', () => {
        expect(parseConfig(withDefaults())).toMatchObject({
            governBeyondScim: true,
            additionalUserFields: [],
            disableAction: 'deactivate',
            freeLicensesOnDisable: false,
            apiUsageLimitPercent: 90,
        })
    })

    it('reads Additional User Fields as ISC sends a list, or as comma-separated text, once each', () => {
        const listed = parseConfig(
            withDefaults({ additionalUserFields: ['CompanyName', 'Cost_Center__c', 'companyname'] })
        )
        expect(listed.additionalUserFields).toEqual(['CompanyName', 'Cost_Center__c'])
        const text = parseConfig(withDefaults({ additionalUserFields: 'CompanyName, Cost_Center__c' }))
        expect(text.additionalUserFields).toEqual(['CompanyName', 'Cost_Center__c'])
    })

    it.each([['Cost Center'], ['Profile.Name'], ['Bad__Name__c'], ["x'y"]])(
        'refuses %j as a User field, naming where to find the API name',
        (name) => {
            expect(() => parseConfig(withDefaults({ additionalUserFields: [name] }))).toThrow(
                new InvalidConfigurationError(
                    `Additional User Fields: "${name}" is not a Salesforce field API name; use the API Name from ` +
                        'Setup → Object Manager → User → Fields & Relationships, e.g. CompanyName or Cost_Center__c'
                )
            )
        }
    )

    it('refuses a Disable Action it does not know, listing the ones it does', () => {
        expect(() => parseConfig(withDefaults({ disableAction: 'suspend' }))).toThrow(
            'Disable Action: must be one of deactivate, freeze, deactivateOrFreeze (got "suspend")'
        )
        expect(parseConfig(withDefaults({ disableAction: 'freeze' })).disableAction).toBe('freeze')
    })

    it('holds API Usage Limit (%) to 1..100', () => {
        expect(() => parseConfig(withDefaults({ apiUsageLimitPercent: 0 }))).toThrow(
            'API Usage Limit (%): must be a whole number from 1 to 100 (got "0"); leave it empty for 90'
        )
        expect(parseConfig(withDefaults({ apiUsageLimitPercent: '100' })).apiUsageLimitPercent).toBe(100)
    })
})
