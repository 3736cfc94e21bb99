/**
 * When and how long to wait before retrying a Salesforce request. Only requests that are harmless to repeat are
 * retried (`isRepeatable`): a POST or PATCH whose response was lost may have been applied, and replaying it could
 * create or change twice.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

/** A failed attempt, as far as retrying cares. */
export type AttemptFailure =
    | { readonly kind: 'network'; readonly code: string }
    | { readonly kind: 'status'; readonly status: number; readonly errorCode?: string; readonly retryAfter?: string }

export interface RetryTiming {
    readonly sleep: (ms: number) => Promise<void>
    /** A number in [0, 1), for jitter. */
    readonly random: () => number
    readonly now: () => number
}

export const defaultRetryTiming: RetryTiming = {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
}

/**
 * GET and HEAD read. DELETE is here too: Salesforce's DELETE /Users/{id} only deactivates the user (the same as
 * PATCH active false; Salesforce never deletes users), so a second one after a lost answer leaves the same
 * inactive user. PUT would qualify, but the connector sends none.
 */
const REPEATABLE_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'DELETE'])
/**
 * 429 is retried. Salesforce documents no 429 for its REST or SCIM API (its limits answer 403
 * REQUEST_LIMIT_EXCEEDED, without Retry-After), so a 429 most likely comes from something in front of it that sheds
 * load for a short while and did not pass the request on (RFC 6585). Its Retry-After is honoured, up to
 * MAX_RETRY_AFTER_MS.
 */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504])
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EPIPE'])

const BASE_DELAY_MS = 500
const MAX_BACKOFF_MS = 30_000
/** A longer Retry-After than this would outlast ISC's patience for a command; wait this long at most. */
export const MAX_RETRY_AFTER_MS = 60_000

/** Whether a request of this method may be sent again after a transient failure (see REPEATABLE_METHODS). */
export function isRepeatable(method: HttpMethod): boolean {
    return REPEATABLE_METHODS.has(method)
}

/**
 * Whether the failure is transient. REQUEST_LIMIT_EXCEEDED is never transient, whatever its status: Salesforce's
 * API limit is a rolling 24-hour org limit, and retrying only spends more of it. Nor is a 429 whose Retry-After
 * asks for longer than MAX_RETRY_AFTER_MS: a retry before then would be refused again.
 */
export function isTransient(failure: AttemptFailure, now: number = Date.now()): boolean {
    if (failure.kind === 'network') return RETRYABLE_NETWORK_CODES.has(failure.code)
    if (failure.errorCode === 'REQUEST_LIMIT_EXCEEDED') return false
    if (failure.status === 429) {
        const wait = retryAfterMs(failure.retryAfter, now)
        if (wait !== undefined && wait > MAX_RETRY_AFTER_MS) return false
    }
    return RETRYABLE_STATUSES.has(failure.status)
}

/** Parses `Retry-After` as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
    if (header === undefined || header.trim() === '') return undefined
    const text = header.trim()
    if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
    const date = Date.parse(text)
    return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * How long to wait before retry number `retry` (1-based): the server's Retry-After (capped) when given,
 * else exponential backoff with full jitter, so many workers hitting one failure spread out.
 */
export function retryDelayMs(retry: number, failure: AttemptFailure, timing: RetryTiming): number {
    const serverDelay = failure.kind === 'status' ? retryAfterMs(failure.retryAfter, timing.now()) : undefined
    if (serverDelay !== undefined) return Math.min(serverDelay, MAX_RETRY_AFTER_MS)
    const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** (retry - 1))
    return Math.floor(timing.random() * ceiling)
}
