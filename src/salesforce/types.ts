/**
 * Wire types of Salesforce's SCIM 2.0 API and OAuth token endpoint, in the exact JSON casing Salesforce uses.
 * Shapes follow Salesforce's SCIM reference and observed responses; fields Salesforce omits when empty are optional.
 */

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const SCIM_ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
/** Salesforce writes the alias under the 1.0 URN and has been seen reading it under 2.0; we send 1.0. */
export const SALESFORCE_USER_EXTENSION = 'urn:salesforce:schemas:extension:1.0'

interface ScimMeta {
    readonly created?: string
    readonly lastModified?: string
    readonly location?: string
    readonly resourceType?: string
    readonly version?: string
}

export interface ScimMultiValue {
    readonly value: string
    readonly $ref?: string
    readonly display?: string
    readonly type?: string
    /** Salesforce's own docs send `"primary": "true"` as a string. */
    readonly primary?: boolean | string
}

interface ScimManager {
    readonly value?: string
    readonly $ref?: string
    readonly displayName?: string
}

interface ScimEnterpriseExtension {
    readonly organization?: string
    readonly division?: string
    readonly employeeNumber?: string
    readonly department?: string
    readonly costCenter?: string
    readonly manager?: ScimManager
    readonly delegatedApprover?: {
        readonly delegatedApproverId?: string
        readonly $ref?: string
        readonly displayName?: string
    }
}

/** The named members of a SCIM user; `ScimUser` adds the org's extension blocks. */
export interface ScimUserFields {
    readonly schemas?: readonly string[]
    readonly id: string
    readonly userName: string
    readonly externalId?: string
    readonly name?: {
        readonly formatted?: string
        readonly familyName?: string
        readonly givenName?: string
    }
    readonly displayName?: string
    readonly nickName?: string
    readonly title?: string
    readonly emails?: readonly ScimMultiValue[]
    readonly phoneNumbers?: readonly ScimMultiValue[]
    readonly userType?: string
    readonly preferredLanguage?: string
    readonly emailEncodingKey?: string
    readonly locale?: string
    readonly timezone?: string
    readonly active?: boolean
    /** The profile first (`primary: true`), then permission sets not owned by a profile. */
    readonly entitlements?: readonly ScimMultiValue[]
    /** Present only when the user belongs to a public group. */
    readonly groups?: readonly ScimMultiValue[]
    /** Present only when the user has a role; at most one. */
    readonly roles?: readonly ScimMultiValue[]
    readonly 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'?: ScimEnterpriseExtension
    readonly 'urn:salesforce:schemas:extension:1.0'?: { readonly alias?: string }
    readonly meta?: ScimMeta
}

export interface ScimUser extends ScimUserFields {
    /** Custom fields live under `urn:salesforce:schemas:extension:<18-char org id>`. */
    readonly [extension: string]: unknown
}

export interface ScimGroupMember {
    readonly value: string
    readonly type?: string
    /** Absolute URL, unlike the relative `$ref` on a user's entitlements. */
    readonly $ref?: string
    readonly display?: string
}

/** A role from `/Roles`; groups and entitlements are shaped alike, with a `type`. */
export interface ScimRole {
    readonly schemas?: readonly string[]
    readonly id: string
    readonly displayName: string
    readonly members?: readonly ScimGroupMember[]
    readonly meta?: ScimMeta
}

export interface ScimGroup extends ScimRole {
    /** `Regular` is a public group. */
    readonly type?: string
}

/** A profile (`00e…`) or a permission set (`0PS…`) from `/Entitlements`. */
export interface ScimEntitlement extends ScimRole {
    /** `Profile` or `Permission Set` (note the space); kept open for types Salesforce may add. */
    readonly type?: string
}

export interface ScimListResponse<T> {
    readonly schemas?: readonly string[]
    readonly totalResults?: number
    readonly itemsPerPage?: number
    readonly startIndex?: number
    /** Salesforce leaves `Resources` out of an empty `/Users` result. */
    readonly Resources?: readonly T[]
}

export interface ScimSchemaAttribute {
    readonly name: string
    readonly type?: string
    readonly multiValued?: boolean
    readonly description?: string
    readonly required?: boolean
    readonly mutability?: string
    readonly subAttributes?: readonly ScimSchemaAttribute[]
}

export interface ScimSchema {
    readonly id: string
    readonly name?: string
    readonly description?: string
    readonly attributes?: readonly ScimSchemaAttribute[]
}

export interface ScimServiceProviderConfig {
    readonly schemas?: readonly string[]
    readonly patch?: { readonly supported?: boolean }
    readonly filter?: { readonly supported?: boolean; readonly maxResults?: number }
    readonly changePassword?: { readonly supported?: boolean }
}

/**
 * Salesforce's "SCIM PATCH Simple": add and replace carry no `path` and an object `value`;
 * remove names the attribute in `path`. Group membership wraps members as `{ members: [...] }`.
 */
export type ScimPatchOperation =
    | { readonly op: 'add' | 'replace'; readonly value: Record<string, unknown> }
    | { readonly op: 'remove'; readonly path: string; readonly value?: Record<string, unknown> }
    | {
          readonly op: 'add' | 'remove'
          readonly path: 'members'
          readonly value: { readonly members: readonly { readonly value: string }[] }
      }
