import { SimpleKey, StdEntitlementReadOutput } from '@sailpoint/connector-sdk'
import { ENTITLEMENT_TYPES, EntitlementType } from '../schema'
import { InvalidRequestError } from '../errors'
import { ScimEntitlement, ScimGroup, ScimRole } from '../salesforce/types'
import { SALESFORCE_ID_PREFIX, SalesforceIdKind } from '../salesforce/ids'

/**
 * The Id kind of each entitlement type; a feature license has no Id of its own: it is a User permission field,
 * named by its API name.
 */
export const ENTITLEMENT_ID_KIND: Readonly<Record<Exclude<EntitlementType, 'featureLicense'>, SalesforceIdKind>> = {
    profile: 'profile',
    permissionSet: 'permissionSet',
    role: 'role',
    group: 'group',
    permissionSetGroup: 'permissionSetGroup',
    permissionSetLicense: 'permissionSetLicense',
    packageLicense: 'packageLicense',
    queue: 'queue',
}

/**
 * Whether an `/Entitlements` item (or a user's entitlement) is a profile or a permission set: by Id prefix,
 * which Salesforce never changes, and only then by `type` ("Profile" / "Permission Set").
 */
export function entitlementKindOf(id: string, type?: string): 'profile' | 'permissionSet' | undefined {
    if (id.startsWith(SALESFORCE_ID_PREFIX.profile)) return 'profile'
    if (id.startsWith(SALESFORCE_ID_PREFIX.permissionSet)) return 'permissionSet'
    const normalised = type?.replace(/\s+/g, '').toLowerCase()
    if (normalised === 'profile') return 'profile'
    if (normalised === 'permissionset') return 'permissionSet'
    return undefined
}

function isEntitlementType(value: unknown): value is EntitlementType {
    return typeof value === 'string' && (ENTITLEMENT_TYPES as readonly string[]).includes(value)
}

/** @throws InvalidRequestError naming the valid types. */
export function requireEntitlementType(value: unknown): EntitlementType {
    if (isEntitlementType(value)) return value
    const types = ENTITLEMENT_TYPES.join(', ')
    if (value === undefined || value === null || value === '') {
        throw new InvalidRequestError(`The entitlement type is required: set \`type\` to one of ${types}`)
    }
    throw new InvalidRequestError(`Unknown entitlement type ${JSON.stringify(value)}: this source has ${types}`)
}

export type EntitlementOutput = StdEntitlementReadOutput

function output(type: EntitlementType, id: string, attributes: EntitlementOutput['attributes']): EntitlementOutput {
    return { type, key: SimpleKey(id), identity: id, attributes }
}

/** A profile or permission set from `/Entitlements`. */
export function fromScimEntitlement(
    type: 'profile' | 'permissionSet',
    entitlement: ScimEntitlement
): EntitlementOutput {
    return output(type, entitlement.id, {
        id: entitlement.id,
        name: entitlement.displayName,
        type: entitlement.type ?? (type === 'profile' ? 'Profile' : 'Permission Set'),
        lastModified: entitlement.meta?.lastModified ?? null,
    })
}

export function fromScimRole(role: ScimRole): EntitlementOutput {
    return output('role', role.id, {
        id: role.id,
        name: role.displayName,
        lastModified: role.meta?.lastModified ?? null,
    })
}

export function fromScimGroup(group: ScimGroup): EntitlementOutput {
    return output('group', group.id, {
        id: group.id,
        name: group.displayName,
        groupType: group.type ?? null,
        lastModified: group.meta?.lastModified ?? null,
    })
}
