import axios, { AxiosInstance } from 'axios'
import { Readable } from 'stream'
import { SalesforceConfig } from '../config'
import { InvalidResponseError, ListInterruptedError } from '../errors'
import { logger } from '../logger'
import { TokenProvider } from '../auth/token-provider'
import { exchange, traceExchange } from './exchange'
import {
    AttemptFailure,
    HttpMethod,
    RetryTiming,
    defaultRetryTiming,
    isIdempotentRead,
    isTransient,
    retryDelayMs,
} from './retry-policy'
import {
    attemptFailure,
    isSessionExpired,
    networkError,
    parseSalesforceError,
    toConnectorError,
} from './salesforce-error'
import { StreamedList, streamedList } from './streamed-list'
import { configSecrets } from './token-transport'

/** Salesforce serves SCIM 2.0 at this path on the org's instance, with no API version in it. */
export const SCIM_BASE_PATH = '/services/scim/v2'

export type QueryParams = Readonly<Record<string, string | number | undefined>>

export interface HttpRequest {
    readonly method: HttpMethod
    /** Path under `/services/scim/v2`, e.g. `/Users/005...`. */
    readonly path: string
    readonly params?: QueryParams
    readonly body?: unknown
}

/** Percent-encodes with `%20` for spaces: SCIM filters are full of them and `+` is ambiguous to some servers. */
export function queryString(params: QueryParams | undefined): string {
    if (params === undefined) return ''
    const parts = Object.entries(params).flatMap(([key, value]) =>
        value === undefined ? [] : [`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`]
    )
    return parts.length > 0 ? `?${parts.join('&')}` : ''
}

/** Values of members named `password` anywhere in a request body, so an echo of them is redacted too. */
function passwordsIn(value: unknown, found: string[] = [], depth = 0): string[] {
    if (typeof value !== 'object' || value === null || depth > 10) return found
    for (const [key, member] of Object.entries(value)) {
        if (key.toLowerCase() === 'password' && typeof member === 'string') found.push(member)
        else passwordsIn(member, found, depth + 1)
    }
    return found
}

/**
 * The SCIM transport: adds the bearer token, refreshes it once on an expired session and replays, retries
 * transient failures of reads, maps every failure to the connector's errors, and traces when asked.
 */
export class SalesforceHttpClient {
    private readonly http: AxiosInstance
    private readonly secrets: readonly string[]

    constructor(
        private readonly config: SalesforceConfig,
        private readonly tokens: TokenProvider,
        private readonly timing: RetryTiming = defaultRetryTiming
    ) {
        // Default TLS verification stays on: no custom agent, no rejectUnauthorized override.
        this.http = axios.create({ timeout: config.requestTimeoutSeconds * 1000 })
        this.secrets = configSecrets(config)
    }

    /**
     * Sends the request and returns the parsed body (undefined when Salesforce sends none, e.g. 204).
     * @throws the `errors.ts` class that matches Salesforce's answer; see `salesforce-error.ts`.
     */
    async request(req: HttpRequest): Promise<unknown> {
        return (await this.requestWithDate(req)).body
    }

    /**
     * As `request`, with the answer's `Date` header: the time on Salesforce's clock, which delta aggregation
     * needs (the connector's clock may differ).
     */
    async requestWithDate(req: HttpRequest): Promise<{ readonly body: unknown; readonly date: string | undefined }> {
        const { data, status, date } = await this.send(req, false)
        if (data === undefined || data === null || data === '') return { body: undefined, date }
        if (typeof data !== 'object') throw this.notJson(req, status)
        return { body: data, date }
    }

    /**
     * GET of a SCIM list whose resources are handed out while the body arrives: resolves once Salesforce has
     * answered 2xx (after the same session refresh and retries as any GET). A connection lost mid-body ends the
     * batches in `ListInterruptedError`.
     */
    async getList<T>(path: string, params?: QueryParams): Promise<StreamedList<T>> {
        const req: HttpRequest = { method: 'GET', path, ...(params !== undefined ? { params } : {}) }
        const { data, status, trace } = await this.send(req, true)
        if (!(data instanceof Readable)) throw this.notJson(req, status)
        return streamedList<T>(data, {
            idleTimeoutMs: this.config.requestTimeoutSeconds * 1000,
            request: `GET ${SCIM_BASE_PATH}${path}`,
            ...(trace !== undefined ? { onBodyEnd: trace } : {}),
        })
    }

    /**
     * One request through session refresh and retries, to its 2xx answer; every other outcome is thrown as the
     * matching `errors.ts` class. A streamed answer's trace line waits for its body (`trace`).
     */
    private async send(
        req: HttpRequest,
        stream: boolean
    ): Promise<{
        readonly data: unknown
        readonly status: number
        readonly date?: string
        readonly trace?: (body: string) => void
    }> {
        const path = `${SCIM_BASE_PATH}${req.path}`
        const pathWithQuery = `${path}${queryString(req.params)}`
        const summary = { method: req.method, path }
        const secrets = [...this.secrets, ...passwordsIn(req.body)]
        const maxRetries = this.config.maxRetries
        let replayed = false
        let retries = 0
        for (;;) {
            const session = await this.tokens.getToken()
            const headers: Record<string, string> = {
                Authorization: `Bearer ${session.accessToken}`,
                Accept: 'application/json',
            }
            if (req.body !== undefined) headers['Content-Type'] = 'application/json'
            const outcome = await exchange(
                this.http,
                { method: req.method, url: `${session.instanceUrl}${pathWithQuery}`, data: req.body, headers },
                this.timing.now,
                stream
            )
            const streaming = outcome.kind === 'response' && outcome.data instanceof Readable
            if (this.config.traceHttp && !streaming)
                traceExchange(req.method, pathWithQuery, req.body, outcome, secrets)

            if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
                const trace =
                    this.config.traceHttp && streaming
                        ? (body: string) =>
                              traceExchange(req.method, pathWithQuery, req.body, { ...outcome, data: body }, secrets)
                        : undefined
                return {
                    data: outcome.data,
                    status: outcome.status,
                    ...(outcome.date !== undefined ? { date: outcome.date } : {}),
                    ...(trace !== undefined ? { trace } : {}),
                }
            }

            const parsed =
                outcome.kind === 'response' ? parseSalesforceError(outcome.data, outcome.contentType) : undefined
            if (outcome.kind === 'response' && parsed !== undefined && isSessionExpired(outcome.status, parsed)) {
                // A refused token must not stay cached for the next command, replayed or not.
                this.tokens.invalidate(session.accessToken)
                if (!replayed) {
                    replayed = true
                    logger.info(
                        { salesforceRequest: `${req.method} ${path}` },
                        'Salesforce session expired; fetching a new token and replaying the request once'
                    )
                    continue
                }
            }

            const failure = attemptFailure(outcome, parsed)
            if (isIdempotentRead(req.method) && isTransient(failure) && retries < maxRetries) {
                retries++
                const reason = failure.kind === 'network' ? failure.code : `HTTP ${failure.status}`
                await this.pauseBeforeRetry(
                    failure,
                    retries,
                    (delay) =>
                        `Retrying Salesforce ${req.method} ${path} (attempt ${retries}/${maxRetries}) in ${delay} ms after ${reason}`,
                    `${req.method} ${path}`
                )
                continue
            }

            if (outcome.kind === 'network') {
                throw networkError(outcome.code, outcome.description, summary, this.config.requestTimeoutSeconds)
            }
            throw toConnectorError(outcome.status, parsed ?? parseSalesforceError(outcome.data), summary, secrets)
        }
    }

    /**
     * Whether a list whose connection dropped mid-body may be read again from where it stopped (retry number
     * `retry`, 1-based): within Max Retries, after the same backoff as any retried read.
     */
    async retryInterruptedList(error: ListInterruptedError, retry: number): Promise<boolean> {
        if (retry > this.config.maxRetries) return false
        const failure: AttemptFailure = { kind: 'network', code: error.errorCode ?? 'ECONNRESET' }
        await this.pauseBeforeRetry(
            failure,
            retry,
            (delay) =>
                `Reading the list on from its last resource received (attempt ${retry}/${this.config.maxRetries}) ` +
                `in ${delay} ms: ${error.message}`
        )
        return true
    }

    private async pauseBeforeRetry(
        failure: AttemptFailure,
        retry: number,
        message: (delayMs: number) => string,
        salesforceRequest?: string
    ): Promise<void> {
        const delayMs = retryDelayMs(retry, failure, this.timing)
        const fields = { attempt: retry, maxRetries: this.config.maxRetries, delayMs }
        logger.warn(salesforceRequest !== undefined ? { salesforceRequest, ...fields } : fields, message(delayMs))
        await this.timing.sleep(delayMs)
    }

    private notJson(req: HttpRequest, status: number): InvalidResponseError {
        return new InvalidResponseError(
            `Salesforce answered without JSON (HTTP ${status} ${req.method} ${SCIM_BASE_PATH}${req.path}). Check Login URL`
        )
    }

    /** GET returning a JSON object. */
    async get<T>(path: string, params?: QueryParams): Promise<T> {
        const data = await this.request({ method: 'GET', path, ...(params !== undefined ? { params } : {}) })
        if (data === undefined) {
            throw new InvalidResponseError(`Salesforce answered GET ${SCIM_BASE_PATH}${path} with an empty body`)
        }
        return data as T
    }

    async post<T>(path: string, body: unknown): Promise<T | undefined> {
        return (await this.request({ method: 'POST', path, body })) as T | undefined
    }

    async patch<T>(path: string, body: unknown): Promise<T | undefined> {
        return (await this.request({ method: 'PATCH', path, body })) as T | undefined
    }

    async delete(path: string): Promise<void> {
        await this.request({ method: 'DELETE', path })
    }
}
