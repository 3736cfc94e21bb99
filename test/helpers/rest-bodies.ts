/** Bodies shaped like Salesforce's REST API (v62.0), for stubs to answer with and tests to expect. */
import { toId18 } from '../../src/salesforce/ids'
import { SObjectRecord } from '../../src/salesforce/rest/rest-client'
import { LookedUpRows } from '../../src/salesforce/rest/user-access'

/** The REST API's base path at the API version the connector calls. */
export const REST = '/services/data/v62.0'

/** Records beyond SCIM that tests grant, revoke and parse, by their 18-character ids. */
export const REST_IDS = {
    queue: toId18('00GRM000000Qu01'),
    otherQueue: toId18('00GRM000000Qu02'),
    thirdQueue: toId18('00GRM000000Qu03'),
    permissionSetLicense: toId18('0PLRM000000Ps01'),
    packageLicense: toId18('050RM000000Pk01'),
    permissionSetGroup: toId18('0PGRM0000000AbC'),
    otherPermissionSetGroup: toId18('0PGRM0000000AbD'),
} as const

export type SObjectRow = Record<string, unknown>

/** A record as a SOQL query returns it: its `attributes` (type and URL), its Id, then the fields asked for. */
export function sobjectRow(type: string, id: string, fields: SObjectRow): SObjectRow {
    return { attributes: { type, url: `${REST}/sobjects/${type}/${id}` }, Id: id, ...fields }
}

/** A query answer of one page that holds every record. */
export function queryAnswer(records: readonly unknown[]): Record<string, unknown> {
    return { totalSize: records.length, done: true, records }
}

/** Salesforce's answer to a Composite request: one HTTP 200 subresponse per referenceId, in order. */
export function compositeOf(bodies: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return {
        compositeResponse: Object.entries(bodies).map(([referenceId, body]) => ({
            body,
            httpHeaders: {},
            httpStatusCode: 200,
            referenceId,
        })),
    }
}

/** The answer to a Composite of queries: each referenceId's records, as one page. */
export function compositeAnswer(results: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown> {
    return compositeOf(Object.fromEntries(Object.entries(results).map(([ref, records]) => [ref, queryAnswer(records)])))
}

/**
 * The answer to a Composite whose one subrequest Salesforce refused, with its REST error array, and the records
 * of the other queries it answered (`answered`, in order after it).
 */
export function compositeRefused(
    referenceId: string,
    error: { readonly errorCode: string; readonly message: string },
    status = 400,
    answered: Readonly<Record<string, readonly unknown[]>> = {}
): Record<string, unknown> {
    const others = compositeAnswer(answered).compositeResponse as unknown[]
    return {
        compositeResponse: [
            {
                body: [{ message: error.message, errorCode: error.errorCode }],
                httpHeaders: {},
                httpStatusCode: status,
                referenceId,
            },
            ...others,
        ],
    }
}

/** The `Sforce-Limit-Info` header Salesforce sends with each REST answer: the org's daily API usage. */
export function limitInfo(used: number, max = 100_000): Record<string, string> {
    return { 'Sforce-Limit-Info': `api-usage=${used}/${max}` }
}

/** Salesforce's answer to an sobject create. */
export function created(id: string): Record<string, unknown> {
    return { id, success: true, errors: [] }
}

/** The SOQL of each subrequest of a recorded Composite body, by referenceId. */
export function queriesOf(body: unknown): Record<string, string> {
    const requests = (body as { compositeRequest: { referenceId: string; url: string }[] }).compositeRequest
    return Object.fromEntries(
        requests.map((r) => [r.referenceId, new URL(`https://x${r.url}`).searchParams.get('q') ?? ''])
    )
}

/**
 * The rows a page query's plan looks values up in, from the answer to its Profile query (`rest/query.profiles`):
 * the profiles by Id, each with its user license, as `readUserAccessPlan` keeps them for `userLicense`.
 */
export function lookedUpProfiles(answer: { readonly records: readonly SObjectRow[] }): LookedUpRows {
    return { userLicense: new Map(answer.records.map((row) => [row.Id as string, row as SObjectRecord])) }
}
