/**
 * Names that become ISC schema: account attribute names and entitlement types. connector-spec.json,
 * the mappers and the handlers all use these constants; a contract test checks the spec against them.
 */

export const ENTITLEMENT_TYPES = ['profile', 'permissionSet', 'role', 'group'] as const
export type EntitlementType = (typeof ENTITLEMENT_TYPES)[number]

/** The account attribute that carries each entitlement type. */
export const ENTITLEMENT_ATTRIBUTE: Readonly<Record<EntitlementType, string>> = {
    profile: 'profile',
    permissionSet: 'permissionSets',
    role: 'role',
    group: 'groups',
}

export const ACCOUNT_ATTRIBUTES = [
    'id',
    'userName',
    'email',
    'givenName',
    'familyName',
    'displayName',
    'nickName',
    'alias',
    'title',
    'department',
    'division',
    'employeeNumber',
    'active',
    'profile',
    'permissionSets',
    'role',
    'groups',
    'manager',
    'managerName',
    'federationIdentifier',
    'userType',
    'locale',
    'timezone',
    'preferredLanguage',
    'phone',
    'mobilePhone',
    'created',
    'lastModified',
] as const
export type AccountAttribute = (typeof ACCOUNT_ATTRIBUTES)[number]
