/**
 * Raw SCIM and REST requests for the conformance probe, through the connector's own token provider and request pipeline
 * (the same login, retries, error mapping and redaction as the connector), answering what came back instead of
 * throwing, so a check can read a refusal as evidence.
 */
import { CachingTokenProvider } from '../../src/auth/token-provider'
import { SalesforceConfig } from '../../src/config'
import { SalesforceConnectorError } from '../../src/errors'
import { SCIM_BASE_PATH, SalesforceHttpClient } from '../../src/http/http-client'
import { QueryParams, RequestPipeline, queryString } from '../../src/http/request-pipeline'
import { HttpMethod, RetryTiming, defaultRetryTiming } from '../../src/http/retry-policy'
import { createTokenTransport } from '../../src/http/token-transport'
import { configSecrets, httpOptions } from '../../src/salesforce/create-client'
import { redactSecrets, redactText } from '../../src/logger'
import { ApiUsageReading } from '../../src/http/api-usage'
import { REST_BASE_PATH } from '../../src/salesforce/rest/rest-client'

/** What Salesforce answered: a 2xx body (undefined when empty), or the refusal the connector would have thrown. */
export type Answer =
    | { readonly ok: true; readonly request: string; readonly body: unknown }
    | {
          readonly ok: false
          readonly request: string
          readonly status: number | undefined
          readonly errorCode: string | undefined
          /** The connector's message for the refusal, secrets already redacted. */
          readonly message: string
      }

export interface ScimSession {
    send(
        method: HttpMethod,
        path: string,
        params?: QueryParams,
        body?: unknown,
        headers?: Readonly<Record<string, string>>
    ): Promise<Answer>
    /** `send` of a request with a body and no query. */
    write(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<Answer>
    /** Origin of the org's API host, from the token response. */
    instanceUrl(): Promise<string>
    /** Redacts the source's secrets and anything shaped like a token from text meant for the report. */
    redact(text: string): string
}

/** The same requests to the REST API (`/services/data/vNN.N`), and the API usage its answers report. */
export interface RestSession extends ScimSession {
    /** The newest `Sforce-Limit-Info` reading of this session's answers. */
    usage(): ApiUsageReading | undefined
}

/** One session on the org of `config`, built as `createSalesforceClient` builds the connector's. */
export function openScimSession(config: SalesforceConfig, timing: RetryTiming = defaultRetryTiming): ScimSession {
    return openSession(config, timing, SCIM_BASE_PATH)
}

/** A REST session on the org of `config`, with its own pipeline so its API usage readings are its own. */
export function openRestSession(config: SalesforceConfig, timing: RetryTiming = defaultRetryTiming): RestSession {
    return openSession(config, timing, REST_BASE_PATH)
}

function openSession(config: SalesforceConfig, timing: RetryTiming, basePath: string): RestSession {
    const pipeline = new RequestPipeline(httpOptions(config), timing)
    const tokens = new CachingTokenProvider(config, {
        transport: createTokenTransport(pipeline, config.loginUrl),
        now: timing.now,
    })
    const http = new SalesforceHttpClient(pipeline, tokens, basePath)
    const secrets = configSecrets(config)
    const redact = (text: string): string => redactSecrets(redactText(text), secrets)
    const session: RestSession = {
        async send(method, path, params, body, headers) {
            const request = `${method} ${path}${queryString(params)}`
            try {
                const answer = await http.request({
                    method,
                    path,
                    ...(params !== undefined ? { params } : {}),
                    ...(body !== undefined ? { body } : {}),
                    ...(headers !== undefined ? { headers } : {}),
                })
                return { ok: true, request, body: answer }
            } catch (err) {
                if (!(err instanceof SalesforceConnectorError)) throw err
                return {
                    ok: false,
                    request,
                    status: err.status,
                    errorCode: err.errorCode,
                    message: redact(err.message),
                }
            }
        },
        async instanceUrl() {
            return (await tokens.getToken()).instanceUrl
        },
        write: (method, path, body) => session.send(method, path, undefined, body),
        usage: () => pipeline.apiUsage.latest(),
        redact,
    }
    return session
}

/** A short line of evidence for an answer: the request, then what matters of a 2xx answer, or the refusal. */
export function evidence(answer: Answer, salient?: string): string {
    const request = decodeURIComponent(answer.request.replace(/%20/g, ' '))
    if (answer.ok) return `\`${request}\` → ${salient ?? 'ok'}`
    const status = answer.status !== undefined ? `HTTP ${answer.status}` : 'failed'
    // The connector's message is `<what>: <code>: <text> (HTTP …). <advice>`: the part before the status is enough.
    const cut = answer.message.indexOf(' (HTTP ')
    return `\`${request}\` → ${status}: ${shorten(cut === -1 ? answer.message : answer.message.slice(0, cut))}`
}

export function shorten(text: string, max = 160): string {
    const one = text.replace(/\s+/g, ' ').trim()
    return one.length > max ? `${one.slice(0, max - 1)}…` : one
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The `Resources` of a list answer: none for an empty body or a page without them. */
export function resourcesOf(answer: Answer): Record<string, unknown>[] {
    if (!answer.ok || !isRecord(answer.body)) return []
    const resources = answer.body.Resources
    return Array.isArray(resources) ? resources.filter(isRecord) : []
}

export function totalResultsOf(answer: Answer): number | undefined {
    if (!answer.ok || !isRecord(answer.body)) return undefined
    const total = answer.body.totalResults
    return typeof total === 'number' ? total : undefined
}

export function idsOf(resources: readonly Record<string, unknown>[]): string[] {
    return resources.flatMap((r) => (typeof r.id === 'string' ? [r.id] : []))
}

/** `totalResults N, M Resources`, the salient part of most list answers. */
export function listSummary(answer: Answer): string {
    if (answer.ok && answer.body === undefined) return 'an empty body'
    return `totalResults ${totalResultsOf(answer) ?? 'absent'}, ${resourcesOf(answer).length} Resources`
}
