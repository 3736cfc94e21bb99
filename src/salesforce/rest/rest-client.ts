import { InvalidResponseError } from '../../errors'
import { SalesforceHttpClient } from '../../http/http-client'
import { RequestPipeline } from '../../http/request-pipeline'
import { queryString } from '../../http/request-pipeline'

/**
 * The REST API version the connector speaks: v56.0 or later keeps query cursors open two days with no count
 * limit, and every object and field it reads exists from v52.0 (PermissionSetAssignment.ExpirationDate).
 */
const REST_API_VERSION = 'v62.0'
export const REST_BASE_PATH = `/services/data/${REST_API_VERSION}`

/** One row as the REST API returns it: fields by API name, parent relationships as nested records. */
export interface SObjectRecord {
    readonly attributes?: { readonly type: string; readonly url?: string }
    readonly Id?: string
    readonly [field: string]: unknown
}

/** A query answer: at most one batch of rows (2,000 by default), with the locator of the next batch. */
interface QueryResult<T> {
    readonly totalSize: number
    readonly done: boolean
    readonly nextRecordsUrl?: string
    readonly records: readonly T[]
}

/** A subrequest of `/composite`; `url` is under the REST base path, e.g. `/sobjects/GroupMember`. */
export interface CompositeRequest {
    readonly referenceId: string
    readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
    readonly url: string
    readonly body?: unknown
}

/** A subrequest's outcome: its body, or the connector's error for its refusal. */
export type CompositeOutcome =
    { readonly ok: true; readonly body: unknown } | { readonly ok: false; readonly error: Error }

/** A query's rows, or why Salesforce refused it. */
export type QueryOutcome<T> =
    { readonly ok: true; readonly records: T[] } | { readonly ok: false; readonly error: Error }

/** `/sobjects/{Type}/describe`, as far as the connector reads it. */
export interface SObjectDescribe {
    readonly name: string
    readonly fields: readonly {
        readonly name: string
        readonly type: string
        readonly label: string
        readonly custom?: boolean
        readonly updateable?: boolean
        readonly createable?: boolean
        readonly length?: number
    }[]
}

/** The describe of an object, under the REST base path. */
export function describePath(sobject: string): string {
    return `/sobjects/${sobject}/describe`
}

/** `/limits`: each limit's maximum and what remains of it. */
export type OrgLimits = Readonly<Record<string, { readonly Max: number; readonly Remaining: number }>>

/** One subrequest's result in a `/composite` answer. */
interface CompositeResponse {
    readonly referenceId?: string
    readonly httpStatusCode?: unknown
    readonly body?: unknown
}

/** Salesforce allows 25 subrequests in a Composite request, at most 5 of them queries; it counts as one call. */
export const COMPOSITE_MAX_QUERIES = 5
const COMPOSITE_MAX_SUBREQUESTS = 25

/** A Query More address: the base path, `/query/` (or `/queryAll/`) and the locator, `01g…-2000`. */
const NEXT_RECORDS_URL = new RegExp(`^${REST_BASE_PATH.replace(/\./g, '\\.')}/query(?:All)?/[A-Za-z0-9-]+$`)

/**
 * Salesforce's REST API (`/services/data/vNN.N`) on the same request pipeline as SCIM: the same session, retries,
 * error table and redacting trace. Query results are paged by `nextRecordsUrl` (Query More), never by OFFSET,
 * which Salesforce caps at 2,000 rows.
 */
export class SalesforceRestClient {
    /**
     * @param org the org and identity this client reaches (`orgKey` of its source config): what caches of the
     * org's metadata are keyed by, so that two sources never share an entry.
     */
    constructor(
        private readonly http: SalesforceHttpClient,
        private readonly pipeline: RequestPipeline,
        readonly org: string
    ) {}

    /**
     * The rows of a SOQL query, one batch per value as Salesforce answers them.
     * `includeDeleted` reads `/queryAll`: rows Salesforce still keeps after a delete come with `IsDeleted` true.
     * @throws the mapped Salesforce error (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE…).
     */
    async *queryPages<T extends SObjectRecord>(
        soql: string,
        options: { readonly includeDeleted?: boolean } = {}
    ): AsyncGenerator<readonly T[]> {
        const resource = options.includeDeleted === true ? '/queryAll' : '/query'
        let result = await this.http.get<QueryResult<T>>(resource, { q: soql })
        for (;;) {
            yield this.recordsOf(result, resource)
            const next = this.nextBatchOf(result, resource)
            if (next === undefined) return
            result = await this.http.get<QueryResult<T>>(next)
        }
    }

    /** Every row of a query, for lists that are small by nature (catalogs, one user's assignments). */
    async query<T extends SObjectRecord>(
        soql: string,
        options: { readonly includeDeleted?: boolean } = {}
    ): Promise<T[]> {
        const rows: T[] = []
        for await (const batch of this.queryPages<T>(soql, options)) rows.push(...batch)
        return rows
    }

    /**
     * Up to five queries in one Composite request (one API call), each followed to its last batch. A query
     * Salesforce refuses (a missing permission: INVALID_TYPE) does not fail the others.
     */
    async queries<T extends SObjectRecord>(
        soqlByName: Readonly<Record<string, string>>
    ): Promise<Record<string, QueryOutcome<T>>> {
        return (await this.reads<T>(soqlByName, {})).queries
    }

    /**
     * Up to five queries and other GETs (a describe, under the REST base path) in one Composite request, one API
     * call: each query followed to its last batch, each GET's body as it came. A subrequest Salesforce refuses
     * does not fail the others.
     */
    async reads<T extends SObjectRecord>(
        soqlByName: Readonly<Record<string, string>>,
        getByName: Readonly<Record<string, string>>
    ): Promise<{ queries: Record<string, QueryOutcome<T>>; gets: Record<string, CompositeOutcome> }> {
        const names = Object.keys(soqlByName)
        if (names.length > COMPOSITE_MAX_QUERIES) {
            throw new Error(`A Composite request holds at most ${COMPOSITE_MAX_QUERIES} queries, not ${names.length}`)
        }
        const getNames = Object.keys(getByName)
        const outcomes = await this.composite([
            ...names.map((name) => ({
                referenceId: name,
                method: 'GET' as const,
                url: `/query${queryString({ q: soqlByName[name] })}`,
            })),
            ...getNames.map((name) => ({ referenceId: name, method: 'GET' as const, url: getByName[name] as string })),
        ])
        const gets: Record<string, CompositeOutcome> = {}
        getNames.forEach((name, index) => {
            gets[name] = outcomes[names.length + index] as CompositeOutcome
        })
        const results: Record<string, QueryOutcome<T>> = {}
        await Promise.all(
            names.map(async (name, index) => {
                const outcome = outcomes[index] as CompositeOutcome
                if (!outcome.ok) {
                    results[name] = outcome
                    return
                }
                let result = outcome.body as QueryResult<T>
                const records = [...this.recordsOf(result, '/composite')]
                for (let next = this.nextBatchOf(result, '/composite'); next !== undefined;) {
                    result = await this.http.get<QueryResult<T>>(next)
                    records.push(...this.recordsOf(result, '/query'))
                    next = this.nextBatchOf(result, '/query')
                }
                results[name] = { ok: true, records }
            })
        )
        return { queries: results, gets }
    }

    /**
     * `/composite` with `allOrNone` false: each subrequest succeeds or fails on its own, in the order given.
     * @throws InvalidResponseError when the answer does not hold one result per subrequest.
     */
    async composite(requests: readonly CompositeRequest[]): Promise<CompositeOutcome[]> {
        if (requests.length > COMPOSITE_MAX_SUBREQUESTS) {
            throw new Error(`A Composite request holds at most ${COMPOSITE_MAX_SUBREQUESTS} subrequests`)
        }
        // A Composite call of reads only changes nothing: it is retried like a GET when its answer is lost.
        const readsOnly = requests.every((request) => request.method === 'GET')
        const answer = await this.http.post<{ compositeResponse?: unknown }>(
            '/composite',
            {
                allOrNone: false,
                compositeRequest: requests.map((request) => ({
                    ...request,
                    url: `${REST_BASE_PATH}${request.url}`,
                })),
            },
            { changesNothing: readsOnly }
        )
        if (!Array.isArray(answer?.compositeResponse)) {
            throw new InvalidResponseError('Salesforce answered POST /composite without a compositeResponse list')
        }
        const responses = answer.compositeResponse as readonly CompositeResponse[]
        return requests.map((request) => {
            const response = responses.find((candidate) => candidate.referenceId === request.referenceId)
            if (response === undefined || typeof response.httpStatusCode !== 'number') {
                throw new InvalidResponseError(
                    `Salesforce answered POST /composite without the result of ${request.referenceId}`
                )
            }
            const status = response.httpStatusCode
            if (status >= 200 && status < 300) return { ok: true, body: response.body }
            const path = request.url.split('?')[0] ?? request.url
            return {
                ok: false,
                error: this.pipeline.failureOf(status, response.body, { method: request.method, path }),
            }
        })
    }

    /** One row by id, with the fields asked for (all when none are). */
    async retrieve<T extends SObjectRecord>(sobject: string, id: string, fields?: readonly string[]): Promise<T> {
        const params = fields === undefined ? undefined : { fields: fields.join(',') }
        return this.http.get<T>(`/sobjects/${sobject}/${encodeURIComponent(id)}`, params)
    }

    /**
     * Creates a row and returns its id.
     * @throws the mapped Salesforce error (DUPLICATE_VALUE, LICENSE_LIMIT_EXCEEDED…); InvalidResponseError when
     * Salesforce answers without an id.
     */
    async create(sobject: string, fields: Readonly<Record<string, unknown>>): Promise<string> {
        const answer = await this.http.post<{ id?: string; success?: boolean }>(`/sobjects/${sobject}`, fields)
        if (typeof answer?.id !== 'string' || answer.success === false) {
            throw new InvalidResponseError(`Salesforce answered POST /sobjects/${sobject} without the new row's id`)
        }
        return answer.id
    }

    async update(sobject: string, id: string, fields: Readonly<Record<string, unknown>>): Promise<void> {
        await this.http.patch(`/sobjects/${sobject}/${encodeURIComponent(id)}`, fields)
    }

    async delete(sobject: string, id: string): Promise<void> {
        await this.http.delete(`/sobjects/${sobject}/${encodeURIComponent(id)}`)
    }

    describe(sobject: string): Promise<SObjectDescribe> {
        return this.http.get<SObjectDescribe>(describePath(sobject))
    }

    /** `/limits` (needs View Setup and Configuration). */
    limits(): Promise<OrgLimits> {
        return this.http.get<OrgLimits>('/limits')
    }

    private recordsOf<T>(result: QueryResult<T>, resource: string): readonly T[] {
        const records: unknown = (result as { records?: unknown } | null)?.records
        if (!Array.isArray(records)) {
            throw new InvalidResponseError(`Salesforce answered ${resource} without a records list`)
        }
        return records as readonly T[]
    }

    /**
     * The path of the batch after `result`, under this client's base path; undefined after the last batch.
     * @throws InvalidResponseError for a batch that says more follow without saying where (stopping there would
     * pass a part of the rows off as all of them), or a next-batch address that is not a query locator.
     */
    private nextBatchOf(result: QueryResult<unknown>, resource: string): string | undefined {
        if (result.done) return undefined
        const url = result.nextRecordsUrl
        if (typeof url !== 'string') {
            throw new InvalidResponseError(
                `Salesforce answered ${resource} with done false and no nextRecordsUrl: the rest of the rows cannot be read`
            )
        }
        // `/services/data/v62.0/query/01g…-2000` and nothing else: the address is sent with the session's token, so
        // a path that climbs out of the base path (`..`), another host or an added query is refused, not followed.
        if (!NEXT_RECORDS_URL.test(url)) {
            throw new InvalidResponseError(`Salesforce gave a next-batch address outside ${REST_BASE_PATH}: ${url}`)
        }
        return url.slice(REST_BASE_PATH.length)
    }
}
