import express, { Request, Response } from 'express'
import { INSUFFICIENT_ACCESS, NOT_FOUND_URL, RestApiError } from '../errors'
import { KEY_PREFIX } from '../ids'
import { RollingDailyCounter } from '../limits'
import { sessionOf } from '../oauth'
import { sendEmpty, sendJson, sendJsonParts, wantsPrettyJson } from '../respond'
import { OrgStore } from '../store'
import { VariantSwitch } from '../variants'
import { OrgSchema, SchemaSource } from './objects'
import { PermissionSwitch } from './permissions'
import { runSoql, SoqlError, SoqlRecord } from './soql'
import {
    createRecord,
    deleteRecord,
    describe,
    objectOf,
    readRecord,
    RESOURCE_NOT_FOUND,
    Undo,
    updateRecord,
} from './sobjects'

/**
 * Salesforce's REST API under `/services/data/vNN.N`: query and queryAll with Query More paging, the sObject
 * resources, Composite and Limits. Each call is a plain function of a request (`RestCall`) so that Composite runs its
 * subrequests through the very same code, without counting them as API calls.
 */

export interface RestDeps {
    readonly store: OrgStore
    readonly permissions: PermissionSwitch
    readonly variants: VariantSwitch
    readonly limit: RollingDailyCounter
    readonly cursors: QueryCursors
    /** The schema of each request (`OrgSchemas`: reused while the store is unchanged). */
    readonly schemas: SchemaSource
}

export interface RestCall {
    readonly method: string
    /** The path after `/services/data/vNN.N`, e.g. `/sobjects/User/005…`. */
    readonly path: string
    readonly query: Readonly<Record<string, string>>
    readonly body: unknown
    /** `NN.N`. */
    readonly version: string
    readonly sessionUserId: string
    /** The `Sforce-Query-Options` header. */
    readonly queryOptions: string | undefined
}

export interface RestAnswer {
    readonly status: number
    readonly body?: unknown
    /** The body as compact UTF-8 JSON in parts, where it is known as bytes: sent as they are. */
    readonly json?: readonly Buffer[]
    readonly headers?: Readonly<Record<string, string>>
    /** For a write inside a Composite request with allOrNone. */
    readonly undo?: Undo
}

export const MIN_API_VERSION = 29
export const MAX_API_VERSION = 66

/** Query More: results of a query kept for its next batches. */
interface Cursor {
    readonly records: readonly SoqlRecord[]
    readonly totalSize: number
    readonly userId: string
    readonly batchSize: number
    readonly version: number
    /** Epoch ms after which the locator is gone. */
    expiresAt: number
}

/** Before API v56.0 a cursor expired after 15 minutes unused and a user had at most 10 open; since, 2 days and no cap. */
const OLD_CURSOR_IDLE_MS = 15 * 60_000
const OLD_CURSORS_PER_USER = 10
const CURSOR_LIFETIME_MS = 2 * 86_400_000
/** The emulator's own bound, so that a long benchmark does not keep every result. */
const MAX_CURSORS = 2_000

export class QueryCursors {
    private readonly cursors = new Map<string, Cursor>()

    constructor(private readonly store: OrgStore) {}

    open(cursor: Omit<Cursor, 'expiresAt'>): string {
        const now = this.store.clock()
        if (cursor.version < 56) {
            const mine = [...this.cursors.entries()].filter(([, c]) => c.userId === cursor.userId && c.version < 56)
            while (mine.length >= OLD_CURSORS_PER_USER) this.cursors.delete(mine.shift()?.[0] ?? '')
        }
        if (this.cursors.size >= MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value ?? '')
        const id = this.store.ids.take(KEY_PREFIX.queryLocator)
        this.cursors.set(id, {
            ...cursor,
            expiresAt: now + (cursor.version < 56 ? OLD_CURSOR_IDLE_MS : CURSOR_LIFETIME_MS),
        })
        return id
    }

    /** The cursor, or undefined when unknown, expired or another user's. */
    use(id: string, userId: string): Cursor | undefined {
        const cursor = this.cursors.get(id)
        const now = this.store.clock()
        if (!cursor || cursor.userId !== userId) return undefined
        if (now > cursor.expiresAt) {
            this.cursors.delete(id)
            return undefined
        }
        if (cursor.version < 56) cursor.expiresAt = now + OLD_CURSOR_IDLE_MS
        return cursor
    }
}

const INVALID_QUERY_LOCATOR = (): RestApiError =>
    new RestApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator')

function schemaFor(deps: RestDeps, call: RestCall): OrgSchema {
    return deps.schemas.for({
        sessionUserId: call.sessionUserId,
        permissions: deps.permissions,
        deletedRows: deps.variants.current.deletedJunctionRows,
    })
}

/** `Sforce-Query-Options: batchSize=N`, 200 to 2,000 (default 2,000); variant `restBatchSize: small` serves 250. */
function batchSizeOf(deps: RestDeps, header: string | undefined): number {
    if (deps.variants.current.restBatchSize === 'small') return 250
    const m = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null
    const asked = m?.[1] ? Number(m[1]) : 2_000
    return Math.min(2_000, Math.max(200, asked))
}

function page(
    deps: RestDeps,
    call: RestCall,
    cursorId: string | undefined,
    cursor: Omit<Cursor, 'expiresAt'>,
    from: number
): RestAnswer {
    const records = cursor.records.slice(from, from + cursor.batchSize)
    const next = from + records.length
    const done = next >= cursor.records.length
    const body: Record<string, unknown> = { totalSize: cursor.totalSize, done }
    if (!done) {
        const id = cursorId ?? deps.cursors.open(cursor)
        body.nextRecordsUrl = `/services/data/v${call.version}/query/${id}-${next}`
    }
    body.records = records
    return { status: 200, body }
}

/** An answer known by its JSON bytes, read back into a value only when something looks into it. */
function answerOfJson(status: number, json: readonly Buffer[]): RestAnswer {
    let body: unknown
    return {
        status,
        json,
        get body(): unknown {
            body ??= JSON.parse(Buffer.concat(json).toString('utf8'))
            return body
        },
    }
}

/**
 * The answers of queries whose records fit one batch, as UTF-8 JSON, kept with the schema they were read in (so
 * for one session and permission setting, until the org changes: any write moves the store's version, and the
 * schema goes with it). The same query then costs a copy of bytes instead of an evaluation, as a page of SCIM
 * users already served does (`UserJsonCache`): the bench's repeated aggregations measure the connector, not the
 * emulator's SOQL, which on a real org runs on Salesforce's servers. A query that opens a cursor is not kept.
 */
const keptAnswers = new WeakMap<OrgSchema, { bytes: number; readonly byKey: Map<string, Buffer> }>()
/** The most one schema keeps (an org of 100,000 users' aggregation queries take about 70 MB). */
const MAX_KEPT_BYTES = 256 * 1024 * 1024

function query(deps: RestDeps, call: RestCall, includeDeleted: boolean): RestAnswer {
    const soql = call.query.q
    if (soql === undefined || soql.trim() === '')
        throw new RestApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified')
    const schema = schemaFor(deps, call)
    const batchSize = batchSizeOf(deps, call.queryOptions)
    const key = `${includeDeleted}|${call.version}|${batchSize}|${soql}`
    let kept = keptAnswers.get(schema)
    const json = kept?.byKey.get(key)
    if (json !== undefined) return answerOfJson(200, [json])
    let result
    try {
        result = runSoql(soql, schema, { includeDeleted, apiVersion: `v${call.version}` })
    } catch (e) {
        if (e instanceof SoqlError) throw new RestApiError(400, e.errorCode, e.message)
        throw e
    }
    const cursor = {
        records: result.records,
        totalSize: result.totalSize,
        userId: call.sessionUserId,
        batchSize,
        version: Number(call.version),
    }
    const answer = page(deps, call, undefined, cursor, 0)
    if ((answer.body as { done?: unknown }).done !== true) return answer
    const bytes = Buffer.from(JSON.stringify(answer.body))
    if (kept === undefined || kept.bytes + bytes.length > MAX_KEPT_BYTES) {
        kept = { bytes: 0, byKey: new Map() }
        keptAnswers.set(schema, kept)
    }
    kept.byKey.set(key, bytes)
    kept.bytes += bytes.length
    return answerOfJson(200, [bytes])
}

function queryMore(deps: RestDeps, call: RestCall, locator: string): RestAnswer {
    const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(locator)
    if (!m?.[1] || !m[2]) throw INVALID_QUERY_LOCATOR()
    const cursor = deps.cursors.use(m[1], call.sessionUserId)
    const from = Number(m[2])
    if (!cursor || from > cursor.records.length) throw INVALID_QUERY_LOCATOR()
    return page(deps, call, m[1], cursor, from)
}

function limits(deps: RestDeps): RestAnswer {
    if (!deps.permissions.has('ViewSetup')) throw INSUFFICIENT_ACCESS()
    const used = deps.limit.used()
    const same = (max: number): { Max: number; Remaining: number } => ({ Max: max, Remaining: max })
    return {
        status: 200,
        body: {
            ConcurrentAsyncGetReportInstances: same(200),
            ConcurrentSyncReportRuns: same(20),
            DailyApiRequests: { Max: deps.limit.limit, Remaining: Math.max(0, deps.limit.limit - used) },
            DailyAsyncApexExecutions: same(250_000),
            DailyBulkApiBatches: same(15_000),
            DailyBulkV2QueryFileStorageMB: same(976_562),
            DailyBulkV2QueryJobs: same(10_000),
            HourlyTimeBasedWorkflow: same(1_000),
            SingleEmail: same(5_000),
        },
    }
}

function resources(version: string): Record<string, string> {
    const base = `/services/data/v${version}`
    return {
        sobjects: `${base}/sobjects`,
        query: `${base}/query`,
        queryAll: `${base}/queryAll`,
        composite: `${base}/composite`,
        limits: `${base}/limits`,
    }
}

function methodNotAllowed(method: string, allowed: readonly string[]): RestApiError {
    return new RestApiError(
        405,
        'METHOD_NOT_ALLOWED',
        `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`
    )
}

/** Answer one REST call (a request, or a Composite subrequest). @throws RestApiError */
export function dispatch(deps: RestDeps, call: RestCall): RestAnswer {
    const parts = call.path.split('/').filter(Boolean).map(decodeURIComponent)
    const [head, type, second, third] = parts
    const method = call.method.toUpperCase()
    const only = (...allowed: string[]): void => {
        if (!allowed.includes(method)) throw methodNotAllowed(method, [...allowed, 'HEAD'])
    }
    if (head === undefined) {
        only('GET')
        return { status: 200, body: resources(call.version) }
    }
    switch (head) {
        case 'query':
        case 'queryAll': {
            only('GET')
            if (parts.length === 1) return query(deps, call, head === 'queryAll')
            if (parts.length === 2 && type) return queryMore(deps, call, type)
            throw NOT_FOUND_URL()
        }
        case 'limits':
            only('GET')
            if (parts.length !== 1) throw NOT_FOUND_URL()
            return limits(deps)
        case 'composite':
            only('POST')
            if (parts.length !== 1) throw NOT_FOUND_URL()
            return composite(deps, call)
        case 'sobjects':
            return sobjects(deps, call, method, type, second, third)
        default:
            throw NOT_FOUND_URL()
    }
}

function sobjects(
    deps: RestDeps,
    call: RestCall,
    method: string,
    type: string | undefined,
    second: string | undefined,
    third: string | undefined
): RestAnswer {
    const schema = schemaFor(deps, call)
    if (type === undefined) {
        if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD'])
        return {
            status: 200,
            body: {
                encoding: 'UTF-8',
                maxBatchSize: 200,
                sobjects: schema.objects().map((o) => ({
                    name: o.name,
                    label: o.label,
                    keyPrefix: o.keyPrefix,
                    createable: o.createable,
                    updateable: o.updateable,
                    deletable: o.deletable,
                    queryable: true,
                    urls: { sobject: `/services/data/v${call.version}/sobjects/${o.name}` },
                })),
            },
        }
    }
    if (third !== undefined) throw RESOURCE_NOT_FOUND()
    const object = objectOf(schema, type)
    const sdeps = { store: deps.store, permissions: deps.permissions }
    if (second === undefined) {
        if (method === 'POST') {
            const created = createRecord(sdeps, object, call.body)
            return {
                status: 201,
                body: { id: created.id, success: true, errors: [] },
                headers: { Location: `/services/data/v${call.version}/sobjects/${object.name}/${created.id}` },
                undo: created.undo,
            }
        }
        if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD', 'POST'])
        const d = describe(object, call.version)
        return { status: 200, body: { objectDescribe: { ...d, fields: undefined }, recentItems: [] } }
    }
    if (second === 'describe') {
        if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD'])
        return { status: 200, body: describe(object, call.version) }
    }
    switch (method) {
        case 'GET': {
            const record = readRecord(object, second, call.version, call.query.fields)
            return { status: 200, body: record }
        }
        case 'PATCH': {
            const updated = updateRecord(sdeps, object, second, call.body)
            return { status: 204, undo: updated.undo }
        }
        case 'DELETE': {
            const deleted = deleteRecord(sdeps, object, second)
            return { status: 204, undo: deleted.undo }
        }
        default:
            throw methodNotAllowed(method, ['GET', 'HEAD', 'PATCH', 'DELETE'])
    }
}

// ---- Composite -------------------------------------------------------------------------------------------------

const MAX_SUBREQUESTS = 25
const MAX_QUERY_SUBREQUESTS = 5

interface SubRequest {
    readonly method: string
    readonly url: string
    readonly referenceId: string
    readonly body?: unknown
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function compositeBodyError(message: string): RestApiError {
    return new RestApiError(400, 'JSON_PARSER_ERROR', message)
}

function parseComposite(body: unknown): { allOrNone: boolean; requests: SubRequest[] } {
    if (!isRecord(body) || !Array.isArray(body.compositeRequest))
        throw compositeBodyError('The request body must be a JSON object with a compositeRequest array.')
    const requests = body.compositeRequest.map((r, i): SubRequest => {
        if (
            !isRecord(r) ||
            typeof r.method !== 'string' ||
            typeof r.url !== 'string' ||
            typeof r.referenceId !== 'string'
        )
            throw compositeBodyError(`Subrequest ${i + 1} needs a method, a url and a referenceId.`)
        return { method: r.method, url: r.url, referenceId: r.referenceId, ...('body' in r ? { body: r.body } : {}) }
    })
    if (requests.length === 0) throw compositeBodyError('The compositeRequest array is empty.')
    if (requests.length > MAX_SUBREQUESTS)
        throw new RestApiError(
            400,
            'INVALID_REQUEST',
            `Composite request can't have more than ${MAX_SUBREQUESTS} subrequests; this one has ${requests.length}.`
        )
    const queries = requests.filter((r) => /\/(query|queryAll)(\/|\?|$)|\/composite\/sobjects/.test(r.url)).length
    if (queries > MAX_QUERY_SUBREQUESTS)
        throw new RestApiError(
            400,
            'INVALID_REQUEST',
            `Composite request can't have more than ${MAX_QUERY_SUBREQUESTS} query or sObject Collections subrequests; this one has ${queries}.`
        )
    const ids = new Set<string>()
    for (const r of requests) {
        if (ids.has(r.referenceId))
            throw compositeBodyError(`Duplicate referenceId: ${r.referenceId}. Each subrequest needs its own.`)
        ids.add(r.referenceId)
    }
    return { allOrNone: body.allOrNone === true, requests }
}

class ReferenceError extends RestApiError {
    constructor(reference: string) {
        super(
            400,
            'INVALID_REFERENCE',
            `Invalid reference specified. No value for ${reference} found in a prior subrequest.`
        )
    }
}

/** `@{ref.path}` in a subrequest's url or body, resolved against earlier answers (`@{newUser.id}`, `@{q.records[0].Id}`). */
function resolveReferences(text: string, answers: ReadonlyMap<string, RestAnswer>): string {
    return text.replace(/@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g, (_whole, ref: string, path: string) => {
        const answer = answers.get(ref)
        if (!answer || answer.status >= 400) throw new ReferenceError(`${ref}${path}`)
        let cur: unknown = answer.body
        for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
            const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1)
            cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[key] : undefined
        }
        if (cur === undefined || cur === null || typeof cur === 'object') throw new ReferenceError(`${ref}${path}`)
        return typeof cur === 'string' ? cur : JSON.stringify(cur)
    })
}

function errorBody(e: RestApiError): unknown {
    return e.body()
}

const PROCESSING_HALTED = [
    {
        errorCode: 'PROCESSING_HALTED',
        message: 'The transaction was rolled back since another operation in the same transaction failed.',
    },
]

function subCall(call: RestCall, sub: SubRequest, answers: ReadonlyMap<string, RestAnswer>): RestCall {
    const url = resolveReferences(sub.url, answers)
    const m = /^\/services\/data\/v(\d+\.\d)(\/[^?]*)?(?:\?(.*))?$/.exec(url)
    if (!m?.[1]) throw NOT_FOUND_URL()
    const version = m[1]
    const major = Number(version)
    if (!Number.isInteger(major) || major < MIN_API_VERSION || major > MAX_API_VERSION) throw NOT_FOUND_URL()
    const query: Record<string, string> = {}
    for (const [k, v] of new URLSearchParams(m[3] ?? '')) query[k] = v
    const body: unknown =
        sub.body === undefined ? undefined : JSON.parse(resolveReferences(JSON.stringify(sub.body), answers))
    return {
        method: sub.method,
        path: m[2] ?? '/',
        query,
        body,
        version,
        sessionUserId: call.sessionUserId,
        queryOptions: call.queryOptions,
    }
}

/** POST /composite: up to 25 subrequests in order, one API call. */
function composite(deps: RestDeps, call: RestCall): RestAnswer {
    const { allOrNone, requests } = parseComposite(call.body)
    const answers = new Map<string, RestAnswer>()
    // Each result's body is its answer's, unless replaced (`halted`): an answer known as bytes is not parsed.
    const out: {
        answer?: RestAnswer
        halted?: boolean
        httpHeaders: Record<string, string>
        httpStatusCode: number
        referenceId: string
    }[] = []
    let failed = false
    for (const sub of requests) {
        if (failed && allOrNone) {
            out.push({ halted: true, httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId })
            continue
        }
        let answer: RestAnswer
        try {
            const inner = subCall(call, sub, answers)
            if (/^\/composite(\/|$)/.test(inner.path)) throw NOT_FOUND_URL()
            answer = dispatch(deps, inner)
        } catch (e) {
            if (!(e instanceof RestApiError)) throw e
            answer = { status: e.status, body: errorBody(e) }
        }
        answers.set(sub.referenceId, answer)
        out.push({
            answer,
            httpHeaders: { ...(answer.headers ?? {}) },
            httpStatusCode: answer.status,
            referenceId: sub.referenceId,
        })
        if (answer.status >= 400) failed = true
    }
    if (failed && allOrNone) {
        // Roll back what succeeded, last first; every subrequest then reports the rollback but the one that failed.
        const done = requests.map((r) => answers.get(r.referenceId))
        for (const answer of [...done].reverse()) if (answer && answer.status < 400) answer.undo?.()
        out.forEach((entry, i) => {
            const answer = done[i]
            if (answer && answer.status < 400) {
                entry.halted = true
                entry.httpHeaders = {}
                entry.httpStatusCode = 400
            }
        })
    }
    // The same bytes as JSON.stringify of { compositeResponse: [{ body, httpHeaders, httpStatusCode, referenceId }] }.
    const json: Buffer[] = [Buffer.from('{"compositeResponse":[')]
    out.forEach((entry, i) => {
        json.push(Buffer.from(`${i > 0 ? ',' : ''}{"body":`))
        if (!entry.halted && entry.answer?.json !== undefined) json.push(...entry.answer.json)
        else json.push(Buffer.from(JSON.stringify(entry.halted ? PROCESSING_HALTED : (entry.answer?.body ?? null))))
        const { httpHeaders, httpStatusCode, referenceId } = entry
        json.push(Buffer.from(`,${JSON.stringify({ httpHeaders, httpStatusCode, referenceId }).slice(1)}`))
    })
    json.push(Buffer.from(']}'))
    return answerOfJson(200, json)
}

// ---- HTTP ------------------------------------------------------------------------------------------------------

function queryStrings(req: Request): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') out[k] = v
    return out
}

/** The REST API's routes, mounted under `/services/data` after the session, limit and fault checks. */
export function restRouter(deps: RestDeps): express.Router {
    const router = express.Router({ caseSensitive: true })
    router.use((req: Request, res: Response) => {
        const m = /^\/v(\d+\.\d)(\/.*)?$/.exec(req.path)
        const version = m?.[1]
        const major = Number(version)
        if (!version || !Number.isInteger(major) || major < MIN_API_VERSION || major > MAX_API_VERSION)
            throw RESOURCE_NOT_FOUND()
        const answer = dispatch(deps, {
            method: req.method,
            path: m[2] ?? '/',
            query: queryStrings(req),
            body: req.body as unknown,
            version,
            sessionUserId: sessionOf(res).userId,
            queryOptions: req.get('Sforce-Query-Options'),
        })
        const headers = { ...(answer.headers ?? {}) }
        if (answer.json !== undefined && !wantsPrettyJson(res)) sendJsonParts(res, answer.status, answer.json, headers)
        else if (answer.body === undefined) {
            for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
            sendEmpty(res, answer.status)
        } else sendJson(res, answer.status, answer.body, headers)
    })
    return router
}
