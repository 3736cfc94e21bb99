/** Records of the emulated org, named after the Salesforce objects they stand for. */

/**
 * User.UserType values. `/Users` only returns the "queriable" ones; internal users (Automated Process, site guest)
 * exist in the org but are left out of SCIM, as in Salesforce's pilot `UsersResource`.
 */
export type UserType =
    | 'Standard'
    | 'PowerPartner'
    | 'PowerCustomerSuccess'
    | 'CustomerSuccess'
    | 'CspLitePortal'
    | 'CsnOnly'
    | 'SelfService'
    | 'Guest'
    | 'AutomatedProcess'

export const QUERIABLE_USER_TYPES: ReadonlySet<UserType> = new Set<UserType>([
    'Standard',
    'PowerPartner',
    'PowerCustomerSuccess',
    'CustomerSuccess',
    'SelfService',
    'CspLitePortal',
    'CsnOnly',
])

export type LicenseName =
    | 'Salesforce'
    | 'Salesforce Platform'
    | 'Chatter Free'
    | 'Identity'
    | 'Partner Community'
    | 'Guest User License'
    | 'Automated Process'

export interface Profile {
    readonly id: string
    name: string
    readonly license: LicenseName
    /** Profile.UserType: Guest and Automated Process profiles are hidden from /Entitlements. */
    readonly userType: UserType
    readonly created: number
    lastModified: number
}

export interface PermissionSet {
    readonly id: string
    /** What SCIM shows as `display`/`displayName`. */
    name: string
    readonly label: string
    /** A permission set tied to a user license can only be assigned to users of that license. */
    readonly license?: LicenseName
    /** PermissionSet.LicenseId when it is a permission set license: only its holders may be assigned the set. */
    readonly permissionSetLicenseId?: string
    readonly created: number
    lastModified: number
}

/** A permission set group: users get it through a PermissionSetAssignment that SCIM does not show. */
export interface PermissionSetGroup {
    readonly id: string
    /** MasterLabel. */
    readonly name: string
    readonly developerName: string
    readonly status: 'Updated' | 'Outdated' | 'Updating' | 'Failed'
    /** The permission sets it contains (PermissionSetGroupComponent rows). */
    readonly permissionSetIds: readonly string[]
}

/**
 * A permission set Salesforce keeps behind something else, never listed by SCIM: the one a profile owns
 * (`IsOwnedByProfile`, Type `Profile`) or a group's aggregate permissions (Type `Group`).
 */
export interface OwnedPermissionSet {
    readonly id: string
    readonly name: string
    readonly label: string
    readonly type: 'Profile' | 'Group'
    readonly profileId: string | null
    readonly permissionSetGroupId: string | null
}

export interface PermissionSetLicense {
    readonly id: string
    readonly developerName: string
    readonly masterLabel: string
    readonly status: 'Active' | 'Disabled'
    totalLicenses: number
    /** Epoch ms, or null when the license does not expire. */
    readonly expirationDate: number | null
}

export interface PackageLicense {
    readonly id: string
    readonly namespacePrefix: string
    readonly status: 'Active' | 'Expired' | 'Free' | 'Trial'
    /** -1: licensed site-wide (every user, no assignments). */
    allowedLicenses: number
    readonly expirationDate: number | null
}

/** Junction rows, kept under their API field names (datetimes in Salesforce's JSON form). */
export type PermissionSetAssignmentRow = {
    readonly Id: string
    readonly AssigneeId: string
    PermissionSetId: string
    readonly PermissionSetGroupId: string | null
    ExpirationDate: string | null
    readonly IsActive: boolean
    SystemModstamp: string
    IsDeleted: boolean
}

export type PermissionSetLicenseAssignRow = {
    readonly Id: string
    readonly AssigneeId: string
    readonly PermissionSetLicenseId: string
    SystemModstamp: string
    IsDeleted: boolean
}

export type UserPackageLicenseRow = {
    readonly Id: string
    readonly UserId: string
    readonly PackageLicenseId: string
    SystemModstamp: string
    IsDeleted: boolean
}

export type GroupMemberRow = {
    readonly Id: string
    readonly GroupId: string
    readonly UserOrGroupId: string
    SystemModstamp: string
    IsDeleted: boolean
}

export type PermissionSetGroupComponentRow = {
    readonly Id: string
    readonly PermissionSetGroupId: string
    readonly PermissionSetId: string
    IsDeleted: boolean
}

export type UserLoginRow = {
    readonly Id: string
    readonly UserId: string
    IsFrozen: boolean
    IsPasswordLocked: boolean
    LastModifiedDate: string
    IsDeleted: boolean
}

/**
 * User fields SCIM does not carry: the company name, the last login, and the feature-license flags (the
 * `UserPermissions*` booleans, by the part of the name after `UserPermissions`).
 */
export interface UserRestFields {
    companyName: string | null
    lastLoginDate: number | null
    readonly featureLicenses: FeatureLicenseSet
}

/** The `UserPermissions*` feature-license flags on User, with their labels in Setup. */
export const FEATURE_LICENSES = {
    MarketingUser: 'Marketing User',
    OfflineUser: 'Offline User',
    KnowledgeUser: 'Knowledge User',
    SupportUser: 'Service Cloud User',
    InteractionUser: 'Flow User',
    CallCenterAutoLogin: 'Auto-login Call Center',
    SFContentUser: 'Salesforce CRM Content User',
    LiveAgentUser: 'Chat User',
    AvantgoUser: 'Mobile User',
} as const

export type FeatureLicense = keyof typeof FEATURE_LICENSES

const FEATURE_LICENSE_BITS: Readonly<Record<string, number>> = Object.fromEntries(
    Object.keys(FEATURE_LICENSES).map((f, i) => [f, 1 << i])
)

/** A user's feature licenses as one bit each: a 100,000-user org holds one small number per user, not a set. */
export class FeatureLicenseSet {
    private bits = 0

    has(flag: FeatureLicense): boolean {
        return (this.bits & (FEATURE_LICENSE_BITS[flag] ?? 0)) !== 0
    }

    add(flag: FeatureLicense): void {
        this.bits |= FEATURE_LICENSE_BITS[flag] ?? 0
    }

    delete(flag: FeatureLicense): void {
        this.bits &= ~(FEATURE_LICENSE_BITS[flag] ?? 0)
    }
}

/** The feature licenses a user license allows; the others are refused (FIELD_INTEGRITY_EXCEPTION). */
export const FEATURE_LICENSES_BY_LICENSE: Readonly<Record<LicenseName, readonly FeatureLicense[]>> = {
    Salesforce: Object.keys(FEATURE_LICENSES) as FeatureLicense[],
    'Salesforce Platform': ['OfflineUser', 'InteractionUser', 'SFContentUser', 'AvantgoUser'],
    'Chatter Free': [],
    Identity: [],
    'Partner Community': [],
    'Guest User License': [],
    'Automated Process': [],
}

/** Assignment details SCIM neither shows nor can recreate. */
export interface HiddenAssignments {
    readonly permissionSetGroupIds: readonly string[]
    /** PermissionSetAssignment.ExpirationDate by permission set id (epoch ms). */
    readonly expiry: Readonly<Record<string, number>>
}

export interface Role {
    readonly id: string
    name: string
    readonly parentRoleId: string | null
    readonly created: number
    lastModified: number
}

export interface Group {
    readonly id: string
    name: string
    /** `Regular` is a public group; a `Queue` may be listed (variant `queues`) but not read or changed alone. */
    readonly type: 'Regular' | 'Queue'
    /** User (005) or group (00G) ids, in the order they were added. */
    readonly members: Set<string>
    readonly created: number
    lastModified: number
}

export type CustomFieldType = 'string' | 'double' | 'boolean' | 'date' | 'hierarchy'

export interface CustomFieldDef {
    /** API name, e.g. `Cost_Center__c`. */
    readonly name: string
    readonly label: string
    readonly type: CustomFieldType
}

export type CustomValue = string | number | boolean

/** The User fields SCIM can see or change. Changing any of them bumps LastModifiedDate. */
export interface UserFields {
    userName: string
    federationId: string | null
    firstName: string | null
    lastName: string | null
    nickName: string | null
    alias: string
    email: string | null
    title: string | null
    department: string | null
    division: string | null
    employeeNumber: string | null
    street: string | null
    city: string | null
    state: string | null
    postalCode: string | null
    country: string | null
    phone: string | null
    mobilePhone: string | null
    fax: string | null
    userType: UserType
    languageLocaleKey: string | null
    emailEncodingKey: string | null
    localeSidKey: string | null
    timeZoneSidKey: string | null
    isActive: boolean
    profileId: string
    roleId: string | null
    managerId: string | null
    delegatedApproverId: string | null
    accountId: string | null
    contactId: string | null
    hasPhoto: boolean
    custom: Record<string, CustomValue>
}

export interface UserRecord extends UserFields {
    readonly id: string
    readonly created: number
    lastModified: number
}

/**
 * Working copy of a user for a write: all changes of a request are applied here first and committed in one step,
 * so a failed request leaves nothing behind (Salesforce's savepoint/rollback).
 */
export interface UserDraft {
    fields: UserFields
    /** Permission sets not owned by a profile, in assignment order. */
    permissionSetIds: string[]
    groupIds: string[]
    /** A new password to set with the write; it is not a User field and does not touch LastModifiedDate. */
    password?: string
    /**
     * Set when a write deleted every non-profile PermissionSetAssignment and inserted the listed ones again: the
     * permission set group assignments and expiry dates SCIM does not show are lost with them.
     */
    dropHiddenAssignments?: boolean
}

export const USER_FIELD_KEYS: readonly (keyof UserFields)[] = [
    'userName',
    'federationId',
    'firstName',
    'lastName',
    'nickName',
    'alias',
    'email',
    'title',
    'department',
    'division',
    'employeeNumber',
    'street',
    'city',
    'state',
    'postalCode',
    'country',
    'phone',
    'mobilePhone',
    'fax',
    'userType',
    'languageLocaleKey',
    'emailEncodingKey',
    'localeSidKey',
    'timeZoneSidKey',
    'isActive',
    'profileId',
    'roleId',
    'managerId',
    'delegatedApproverId',
    'accountId',
    'contactId',
    'hasPhoto',
]

export function displayName(u: Pick<UserFields, 'firstName' | 'lastName'>): string {
    return [u.firstName, u.lastName].filter((p): p is string => Boolean(p)).join(' ')
}
