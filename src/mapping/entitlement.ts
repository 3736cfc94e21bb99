import { SimpleKey, StdEntitlementReadOutput } from '@sailpoint/connector-sdk'
import { CONFIG_LABELS } from '../config'
import { ENTITLEMENT_TYPES, EntitlementType, REST_ENTITLEMENT_TYPES, RestEntitlementType } from '../schema'
import { InvalidRequestError } from '../errors'
import { ScimEntitlement, ScimGroup, ScimRole } from '../salesforce/types'
import { SALESFORCE_ID_PREFIX, SalesforceIdKind, compareIds, isSalesforceId } from '../salesforce/ids'
import {
    FeatureLicense,
    LicenseSeats,
    PackageLicenseRow,
    PermissionSetGroupWithComponents,
    PermissionSetLicenseRow,
    QueueRow,
    licenseSeats,
} from '../salesforce/rest/catalog'

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

/** Whether only Salesforce's REST API reaches the type (setting Govern Access Beyond SCIM). */
export function isRestEntitlementType(type: EntitlementType): type is RestEntitlementType {
    return (REST_ENTITLEMENT_TYPES as readonly string[]).includes(type)
}

/**
 * The refusal of a REST-only type when Govern Access Beyond SCIM is off: ISC asks for every type the source
 * declares, so the message says which setting makes it available.
 */
export function restEntitlementsOff(type: RestEntitlementType): InvalidRequestError {
    return new InvalidRequestError(
        `${type} entitlements are read through Salesforce's REST API, which this source does not use: turn on ` +
            `"${CONFIG_LABELS.governBeyondScim}" in the source configuration to aggregate them`
    )
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

/** `total - used`, when Salesforce gives both counts. */
/** A license's seats: total, used, and free (none when either count is unknown; never below zero). */
/** A license's seats as the entitlement's attributes. */
function seatAttributes(seats: LicenseSeats): {
    seatsTotal: number | null
    seatsUsed: number | null
    seatsFree: number | null
} {
    return { seatsTotal: seats.total, seatsUsed: seats.used, seatsFree: seats.free }
}

/**
 * A permission set group, with the permission sets it contains. A group's components may also name a muting
 * permission set (another id prefix), which takes permissions away rather than granting any: it is left out.
 */
export function fromPermissionSetGroup(entry: PermissionSetGroupWithComponents): EntitlementOutput {
    const group = entry.group
    return output('permissionSetGroup', group.Id, {
        id: group.Id,
        name: group.MasterLabel ?? group.DeveloperName ?? group.Id,
        developerName: group.DeveloperName ?? null,
        description: group.Description ?? null,
        type: 'Permission Set Group',
        status: group.Status ?? null,
        // In Salesforce's id order, so the attribute changes only when the group's contents do.
        permissionSets: entry.permissionSetIds.filter((id) => isSalesforceId(id, 'permissionSet')).sort(compareIds),
    })
}

export function fromPermissionSetLicense(license: PermissionSetLicenseRow): EntitlementOutput {
    return output('permissionSetLicense', license.Id, {
        id: license.Id,
        name: license.MasterLabel ?? license.DeveloperName ?? license.Id,
        developerName: license.DeveloperName ?? null,
        type: 'Permission Set License',
        status: license.Status ?? null,
        ...seatAttributes(licenseSeats('permissionSetLicense', license)),
        expirationDate: license.ExpirationDate ?? null,
    })
}

/**
 * A managed package's licenses, named by the package's namespace (PackageLicense has no label). AllowedLicenses
 * -1 means site-wide: every user may use the package, so it has no seat count to run out of.
 */
export function fromPackageLicense(license: PackageLicenseRow): EntitlementOutput {
    const seats = licenseSeats('packageLicense', license)
    return output('packageLicense', license.Id, {
        id: license.Id,
        name: license.NamespacePrefix ?? license.Id,
        namespace: license.NamespacePrefix ?? null,
        type: 'Package License',
        status: license.Status ?? null,
        siteWide: seats.siteWide,
        ...seatAttributes(seats),
        expirationDate: license.ExpirationDate ?? null,
    })
}

export function fromQueue(queue: QueueRow): EntitlementOutput {
    return output('queue', queue.Id, {
        id: queue.Id,
        name: queue.Name ?? queue.DeveloperName ?? queue.Id,
        developerName: queue.DeveloperName ?? null,
        type: 'Queue',
        email: queue.Email ?? null,
    })
}

/** A feature license: its id is the User field's API name, the value an account's `featureLicenses` holds. */
export function fromFeatureLicense(license: FeatureLicense): EntitlementOutput {
    return output('featureLicense', license.field, {
        id: license.field,
        name: license.label,
        type: 'Feature License',
    })
}
