/**
 * Names that become ISC schema, and the one table of account attributes. Each attribute is spelled once here:
 * its ISC type, whether it is multi-valued or an entitlement, where it lives on a SCIM user, and how an update
 * or a create writes it. The account schema (and connector-spec.json's `accountSchema`, which a contract test
 * holds equal to it), the account mapping and the write planning all come from this table.
 */

import { SalesforceIdKind } from './salesforce/ids'
import { SALESFORCE_USER_EXTENSION, SCIM_ENTERPRISE_SCHEMA } from './salesforce/types'

/** The entitlement types SCIM carries on a user. */
const SCIM_ENTITLEMENT_TYPES = ['profile', 'permissionSet', 'role', 'group'] as const
/** The entitlement types only Salesforce's REST API reaches (setting Govern Access Beyond SCIM). */
export const REST_ENTITLEMENT_TYPES = [
    'permissionSetGroup',
    'permissionSetLicense',
    'packageLicense',
    'queue',
    'featureLicense',
] as const
export const ENTITLEMENT_TYPES = [...SCIM_ENTITLEMENT_TYPES, ...REST_ENTITLEMENT_TYPES] as const
export type EntitlementType = (typeof ENTITLEMENT_TYPES)[number]
export type RestEntitlementType = (typeof REST_ENTITLEMENT_TYPES)[number]

/**
 * How an update takes a value away: a `remove` path for the fields Salesforce can null, an empty value for
 * optional fields it has no remove path for, and a refusal for fields every Salesforce user must have.
 */
type Removal = { readonly path: string } | { readonly clear: true } | { readonly refuse: string }

/** A text field, written at the attribute's SCIM path with a path-less replace. */
export interface TextWrite {
    readonly kind: 'text'
    /** The length of the User field: Salesforce refuses (or, for alias, silently cuts) a longer value. */
    readonly maxLength: number
    readonly remove: Removal
    /** The value is a Salesforce id of this kind, compared by its 15-character key. */
    readonly idKind?: SalesforceIdKind
    /** Salesforce compares (and stores) the value without regard to case: a change of case alone writes nothing. */
    readonly caseInsensitive?: true
    /** A username, held to Salesforce's username rules. */
    readonly userName?: true
    /** A second SCIM path a create writes the value to as well. */
    readonly alsoOnCreate?: string
}

/**
 * How an attribute is written: `readOnly` (computed by Salesforce: an update cannot write it, a create profile's
 * value is ignored), `text`, `active` (an update sets it, Remove deactivates; a create defaults it to true),
 * `entitlement` (by the entitlement rules of the write planning: profile swap, permission set forms, group
 * members) or `restEntitlement` (a REST-only entitlement: an assignment row created or deleted, or for feature
 * licenses a User flag set, each by its own rules).
 */
type AttributeWrite =
    | { readonly kind: 'readOnly' }
    | TextWrite
    | { readonly kind: 'active' }
    | { readonly kind: 'entitlement' }
    | { readonly kind: 'restEntitlement' }

interface AttributeCommon {
    readonly description: string
    readonly type: 'string' | 'boolean'
    readonly multi?: true
    /** The entitlement type this attribute carries. */
    readonly entitlement?: EntitlementType
    readonly write: AttributeWrite
}

/** An attribute read from the SCIM user. */
interface ScimAttributeSpec extends AttributeCommon {
    /** Where the value lives on a SCIM user (RFC 7644 attribute path); text attributes are written there too. */
    readonly scim: string
}

/**
 * An attribute only the REST API reads (Govern Access Beyond SCIM): `rest` names what it is read from, the User
 * field (`User.LastLoginDate`) or the object whose rows it lists. Without the setting, or without the permission
 * it needs, the attribute is left out of the account.
 */
interface RestAttributeSpec extends AttributeCommon {
    readonly rest: string
    /**
     * For a User field that holds the id of another row (`User.ProfileId`): the object and field path the value
     * is read from (`Profile.UserLicense.Name`). The org's rows of that object are read once per command and
     * joined by id, rather than each User row carrying the parent rows nested in it.
     */
    readonly via?: string
    /**
     * Where a SCIM user carries the same value (e.g. the address parts): that value is preferred whenever the
     * SCIM user holds it, and the REST value fills in where it does not (aggregation leaves such SCIM attributes
     * out of its pages, `UNMAPPED_USER_ATTRIBUTES`, since the page's REST query reads them anyway: SCIM's
     * `addresses` and `emailEncodingKey` cost a page some 20% more bytes than the User fields do).
     */
    readonly alsoScim?: string
}

type AccountAttributeSpec = ScimAttributeSpec | RestAttributeSpec

/** Whether the attribute is read through the REST API rather than from the SCIM user. */
export function isRestAttribute(spec: AccountAttributeSpec): spec is RestAttributeSpec {
    return 'rest' in spec
}

const READ_ONLY: AttributeWrite = { kind: 'readOnly' }
const ENTITLEMENT: AttributeWrite = { kind: 'entitlement' }
const REST_ENTITLEMENT: AttributeWrite = { kind: 'restEntitlement' }
const text = (
    maxLength: number,
    remove: Removal,
    more: Omit<TextWrite, 'kind' | 'maxLength' | 'remove'> = {}
): TextWrite => ({
    kind: 'text',
    maxLength,
    remove,
    ...more,
})
const ENTERPRISE = SCIM_ENTERPRISE_SCHEMA

/** Every account attribute every Salesforce org has, in the order ISC shows them. */
export const ACCOUNT_ATTRIBUTE_TABLE = {
    id: { description: 'Salesforce User Id (18 characters)', type: 'string', scim: 'id', write: READ_ONLY },
    userName: {
        description: 'Username, unique across all Salesforce orgs',
        type: 'string',
        scim: 'userName',
        write: text(80, { refuse: 'Salesforce users must have a username' }, { caseInsensitive: true, userName: true }),
    },
    email: {
        description: 'Email address',
        type: 'string',
        // Salesforce holds one email; it reads the primary one (or the first) and is written as the work email.
        scim: 'emails[type eq "work" and primary eq true].value',
        write: text(128, { refuse: 'Salesforce users must have an email address' }, { caseInsensitive: true }),
    },
    givenName: {
        description: 'First name',
        type: 'string',
        scim: 'name.givenName',
        // Salesforce's remove paths name the attribute without `name.`.
        write: text(40, { path: 'givenName' }),
    },
    familyName: {
        description: 'Last name',
        type: 'string',
        scim: 'name.familyName',
        write: text(80, { refuse: 'Salesforce users must have a last name' }),
    },
    displayName: { description: 'Full name (read-only)', type: 'string', scim: 'displayName', write: READ_ONLY },
    nickName: {
        description: 'Nickname (CommunityNickname)',
        type: 'string',
        scim: 'nickName',
        write: text(40, { path: 'nickName' }),
    },
    alias: {
        description: 'Alias, at most 8 characters',
        type: 'string',
        scim: `${SALESFORCE_USER_EXTENSION}:alias`,
        // Salesforce silently cuts a longer alias, which would then differ from what ISC asked for. Users come
        // back with the alias under the 1.0 URN, and updates send it there; Salesforce's SCIM pilot reads a new
        // user's alias only under 2.0, and its native schema has advertised 2.0. Each is an extension block of
        // its own, which SCIM lets a server ignore when it does not know it, so a create sends both with the same
        // value: whichever the org reads, the alias is the one asked for rather than one Salesforce makes up.
        write: text(
            8,
            { refuse: 'Salesforce users must have an alias' },
            { alsoOnCreate: 'urn:salesforce:schemas:extension:2.0:alias' }
        ),
    },
    title: { description: 'Title', type: 'string', scim: 'title', write: text(80, { path: 'title' }) },
    department: {
        description: 'Department',
        type: 'string',
        scim: `${ENTERPRISE}:department`,
        write: text(80, { clear: true }),
    },
    division: {
        description: 'Division',
        type: 'string',
        scim: `${ENTERPRISE}:division`,
        write: text(80, { clear: true }),
    },
    employeeNumber: {
        description: 'Employee number',
        type: 'string',
        scim: `${ENTERPRISE}:employeeNumber`,
        write: text(20, { clear: true }),
    },
    active: { description: 'Whether the user is active', type: 'boolean', scim: 'active', write: { kind: 'active' } },
    profile: {
        description: 'Profile Id: every Salesforce user has exactly one',
        type: 'string',
        entitlement: 'profile',
        scim: 'entitlements[type eq "Profile"].value',
        write: ENTITLEMENT,
    },
    permissionSets: {
        description: 'Ids of the permission sets assigned to the user',
        type: 'string',
        multi: true,
        entitlement: 'permissionSet',
        scim: 'entitlements[type eq "Permission Set"].value',
        write: ENTITLEMENT,
    },
    role: {
        description: 'Role Id (UserRole), at most one',
        type: 'string',
        entitlement: 'role',
        scim: 'roles.value',
        write: ENTITLEMENT,
    },
    groups: {
        description: 'Ids of the public groups the user belongs to',
        type: 'string',
        multi: true,
        entitlement: 'group',
        scim: 'groups.value',
        write: ENTITLEMENT,
    },
    manager: {
        description: "Manager's User Id",
        type: 'string',
        scim: `${ENTERPRISE}:manager.value`,
        write: text(18, { path: 'manager' }, { idKind: 'user' }),
    },
    managerName: {
        description: "Manager's name (read-only)",
        type: 'string',
        scim: `${ENTERPRISE}:manager.displayName`,
        write: READ_ONLY,
    },
    federationIdentifier: {
        description: 'Federation Id used for single sign-on (SCIM externalId)',
        type: 'string',
        scim: 'externalId',
        write: text(512, { clear: true }),
    },
    userType: {
        description: 'User type, e.g. Standard (read-only)',
        type: 'string',
        scim: 'userType',
        write: READ_ONLY,
    },
    locale: { description: 'Locale, e.g. en_US', type: 'string', scim: 'locale', write: text(40, { path: 'locale' }) },
    timezone: {
        description: 'Time zone, e.g. America/Los_Angeles',
        type: 'string',
        scim: 'timezone',
        write: text(40, { path: 'timezone' }),
    },
    preferredLanguage: {
        description: 'Language, e.g. en_US',
        type: 'string',
        scim: 'preferredLanguage',
        write: text(40, { refuse: 'Salesforce users must have a language' }),
    },
    phone: {
        description: 'Work phone',
        type: 'string',
        scim: 'phoneNumbers[type eq "work"].value',
        write: text(40, { clear: true }),
    },
    mobilePhone: {
        description: 'Mobile phone',
        type: 'string',
        scim: 'phoneNumbers[type eq "mobile"].value',
        write: text(40, { clear: true }),
    },
    street: {
        description: 'Street address (read-only)',
        type: 'string',
        rest: 'User.Street',
        alsoScim: 'addresses[type eq "work"].streetAddress',
        write: READ_ONLY,
    },
    city: {
        description: 'City (read-only)',
        type: 'string',
        rest: 'User.City',
        alsoScim: 'addresses[type eq "work"].locality',
        write: READ_ONLY,
    },
    state: {
        description: 'State or province (read-only)',
        type: 'string',
        rest: 'User.State',
        alsoScim: 'addresses[type eq "work"].region',
        write: READ_ONLY,
    },
    postalCode: {
        description: 'Postal code (read-only)',
        type: 'string',
        rest: 'User.PostalCode',
        alsoScim: 'addresses[type eq "work"].postalCode',
        write: READ_ONLY,
    },
    country: {
        description: 'Country (read-only)',
        type: 'string',
        rest: 'User.Country',
        alsoScim: 'addresses[type eq "work"].country',
        write: READ_ONLY,
    },
    companyName: {
        description: 'Company name (read-only)',
        type: 'string',
        rest: 'User.CompanyName',
        write: READ_ONLY,
    },
    emailEncodingKey: {
        description: 'Email encoding, e.g. UTF-8 (read-only)',
        type: 'string',
        rest: 'User.EmailEncodingKey',
        alsoScim: 'emailEncodingKey',
        write: READ_ONLY,
    },
    permissionSetGroups: {
        description: 'Ids of the permission set groups assigned to the user',
        type: 'string',
        multi: true,
        entitlement: 'permissionSetGroup',
        rest: 'PermissionSetAssignment.PermissionSetGroupId',
        write: REST_ENTITLEMENT,
    },
    permissionSetLicenses: {
        description: 'Ids of the permission set licenses assigned to the user',
        type: 'string',
        multi: true,
        entitlement: 'permissionSetLicense',
        rest: 'PermissionSetLicenseAssign.PermissionSetLicenseId',
        write: REST_ENTITLEMENT,
    },
    packageLicenses: {
        description: 'Ids of the managed package licenses assigned to the user',
        type: 'string',
        multi: true,
        entitlement: 'packageLicense',
        rest: 'UserPackageLicense.PackageLicenseId',
        write: REST_ENTITLEMENT,
    },
    queues: {
        description: 'Ids of the queues the user is a direct member of',
        type: 'string',
        multi: true,
        entitlement: 'queue',
        rest: 'GroupMember.GroupId',
        write: REST_ENTITLEMENT,
    },
    featureLicenses: {
        description:
            'Feature licenses the user holds: the User permission fields set, e.g. UserPermissionsMarketingUser',
        type: 'string',
        multi: true,
        entitlement: 'featureLicense',
        rest: 'User.UserPermissions*',
        write: REST_ENTITLEMENT,
    },
    permissionSetExpirations: {
        description:
            'Expiry dates of time-bound permission set assignments, each as <permission set Id>=<ISO date-time>',
        type: 'string',
        multi: true,
        rest: 'PermissionSetAssignment.ExpirationDate',
        write: READ_ONLY,
    },
    permissionSetGroupExpirations: {
        description: 'Expiry dates of time-bound permission set group assignments, each as <group Id>=<ISO date-time>',
        type: 'string',
        multi: true,
        rest: 'PermissionSetAssignment.ExpirationDate',
        write: READ_ONLY,
    },
    userLicense: {
        description: 'The user license behind the profile, e.g. Salesforce (read-only: change the profile)',
        type: 'string',
        rest: 'User.ProfileId',
        via: 'Profile.UserLicense.Name',
        write: READ_ONLY,
    },
    frozen: {
        description: 'Whether the user is frozen: active, but unable to log in (UserLogin.IsFrozen)',
        type: 'boolean',
        rest: 'UserLogin.IsFrozen',
        write: READ_ONLY,
    },
    locked: {
        description: 'Whether the user is locked out by failed logins (UserLogin.IsPasswordLocked); unlock clears it',
        type: 'boolean',
        rest: 'UserLogin.IsPasswordLocked',
        write: READ_ONLY,
    },
    lastLoginDate: {
        description: 'When the user last logged in (read-only), for inactivity reviews',
        type: 'string',
        rest: 'User.LastLoginDate',
        write: READ_ONLY,
    },
    created: {
        description: 'When the user was created (read-only)',
        type: 'string',
        scim: 'meta.created',
        write: READ_ONLY,
    },
    lastModified: {
        description: 'When the user was last modified (read-only)',
        type: 'string',
        scim: 'meta.lastModified',
        write: READ_ONLY,
    },
} satisfies Record<string, AccountAttributeSpec>

export type AccountAttribute = keyof typeof ACCOUNT_ATTRIBUTE_TABLE

/** The account attribute names, in the table's order. */
export const ACCOUNT_ATTRIBUTES = Object.keys(ACCOUNT_ATTRIBUTE_TABLE) as readonly AccountAttribute[]

/** The table's entry for an attribute, typed as the general spec. */
export function attributeSpec(name: AccountAttribute): AccountAttributeSpec {
    return ACCOUNT_ATTRIBUTE_TABLE[name]
}

/** The account attribute that carries each entitlement type. */
export const ENTITLEMENT_ATTRIBUTE: Readonly<Record<EntitlementType, AccountAttribute>> = (() => {
    const byType: Partial<Record<EntitlementType, AccountAttribute>> = {}
    for (const name of ACCOUNT_ATTRIBUTES) {
        const type = attributeSpec(name).entitlement
        if (type !== undefined) byType[type] = name
    }
    for (const type of ENTITLEMENT_TYPES) if (byType[type] === undefined) throw new Error(`No attribute for ${type}`)
    return byType as Record<EntitlementType, AccountAttribute>
})()
