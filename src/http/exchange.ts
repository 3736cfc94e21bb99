import { AxiosInstance, AxiosRequestConfig, isAxiosError } from 'axios'
import { Readable } from 'stream'
import { logger, redactDeep, redactSecrets } from '../logger'

/** One HTTP round trip's outcome: a response of any status, or a failure before one arrived. */
export type Exchange =
    | {
          readonly kind: 'response'
          readonly status: number
          readonly data: unknown
          readonly contentType?: string
          readonly retryAfter?: string
          /** The `Date` header: when the server answered, on its clock. */
          readonly date?: string
          readonly ms: number
      }
    | { readonly kind: 'network'; readonly code?: string; readonly description: string; readonly ms: number }

function header(value: unknown): string | undefined {
    return typeof value === 'string' ? value : Array.isArray(value) ? value.map(String).join(', ') : undefined
}

/** An error answer is a few KB; more than this is not an error document worth reading whole. */
const MAX_BUFFERED_ERROR_BYTES = 1024 * 1024

/** A body read whole, as axios would give it: parsed when it is JSON, else the text. */
async function bufferedBody(body: Readable): Promise<unknown> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of body) {
        const bytes = chunk as Buffer
        size += bytes.length
        if (size > MAX_BUFFERED_ERROR_BYTES) {
            body.destroy()
            break
        }
        chunks.push(bytes)
    }
    const text = Buffer.concat(chunks).toString('utf8')
    try {
        return JSON.parse(text) as unknown
    } catch {
        return text
    }
}

/**
 * Sends one request and never throws for an HTTP status: every status comes back as a response, so the
 * caller maps errors in one place. Axios errors are reduced to their code; the error object (which holds the
 * request headers, Authorization included) goes no further.
 *
 * With `stream`, a 2xx JSON answer's `data` is the body as a Readable, for the caller to read as it arrives;
 * any other answer is read whole first, so errors are mapped from their text as usual.
 */
export async function exchange(
    http: AxiosInstance,
    request: AxiosRequestConfig,
    now: () => number,
    stream = false
): Promise<Exchange> {
    const started = now()
    try {
        const response = await http.request<unknown>({
            ...request,
            validateStatus: () => true,
            maxRedirects: 0,
            ...(stream ? { responseType: 'stream' } : {}),
        })
        const contentType = header(response.headers['content-type'])
        const retryAfter = header(response.headers['retry-after'])
        const date = header(response.headers['date'])
        let data = response.data
        if (stream && data instanceof Readable) {
            const streamable =
                response.status >= 200 &&
                response.status < 300 &&
                (contentType === undefined || /json/i.test(contentType))
            if (!streamable) data = await bufferedBody(data)
        }
        return {
            kind: 'response',
            status: response.status,
            data,
            ...(contentType !== undefined ? { contentType } : {}),
            ...(retryAfter !== undefined ? { retryAfter } : {}),
            ...(date !== undefined ? { date } : {}),
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
