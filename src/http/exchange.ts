import { AxiosInstance, AxiosRequestConfig, isAxiosError } from 'axios'
import { logger, redactDeep, redactSecrets } from '../logger'

/** One HTTP round trip's outcome: a response of any status, or a failure before one arrived. */
export type Exchange =
    | {
          readonly kind: 'response'
          readonly status: number
          readonly data: unknown
          readonly contentType?: string
          readonly retryAfter?: string
          readonly ms: number
      }
    | { readonly kind: 'network'; readonly code?: string; readonly description: string; readonly ms: number }

function header(value: unknown): string | undefined {
    return typeof value === 'string' ? value : Array.isArray(value) ? value.map(String).join(', ') : undefined
}

/**
 * Sends one request and never throws for an HTTP status: every status comes back as a response, so the
 * caller maps errors in one place. Axios errors are reduced to their code; the error object (which holds the
 * request headers, Authorization included) goes no further.
 */
export async function exchange(http: AxiosInstance, request: AxiosRequestConfig, now: () => number): Promise<Exchange> {
    const started = now()
    try {
        const response = await http.request<unknown>({ ...request, validateStatus: () => true, maxRedirects: 0 })
        const contentType = header(response.headers['content-type'])
        const retryAfter = header(response.headers['retry-after'])
        return {
            kind: 'response',
            status: response.status,
            data: response.data,
            ...(contentType !== undefined ? { contentType } : {}),
            ...(retryAfter !== undefined ? { retryAfter } : {}),
            ms: now() - started,
        }
    } catch (error: unknown) {
        const code = isAxiosError(error) ? error.code : undefined
        const description = error instanceof Error ? error.message : 'request failed'
        return { kind: 'network', ...(code !== undefined ? { code } : {}), description, ms: now() - started }
    }
}

const MAX_TRACED_BODY = 4000

/** A value as it may appear in a trace line: secret-named members and secret-shaped strings redacted. */
export function forTrace(value: unknown, secrets: readonly (string | undefined)[]): unknown {
    const redacted = redactDeep(value)
    if (redacted === undefined) return undefined
    const text = redactSecrets(typeof redacted === 'string' ? redacted : JSON.stringify(redacted), secrets)
    // A page of 200 users is some 400 KB of JSON: a trace line keeps its start, not the whole page.
    if (text.length > MAX_TRACED_BODY) return `${text.slice(0, MAX_TRACED_BODY)}…`
    return typeof redacted === 'string' ? text : (JSON.parse(text) as unknown)
}

/** Logs one request/response pair when Trace HTTP is on. */
export function traceExchange(
    method: string,
    pathWithQuery: string,
    requestBody: unknown,
    outcome: Exchange,
    secrets: readonly (string | undefined)[]
): void {
    const status = outcome.kind === 'response' ? outcome.status : (outcome.code ?? 'network error')
    logger.info(
        {
            salesforceHttp: {
                method,
                path: redactSecrets(pathWithQuery, secrets),
                status,
                ms: outcome.ms,
                requestBody: forTrace(requestBody, secrets),
                responseBody: outcome.kind === 'response' ? forTrace(outcome.data, secrets) : undefined,
            },
        },
        `Salesforce ${method} ${redactSecrets(pathWithQuery, secrets)} → ${status} in ${outcome.ms} ms`
    )
}
