/**
 * The Salesforce objects beyond SCIM, as the connector reads and writes them through REST: one place for their
 * API names, the fields the connector selects, the assignment rows behind each REST-only entitlement type, and the
 * permission each needs (named as Salesforce's Setup names it). Queries are built here from checked values only.
 */
import { RestEntitlementType } from '../../schema'
import { SalesforceIdKind, toId18 } from '../ids'
import { SoqlIdList, soqlIdList, soqlString } from './soql'

/**
 * The assignment row behind each REST-only entitlement type that is a row (feature licenses are User fields):
 * its object, the field naming the user, the field naming the entitlement, and the id kind of that entitlement.
 */
export interface AssignmentObject {
    readonly object: 'PermissionSetAssignment' | 'PermissionSetLicenseAssign' | 'UserPackageLicense' | 'GroupMember'
    readonly userField: 'AssigneeId' | 'UserId' | 'UserOrGroupId'
    readonly entitlementField: 'PermissionSetGroupId' | 'PermissionSetLicenseId' | 'PackageLicenseId' | 'GroupId'
    readonly entitlementKind: SalesforceIdKind
    /** A condition every row of this type meets, beyond its user (e.g. the group is a queue). */
    readonly where?: string
    /** The Salesforce permission a grant or a revoke needs. */
    readonly writePermission: string
}

export const ASSIGNMENT_OBJECTS: Readonly<Record<Exclude<RestEntitlementType, 'featureLicense'>, AssignmentObject>> = {
    // A permission set group is assigned by a PermissionSetAssignment row naming the group (its PermissionSetId
    // is then the group's aggregate permission set, which no list shows as a permission set of its own).
    permissionSetGroup: {
        object: 'PermissionSetAssignment',
        userField: 'AssigneeId',
        entitlementField: 'PermissionSetGroupId',
        entitlementKind: 'permissionSetGroup',
        where: 'PermissionSetGroupId != null',
        writePermission: 'Assign Permission Sets',
    },
    permissionSetLicense: {
        object: 'PermissionSetLicenseAssign',
        userField: 'AssigneeId',
        entitlementField: 'PermissionSetLicenseId',
        entitlementKind: 'permissionSetLicense',
        writePermission: 'Assign Permission Sets',
    },
    packageLicense: {
        object: 'UserPackageLicense',
        userField: 'UserId',
        entitlementField: 'PackageLicenseId',
        entitlementKind: 'packageLicense',
        writePermission: 'Manage Package Licenses',
    },
    queue: {
        object: 'GroupMember',
        userField: 'UserOrGroupId',
        entitlementField: 'GroupId',
        entitlementKind: 'queue',
        where: "Group.Type = 'Queue'",
        writePermission: 'Manage Users',
    },
}

/**
 * The feature-license flags of User Salesforce documents; an org's User describe may show more or fewer (the
 * connector reads the describe and uses the `UserPermissions*` booleans it finds).
 */
export const KNOWN_FEATURE_LICENSE_FIELDS: Readonly<Record<string, string>> = {
    UserPermissionsMarketingUser: 'Marketing User',
    UserPermissionsOfflineUser: 'Offline User',
    UserPermissionsKnowledgeUser: 'Knowledge User',
    UserPermissionsSupportUser: 'Service Cloud User',
    UserPermissionsLiveAgentUser: 'Chat User',
    UserPermissionsCallCenterAutoLogin: 'Auto-login Call Center',
    UserPermissionsInteractionUser: 'Flow User',
    UserPermissionsSFContentUser: 'Salesforce CRM Content User',
    UserPermissionsAvantgoUser: 'Mobile User',
    UserPermissionsSiteforceContributorUser: 'Site.com Contributor User',
    UserPermissionsSiteforcePublisherUser: 'Site.com Publisher User',
    UserPermissionsWorkDotComUserFeature: 'WDC User',
}

/** The User fields whose name marks a feature license flag. */
export const FEATURE_LICENSE_FIELD_PREFIX = 'UserPermissions'

/** A user's login state row: frozen, and locked by failed logins. Query, retrieve and update only. */
export const USER_LOGIN_FIELDS = ['Id', 'UserId', 'IsFrozen', 'IsPasswordLocked', 'LastModifiedDate'] as const

/** Permissions by what needs them, in Salesforce's Setup words (the README's least-privilege table). */
export const REST_PERMISSIONS = {
    read: 'View Setup and Configuration',
    users: 'View All Users',
    assignPermissionSets: 'Assign Permission Sets',
    packageLicenses: 'Manage Package Licenses',
    freeze: 'Freeze Users (or Manage Users)',
    unlock: 'Reset User Passwords and Unlock Users (part of Manage Users)',
    featureLicenses: 'Manage Users',
    loginState: 'Manage Users',
    limits: 'View Setup and Configuration',
} as const

/** `SELECT <fields> FROM <object> WHERE <userField> IN (<ids>) [AND <where>]`: one type's rows for a page of users. */
export function assignmentsOfUsersSoql(type: keyof typeof ASSIGNMENT_OBJECTS, userIds: SoqlIdList): string {
    const spec = ASSIGNMENT_OBJECTS[type]
    const fields = ['Id', spec.userField, spec.entitlementField, 'SystemModstamp']
    if (spec.object === 'PermissionSetAssignment') fields.push('ExpirationDate')
    const where = [`${spec.userField} IN ${userIds}`, ...(spec.where !== undefined ? [spec.where] : [])]
    return `SELECT ${fields.join(', ')} FROM ${spec.object} WHERE ${where.join(' AND ')}`
}

/**
 * A user's permission set assignments as a child subquery of User (relationship `PermissionSetAssignments`), so
 * that a page's users and their assignments cost one query: the plain permission sets (for their expiry dates),
 * the permission set groups, and the rows behind them. `PermissionSet.IsOwnedByProfile` marks the row every user
 * has for the profile's own permission set, which is no permission set of the account (SCIM leaves it out too).
 */
export const USER_PERMISSION_SET_ASSIGNMENTS = {
    relationship: 'PermissionSetAssignments',
    fields: ['Id', 'PermissionSetId', 'PermissionSetGroupId', 'ExpirationDate'],
    // Every user has a row for the profile's own permission set, which is no permission set of the account: left
    // out by Salesforce rather than sent (with its PermissionSet record) and dropped. A plain permission set's row
    // without an expiry says nothing SCIM's entitlements do not (the account's permission sets come from SCIM), so
    // only group rows and rows with an expiry are read: most users' subquery is then empty, a third of the bytes.
    where: 'PermissionSet.IsOwnedByProfile = false AND (PermissionSetGroupId != null OR ExpirationDate != null)',
} as const

/** The login-state object: one row per user, which the REST API can query, retrieve and update only. */
export const USER_LOGIN_OBJECT = 'UserLogin'

/**
 * The rows whose change changes a user's access beyond what SCIM's `meta.lastModified` shows, for delta
 * aggregation: each object, the field naming the user, the timestamp a change moves, and whether `/queryAll`
 * shows its deleted rows (UserLogin rows are never deleted: query, retrieve and update only). GroupMember rows of
 * public groups come too: a membership change does not move the user's own timestamp either.
 */
export const ACCESS_CHANGE_MARKERS: readonly {
    readonly object: string
    readonly userField: string
    readonly stampField: 'SystemModstamp' | 'LastModifiedDate'
    readonly includeDeleted: boolean
}[] = [
    { object: 'PermissionSetAssignment', userField: 'AssigneeId', stampField: 'SystemModstamp', includeDeleted: true },
    {
        object: 'PermissionSetLicenseAssign',
        userField: 'AssigneeId',
        stampField: 'SystemModstamp',
        includeDeleted: true,
    },
    { object: 'UserPackageLicense', userField: 'UserId', stampField: 'SystemModstamp', includeDeleted: true },
    { object: 'GroupMember', userField: 'UserOrGroupId', stampField: 'SystemModstamp', includeDeleted: true },
    { object: USER_LOGIN_OBJECT, userField: 'UserId', stampField: 'LastModifiedDate', includeDeleted: false },
]

/**
 * The catalog behind each REST-only entitlement type that is a row: its object, the fields the connector reads,
 * the condition its rows meet (a queue is a Group of type Queue), and the permissions of which the integration user
 * needs one to read it (Salesforce hides an object from a user without them: INVALID_TYPE).
 */
export interface CatalogObject {
    readonly object: 'PermissionSetGroup' | 'PermissionSetLicense' | 'PackageLicense' | 'Group'
    readonly fields: readonly string[]
    readonly where?: string
    readonly readPermissions: readonly string[]
}

export const CATALOG_OBJECTS: Readonly<Record<Exclude<RestEntitlementType, 'featureLicense'>, CatalogObject>> = {
    permissionSetGroup: {
        object: 'PermissionSetGroup',
        fields: ['Id', 'DeveloperName', 'MasterLabel', 'Description', 'Status'],
        readPermissions: [REST_PERMISSIONS.read, REST_PERMISSIONS.assignPermissionSets],
    },
    permissionSetLicense: {
        object: 'PermissionSetLicense',
        fields: ['Id', 'DeveloperName', 'MasterLabel', 'Status', 'TotalLicenses', 'UsedLicenses', 'ExpirationDate'],
        readPermissions: [REST_PERMISSIONS.read, REST_PERMISSIONS.assignPermissionSets],
    },
    packageLicense: {
        object: 'PackageLicense',
        fields: ['Id', 'NamespacePrefix', 'Status', 'AllowedLicenses', 'UsedLicenses', 'ExpirationDate'],
        readPermissions: [REST_PERMISSIONS.packageLicenses, REST_PERMISSIONS.read],
    },
    queue: {
        object: 'Group',
        fields: ['Id', 'Name', 'DeveloperName', 'Email'],
        where: "Type = 'Queue'",
        readPermissions: [REST_PERMISSIONS.read],
    },
}

/** `SELECT <fields> FROM <object> [WHERE <where>] [AND Id IN (<ids>)] ORDER BY Id`: a catalog, or some of its rows. */
export function catalogSoql(type: keyof typeof CATALOG_OBJECTS, ids?: readonly string[]): string {
    const spec = CATALOG_OBJECTS[type]
    const where = [...(spec.where !== undefined ? [spec.where] : []), ...(ids ? [`Id IN ${soqlIdList(ids)}`] : [])]
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
    return `SELECT ${spec.fields.join(', ')} FROM ${spec.object}${filter} ORDER BY Id`
}

/**
 * The permission sets a permission set group contains (PermissionSetGroupComponent): of the whole org, or of some
 * groups. Reading it needs what reading the groups needs.
 */
export function permissionSetGroupComponentsSoql(groupIds?: readonly string[]): string {
    const filter = groupIds ? ` WHERE PermissionSetGroupId IN ${soqlIdList(groupIds)}` : ''
    return `SELECT PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent${filter} ORDER BY Id`
}

/**
 * The permission sets no permission set list shows: those a profile owns (`IsOwnedByProfile`), and the aggregate
 * permission set behind each permission set group (`PermissionSetGroupId` set): of the whole org, or among `ids`.
 */
export function hiddenPermissionSetsSoql(ids?: readonly string[]): string {
    const among = ids ? `Id IN ${soqlIdList(ids)} AND ` : ''
    return `SELECT Id FROM PermissionSet WHERE ${among}(IsOwnedByProfile = true OR PermissionSetGroupId != null)`
}

/** The permissions of which the integration user needs one to read the permission sets' ownership. */
export const PERMISSION_SET_READ_PERMISSIONS: readonly string[] = [
    REST_PERMISSIONS.read,
    REST_PERMISSIONS.assignPermissionSets,
]

/**
 * What `std:test-connection` asks to tell the integration user's REST access: one cheap query per object a feature
 * reads. Salesforce refuses a query of an object the user may not see (INVALID_TYPE: "sObject type … is not
 * supported") or may not read (INSUFFICIENT_ACCESS), so a refusal names the permission that is missing.
 */
export interface ReadAccessProbe {
    /** What the connector cannot do while the query is refused, as the admin would say it. */
    readonly feature: string
    /** The permission that lets it, in Setup's words (`REST_PERMISSIONS`). */
    readonly permission: string
    /** The object the query reads, which a refusal names. */
    readonly object: string
    readonly soql: string
}

export const READ_ACCESS_PROBES = {
    permissionSetGroups: {
        feature: 'read permission set groups',
        permission: REST_PERMISSIONS.read,
        object: 'PermissionSetGroup',
        soql: 'SELECT Id FROM PermissionSetGroup LIMIT 1',
    },
    permissionSetLicenses: {
        feature: 'read permission set licenses',
        permission: REST_PERMISSIONS.read,
        object: 'PermissionSetLicenseAssign',
        soql: 'SELECT Id FROM PermissionSetLicenseAssign LIMIT 1',
    },
    packageLicenses: {
        feature: 'read package licenses',
        permission: REST_PERMISSIONS.packageLicenses,
        object: 'UserPackageLicense',
        soql: 'SELECT Id FROM UserPackageLicense LIMIT 1',
    },
    queues: {
        feature: 'read queue membership',
        permission: REST_PERMISSIONS.users,
        object: 'GroupMember',
        soql: "SELECT Id FROM GroupMember WHERE Group.Type = 'Queue' LIMIT 1",
    },
    loginState: {
        feature: 'read frozen and locked state',
        permission: REST_PERMISSIONS.freeze,
        object: 'UserLogin',
        soql: 'SELECT Id FROM UserLogin LIMIT 1',
    },
    userLicenses: {
        feature: 'read user licenses',
        permission: REST_PERMISSIONS.read,
        object: 'UserLicense',
        soql: 'SELECT Id FROM UserLicense LIMIT 1',
    },
} as const satisfies Readonly<Record<string, ReadAccessProbe>>

/**
 * The PermissionSet flags (`Permissions<Name>`) behind the permissions the REST features need, each with what it
 * lets the connector do. A user holds a permission when any permission set assigned to them (the profile's own
 * included) has its flag, or one of the flags that Salesforce makes it part of (Manage Users turns on Assign
 * Permission Sets, View Setup and Configuration, View All Users and the rest when enabled).
 */
export interface PermissionFlag {
    readonly flag: string
    readonly permission: string
    readonly feature: string
    /** Flags that include this permission. */
    readonly includedIn?: readonly string[]
}

export const PERMISSION_FLAGS: readonly PermissionFlag[] = [
    {
        flag: 'PermissionsViewSetup',
        permission: REST_PERMISSIONS.read,
        feature: "report the org's API usage (/limits) and read license and permission set group catalogs",
    },
    {
        flag: 'PermissionsViewAllUsers',
        permission: REST_PERMISSIONS.users,
        feature: "read other users' licenses, queues and login state",
    },
    {
        flag: 'PermissionsAssignPermissionSets',
        permission: REST_PERMISSIONS.assignPermissionSets,
        feature: 'grant and revoke permission set groups and permission set licenses',
        includedIn: ['PermissionsManageUsers'],
    },
    {
        flag: 'PermissionsManagePackageLicenses',
        permission: REST_PERMISSIONS.packageLicenses,
        feature: 'grant and revoke package licenses',
    },
    {
        flag: 'PermissionsManageUsers',
        permission: REST_PERMISSIONS.featureLicenses,
        feature: 'change queue membership and feature licenses, and unlock users',
    },
    {
        flag: 'PermissionsFreezeUsers',
        permission: REST_PERMISSIONS.freeze,
        feature: 'freeze and unfreeze users',
        includedIn: ['PermissionsManageUsers'],
    },
]

/** The permission flags of every permission set assigned to one user (the profile's own included). */
export function permissionFlagsOfUserSoql(userId: string, flags: readonly string[]): string {
    return (
        `SELECT ${flags.join(', ')} FROM PermissionSet WHERE Id IN ` +
        `(SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(toId18(userId, 'user'))})`
    )
}

/**
 * The UserLogin rows of a page's users that say frozen or locked out: most users are neither, and a user without
 * such a row is then neither, as a user Salesforce holds no UserLogin row for (the page's bytes shrink by that
 * row for nearly every user).
 */
export function blockedLoginsOfUsersSoql(userIds: SoqlIdList): string {
    return (
        `SELECT ${USER_LOGIN_FIELDS.join(', ')} FROM ${USER_LOGIN_OBJECT} WHERE UserId IN ${userIds} ` +
        'AND (IsFrozen = true OR IsPasswordLocked = true)'
    )
}

/** `SELECT <login fields> FROM UserLogin WHERE UserId = '<id>'`: a user's login state row. */
export function userLoginOfUserSoql(userId: string): string {
    return `SELECT ${USER_LOGIN_FIELDS.join(', ')} FROM ${USER_LOGIN_OBJECT} WHERE UserId = ${soqlString(toId18(userId, 'user'))}`
}

/**
 * The licenses a leaver's seats are freed of (setting Free License Seats on Disable): the assignment row of each,
 * and the field of its license naming it to an admin.
 */
export const SEAT_LICENSE_TYPES = {
    permissionSetLicense: { license: 'PermissionSetLicense', nameField: 'MasterLabel' },
    packageLicense: { license: 'PackageLicense', nameField: 'NamespacePrefix' },
} as const
export type SeatLicenseType = keyof typeof SEAT_LICENSE_TYPES

/** `SELECT Id, <license id>, <license>.<name> FROM <assignment> WHERE <user> = '<id>'`: one user's seats of a type. */
export function seatAssignmentsOfUserSoql(type: SeatLicenseType, userId: string): string {
    const spec = ASSIGNMENT_OBJECTS[type]
    const { license, nameField } = SEAT_LICENSE_TYPES[type]
    const fields = ['Id', spec.entitlementField, `${license}.${nameField}`]
    return `SELECT ${fields.join(', ')} FROM ${spec.object} WHERE ${spec.userField} = ${soqlString(toId18(userId, 'user'))}`
}

// ---- Provisioning: one user's rows, read before and after the writes of an update or a create ----------------

/** The API name of a User feature-license flag, e.g. `UserPermissionsMarketingUser`. */
export const FEATURE_LICENSE_FIELD_PATTERN = /^UserPermissions[A-Za-z][A-Za-z0-9_]*$/

/**
 * A user's own PermissionSetAssignment rows: permission sets (PermissionSetGroupId null) and permission set groups
 * (PermissionSetGroupId set, PermissionSetId then the group's aggregate set), never the profile-owned row every
 * user has, which only a profile change removes.
 */
export function permissionSetAssignmentsOfUserSoql(userId: string): string {
    return (
        'SELECT Id, PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment ' +
        `WHERE AssigneeId IN ${soqlIdList([userId])} AND PermissionSet.IsOwnedByProfile = false`
    )
}

/** `SELECT Id, <flags> FROM User WHERE Id IN (<id>)`: the feature-license flags asked, each checked by name. */
export function featureLicensesOfUserSoql(userId: string, fields: readonly string[]): string {
    const bad = fields.find((field) => !FEATURE_LICENSE_FIELD_PATTERN.test(field))
    if (bad !== undefined) throw new Error(`Not a feature license field: ${JSON.stringify(bad)}`)
    return `SELECT ${['Id', ...fields].join(', ')} FROM User WHERE Id IN ${soqlIdList([userId])}`
}

/** What the integration user needs to read or write each kind of access of a user, in Salesforce's words. */
export const PROVISIONING_PERMISSION: Readonly<Record<RestEntitlementType | 'permissionSet', string>> = {
    permissionSet: REST_PERMISSIONS.assignPermissionSets,
    permissionSetGroup: ASSIGNMENT_OBJECTS.permissionSetGroup.writePermission,
    permissionSetLicense: ASSIGNMENT_OBJECTS.permissionSetLicense.writePermission,
    packageLicense: ASSIGNMENT_OBJECTS.packageLicense.writePermission,
    queue: ASSIGNMENT_OBJECTS.queue.writePermission,
    featureLicense: REST_PERMISSIONS.featureLicenses,
}

/** Each kind of access provisioning writes, in an admin's words (for messages). */
export const PROVISIONING_LABEL: Readonly<Record<RestEntitlementType | 'permissionSet', string>> = {
    permissionSet: 'permission set',
    permissionSetGroup: 'permission set group',
    permissionSetLicense: 'permission set license',
    packageLicense: 'package license',
    queue: 'queue',
    featureLicense: 'feature license',
}
