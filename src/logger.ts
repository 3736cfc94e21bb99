import { logger as sdkLogger } from '@sailpoint/connector-sdk'

/** What every redacted value is replaced with, in logs, traces and error texts. */
const REDACTED = '[REDACTED]'

/** Keys whose values are secrets wherever they appear: config, token bodies, headers, traces. */
const SECRET_KEYS = [
    'password',
    'clientSecret',
    'privateKey',
    'accessToken',
    'access_token',
    'assertion',
    'client_secret',
    'authorization',
    'Authorization',
    'securityToken',
    'refresh_token',
    'refreshToken',
    'signature',
] as const

const SECRET_KEY_SET = new Set<string>(SECRET_KEYS.map((k) => k.toLowerCase()))

/** Whether a member or form field of this name holds a secret, whatever its case. */
export function isSecretKey(key: string): boolean {
    return SECRET_KEY_SET.has(key.toLowerCase())
}

/** pino's redaction has no "any depth" wildcard, so list the key at the top level and three levels down. */
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`])

/**
 * The connector's only logger: the SDK logger (which adds the command's invocationId and requestId) with
 * secrets redacted. Do not log fields named id, version, requestId, invocationId or commandType at the top
 * level: the SDK overwrites them with its own context.
 */
export const logger = sdkLogger.child(
    { connectorName: 'salesforce-scim' },
    { redact: { paths: REDACT_PATHS, censor: REDACTED } }
)

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Replaces each known secret (and its URL-encoded and JSON-escaped forms, as they appear in form bodies and
 * serialised JSON) with `[REDACTED]`. Secrets shorter than 4 characters are skipped: they would match noise.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
    const forms = new Set<string>()
    for (const secret of secrets) {
        if (secret === undefined || secret.length < 4) continue
        forms.add(secret)
        forms.add(encodeURIComponent(secret))
        forms.add(new URLSearchParams({ s: secret }).toString().slice(2))
        forms.add(JSON.stringify(secret).slice(1, -1))
        // PEM keys leak line by line as often as whole.
        for (const line of secret.split('\n')) if (line.length >= 40 && !line.startsWith('-----')) forms.add(line)
    }
    let result = text
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
        if (form.length >= 4) result = result.replace(new RegExp(escapeRegExp(form), 'g'), REDACTED)
    }
    return result
}

/**
 * Redacts secrets recognisable by shape rather than by value: Salesforce session ids (`00D…!…`), bearer and
 * OAuth header values, form fields and JSON members with secret names, and PEM private key blocks. A version
 * number after Bearer or OAuth is no token: "OAuth 2.0" in Salesforce's own messages stays readable.
 */
export function redactText(text: string): string {
    return text
        .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED)
        .replace(/\b00D[a-zA-Z0-9]{12,15}![A-Za-z0-9._-]+/g, REDACTED)
        .replace(
            /\b(Bearer|OAuth)\s+(?!\d{1,3}(?:\.\d{1,3}){0,3}\.?(?![A-Za-z0-9._~+/!=-]))[A-Za-z0-9._~+/!=-]+/g,
            `$1 ${REDACTED}`
        )
        .replace(
            /\b(access_token|refresh_token|client_secret|assertion|password|signature)=[^&\s"]*/gi,
            (_match, key: string) => `${key}=${REDACTED}`
        )
        .replace(
            /"(access_token|refresh_token|client_secret|clientSecret|assertion|password|privateKey|accessToken|securityToken|signature|authorization)"(\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
            (_match, key: string, sep: string) => `"${key}"${sep}"${REDACTED}"`
        )
}

/** A deep copy of `value` with secret-named members replaced and secret-shaped strings redacted, at any depth. */
export function redactDeep(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return redactText(value)
    if (typeof value !== 'object' || value === null) return value
    if (depth > 20) return '[too deep]'
    if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1))
    const out: Record<string, unknown> = {}
    for (const [key, member] of Object.entries(value)) {
        out[key] = isSecretKey(key) ? REDACTED : redactDeep(member, depth + 1)
    }
    return out
}
