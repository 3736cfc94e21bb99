/**
 * The source configuration, parsed once from what ISC sends (`readConfig()`) into a frozen, typed object.
 * Every key here is a `sourceConfig` item in connector-spec.json; a contract test keeps the two equal.
 */

import { isLoopbackHost, myDomainHostOf } from './auth/hosts'
import { readPrivateKey } from './auth/private-key'
import { InvalidConfigurationError } from './errors'
import { logger } from './logger'
import { isSalesforceId, toId18 } from './salesforce/ids'
import { scimFilterSyntaxError } from './salesforce/scim-filter'

type AuthType = 'jwtBearer' | 'clientCredentials' | 'usernamePassword'

export interface JwtBearerAuth {
    readonly type: 'jwtBearer'
    readonly clientId: string
    readonly username: string
    /** PEM, RSA, at least 2048 bits. */
    readonly privateKey: string
    /** The `aud` claim when the admin set one; otherwise the login URL decides it (`jwtAudience`). */
    readonly audience?: string
}

export interface ClientCredentialsAuth {
    readonly type: 'clientCredentials'
    readonly clientId: string
    readonly clientSecret: string
}

export interface UsernamePasswordAuth {
    readonly type: 'usernamePassword'
    readonly clientId: string
    readonly clientSecret: string
    readonly username: string
    /** Password with the security token appended, as Salesforce expects it. */
    readonly password: string
}

export type AuthConfig = JwtBearerAuth | ClientCredentialsAuth | UsernamePasswordAuth

export interface SalesforceConfig {
    /** https://login.salesforce.com, https://test.salesforce.com or the org's My Domain; http only on loopback (local emulator). */
    readonly loginUrl: URL
    readonly auth: AuthConfig
    /** Org session timeout: a token is reused until issued_at + this, less a safety margin. */
    readonly sessionTimeoutMinutes: number
    /** SCIM page size, 1..200 (Salesforce's maximum). */
    readonly pageSize: number
    /** Requests in flight at once for work that can overlap. */
    readonly maxConcurrency: number
    /** Id ranges of a large account aggregation read side by side, 1..8 (1: page after page). */
    readonly parallelStreams: number
    /** Optional SCIM filter that scopes account aggregation (e.g. `active eq "true"`). */
    readonly accountFilter?: string
    /** Profile a user is moved to when their profile is revoked, since Salesforce requires one; 18 characters. */
    readonly defaultProfileId?: string
    /** Minutes subtracted from the last delta high-water mark, against clock skew and late commits. */
    readonly deltaOverlapMinutes: number
    readonly requestTimeoutSeconds: number
    /** Attempts after the first for idempotent requests. */
    readonly maxRetries: number
    /** Log every Salesforce request and response, secrets redacted. */
    readonly traceHttp: boolean
    /** ISC's delta switch. */
    readonly statefulCommands: boolean
    /**
     * Read and write, through Salesforce's REST API, the access SCIM cannot reach: permission set groups,
     * licenses, queues, feature licenses, freeze and lockout state. Off: SCIM only, as before.
     */
    readonly governBeyondScim: boolean
    /** Further User fields (API names, custom `__c` fields included) read into accounts through REST. */
    readonly additionalUserFields: readonly string[]
    /** What `std:account:disable` does to the user; `std:account:enable` undoes it. */
    readonly disableAction: DisableAction
    /** On disable, remove the user's permission set licenses and package licenses so their seats are free. */
    readonly freeLicensesOnDisable: boolean
    /** Aggregation stops before the org's daily API requests used pass this share (percent, 1..100). */
    readonly apiUsageLimitPercent: number
}

/**
 * `deactivate`: IsActive false (SCIM DELETE). `freeze`: UserLogin.IsFrozen true, the user stays active.
 * `deactivateOrFreeze`: deactivate, and freeze instead when Salesforce refuses to deactivate the user.
 */
export const DISABLE_ACTIONS = ['deactivate', 'freeze', 'deactivateOrFreeze'] as const
export type DisableAction = (typeof DISABLE_ACTIONS)[number]

/** The ISC label of every source-config key `parseConfig` reads; messages name the label the admin sees. */
export const CONFIG_LABELS = {
    authType: 'Authentication Type',
    loginUrl: 'Login URL',
    clientId: 'Consumer Key',
    clientSecret: 'Consumer Secret',
    username: 'Username',
    privateKey: 'Private Key',
    audience: 'Audience',
    password: 'Password',
    securityToken: 'Security Token',
    sessionTimeoutMinutes: 'Session Timeout (minutes)',
    pageSize: 'Page Size',
    maxConcurrency: 'Max Concurrency',
    parallelStreams: 'Parallel Streams',
    accountFilter: 'Account Filter',
    defaultProfileId: 'Default Profile ID',
    deltaOverlapMinutes: 'Delta Overlap (minutes)',
    requestTimeoutSeconds: 'Request Timeout (seconds)',
    maxRetries: 'Max Retries',
    traceHttp: 'Trace HTTP',
    spConnEnableStatefulCommands: 'Enable Stateful Commands',
    governBeyondScim: 'Govern Access Beyond SCIM',
    additionalUserFields: 'Additional User Fields',
    disableAction: 'Disable Action',
    freeLicensesOnDisable: 'Free License Seats on Disable',
    apiUsageLimitPercent: 'API Usage Limit (%)',
} as const

type ConfigKey = keyof typeof CONFIG_LABELS

const AUTH_TYPES: readonly AuthType[] = ['jwtBearer', 'clientCredentials', 'usernamePassword']

type RawConfig = Readonly<Record<string, unknown>>

/**
 * Parses ISC's flat source config into a frozen `SalesforceConfig`, in one pass.
 * Platform keys ISC adds (spConn*, idnProxyType, ...) are ignored; keys this connector reads are checked strictly.
 * @throws InvalidConfigurationError naming the field's ISC label and how to fix it; never echoes a secret.
 */
export function parseConfig(raw: unknown): SalesforceConfig {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new InvalidConfigurationError('The source configuration is missing or is not an object')
    }
    const c = raw as RawConfig
    const loginUrl = parseLoginUrl(c)
    const auth = parseAuth(c, loginUrl)
    const accountFilter = optionalText(c, 'accountFilter')
    if (accountFilter !== undefined) {
        const problem = scimFilterSyntaxError(accountFilter)
        if (problem !== undefined) {
            throw configError('accountFilter', `is not a filter Salesforce accepts: ${problem}`)
        }
    }
    const defaultProfileId = parseDefaultProfileId(c)
    const config: SalesforceConfig = {
        loginUrl,
        auth,
        sessionTimeoutMinutes: integerInRange(c, 'sessionTimeoutMinutes', 15, 1440, 120),
        pageSize: integerInRange(c, 'pageSize', 1, 200, 200),
        maxConcurrency: integerInRange(c, 'maxConcurrency', 1, 10, 4),
        parallelStreams: integerInRange(c, 'parallelStreams', 1, 8, 4),
        ...(accountFilter !== undefined ? { accountFilter } : {}),
        ...(defaultProfileId !== undefined ? { defaultProfileId } : {}),
        deltaOverlapMinutes: integerInRange(c, 'deltaOverlapMinutes', 0, 1440, 5),
        requestTimeoutSeconds: integerInRange(c, 'requestTimeoutSeconds', 5, 600, 60),
        maxRetries: integerInRange(c, 'maxRetries', 0, 10, 4),
        traceHttp: booleanValue(c, 'traceHttp', false),
        statefulCommands: booleanValue(c, 'spConnEnableStatefulCommands', false),
        governBeyondScim: booleanValue(c, 'governBeyondScim', true),
        additionalUserFields: parseUserFieldNames(c),
        disableAction: parseDisableAction(c),
        freeLicensesOnDisable: booleanValue(c, 'freeLicensesOnDisable', false),
        apiUsageLimitPercent: integerInRange(c, 'apiUsageLimitPercent', 1, 100, 90),
    }
    return Object.freeze(config)
}

function parseDefaultProfileId(c: RawConfig): string | undefined {
    const id = optionalText(c, 'defaultProfileId')
    if (id === undefined) return undefined
    if (!isSalesforceId(id, 'profile')) {
        throw configError(
            'defaultProfileId',
            `must be a 15- or 18-character Salesforce profile id starting with 00e (got "${id}"); ` +
                'copy it from the address bar of the profile in Setup → Profiles'
        )
    }
    // Setup shows 15-character ids, the API returns 18: compare and send one form only.
    return toId18(id, 'profile')
}

/** A User field's API name: letters, digits and single underscores, custom fields ending `__c`. */
const USER_FIELD_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?:__c)?$/

function parseUserFieldNames(c: RawConfig): readonly string[] {
    const value = c.additionalUserFields
    if (value === undefined || value === null || value === '') return []
    // ISC's list fields send an array; a text field sends one string, read as comma- or space-separated names.
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : undefined
    if (items === undefined) throw configError('additionalUserFields', 'must be a list of User field names')
    const names: string[] = []
    for (const item of items) {
        if (typeof item !== 'string') throw configError('additionalUserFields', 'must be a list of User field names')
        const name = item.trim()
        if (name === '') continue
        if (!USER_FIELD_NAME.test(name)) {
            throw configError(
                'additionalUserFields',
                `"${name}" is not a Salesforce field API name; use the API Name from Setup → Object Manager → User → ` +
                    'Fields & Relationships, e.g. CompanyName or Cost_Center__c'
            )
        }
        if (!names.some((known) => known.toLowerCase() === name.toLowerCase())) names.push(name)
    }
    return Object.freeze(names)
}

function parseDisableAction(c: RawConfig): DisableAction {
    const value = optionalText(c, 'disableAction')
    if (value === undefined) return 'deactivate'
    const action = DISABLE_ACTIONS.find((known) => known === value)
    if (action === undefined) {
        throw configError('disableAction', `must be one of ${DISABLE_ACTIONS.join(', ')} (got "${value}")`)
    }
    return action
}

function configError(key: ConfigKey, problem: string): InvalidConfigurationError {
    return new InvalidConfigurationError(`${CONFIG_LABELS[key]}: ${problem}`, { fields: [key] })
}

/** Empty strings count as absent: ISC sends "" for fields the admin left blank. */
function optionalText(c: RawConfig, key: ConfigKey, trim = true): string | undefined {
    const value = c[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string') throw configError(key, `must be text, not ${typeof value}`)
    const text = trim ? value.trim() : value
    return text.trim() === '' ? undefined : text
}

function requiredText(c: RawConfig, key: ConfigKey, authType: AuthType, hint: string, trim = true): string {
    const value = optionalText(c, key, trim)
    if (value === undefined) throw configError(key, `is required for ${AUTH_TYPE_LABELS[authType]}: ${hint}`)
    return value
}

function integerInRange(c: RawConfig, key: ConfigKey, min: number, max: number, fallback: number): number {
    const value = c[key]
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback
    // ISC sends numbers from text fields as strings.
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN
    if (!Number.isInteger(n) || n < min || n > max) {
        const shown = typeof value === 'string' || typeof value === 'number' ? `"${String(value)}"` : typeof value
        throw configError(
            key,
            `must be a whole number from ${min} to ${max} (got ${shown}); leave it empty for ${fallback}`
        )
    }
    return n
}

function booleanValue(c: RawConfig, key: ConfigKey, fallback: boolean): boolean {
    const value = c[key]
    if (value === undefined || value === null || value === '') return fallback
    if (typeof value === 'boolean') return value
    if (value === 'true' || value === 'false') return value === 'true'
    throw configError(key, 'must be true or false')
}

function parseLoginUrl(c: RawConfig): URL {
    const text = optionalText(c, 'loginUrl')
    if (text === undefined) {
        throw configError(
            'loginUrl',
            'is required: use https://login.salesforce.com (production), https://test.salesforce.com (sandbox) ' +
                'or your My Domain URL, e.g. https://mycompany.my.salesforce.com'
        )
    }
    let url: URL
    try {
        url = new URL(text)
    } catch {
        throw configError('loginUrl', `"${text}" is not a URL; use e.g. https://mycompany.my.salesforce.com`)
    }
    if (url.username !== '' || url.password !== '') {
        throw configError('loginUrl', 'must not contain a user name or password; put credentials in their own fields')
    }
    const host = url.hostname.toLowerCase()
    if (url.protocol === 'http:' && !isLoopbackHost(host)) {
        throw configError(
            'loginUrl',
            `must use https (got ${url.origin}); plain http is only allowed for a local emulator`
        )
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw configError('loginUrl', `must be an https URL (got ${url.protocol}//)`)
    }
    // Lightning and Setup hosts serve the UI, not the API or the token endpoint.
    const myDomainHost = myDomainHostOf(host)
    if (myDomainHost !== undefined) {
        throw configError(
            'loginUrl',
            `${url.origin} is a Lightning/Setup address; use the My Domain URL instead, ` +
                `https://${myDomainHost} (Setup → My Domain)`
        )
    }
    // Only the origin matters: the token endpoint is always <origin>/services/oauth2/token.
    return new URL(url.origin)
}

const AUTH_TYPE_LABELS: Readonly<Record<AuthType, string>> = {
    jwtBearer: 'JWT bearer',
    clientCredentials: 'client credentials',
    usernamePassword: 'username-password',
}

/** The source-config keys each authentication type reads, besides the Consumer Key. */
const AUTH_FIELDS = {
    jwtBearer: ['username', 'privateKey', 'audience'],
    clientCredentials: ['clientSecret'],
    usernamePassword: ['clientSecret', 'username', 'password', 'securityToken'],
} as const satisfies Readonly<Record<AuthType, readonly ConfigKey[]>>

const ALL_AUTH_FIELDS: readonly ConfigKey[] = [...new Set(Object.values(AUTH_FIELDS).flat())]

function parseAuth(c: RawConfig, loginUrl: URL): AuthConfig {
    const rawType = optionalText(c, 'authType') ?? 'jwtBearer'
    const type = AUTH_TYPES.find((t) => t === rawType)
    if (type === undefined) {
        throw configError('authType', `"${rawType}" is not supported; choose one of ${AUTH_TYPES.join(', ')}`)
    }
    logIgnoredAuthFields(c, type)
    const clientId = requiredText(
        c,
        'clientId',
        type,
        'copy the Consumer Key from the connected app (Setup → App Manager → the app → View → Manage Consumer Details)'
    )
    switch (type) {
        case 'jwtBearer': {
            const username = requiredText(c, 'username', type, 'the Salesforce username of the integration user')
            const privateKey = normalisePrivateKey(
                requiredText(
                    c,
                    'privateKey',
                    type,
                    'the PEM private key whose certificate is on the connected app',
                    false
                )
            )
            const audience = parseAudience(c)
            return Object.freeze({
                type,
                clientId,
                username,
                privateKey,
                ...(audience !== undefined ? { audience } : {}),
            })
        }
        case 'clientCredentials': {
            // Salesforce serves the client credentials flow on My Domain hosts only.
            const host = loginUrl.hostname.toLowerCase()
            if (host === 'login.salesforce.com' || host === 'test.salesforce.com') {
                throw configError(
                    'loginUrl',
                    `client credentials need your My Domain URL (e.g. https://mycompany.my.salesforce.com), not ${loginUrl.origin}`
                )
            }
            const clientSecret = requiredText(
                c,
                'clientSecret',
                type,
                'copy the Consumer Secret from the connected app',
                false
            )
            return Object.freeze({ type, clientId, clientSecret })
        }
        case 'usernamePassword': {
            const clientSecret = requiredText(
                c,
                'clientSecret',
                type,
                'copy the Consumer Secret from the connected app',
                false
            )
            const username = requiredText(c, 'username', type, 'the Salesforce username of the integration user')
            const password = requiredText(c, 'password', type, "the integration user's password", false)
            // Salesforce expects the security token appended to the password when the caller's IP is not trusted.
            const securityToken = optionalText(c, 'securityToken') ?? ''
            return Object.freeze({ type, clientId, clientSecret, username, password: password + securityToken })
        }
    }
}

/**
 * ISC keeps the values of fields that a change of authentication type hid (a private key stays stored after a
 * switch to client credentials), so a field the chosen type does not read is never a reason to refuse the source:
 * it is ignored, with one line naming the fields (never their values).
 */
function logIgnoredAuthFields(c: RawConfig, type: AuthType): void {
    const used: readonly ConfigKey[] = AUTH_FIELDS[type]
    const ignored = ALL_AUTH_FIELDS.filter((key) => !used.includes(key) && isFilledIn(c[key]))
    if (ignored.length === 0) return
    logger.info(
        { ignoredConfigFields: ignored },
        `Source configuration: ${ignored.map((key) => CONFIG_LABELS[key]).join(', ')} ` +
            `${ignored.length === 1 ? 'is' : 'are'} not used by ${AUTH_TYPE_LABELS[type]} authentication and ignored`
    )
}

function isFilledIn(value: unknown): boolean {
    return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')
}

/**
 * The JWT `aud` override, for hosts whose login server the login URL does not show. Salesforce compares it as
 * text, so it is kept as the admin's https URL without a trailing slash (an Experience Cloud site keeps its path).
 */
function parseAudience(c: RawConfig): string | undefined {
    const text = optionalText(c, 'audience')
    if (text === undefined) return undefined
    let url: URL
    try {
        url = new URL(text)
    } catch {
        throw configError('audience', `"${text}" is not a URL; use e.g. https://test.salesforce.com`)
    }
    const https = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    if (!https || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
        throw configError(
            'audience',
            `must be the https URL of the Salesforce login server, e.g. https://login.salesforce.com or ` +
                `https://test.salesforce.com (got "${text}"); leave it empty to choose from the Login URL`
        )
    }
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

/** "an EC key", "a DSA key": Node's `asymmetricKeyType` names, as an admin reads them. */
const KEY_TYPE_NAMES: Readonly<Record<string, string>> = {
    'rsa-pss': 'an RSA-PSS',
    dsa: 'a DSA',
    dh: 'a Diffie-Hellman',
    ec: 'an EC',
    ed25519: 'an Ed25519',
    ed448: 'an Ed448',
    x25519: 'an X25519',
    x448: 'an X448',
}

/** jsonwebtoken 9 refuses smaller RSA keys for RS256 ("minimum key size of 2048 bits"). */
const MIN_RSA_BITS = 2048

/**
 * Rebuilds a PEM that lost its newlines when pasted into a one-line field (literal `\n`, spaces instead of
 * line breaks) and checks that it is an unencrypted RSA private key Salesforce's JWT signing can use.
 * Messages never include key material.
 */
function normalisePrivateKey(input: string): string {
    const text = input.replace(/\\r\\n|\\n|\\r/g, '\n').trim()
    const match = /^-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----$/.exec(text)
    if (match === null) {
        throw configError(
            'privateKey',
            'is not a PEM private key; paste the whole key including the -----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- lines'
        )
    }
    const label = match[1] ?? ''
    if (label === 'CERTIFICATE') {
        throw configError(
            'privateKey',
            'holds a certificate; upload the certificate to the connected app and paste the private key here'
        )
    }
    if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(match[2] ?? '')) {
        throw configError(
            'privateKey',
            'is encrypted; paste an unencrypted key (e.g. openssl pkey -in key.pem -out plain.pem)'
        )
    }
    if (label !== 'PRIVATE KEY' && label !== 'RSA PRIVATE KEY') {
        throw configError(
            'privateKey',
            `holds a "${label}" block; paste an RSA private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)`
        )
    }
    const body = (match[2] ?? '').replace(/\s+/g, '')
    const lines = body.match(/.{1,64}/g) ?? []
    const pem = `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
    let key: ReturnType<typeof readPrivateKey>
    try {
        key = readPrivateKey(pem)
    } catch {
        throw configError('privateKey', 'could not be read as a PEM private key; paste it again from the key file')
    }
    const keyType = key.asymmetricKeyType
    if (keyType !== 'rsa') {
        const name =
            keyType === undefined ? 'a key of unknown type' : `${KEY_TYPE_NAMES[keyType] ?? `a ${keyType}`} key`
        throw configError('privateKey', `is ${name}; Salesforce's JWT bearer flow needs an RSA key (RS256)`)
    }
    const bits = key.asymmetricKeyDetails?.modulusLength
    if (bits !== undefined && bits < MIN_RSA_BITS) {
        throw configError(
            'privateKey',
            `is a ${bits}-bit RSA key; JWT signing needs at least ${MIN_RSA_BITS} bits. Make a new key and ` +
                `certificate (openssl req -x509 -newkey rsa:2048 -nodes -keyout salesforce-jwt.key -out ` +
                `salesforce-jwt.crt -days 730), upload the certificate to the connected app and paste the new key here`
        )
    }
    return pem
}
