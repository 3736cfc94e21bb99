/**
 * The source configuration, parsed once from what ISC sends (`readConfig()`) into a frozen, typed object.
 * Every key here is a `sourceConfig` item in connector-spec.json; a contract test keeps the two equal.
 */

import { createPrivateKey } from 'crypto'
import { InvalidConfigurationError } from './errors'

export type AuthType = 'jwtBearer' | 'clientCredentials' | 'usernamePassword'

export interface JwtBearerAuth {
    readonly type: 'jwtBearer'
    readonly clientId: string
    readonly username: string
    /** PEM, RSA. */
    readonly privateKey: string
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
    /** Optional SCIM filter that scopes account aggregation (e.g. `active eq "true"`). */
    readonly accountFilter?: string
    /** Profile a user is moved to when their profile is revoked, since Salesforce requires one. */
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
}

/** The ISC label of every source-config key `parseConfig` reads; messages name the label the admin sees. */
export const CONFIG_LABELS = {
    authType: 'Authentication Type',
    loginUrl: 'Login URL',
    clientId: 'Consumer Key',
    clientSecret: 'Consumer Secret',
    username: 'Username',
    privateKey: 'Private Key',
    password: 'Password',
    securityToken: 'Security Token',
    sessionTimeoutMinutes: 'Session Timeout (minutes)',
    pageSize: 'Page Size',
    maxConcurrency: 'Max Concurrency',
    accountFilter: 'Account Filter',
    defaultProfileId: 'Default Profile ID',
    deltaOverlapMinutes: 'Delta Overlap (minutes)',
    requestTimeoutSeconds: 'Request Timeout (seconds)',
    maxRetries: 'Max Retries',
    traceHttp: 'Trace HTTP',
    spConnEnableStatefulCommands: 'Enable Stateful Commands',
} as const

export type ConfigKey = keyof typeof CONFIG_LABELS

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
    const defaultProfileId = optionalText(c, 'defaultProfileId')
    if (defaultProfileId !== undefined && !/^00e[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/.test(defaultProfileId)) {
        throw configError(
            'defaultProfileId',
            `must be a 15- or 18-character Salesforce profile id starting with 00e (got "${defaultProfileId}"); ` +
                'copy it from the address bar of the profile in Setup → Profiles'
        )
    }
    const config: SalesforceConfig = {
        loginUrl,
        auth,
        sessionTimeoutMinutes: integerInRange(c, 'sessionTimeoutMinutes', 15, 1440, 120),
        pageSize: integerInRange(c, 'pageSize', 1, 200, 200),
        maxConcurrency: integerInRange(c, 'maxConcurrency', 1, 10, 4),
        ...(accountFilter !== undefined ? { accountFilter } : {}),
        ...(defaultProfileId !== undefined ? { defaultProfileId } : {}),
        deltaOverlapMinutes: integerInRange(c, 'deltaOverlapMinutes', 0, 1440, 5),
        requestTimeoutSeconds: integerInRange(c, 'requestTimeoutSeconds', 5, 600, 60),
        maxRetries: integerInRange(c, 'maxRetries', 0, 10, 4),
        traceHttp: booleanValue(c, 'traceHttp', false),
        statefulCommands: booleanValue(c, 'spConnEnableStatefulCommands', false),
    }
    return Object.freeze(config)
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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

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
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(host)) {
        throw configError(
            'loginUrl',
            `must use https (got ${url.origin}); plain http is only allowed for a local emulator`
        )
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw configError('loginUrl', `must be an https URL (got ${url.protocol}//)`)
    }
    // Lightning and Setup hosts serve the UI, not the API or the token endpoint.
    if (host.endsWith('.lightning.force.com') || host.endsWith('.my.salesforce-setup.com')) {
        const myDomain = host.split('.')[0] ?? 'mycompany'
        throw configError(
            'loginUrl',
            `${url.origin} is a Lightning/Setup address; use the My Domain URL instead, ` +
                `e.g. https://${myDomain}.my.salesforce.com (Setup → My Domain)`
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

function parseAuth(c: RawConfig, loginUrl: URL): AuthConfig {
    const rawType = optionalText(c, 'authType') ?? 'jwtBearer'
    const type = AUTH_TYPES.find((t) => t === rawType)
    if (type === undefined) {
        throw configError('authType', `"${rawType}" is not supported; choose one of ${AUTH_TYPES.join(', ')}`)
    }
    const present = (key: ConfigKey): boolean => optionalText(c, key, false) !== undefined
    const forbid = (key: ConfigKey, why: string): void => {
        if (present(key)) throw configError(key, `must be empty for ${AUTH_TYPE_LABELS[type]} authentication: ${why}`)
    }
    const clientId = requiredText(
        c,
        'clientId',
        type,
        'copy the Consumer Key from the connected app (Setup → App Manager → the app → View → Manage Consumer Details)'
    )
    switch (type) {
        case 'jwtBearer': {
            forbid('clientSecret', 'JWT bearer signs with the private key and sends no secret')
            forbid('password', 'JWT bearer signs with the private key and sends no password')
            forbid('securityToken', 'JWT bearer signs with the private key and sends no security token')
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
            return Object.freeze({ type, clientId, username, privateKey })
        }
        case 'clientCredentials': {
            forbid('privateKey', 'client credentials authenticate with the Consumer Secret')
            forbid('password', 'client credentials authenticate with the Consumer Secret')
            forbid('securityToken', 'client credentials authenticate with the Consumer Secret')
            forbid('username', "client credentials run as the connected app's Run As user, set in Salesforce")
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
            forbid('privateKey', 'username-password sends the password, not a signed assertion')
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
 * Rebuilds a PEM that lost its newlines when pasted into a one-line field (literal `\n`, spaces instead of
 * line breaks) and checks that it is an unencrypted RSA private key. Messages never include key material.
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
    let keyType: string | undefined
    try {
        keyType = readKeyType(pem)
    } catch {
        throw configError('privateKey', 'could not be read as a PEM private key; paste it again from the key file')
    }
    if (keyType !== 'rsa') {
        throw configError(
            'privateKey',
            `is a ${keyType ?? 'unknown'} key; Salesforce's JWT bearer flow needs an RSA key (RS256)`
        )
    }
    return pem
}

/**
 * The key's algorithm. A parse is tried twice because OpenSSL can leave an unrelated error (e.g. from a failed
 * TLS connection earlier in the process) on its thread's error queue, which makes the next parse of a valid
 * key fail once with "asn1 encoding routines::too long".
 */
function readKeyType(pem: string): string | undefined {
    try {
        return createPrivateKey(pem).asymmetricKeyType
    } catch {
        return createPrivateKey(pem).asymmetricKeyType
    }
}

const FILTER_OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])

type FilterToken =
    | { readonly kind: 'open' | 'close'; readonly at: number }
    | { readonly kind: 'string'; readonly at: number; readonly text: string }
    | { readonly kind: 'word'; readonly at: number; readonly text: string }

/**
 * Checks a SCIM filter against the grammar Salesforce accepts: `attr op "value"`, `attr pr`, `and`/`or`,
 * parentheses; every literal double-quoted (booleans too: `active eq "true"`); no `not` and no `[...]` value paths.
 * @returns a description of the first problem, or undefined when the filter is well formed.
 */
export function scimFilterSyntaxError(filter: string): string | undefined {
    const tokens: FilterToken[] = []
    let i = 0
    while (i < filter.length) {
        const ch = filter.charAt(i)
        if (/\s/.test(ch)) {
            i++
        } else if (ch === '(' || ch === ')') {
            tokens.push({ kind: ch === '(' ? 'open' : 'close', at: i })
            i++
        } else if (ch === '"') {
            let j = i + 1
            while (j < filter.length && filter.charAt(j) !== '"') j += filter.charAt(j) === '\\' ? 2 : 1
            if (j >= filter.length) return `the quoted value starting at position ${i + 1} is never closed`
            const literal = filter.slice(i, j + 1)
            try {
                JSON.parse(literal)
            } catch {
                return `the quoted value ${literal} has an invalid escape`
            }
            tokens.push({ kind: 'string', at: i, text: literal })
            i = j + 1
        } else {
            let j = i
            while (j < filter.length && !/[\s()"]/.test(filter.charAt(j))) j++
            tokens.push({ kind: 'word', at: i, text: filter.slice(i, j) })
            i = j
        }
    }
    if (tokens.length === 0) return 'it is empty'

    let pos = 0
    const describe = (t: FilterToken | undefined): string =>
        t === undefined
            ? 'the end of the filter'
            : t.kind === 'string' || t.kind === 'word'
              ? t.text
              : `"${t.kind === 'open' ? '(' : ')'}"`

    const parseTerm = (): string | undefined => {
        const t = tokens[pos]
        if (t === undefined) return 'it ends where a comparison was expected'
        if (t.kind === 'open') {
            pos++
            const problem = parseExpression()
            if (problem !== undefined) return problem
            if (tokens[pos]?.kind !== 'close') return 'unbalanced parentheses: a "(" is never closed'
            pos++
            return undefined
        }
        if (t.kind !== 'word') return `expected an attribute name but found ${describe(t)}`
        if (t.text.toLowerCase() === 'not')
            return 'Salesforce does not support "not"; rewrite it with ne or the opposite operator'
        if (t.text.includes('[')) return `value filters like ${t.text} are not supported by Salesforce`
        if (!/^[A-Za-z][\w$.:-]*[\w$]$|^[A-Za-z]$/.test(t.text)) return `"${t.text}" is not an attribute name`
        pos++
        const op = tokens[pos]
        if (op === undefined || op.kind !== 'word')
            return `expected an operator after ${t.text} but found ${describe(op)}`
        const operator = op.text.toLowerCase()
        pos++
        if (operator === 'pr') return undefined
        if (!FILTER_OPERATORS.has(operator)) {
            return `unknown operator "${op.text}"; use eq, ne, co, sw, ew, gt, ge, lt, le or pr`
        }
        const value = tokens[pos]
        if (value === undefined || value.kind !== 'string') {
            const got = describe(value)
            return `the value after "${t.text} ${op.text}" must be a double-quoted string, e.g. ${t.text} ${op.text} "x" (got ${got})`
        }
        pos++
        return undefined
    }

    const parseExpression = (): string | undefined => {
        const first = parseTerm()
        if (first !== undefined) return first
        for (;;) {
            const t = tokens[pos]
            if (t === undefined || t.kind === 'close') return undefined
            if (t.kind !== 'word' || (t.text.toLowerCase() !== 'and' && t.text.toLowerCase() !== 'or')) {
                return `expected "and", "or" or ")" but found ${describe(t)}`
            }
            pos++
            const next = parseTerm()
            if (next !== undefined) return next
        }
    }

    const problem = parseExpression()
    if (problem !== undefined) return problem
    if (pos < tokens.length) return 'unbalanced parentheses: a ")" has no matching "("'
    return undefined
}
