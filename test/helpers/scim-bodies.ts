/** Bodies shaped like Salesforce's SCIM 2.0 API, for stubs to answer with and tests to expect. */
import { ScimUser } from '../../src/salesforce/types'
import { fixture } from './nock'

/** The Content-Type Salesforce answers JSON with. */
export const JSON_UTF8 = { 'Content-Type': 'application/json;charset=UTF-8' }

/**
 * What aggregation leaves out of the users it lists: what the mapping never reads (with Govern Access Beyond SCIM,
 * the REST query reads the address and the encoding).
 */
export const LEFT_OUT_OF_LIST = 'photos,addresses,emailEncodingKey'

/** The query of one page of aggregation's user list: `count` users (200 by default), within `filter` if any. */
export function listQuery(filter?: string, count = 200): Record<string, string | number> {
    return { count, startIndex: 1, excludedAttributes: LEFT_OUT_OF_LIST, ...(filter === undefined ? {} : { filter }) }
}

export function listResponse<T>(resources: readonly T[], totalResults = resources.length): Record<string, unknown> {
    return {
        totalResults,
        itemsPerPage: resources.length,
        startIndex: 1,
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        ...(resources.length > 0 ? { Resources: resources } : {}),
    }
}

/** Salesforce's SCIM 2.0 error body, with `schemas` stringified as Salesforce sends it. */
export function scimError(status: number, detail: string): Record<string, unknown> {
    return { schemas: '["urn:ietf:params:scim:api:messages:2.0:Error"]', detail, status }
}

/** A PatchOp body as the connector must send it. */
export function patchOp(...operations: unknown[]): Record<string, unknown> {
    return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }
}

/** The PatchOp operation that sets a user's entitlements to exactly these ids, as the connector sends it. */
export function replaceEntitlements(...ids: readonly string[]): Record<string, unknown> {
    return { op: 'replace', value: { entitlements: ids.map((value) => ({ value })) } }
}

/** A user's profile as Salesforce's SCIM API lists it among their entitlements: the primary one. */
export function profileEntitlement(value: string): { value: string; type: string; primary: boolean } {
    return { value, type: 'Profile', primary: true }
}

/** A permission set as Salesforce's SCIM API lists it among a user's entitlements. */
export function permissionSetEntitlement(value: string): { value: string; type: string; primary: boolean } {
    return { value, type: 'Permission Set', primary: false }
}

/** A copy of `user` with other members, e.g. another id or other entitlements. */
export function userWith(user: ScimUser, changes: Record<string, unknown>): ScimUser {
    return { ...user, ...changes }
}

/** The documented create response (a verbatim Salesforce user) under ids of its own, as a /Users page holds it. */
export function listedUsers(count: number, first = 1): ScimUser[] {
    const sample = fixture<ScimUser>('scim/user.create.response')
    return Array.from({ length: count }, (_, i) => ({
        ...sample,
        id: `005RM${String(first + i).padStart(10, '0')}AAA`,
        userName: `user${first + i}@mycompany.com`,
    }))
}

/** A /Users ListResponse as Salesforce writes it: the envelope of an empty list, then `Resources`. */
export function usersPage(users: readonly ScimUser[], totalResults = users.length): string {
    const { totalResults: _total, ...envelope } = fixture<Record<string, unknown>>('scim/list.users.empty')
    return JSON.stringify({ totalResults, ...envelope, itemsPerPage: users.length, startIndex: 1, Resources: users })
}

/**
 * User keys (15 characters) as a real org hands them out: two pods (`0051U` is newer and sorts below `005i0`), ids
 * allocated in chunks with gaps, and case flips in the last characters. Salesforce's order is base 62,
 * 0-9 < A-Z < a-z: byte order. Listed here out of that order.
 */
export const MESSY_USER_KEYS: readonly string[] = [
    '005i0000001AbCZ',
    '0051U000007xYzA',
    '005i0000001AbCa',
    '0051U000007xYza',
    '005i0000001AbD0',
    '0051U000007xZ00',
    '005i0000009zzzz',
    '0051U00000AAAAA',
]
