import {
    AuthenticationError,
    InsufficientPermissionError,
    InvalidConfigurationError,
    InvalidRequestError,
    InvalidResponseError,
    LicenseLimitError,
    NotFoundError,
    ObjectAlreadyExistsError,
    RateLimitError,
    SalesforceConnectorError,
    SalesforceErrorDetails,
    SalesforceServerError,
    TimeoutError,
} from '../errors'
import { redactSecrets, redactText } from '../logger'
import type { Exchange } from './exchange'
import type { AttemptFailure } from './retry-policy'
import { isRecord } from '../json'

/** What the connector could read out of a Salesforce error body, whatever its shape. */
export interface ParsedSalesforceError {
    /** Salesforce's code (`DUPLICATE_USERNAME`, `INVALID_SESSION_ID`, `invalid_grant`), when the body has one. */
    readonly errorCode?: string
    /** Salesforce's own words, verbatim apart from whitespace and `<br>`. */
    readonly text: string
    readonly fields?: readonly string[]
    /** HTML or an empty body: the request probably did not reach the Salesforce API at all. */
    readonly notApi?: boolean
    /** Every code in the body, in order, for bodies that carry several errors. */
    readonly codes: readonly string[]
}

/** The request an error belongs to, as it may appear in a message: method and path only, never the query. */
export interface RequestSummary {
    readonly method: string
    readonly path: string
}

const MAX_TEXT_LENGTH = 1000

function str(value: unknown): string | undefined {
    return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function clean(text: string): string {
    const flat = text
        .replace(/<br\s*\/?>/gi, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    return flat.length > MAX_TEXT_LENGTH ? `${flat.slice(0, MAX_TEXT_LENGTH)}…` : flat
}

const CODE = /^[A-Z][A-Z0-9_]{2,}$/

interface Segment {
    readonly code?: string
    readonly reason: string
}

/**
 * Splits Salesforce's SCIM `detail`, which strings failures together as `CODE:reason;CODE:reason;`, e.g.
 * `REQUIRED_FIELD_MISSING:user_must_have_one_entitlement_which_must_be_a_profileid;`. Platform DML failures
 * arrive as the exception text instead (`Insert failed. First exception on row 0; first error: CODE, text`).
 */
export function parseScimDetail(detail: string): Segment[] {
    const text = detail.trim()
    const dml = /first error: ([A-Z][A-Z0-9_]{2,}),?\s*([\s\S]*)$/.exec(text)
    if (dml?.[1] !== undefined) return [{ code: dml[1], reason: (dml[2] ?? '').replace(/:\s*\[\]\s*$/, '').trim() }]
    if (!/^[A-Z][A-Z0-9_]{2,}\s*:/.test(text)) {
        const embedded = /\b([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)\b/.exec(text)
        if (embedded?.[1] !== undefined && KNOWN_CODES.has(embedded[1])) return [{ code: embedded[1], reason: text }]
        return [{ reason: text.replace(/;$/, '') }]
    }
    const segments: Segment[] = []
    const pattern = /([A-Z][A-Z0-9_]{2,})\s*:([\s\S]*?)(?:;\s*(?=[A-Z][A-Z0-9_]{2,}\s*:)|;?\s*$)/g
    for (const match of text.matchAll(pattern)) {
        segments.push({ code: match[1], reason: (match[2] ?? '').trim() })
    }
    return segments.length > 0 ? segments : [{ reason: text }]
}

function fromSegments(segments: readonly Segment[]): ParsedSalesforceError {
    const codes = segments.flatMap((s) => (s.code !== undefined ? [s.code] : []))
    const primary = codes.find((c) => ERROR_RULES[c] !== undefined) ?? codes[0]
    const text = segments
        .map((s) => (s.code === undefined || s.code === primary ? s.reason : `${s.code}: ${s.reason}`))
        .filter((t) => t !== '')
        .join('; ')
    const fields = segments.flatMap((s) => {
        if (s.code !== 'REQUIRED_FIELD_MISSING' && s.code !== 'UNSUPPORTED_FIELD') return []
        if (PROFILE_MISSING.test(s.reason)) return ['entitlements']
        return /^[A-Za-z][\w.]*$/.test(s.reason) ? [s.reason] : []
    })
    return {
        ...(primary !== undefined ? { errorCode: primary } : {}),
        text: clean(text !== '' ? text : (primary ?? '')),
        ...(fields.length > 0 ? { fields } : {}),
        codes,
    }
}

/**
 * Reads any error body Salesforce sends: the REST array `[{message, errorCode, fields}]`, the SCIM 2.0 error
 * (with `schemas` as an array or as a JSON string, and `CODE:reason;` detail), the bare `{message, errorCode}`
 * object, SCIM 1.1 `{Errors:[{description, code}]}`, the OAuth `{error, error_description}`, and HTML or empty
 * bodies from something that is not the API.
 */
export function parseSalesforceError(data: unknown, contentType?: string): ParsedSalesforceError {
    if (data === undefined || data === null || (typeof data === 'string' && data.trim() === '')) {
        return { text: 'the response body is empty', notApi: true, codes: [] }
    }
    if (typeof data === 'string') {
        const trimmed = data.trim()
        if (/html/i.test(contentType ?? '') || trimmed.startsWith('<')) {
            const title = /<title>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1]
            const summary = title !== undefined ? `an HTML page ("${clean(title)}")` : 'an HTML page'
            return { text: `${summary} instead of JSON`, notApi: true, codes: [] }
        }
        try {
            return parseSalesforceError(JSON.parse(trimmed) as unknown)
        } catch {
            return fromSegments(parseScimDetail(clean(trimmed)))
        }
    }
    if (Array.isArray(data)) {
        const items = data.filter(isRecord)
        const segments: Segment[] = []
        const fields: string[] = []
        for (const item of items) {
            const code = str(item.errorCode)
            segments.push({ ...(code !== undefined ? { code } : {}), reason: str(item.message) ?? '' })
            if (Array.isArray(item.fields)) for (const f of item.fields) if (typeof f === 'string') fields.push(f)
        }
        if (segments.length === 0) return { text: clean(JSON.stringify(data)), codes: [] }
        const parsed = fromSegments(segments)
        return fields.length > 0 ? { ...parsed, fields } : parsed
    }
    if (!isRecord(data)) return { text: clean(JSON.stringify(data) ?? typeof data), codes: [] }

    const oauthError = str(data.error)
    if (oauthError !== undefined) {
        const description = str(data.error_description)
        return { errorCode: oauthError, text: clean(description ?? oauthError), codes: [oauthError] }
    }
    if (Array.isArray(data.Errors)) {
        const descriptions = data.Errors.filter(isRecord).flatMap((e) => {
            const d = str(e.description)
            return d !== undefined ? [d] : []
        })
        return fromSegments(descriptions.flatMap(parseScimDetail))
    }
    const detail = str(data.detail)
    if (detail !== undefined) return fromSegments(parseScimDetail(detail))
    const message = str(data.message)
    const errorCode = str(data.errorCode)
    if (message !== undefined || errorCode !== undefined) {
        return fromSegments([{ ...(errorCode !== undefined ? { code: errorCode } : {}), reason: message ?? '' }])
    }
    return { text: clean(JSON.stringify(data)), codes: [] }
}

type ErrorClass = new (message: string, details?: SalesforceErrorDetails) => SalesforceConnectorError

interface ErrorRule {
    readonly error: ErrorClass
    /** What happened, in the admin's terms. */
    readonly what: string
    /** What to do about it; may read Salesforce's text to name the setting involved. */
    readonly advice: string | ((text: string) => string)
}

const PROFILE_MISSING = /must_have_one_entitlement_which_must_be_a_profileid|profile/i

const SUPPORT_ADVICE =
    'If it persists, check https://status.salesforce.com and give Salesforce Support the error text (it may hold an error ID)'

function quotedNames(text: string): string[] {
    // Quoted names only: apostrophes inside words ("can't", "User's") are not quotes.
    const names = [...text.matchAll(/(?:^|[\s(:])(?:'([^']+)'|"([^"]+)")(?=[\s.,;:)]|$)/g)].map(
        (m) => m[1] ?? m[2] ?? ''
    )
    const required = /requires?\s+(?:the\s+)?(?:…\s*)?([A-Z][\w ]*?)(?:[.;,]|$)/.exec(text)?.[1]
    return [...new Set([...names, ...(required !== undefined ? [required.trim()] : [])])].filter((n) => n !== '')
}

/**
 * Advice for Salesforce's refusals of a valid-looking change: a profile whose user license does not match the
 * user's, and deactivations blocked by a reference to the user elsewhere in the org (the text names it).
 */
function adviseRefusal(text: string, fallback: string): string {
    if (/license/i.test(text) && /profile|derived|doesn't|does not|match/i.test(text)) {
        const names = quotedNames(text)
        const named = names.length > 0 ? ` (${names.join(', ')})` : ''
        return (
            `The profile and the user's license do not match${named}: pick a profile of the same user license as the ` +
            "user, or change the user's license first in Salesforce Setup → Users"
        )
    }
    if (/hierarchy field/i.test(text)) {
        return (
            'Salesforce will not deactivate a user other users point to through a hierarchy field (e.g. Manager): in ' +
            "Salesforce Setup → Users, change those users' Manager (or the custom hierarchy field) first, or freeze the user instead"
        )
    }
    if (/web-to-lead|lead creator/i.test(text)) {
        return 'The user is the Default Lead Creator: change it in Salesforce Setup → Web-to-Lead, then retry'
    }
    if (/case owner|automated case|support settings/i.test(text)) {
        return (
            'The user is the default case owner or Automated Case User: change it in Salesforce Setup → Support ' +
            'Settings, then retry'
        )
    }
    if (/inactivate|deactivate/i.test(text)) {
        return (
            'Salesforce refuses to deactivate a user that org settings still reference (the text above names it): ' +
            'change that reference in Salesforce Setup, or freeze the user instead'
        )
    }
    return fallback
}

const INVALID_VALUE_ADVICE =
    'Check the values sent for this account against Salesforce (profile, permission sets, role, email, locale, time zone)'

const PERMISSION_ADVICE =
    'The integration user needs the "Manage Users" and "API Enabled" permissions (System Administrator has both); ' +
    "grant them through the user's profile or a permission set"

/**
 * The one table that turns a Salesforce or OAuth error code into an error class and advice. Codes not listed
 * fall back on the HTTP status (see `statusRule`).
 */
const ERROR_RULES: Readonly<Record<string, ErrorRule>> = {
    INVALID_SESSION_ID: {
        error: AuthenticationError,
        what: 'Salesforce refused the session',
        advice: (text) =>
            /not valid for use with the REST API/i.test(text)
                ? 'Add the "Manage user data via APIs (api)" OAuth scope to the connected app, and check that no session ' +
                  'policy (e.g. high assurance) blocks API sessions for the integration user'
                : 'A fresh token was refused too: check the connected app\'s IP relaxation and session policies, "Lock ' +
                  'sessions to the IP address from which they originated", and that the integration user is API Enabled',
    },
    REQUEST_LIMIT_EXCEEDED: {
        error: RateLimitError,
        what: 'Salesforce API request limit reached',
        advice: (text) =>
            /concurrent/i.test(text)
                ? 'Too many long-running requests run at once in the org: lower Max Concurrency or run fewer jobs at the same time'
                : "The org's API request limit is a rolling 24-hour limit for the whole org: see Setup → Company Information " +
                  '(API Requests, Last 24 Hours) or Setup → System Overview. The connector does not retry it; wait for ' +
                  'usage to drop, or ask Salesforce for a higher limit',
    },
    DUPLICATE_USERNAME: {
        error: ObjectAlreadyExistsError,
        what: 'The userName is already taken',
        advice:
            'A Salesforce userName must be unique across all Salesforce orgs, not just this one: choose another ' +
            "userName (it does not have to be the user's email address)",
    },
    DUPLICATE_VALUE: {
        error: InvalidRequestError,
        what: 'A value that must be unique is already used',
        advice: 'Another user already has this value (often nickName, i.e. the community nickname, or the federation ID): choose another',
    },
    LICENSE_LIMIT_EXCEEDED: {
        error: LicenseLimitError,
        what: 'No Salesforce license left',
        advice:
            "No user license of the profile's license type is free: deactivate unused users to free licenses, buy more, " +
            'or choose a profile of another license type (Setup → Company Information lists licenses in use)',
    },
    REQUIRED_FIELD_MISSING: {
        error: InvalidRequestError,
        what: 'Salesforce needs a field that was not sent',
        advice: (text) =>
            PROFILE_MISSING.test(text)
                ? 'Every Salesforce user needs exactly one profile: include a profile entitlement (an id starting 00e) in ' +
                  'the request, or set Default Profile ID on the source'
                : 'Send the missing field (userName, email and last name are required for a new user)',
    },
    INVALID: {
        error: InvalidRequestError,
        what: 'Salesforce refused a value',
        advice: (text) => adviseRefusal(text, INVALID_VALUE_ADVICE),
    },
    INVALID_FIELD: {
        error: InvalidRequestError,
        what: 'Salesforce refused a field',
        advice: (text) => adviseRefusal(text, INVALID_VALUE_ADVICE),
    },
    FIELD_INTEGRITY_EXCEPTION: {
        error: InvalidRequestError,
        what: 'Salesforce refused the change',
        advice: (text) => adviseRefusal(text, INVALID_VALUE_ADVICE),
    },
    CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: {
        error: InvalidRequestError,
        what: 'Salesforce refused the change',
        advice: (text) =>
            adviseRefusal(text, 'An automation in the org (flow, trigger or validation) refused it; its text is above'),
    },
    FIELD_CUSTOM_VALIDATION_EXCEPTION: {
        error: InvalidRequestError,
        what: 'A validation rule in the org refused the change',
        advice: 'Adjust the value or the validation rule on the User object (Setup → Object Manager → User → Validation Rules)',
    },
    INVALID_CROSS_REFERENCE_KEY: {
        error: InvalidRequestError,
        what: 'Salesforce does not know a referenced id',
        advice: 'A profile, permission set, role, group or manager id sent does not exist in this org',
    },
    UNSUPPORTED_FIELD: {
        error: InvalidRequestError,
        what: 'Salesforce does not support a field',
        advice: "Salesforce's SCIM API does not store this attribute; remove it from the account create/update profile",
    },
    INVALID_EMAIL_ADDRESS: {
        error: InvalidRequestError,
        what: 'Salesforce refused the email address',
        advice: 'Send a valid email address',
    },
    STRING_TOO_LONG: {
        error: InvalidRequestError,
        what: 'A value is too long for Salesforce',
        advice: 'Shorten the value (nickName allows 40 characters, alias 8)',
    },
    INVALID_NEW_PASSWORD: {
        error: InvalidRequestError,
        what: 'Salesforce refused the new password',
        advice:
            "The password does not meet the org's password policy or repeats a recent one: see Setup → Password Policies " +
            "(or the user's profile password policy)",
    },
    INSUFFICIENT_ACCESS: {
        error: InsufficientPermissionError,
        what: 'The integration user lacks a permission',
        advice: PERMISSION_ADVICE,
    },
    API_DISABLED_FOR_ORG: {
        error: InsufficientPermissionError,
        what: 'The Salesforce API is not enabled',
        advice: 'The org edition must include API access and the integration user needs "API Enabled"',
    },
    API_CURRENTLY_DISABLED: {
        error: InsufficientPermissionError,
        what: 'The Salesforce API is disabled for this user',
        advice: 'Grant the integration user "API Enabled" through its profile or a permission set',
    },
    NOT_FOUND: {
        error: NotFoundError,
        what: 'Not found in Salesforce',
        advice: 'It may have been removed in Salesforce; aggregate the source again',
    },
    UNKNOWN_EXCEPTION: {
        error: SalesforceServerError,
        what: 'Salesforce failed to process the request',
        advice: SUPPORT_ADVICE,
    },
    // OAuth token endpoint: HTTP 400 {error, error_description}.
    invalid_client_id: {
        error: AuthenticationError,
        what: 'Salesforce did not recognise the connected app',
        advice:
            'Check Consumer Key: copy it again from Setup → App Manager → the connected app → View → Manage Consumer ' +
            'Details, and check that Login URL is the org the app lives in (a new app can take up to 10 minutes to work)',
    },
    invalid_client: {
        error: AuthenticationError,
        what: 'Salesforce refused the client credentials',
        advice: (text) =>
            /no client credentials user enabled/i.test(text)
                ? 'Enable the Client Credentials Flow on the connected app and set its "Run As" user'
                : 'Check Consumer Secret (Setup → App Manager → the connected app → Manage Consumer Details); a ' +
                  'regenerated secret replaces the old one',
    },
    invalid_grant: {
        error: AuthenticationError,
        what: 'Salesforce refused to log in',
        advice: (text) => {
            if (/audience/i.test(text)) {
                return (
                    'Check Login URL: use https://login.salesforce.com (or your My Domain) for production and ' +
                    'https://test.salesforce.com (or the sandbox My Domain) for a sandbox'
                )
            }
            if (/approved/i.test(text)) {
                return (
                    'The integration user is not pre-authorized for the connected app: set Permitted Users to "Admin ' +
                    'approved users are pre-authorized" and add the user\'s profile or a permission set to the app ' +
                    '(Setup → Connected Apps → Manage → Edit Policies)'
                )
            }
            if (/client credentials user/i.test(text)) {
                return 'Enable the Client Credentials Flow on the connected app and set its "Run As" user'
            }
            if (/not supported on this domain/i.test(text)) {
                return 'Client credentials need the My Domain URL as Login URL, e.g. https://mycompany.my.salesforce.com'
            }
            if (/invalid assertion|jwt|signature|certificate/i.test(text)) {
                return 'The certificate on the connected app does not match Private Key, or Username is not in this org'
            }
            if (/expired/i.test(text)) return 'The grant has expired; authenticate again'
            return (
                "Check Username, Password and Security Token (append the token, or add the connector's IP range to " +
                "the profile's Login IP Ranges or the org's trusted IPs); check that the user is not locked out"
            )
        },
    },
    unsupported_grant_type: {
        error: AuthenticationError,
        what: 'Salesforce does not allow this login flow',
        advice:
            'Enable this flow on the connected app (Client Credentials, or JWT with "Use digital signatures"); ' +
            'the username-password flow may be blocked by the org ("Allow OAuth Username-Password Flows")',
    },
    inactive_user: {
        error: AuthenticationError,
        what: 'The integration user is inactive',
        advice: 'Reactivate the integration user in Salesforce Setup → Users, or configure another user',
    },
    inactive_org: {
        error: AuthenticationError,
        what: 'The Salesforce org is inactive',
        advice: 'The org is locked, deleted or its trial has ended; check the org in Salesforce',
    },
    invalid_request: {
        error: AuthenticationError,
        what: 'Salesforce refused the login request',
        advice: 'Check Authentication Type and Login URL',
    },
    rate_limit_exceeded: {
        error: RateLimitError,
        what: 'Salesforce limited logins',
        advice: 'Too many logins in a short time: wait a few minutes and retry',
    },
}

/** Codes recognised even when Salesforce buries them in free text. */
const KNOWN_CODES = new Set(Object.keys(ERROR_RULES).filter((c) => CODE.test(c)))

function ruleFor(code: string | undefined): ErrorRule | undefined {
    if (code === undefined) return undefined
    if (code.startsWith('INSUFFICIENT_ACCESS')) return ERROR_RULES.INSUFFICIENT_ACCESS
    return ERROR_RULES[code]
}

const FILTER_PROBLEM =
    /unsupported attribute|unsupported operator|quoted string literal|unbalanced brackets|illegal token|only one membership/i

/** Rules for a status whose body named no code the connector knows. */
const STATUS_RULES: Readonly<Record<number, ErrorRule>> = {
    400: { error: InvalidRequestError, what: 'Salesforce refused the request', advice: INVALID_VALUE_ADVICE },
    401: {
        error: AuthenticationError,
        what: 'Salesforce refused the credentials',
        advice: 'Run Test Connection; check the connected app and the integration user',
    },
    403: { error: InsufficientPermissionError, what: 'Salesforce denied access', advice: PERMISSION_ADVICE },
    404: {
        error: NotFoundError,
        what: 'Not found in Salesforce',
        advice: 'It may have been removed in Salesforce; aggregate the source again',
    },
    409: { error: InvalidRequestError, what: 'Salesforce refused the change', advice: INVALID_VALUE_ADVICE },
    429: { error: RateLimitError, what: 'Salesforce limited the request rate', advice: 'Lower Max Concurrency' },
}

function statusRule(status: number, parsed: ParsedSalesforceError): ErrorRule {
    if (parsed.notApi) {
        return {
            error: status >= 500 ? SalesforceServerError : InvalidResponseError,
            what: 'Salesforce did not answer like its API',
            advice:
                "Check Login URL: it must be the org's login host or My Domain (https://mycompany.my.salesforce.com), " +
                'not a Lightning, Visualforce or Experience site address, and nothing (proxy, firewall) may rewrite the response',
        }
    }
    if (FILTER_PROBLEM.test(parsed.text)) {
        return {
            error: InvalidRequestError,
            what: 'Salesforce refused the filter',
            advice: 'Check Account Filter: quote every value ("true" too), balance parentheses, use known attributes',
        }
    }
    const byStatus = STATUS_RULES[status]
    if (byStatus !== undefined) return byStatus
    if (status >= 500) {
        return { error: SalesforceServerError, what: 'Salesforce failed on its side', advice: SUPPORT_ADVICE }
    }
    return {
        error: InvalidResponseError,
        what: `Salesforce answered HTTP ${status}, which the connector does not expect`,
        advice: 'Check Login URL; a redirect usually means a wrong or outdated host',
    }
}

function pickRule(status: number, parsed: ParsedSalesforceError): ErrorRule {
    const coded = [parsed.errorCode, ...parsed.codes].map(ruleFor).find((r) => r !== undefined)
    if (coded === ERROR_RULES.NOT_FOUND && /could not find a match for url/i.test(parsed.text)) {
        // An unknown *path*, not an unknown record: reporting notFound would make ISC create the account again.
        return {
            error: InvalidResponseError,
            what: 'Salesforce has no SCIM API at this address',
            advice: 'Check Login URL and that the org has SCIM (it needs API access)',
        }
    }
    return coded ?? statusRule(status, parsed)
}

/**
 * Turns a Salesforce error response into the connector's error, as
 * `<what happened>: <errorCode>: <Salesforce text> (HTTP <status> <METHOD> <path>). <What to do>`.
 * Secrets are redacted from Salesforce's text; the error carries only code, status and fields.
 */
export function toConnectorError(
    status: number,
    parsed: ParsedSalesforceError,
    request: RequestSummary,
    secrets: readonly (string | undefined)[] = []
): SalesforceConnectorError {
    const rule = pickRule(status, parsed)
    const advice = typeof rule.advice === 'string' ? rule.advice : rule.advice(parsed.text)
    const text = redactSecrets(redactText(parsed.text), secrets)
    const code = parsed.errorCode !== undefined ? `${parsed.errorCode}: ` : ''
    const message = `${rule.what}: ${code}${text} (HTTP ${status} ${request.method} ${request.path}). ${advice}`
    return new rule.error(message, {
        ...(parsed.errorCode !== undefined ? { errorCode: parsed.errorCode } : {}),
        status,
        ...(parsed.fields !== undefined ? { fields: parsed.fields } : {}),
    })
}

/** Codes of failures where the request may or may not have reached Salesforce. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_NETWORK', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])
const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/

/**
 * Turns a failure without an HTTP response (timeout, dropped connection, DNS, TLS) into the connector's error.
 * `code` is Node's or axios's error code; it becomes the error's `errorCode`.
 */
export function networkError(
    code: string | undefined,
    description: string,
    request: RequestSummary,
    timeoutSeconds: number
): SalesforceConnectorError {
    const where = `(${request.method} ${request.path})`
    const errorCode = code ?? (/socket hang up/i.test(description) ? 'ECONNRESET' : 'ERR_NETWORK')
    const details = { errorCode }
    if (errorCode === 'ECONNABORTED' || errorCode === 'ETIMEDOUT' || errorCode === 'ESOCKETTIMEDOUT') {
        return new TimeoutError(
            `Salesforce did not answer in time: ${errorCode} ${where}. Salesforce may be slow; raise Request Timeout ` +
                `(now ${timeoutSeconds} s) or retry later`,
            details
        )
    }
    if (DROPPED_CODES.has(errorCode)) {
        return new TimeoutError(
            `The connection to Salesforce dropped: ${errorCode} ${where}. Retry later; if it persists, check the ` +
                'network path to Salesforce',
            details
        )
    }
    if (errorCode === 'ENOTFOUND' || errorCode === 'EAI_AGAIN' || errorCode === 'ECONNREFUSED') {
        return new InvalidConfigurationError(
            `Could not reach Salesforce: ${errorCode} ${where}. Check Login URL (host name and spelling)`,
            details
        )
    }
    if (TLS_CODES.test(errorCode)) {
        return new InvalidConfigurationError(
            `The TLS certificate presented for Salesforce was not trusted: ${errorCode} ${where}. Check Login URL; a ` +
                'proxy that inspects TLS must not sit between the connector and Salesforce',
            details
        )
    }
    return new TimeoutError(`The request to Salesforce failed: ${errorCode} ${where}. Retry later`, details)
}

/** A failed exchange as retrying judges it: the network code, or the status with Salesforce's code and Retry-After. */
export function attemptFailure(outcome: Exchange, parsed: ParsedSalesforceError | undefined): AttemptFailure {
    return outcome.kind === 'network'
        ? { kind: 'network', code: outcome.code ?? '' }
        : {
              kind: 'status',
              status: outcome.status,
              ...(parsed?.errorCode !== undefined ? { errorCode: parsed.errorCode } : {}),
              ...(outcome.retryAfter !== undefined ? { retryAfter: outcome.retryAfter } : {}),
          }
}

/**
 * Whether a 401 means the session expired, so a new token and one replay may help. Salesforce also answers
 * INVALID_SESSION_ID for sessions a policy bars from the API ("This session is not valid for use with the
 * REST API"); refreshing cannot fix those and would loop.
 */
export function isSessionExpired(status: number, parsed: ParsedSalesforceError): boolean {
    return (
        status === 401 &&
        parsed.codes.includes('INVALID_SESSION_ID') &&
        !/not valid for use with the REST API|not attached to Agent/i.test(parsed.text)
    )
}
