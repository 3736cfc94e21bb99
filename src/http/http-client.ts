import { TokenProvider } from '../auth/token-provider'
import { InvalidResponseError } from '../errors'
import { HttpMethod } from './retry-policy'
import { PipelineResponse, QueryParams, RequestPipeline } from './request-pipeline'

/** Salesforce serves SCIM 2.0 at this path on the org's instance, with no API version in it. */
export const SCIM_BASE_PATH = '/services/scim/v2'

interface HttpRequest {
    readonly method: HttpMethod
    /** Path under the client's base path, e.g. `/Users/005...`. */
    readonly path: string
    readonly params?: QueryParams
    readonly body?: unknown
    /** A POST that changes nothing (a Composite call of queries only), so it is retried like a read. */
    readonly changesNothing?: boolean
    readonly headers?: Readonly<Record<string, string>>
}

/**
 * Requests to one Salesforce API of the org (its base path: `/services/scim/v2`, or `/services/data/vNN.N` for
 * REST), with the session's bearer token, through the one request pipeline.
 */
export class SalesforceHttpClient {
    constructor(
        private readonly pipeline: RequestPipeline,
        private readonly tokens: TokenProvider,
        private readonly basePath: string
    ) {}

    /**
     * Sends the request and returns the parsed body (undefined when Salesforce sends none, e.g. 204).
     * @throws the `errors.ts` class that matches Salesforce's answer; see `salesforce-error.ts`.
     */
    async request(req: HttpRequest): Promise<unknown> {
        return (await this.requestWithDate(req)).body
    }

    /**
     * As `request`, with the answer's `Date` header: Salesforce's clock, which a delta run starts from.
     * @throws as `request`.
     */
    requestWithDate(req: HttpRequest): Promise<PipelineResponse> {
        return this.pipeline.send({
            method: req.method,
            path: `${this.basePath}${req.path}`,
            ...(req.params !== undefined ? { params: req.params } : {}),
            ...(req.body !== undefined ? { body: req.body } : {}),
            ...(req.changesNothing === true ? { changesNothing: true } : {}),
            ...(req.headers !== undefined ? { headers: req.headers } : {}),
            to: { tokens: this.tokens },
        })
    }

    /**
     * GET returning a JSON object.
     * @throws InvalidResponseError for an empty body, else as `request`.
     */
    async get<T>(path: string, params?: QueryParams): Promise<T> {
        const data = await this.request({ method: 'GET', path, ...(params !== undefined ? { params } : {}) })
        if (data === undefined) {
            throw new InvalidResponseError(`Salesforce answered GET ${this.basePath}${path} with an empty body`)
        }
        return data as T
    }

    /** `changesNothing`: the POST only reads (a Composite call of queries), so a lost answer may be asked again. */
    async post<T>(
        path: string,
        body: unknown,
        options: { readonly changesNothing?: boolean } = {}
    ): Promise<T | undefined> {
        return (await this.request({ method: 'POST', path, body, ...options })) as T | undefined
    }

    async patch<T>(path: string, body: unknown): Promise<T | undefined> {
        return (await this.request({ method: 'PATCH', path, body })) as T | undefined
    }

    async delete(path: string): Promise<void> {
        await this.request({ method: 'DELETE', path })
    }
}
