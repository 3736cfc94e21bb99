import { AxiosInstance, AxiosRequestConfig, isAxiosError } from 'axios'
import { isAscii, isUtf8 } from 'buffer'
import { logger, redactDeep, redactSecrets } from '../logger'

/** One HTTP round trip's outcome: a response of any status, or a failure before its body was whole. */
export type Exchange =
    | {
          readonly kind: 'response'
          readonly status: number
          /** The body as JSON where it is JSON, else its text ('' when empty): see `readBody`. */
          readonly data: unknown
          readonly contentType?: string
          readonly retryAfter?: string
          /** The `Date` header: Salesforce's clock. */
          readonly date?: string
          /** The `Sforce-Limit-Info` header: the org's daily API usage. */
          readonly limitInfo?: string
          readonly ms: number
      }
    | { readonly kind: 'network'; readonly code?: string; readonly description: string; readonly ms: number }

/** Node's HTTP parser joins or drops repeats of these headers (only set-cookie comes as an array). */
function header(value: unknown): string | undefined {
    return typeof value === 'string' ? value : undefined
}

const BACKSLASH = 0x5c
const LETTER_U = 0x75
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1')
/** Bytes checked at once by the native ASCII check; a run of ASCII this long is copied without a look at each byte. */
const ASCII_CHUNK = 256

/**
 * Where the ASCII text is built: reused from body to body (the reading is synchronous), so that a page costs no
 * buffer of its own. An escape (6 bytes per UTF-16 unit) is at most three times the UTF-8 it replaces.
 */
let scratch = Buffer.alloc(0)
/** The most the reused buffer grows to (a body of about 1.3 MB): a larger body gets a buffer of its own, let go after. */
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024

/** Writes one UTF-16 code unit as `\uXXXX` at `at`; returns where the next byte goes. */
function writeEscape(out: Buffer, at: number, unit: number): number {
    out[at] = BACKSLASH
    out[at + 1] = LETTER_U
    out[at + 2] = HEX_DIGITS[unit >> 12] as number
    out[at + 3] = HEX_DIGITS[(unit >> 8) & 15] as number
    out[at + 4] = HEX_DIGITS[(unit >> 4) & 15] as number
    out[at + 5] = HEX_DIGITS[unit & 15] as number
    return at + 6
}

/**
 * The body as JSON text in which every character is ASCII, or undefined where that cannot be had safely. JSON
 * allows characters past ASCII only inside strings, where a `\uXXXX` escape means the same, so the text parses to
 * the same value, or fails to parse just as the decoded text would. It is cheaper to read than the decoded text: a
 * page of 200 users (some 350 KB) with one accented name would decode into a two-byte string of twice its size,
 * and decoding UTF-8 costs V8 several times what copying ASCII does. Runs of ASCII are found by the native check
 * and copied whole; only the stretches holding other characters are read byte by byte (checked UTF-8, so each
 * sequence is whole and well formed).
 */
function asciiJsonText(bytes: Buffer): string | undefined {
    if (isAscii(bytes)) return bytes.toString('latin1')
    // Invalid UTF-8 decodes with replacement characters: left to the plain decoding, which defines them.
    if (!isUtf8(bytes)) return undefined
    const needed = bytes.length * 3
    if (needed > MAX_SCRATCH_BYTES) return escapedText(bytes, Buffer.allocUnsafe(needed))
    if (scratch.length < needed) scratch = Buffer.allocUnsafe(needed)
    return escapedText(bytes, scratch)
}

/** `bytes` (checked UTF-8) written into `out` as ASCII, characters past ASCII escaped; see `asciiJsonText`. */
function escapedText(bytes: Buffer, out: Buffer): string | undefined {
    const length = bytes.length
    let written = 0
    // Backslashes just before the current byte: after an odd number, a character would be an escape of its own
    // (invalid JSON), which an escape in its place would not be, so that body is left to the plain decoding.
    let backslashes = 0
    let i = 0
    while (i < length) {
        const chunkEnd = Math.min(i + ASCII_CHUNK, length)
        if (isAscii(bytes.subarray(i, chunkEnd))) {
            bytes.copy(out, written, i, chunkEnd)
            written += chunkEnd - i
            let k = chunkEnd - 1
            while (k >= i && bytes[k] === BACKSLASH) k--
            backslashes = k < i ? backslashes + (chunkEnd - i) : chunkEnd - 1 - k
            i = chunkEnd
            continue
        }
        while (i < chunkEnd) {
            const byte = bytes[i] as number
            if (byte < 0x80) {
                out[written++] = byte
                backslashes = byte === BACKSLASH ? backslashes + 1 : 0
                i++
                continue
            }
            if ((backslashes & 1) === 1) return undefined
            backslashes = 0
            // The continuation bytes' six bits each, after the lead byte's own.
            const b1 = (bytes[i + 1] as number) & 0x3f
            let codePoint: number
            if (byte < 0xe0) {
                codePoint = ((byte & 0x1f) << 6) | b1
                i += 2
            } else if (byte < 0xf0) {
                codePoint = ((byte & 0x0f) << 12) | (b1 << 6) | ((bytes[i + 2] as number) & 0x3f)
                i += 3
            } else {
                const b2 = (bytes[i + 2] as number) & 0x3f
                codePoint = ((byte & 0x07) << 18) | (b1 << 12) | (b2 << 6) | ((bytes[i + 3] as number) & 0x3f)
                i += 4
            }
            if (codePoint < 0x10000) {
                written = writeEscape(out, written, codePoint)
            } else {
                // Past the Basic Multilingual Plane: a surrogate pair, as JSON escapes it.
                const offset = codePoint - 0x10000
                written = writeEscape(out, written, 0xd800 | (offset >> 10))
                written = writeEscape(out, written, 0xdc00 | (offset & 0x3ff))
            }
        }
    }
    return out.toString('latin1', 0, written)
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const

/**
 * A response body read as axios reads one by default: decoded as UTF-8 with a leading byte order mark dropped, then
 * JSON where it parses (whatever the content type says), else the text as it is; an empty body is ''. Read here
 * rather than by axios so that JSON is parsed from ASCII text (see `asciiJsonText`).
 */
export function readBody(raw: unknown): unknown {
    if (!Buffer.isBuffer(raw)) return raw
    const bom = raw.length >= 3 && UTF8_BOM.every((byte, i) => raw[i] === byte)
    const bytes = bom ? raw.subarray(3) : raw
    if (bytes.length === 0) return ''
    const json = asciiJsonText(bytes)
    try {
        return JSON.parse(json ?? bytes.toString('utf8')) as unknown
    } catch {
        // Not JSON: the text itself, decoded.
        return bytes.toString('utf8')
    }
}

/**
 * Sends one request and reads its answer whole. Never throws for an HTTP status: every status comes back as a
 * response, so the caller maps errors in one place. Axios errors are reduced to their code; the error object
 * (which holds the request headers, Authorization included) goes no further.
 */
export async function exchange(http: AxiosInstance, request: AxiosRequestConfig, now: () => number): Promise<Exchange> {
    const started = now()
    try {
        // The body comes as bytes and is read once, by readBody, instead of being decoded and parsed by axios.
        const response = await http.request<unknown>({
            ...request,
            validateStatus: () => true,
            maxRedirects: 0,
            responseType: 'arraybuffer',
            transformResponse: (data: unknown) => data,
        })
        const contentType = header(response.headers['content-type'])
        const retryAfter = header(response.headers['retry-after'])
        const date = header(response.headers['date'])
        const limitInfo = header(response.headers['sforce-limit-info'])
        return {
            kind: 'response',
            status: response.status,
            data: readBody(response.data),
            ...(contentType !== undefined ? { contentType } : {}),
            ...(retryAfter !== undefined ? { retryAfter } : {}),
            ...(date !== undefined ? { date } : {}),
            ...(limitInfo !== undefined ? { limitInfo } : {}),
            ms: now() - started,
        }
    } catch (error: unknown) {
        // A body cut after its headers comes back as ERR_BAD_RESPONSE "stream has been aborted": a dropped
        // connection like any other, and as retryable.
        const aborted = isAxiosError(error) && error.code === 'ERR_BAD_RESPONSE' && /aborted/i.test(error.message)
        const code = aborted ? 'ECONNRESET' : isAxiosError(error) ? error.code : undefined
        const description = error instanceof Error ? error.message : 'request failed'
        return { kind: 'network', ...(code !== undefined ? { code } : {}), description, ms: now() - started }
    }
}

const MAX_TRACED_BODY = 4000

/** A value as it may appear in a trace line: secret-named members and secret-shaped strings redacted. */
function forTrace(value: unknown, secrets: readonly string[]): unknown {
    const redacted = redactDeep(value)
    if (redacted === undefined) return undefined
    const text = redactSecrets(typeof redacted === 'string' ? redacted : JSON.stringify(redacted), secrets)
    // A page of 200 users is some 400 KB of JSON: a trace line keeps its start, not the whole page. The cut comes
    // after redaction, so a secret straddling it is still recognised whole.
    if (text.length > MAX_TRACED_BODY) return `${text.slice(0, MAX_TRACED_BODY)}…`
    return typeof redacted === 'string' ? text : (JSON.parse(text) as unknown)
}

/** Logs one request/response pair when Trace HTTP is on. */
export function traceExchange(
    method: string,
    pathWithQuery: string,
    requestBody: unknown,
    outcome: Exchange,
    secrets: readonly string[]
): void {
    const status = outcome.kind === 'response' ? outcome.status : (outcome.code ?? 'network error')
    const path = redactSecrets(pathWithQuery, secrets)
    logger.info(
        {
            salesforceHttp: {
                method,
                path,
                status,
                ms: outcome.ms,
                requestBody: forTrace(requestBody, secrets),
                responseBody: outcome.kind === 'response' ? forTrace(outcome.data, secrets) : undefined,
            },
        },
        `Salesforce ${method} ${path} → ${status} in ${outcome.ms} ms`
    )
}
