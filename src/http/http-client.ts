import axios, { AxiosInstance } from 'axios'
import { SalesforceConfig } from '../config'
import { InvalidResponseError } from '../errors'
import { logger } from '../logger'
import { TokenProvider } from '../auth/token-provider'
import { exchange, traceExchange } from './exchange'
import {
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
                this.timing.now
            )
            if (this.config.traceHttp) traceExchange(req.method, pathWithQuery, req.body, outcome, secrets)

            if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
                const data = outcome.data
                if (data === undefined || data === null || data === '') return undefined
                if (typeof data !== 'object') {
                    throw new InvalidResponseError(
                        `Salesforce answered without JSON (HTTP ${outcome.status} ${req.method} ${path}). Check Login URL`
                    )
                }
                return data
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
                const delay = retryDelayMs(retries, failure, this.timing)
                const reason = failure.kind === 'network' ? failure.code : `HTTP ${failure.status}`
                logger.warn(
                    { salesforceRequest: `${req.method} ${path}`, attempt: retries, maxRetries, delayMs: delay },
                    `Retrying Salesforce ${req.method} ${path} (attempt ${retries}/${maxRetries}) in ${delay} ms after ${reason}`
                )
                await this.timing.sleep(delay)
                continue
            }

            if (outcome.kind === 'network') {
                throw networkError(outcome.code, outcome.description, summary, this.config.requestTimeoutSeconds)
            }
            throw toConnectorError(outcome.status, parsed ?? parseSalesforceError(outcome.data), summary, secrets)
        }
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
