/** Bodies shaped like Salesforce's SCIM 2.0 API, for stubs to answer with and tests to expect. */
import { ScimUser } from '../../src/salesforce/types'

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

/** A copy of `user` with other members, e.g. another id or other entitlements. */
export function userWith(user: ScimUser, changes: Record<string, unknown>): ScimUser {
    return { ...user, ...changes }
}
