import { AxiosInstance, AxiosRequestConfig, isAxiosError } from 'axios'
import { logger, redactDeep, redactSecrets } from '../logger'

/** One HTTP round trip's outcome: a response of any status, or a failure before its body was whole. */
export type Exchange =
    | {
          readonly kind: 'response'
          readonly status: number
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

/**
 * Sends one request and reads its answer whole. Never throws for an HTTP status: every status comes back as a
 * response, so the caller maps errors in one place. Axios errors are reduced to their code; the error object
 * (which holds the request headers, Authorization included) goes no further.
 */
export async function exchange(http: AxiosInstance, request: AxiosRequestConfig, now: () => number): Promise<Exchange> {
    const started = now()
    try {
        const response = await http.request<unknown>({ ...request, validateStatus: () => true, maxRedirects: 0 })
        const contentType = header(response.headers['content-type'])
        const retryAfter = header(response.headers['retry-after'])
        const date = header(response.headers['date'])
        const limitInfo = header(response.headers['sforce-limit-info'])
        return {
            kind: 'response',
            status: response.status,
            data: response.data,
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
