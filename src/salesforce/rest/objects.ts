/**
 * The Salesforce objects beyond SCIM, as the connector reads and writes them through REST: one place for their
 * API names, the fields the connector selects, the assignment rows behind each REST-only entitlement type, and the
 * permission each needs (named as Salesforce's Setup names it). Queries are built here from checked values only.
 */
import { RestEntitlementType } from '../../schema'
import { SalesforceIdKind } from '../ids'
import { soqlIdList } from './soql'

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
    limits: 'View Setup and Configuration',
} as const

/** `SELECT <fields> FROM <object> WHERE <userField> IN (<ids>) [AND <where>]`: one type's rows for a page of users. */
export function assignmentsOfUsersSoql(type: keyof typeof ASSIGNMENT_OBJECTS, userIds: readonly string[]): string {
    const spec = ASSIGNMENT_OBJECTS[type]
    const fields = ['Id', spec.userField, spec.entitlementField, 'SystemModstamp']
    if (spec.object === 'PermissionSetAssignment') fields.push('ExpirationDate')
    const where = [`${spec.userField} IN ${soqlIdList(userIds)}`, ...(spec.where !== undefined ? [spec.where] : [])]
    return `SELECT ${fields.join(', ')} FROM ${spec.object} WHERE ${where.join(' AND ')}`
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
