import axios, { AxiosInstance } from 'axios'
import { TokenProvider } from '../auth/token-provider'
import { InvalidResponseError } from '../errors'
import { isSecretKey, logger } from '../logger'
import { ApiUsageMeter } from './api-usage'
import { exchange, traceExchange } from './exchange'
import { HttpMethod, RetryTiming, defaultRetryTiming, isRepeatable, isTransient, retryDelayMs } from './retry-policy'
import {
    attemptFailure,
    isSessionExpired,
    networkError,
    parseSalesforceError,
    toConnectorError,
} from './salesforce-error'

/** What the HTTP layer is configured with: never the source config itself, which holds the credentials. */
export interface HttpOptions {
    readonly requestTimeoutMs: number
    /** Retries of a transient failure, after the first attempt. */
    readonly maxRetries: number
    /** Trace HTTP: one log line per request and response, secrets redacted. */
    readonly trace: boolean
    /** The source's secrets, redacted by value wherever they might be echoed (traces, error texts). */
    readonly secrets: readonly string[]
}

export type QueryParams = Readonly<Record<string, string | number | undefined>>

interface PipelineRequest {
    readonly method: HttpMethod
    /** The full path on the host, e.g. `/services/scim/v2/Users`. */
    readonly path: string
    readonly params?: QueryParams
    /** A JSON value, or a form (sent url-encoded, as the token endpoint wants it). */
    readonly body?: unknown
    /**
     * `tokens`: sent to the session's instance with its bearer token, refreshed and replayed once on an expired
     * session. `origin`: sent there with no token (the token request itself).
     */
    readonly to: { readonly tokens: TokenProvider } | { readonly origin: string }
    /** A POST that changes nothing (the token request), so it is retried like a read. */
    readonly changesNothing?: boolean
    /** Salesforce's request options, e.g. `Sforce-Query-Options: batchSize=500`. */
    readonly headers?: Readonly<Record<string, string>>
}

export interface PipelineResponse {
    /** The parsed JSON body; undefined when Salesforce sent none (204, or an empty 200). */
    readonly body: unknown
    /** The raw `Date` response header: Salesforce's clock. */
    readonly date: string | undefined
}

/** Percent-encodes with `%20` for spaces: SCIM filters are full of them and `+` is ambiguous to some servers. */
export function queryString(params: QueryParams | undefined): string {
    if (params === undefined) return ''
    const parts = Object.entries(params).flatMap(([key, value]) =>
        value === undefined ? [] : [`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`]
    )
    return parts.length > 0 ? `?${parts.join('&')}` : ''
}

/** Values of secret-named members anywhere in a request body (a new user's password), so an echo is redacted too. */
function secretsIn(value: unknown, found: string[] = [], depth = 0): string[] {
    if (typeof value !== 'object' || value === null || depth > 10) return found
    const entries = value instanceof URLSearchParams ? [...value.entries()] : Object.entries(value)
    for (const [key, member] of entries) {
        if (isSecretKey(key) && typeof member === 'string') found.push(member)
        else secretsIn(member, found, depth + 1)
    }
    return found
}

/**
 * The one way the connector talks to Salesforce, for token, SCIM and REST requests alike: token, send, refresh
 * and replay once on an expired session, retry by the retry policy, map the failure once, parse the JSON.
 */
export class RequestPipeline {
    private readonly http: AxiosInstance
    /** The org's daily API usage from the newest answer that reported it. */
    readonly apiUsage = new ApiUsageMeter()

    constructor(
        private readonly options: HttpOptions,
        private readonly timing: RetryTiming = defaultRetryTiming
    ) {
        // Default TLS verification stays on: no custom agent, no rejectUnauthorized override.
        this.http = axios.create({ timeout: options.requestTimeoutMs })
    }

    /**
     * Sends the request to its 2xx answer and returns the parsed body.
     * @throws the `errors.ts` class that matches Salesforce's answer (see `salesforce-error.ts`), or
     * InvalidResponseError for a 2xx answer that is not JSON.
     */
    async send(req: PipelineRequest): Promise<PipelineResponse> {
        const pathWithQuery = `${req.path}${queryString(req.params)}`
        const request = `${req.method} ${req.path}`
        const summary = { method: req.method, path: req.path }
        const secrets = [...this.options.secrets, ...secretsIn(req.body)]
        const form = req.body instanceof URLSearchParams ? req.body : undefined
        const headers: Record<string, string> = { ...req.headers, Accept: 'application/json' }
        if (req.body !== undefined)
            headers['Content-Type'] = form ? 'application/x-www-form-urlencoded' : 'application/json'
        const data = form?.toString() ?? req.body
        const traced = form ? Object.fromEntries(form) : req.body
        const retryable = req.changesNothing === true || isRepeatable(req.method)
        const tokens = 'tokens' in req.to ? req.to.tokens : undefined
        const { maxRetries } = this.options
        let replayed = false
        let retries = 0
        for (;;) {
            const session = await tokens?.getToken()
            if (session !== undefined) headers.Authorization = `Bearer ${session.accessToken}`
            const origin = 'origin' in req.to ? req.to.origin : (session?.instanceUrl ?? '')
            const outcome = await exchange(
                this.http,
                { method: req.method, url: `${origin}${pathWithQuery}`, data, headers },
                this.timing.now
            )
            if (this.options.trace) traceExchange(req.method, pathWithQuery, traced, outcome, secrets)
            if (outcome.kind === 'response') this.apiUsage.record(outcome.limitInfo)

            if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
                return { body: this.json(outcome.data, outcome.status, request), date: outcome.date }
            }

            const parsed =
                outcome.kind === 'response' ? parseSalesforceError(outcome.data, outcome.contentType) : undefined
            const expired =
                outcome.kind === 'response' && parsed !== undefined && isSessionExpired(outcome.status, parsed)
            if (session !== undefined && expired) {
                // A refused token must not stay cached for the next command, replayed or not.
                tokens?.invalidate(session.accessToken)
                if (!replayed) {
                    replayed = true
                    logger.info(
                        { salesforceRequest: request },
                        'Salesforce session expired; fetching a new token and replaying the request once'
                    )
                    continue
                }
            }

            const failure = attemptFailure(outcome, parsed)
            if (retryable && isTransient(failure, this.timing.now()) && retries < maxRetries) {
                retries++
                const delayMs = retryDelayMs(retries, failure, this.timing)
                const reason = failure.kind === 'network' ? failure.code : `HTTP ${failure.status}`
                logger.warn(
                    { salesforceRequest: request, attempt: retries, maxRetries, delayMs },
                    `Retrying Salesforce ${request} (attempt ${retries}/${maxRetries}) in ${delayMs} ms after ${reason}`
                )
                await this.timing.sleep(delayMs)
                continue
            }

            if (outcome.kind === 'network') {
                throw networkError(outcome.code, outcome.description, summary, this.options.requestTimeoutMs / 1000)
            }
            throw toConnectorError(outcome.status, parsed ?? parseSalesforceError(outcome.data), summary, secrets)
        }
    }

    /**
     * The connector's error for an answer Salesforce gave inside another one (a Composite subrequest's status and
     * body), by the same error table as a direct answer.
     */
    failureOf(status: number, body: unknown, request: { readonly method: string; readonly path: string }): Error {
        return toConnectorError(status, parseSalesforceError(body), request, this.options.secrets)
    }

    /** A 2xx body as JSON: undefined when empty; an HTML login page or other text is refused. */
    private json(data: unknown, status: number, request: string): unknown {
        if (data === undefined || data === null || data === '') return undefined
        if (typeof data !== 'object') {
            throw new InvalidResponseError(
                `Salesforce answered without JSON (HTTP ${status} ${request}). Check Login URL`
            )
        }
        return data
    }
}
