import { isRecord } from '../json'

/**
 * Reading Salesforce's error bodies. Four shapes coexist (salesforce-scim.md §3): the SCIM 2.0 error with a
 * stringified `schemas` and `CODE:reason;` detail, the bare `{message, errorCode}` object (Spring '26 payload
 * errors), SCIM 1.1 `{Errors:[{description, code}]}`, and the platform's REST array `[{message, errorCode,
 * fields}]`; the token endpoint adds OAuth's `{error, error_description}`. HTML or an empty body means the answer
 * did not come from the API. What each code means to an admin is `error-rules.ts`'s business, not this module's.
 */

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

/** Whether the connector has something to say about a code: such a code is the one a message leads with. */
type KnownCode = (code: string) => boolean

export interface Segment {
    readonly code?: string
    readonly reason: string
}

const MAX_TEXT_LENGTH = 1000
const CODE_AT_START = /^[A-Z][A-Z0-9_]{2,}\s*:/
const EMBEDDED_CODE = /\b([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)\b/
/** The pilot names a missing profile this way; the connector reports it as the `entitlements` field. */
export const PROFILE_MISSING = /must_have_one_entitlement_which_must_be_a_profileid|profile/i

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

/**
 * Splits Salesforce's SCIM `detail`, which strings failures together as `CODE:reason;CODE:reason;`, e.g.
 * `REQUIRED_FIELD_MISSING:user_must_have_one_entitlement_which_must_be_a_profileid;`. Platform DML failures
 * arrive as the exception text instead (`Insert failed. First exception on row 0; first error: CODE, text`).
 * A code buried in free text counts only if `known` knows it, so a shouted word is not taken for a code.
 */
export function parseScimDetail(detail: string, known: KnownCode = () => false): Segment[] {
    const text = detail.trim()
    const dml = /first error: ([A-Z][A-Z0-9_]{2,}),?\s*([\s\S]*)$/.exec(text)
    if (dml?.[1] !== undefined) return [{ code: dml[1], reason: (dml[2] ?? '').replace(/:\s*\[\]\s*$/, '').trim() }]
    if (!CODE_AT_START.test(text)) {
        const embedded = EMBEDDED_CODE.exec(text)?.[1]
        if (embedded !== undefined && known(embedded)) return [{ code: embedded, reason: text }]
        return [{ reason: text.replace(/;$/, '') }]
    }
    const segments: Segment[] = []
    const pattern = /([A-Z][A-Z0-9_]{2,})\s*:([\s\S]*?)(?:;\s*(?=[A-Z][A-Z0-9_]{2,}\s*:)|;?\s*$)/g
    for (const match of text.matchAll(pattern)) {
        const code = match[1]
        segments.push({ ...(code !== undefined ? { code } : {}), reason: (match[2] ?? '').trim() })
    }
    return segments.length > 0 ? segments : [{ reason: text }]
}

function fromSegments(segments: readonly Segment[], known: KnownCode): ParsedSalesforceError {
    const codes = segments.flatMap((s) => (s.code !== undefined ? [s.code] : []))
    const primary = codes.find(known) ?? codes[0]
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
 * Reads any error body Salesforce sends (see the module comment). `known` says which codes the connector has
 * advice for: of several codes, the first known one leads the message.
 */
export function parseErrorBody(
    data: unknown,
    contentType: string | undefined,
    known: KnownCode
): ParsedSalesforceError {
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
            return parseErrorBody(JSON.parse(trimmed) as unknown, undefined, known)
        } catch {
            return fromSegments(parseScimDetail(clean(trimmed), known), known)
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
        const parsed = fromSegments(segments, known)
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
        return fromSegments(
            descriptions.flatMap((d) => parseScimDetail(d, known)),
            known
        )
    }
    const detail = str(data.detail)
    if (detail !== undefined) return fromSegments(parseScimDetail(detail, known), known)
    const message = str(data.message)
    const errorCode = str(data.errorCode)
    if (message !== undefined || errorCode !== undefined) {
        return fromSegments([{ ...(errorCode !== undefined ? { code: errorCode } : {}), reason: message ?? '' }], known)
    }
    return { text: clean(JSON.stringify(data)), codes: [] }
}
