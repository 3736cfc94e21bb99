import { Attributes, SimpleKey, StdAccountReadOutput } from '@sailpoint/connector-sdk'
import { AccountAttribute } from '../schema'
import { SALESFORCE_USER_EXTENSION, SCIM_ENTERPRISE_SCHEMA, ScimMultiValue, ScimUser } from '../salesforce/types'
import { isRecord } from '../json'
import { entitlementKindOf } from './entitlement'

/**
 * User attributes the account mapping never reads. Aggregation asks Salesforce to leave them out: a user is about
 * 2 KB of JSON, and on a large org the transfer and parsing of each page sits on the aggregation's critical path.
 */
export const UNMAPPED_USER_ATTRIBUTES: readonly string[] = ['photos', 'addresses', 'emailEncodingKey']

/** The extension holding the org's custom User fields: `urn:salesforce:schemas:extension:<org Id>`. */
const ORG_EXTENSION_PREFIX = 'urn:salesforce:schemas:extension:00D'
const ORG_EXTENSION_PATTERN = /^urn:salesforce:schemas:extension:(00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?)$/

export function orgIdOfExtension(urn: string): string | undefined {
    return ORG_EXTENSION_PATTERN.exec(urn)?.[1]
}

export function orgExtensionUrn(orgId: string): string {
    return `urn:salesforce:schemas:extension:${orgId}`
}

/** The org's custom-field block on a user, if Salesforce sent one (it omits it when every field is empty). */
export function customFieldsOf(
    user: ScimUser
): { readonly urn: string; readonly fields: Record<string, unknown> } | undefined {
    // A key loop, not Object.entries: this runs for every user of an aggregation, and entries allocates a pair
    // per member.
    for (const key in user) {
        if (!key.startsWith(ORG_EXTENSION_PREFIX) || orgIdOfExtension(key) === undefined) continue
        const value: unknown = (user as Record<string, unknown>)[key]
        if (isRecord(value)) return { urn: key, fields: value }
    }
    return undefined
}

/** The org Id, from the enterprise extension or the custom-field URN; needed to write custom fields. */
export function orgIdOf(user: ScimUser): string | undefined {
    const organization = user[SCIM_ENTERPRISE_SCHEMA]?.organization
    if (organization) return organization
    const custom = customFieldsOf(user)
    return custom ? orgIdOfExtension(custom.urn) : undefined
}

function isPrimary(item: ScimMultiValue): boolean {
    return item.primary === true || item.primary === 'true'
}

function primaryOrFirst(items: readonly ScimMultiValue[] | undefined): string | null {
    if (!items || items.length === 0) return null
    return (items.find(isPrimary) ?? items[0])?.value ?? null
}

function ofType(items: readonly ScimMultiValue[] | undefined, type: string): string | null {
    return items?.find((item) => item.type?.toLowerCase() === type)?.value ?? null
}

/** Profile and permission-set Ids of a user's entitlements, told apart by Id prefix (then by `type`). */
export function userEntitlements(user: ScimUser): {
    readonly profile: string | null
    readonly permissionSets: string[]
} {
    let profile: string | null = null
    const permissionSets: string[] = []
    for (const entitlement of user.entitlements ?? []) {
        const kind = entitlementKindOf(entitlement.value, entitlement.type)
        if (kind === 'profile' && profile === null) profile = entitlement.value
        else if (kind === 'permissionSet' && !permissionSets.includes(entitlement.value))
            permissionSets.push(entitlement.value)
    }
    return { profile, permissionSets }
}

export function userGroupIds(user: ScimUser): string[] {
    return (user.groups ?? []).map((group) => group.value)
}

export function userRoleId(user: ScimUser): string | null {
    return user.roles?.[0]?.value ?? null
}

function text(value: string | undefined): string | null {
    return value === undefined || value === '' ? null : value
}

/**
 * A custom field as an ISC value: text, boolean and whole numbers as they are (discover-schema types them
 * string/boolean/int), other numbers as text. Nested objects and lists are not fields of the User sObject.
 */
function customFieldValue(value: unknown): string | boolean | number | null | undefined {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
    if (typeof value === 'number') return Number.isInteger(value) ? value : String(value)
    return undefined
}

export function toAccountAttributes(user: ScimUser): Attributes {
    const enterprise = user[SCIM_ENTERPRISE_SCHEMA]
    const { profile, permissionSets } = userEntitlements(user)
    const fixed: Record<AccountAttribute, string | boolean | string[] | null> = {
        id: user.id,
        userName: user.userName,
        email: primaryOrFirst(user.emails),
        givenName: text(user.name?.givenName),
        familyName: text(user.name?.familyName),
        displayName: text(user.displayName),
        nickName: text(user.nickName),
        alias: text(user[SALESFORCE_USER_EXTENSION]?.alias),
        title: text(user.title),
        department: text(enterprise?.department),
        division: text(enterprise?.division),
        employeeNumber: text(enterprise?.employeeNumber),
        active: user.active !== false,
        profile,
        permissionSets,
        role: userRoleId(user),
        groups: userGroupIds(user),
        manager: text(enterprise?.manager?.value),
        managerName: text(enterprise?.manager?.displayName),
        federationIdentifier: text(user.externalId),
        userType: text(user.userType),
        locale: text(user.locale),
        timezone: text(user.timezone),
        preferredLanguage: text(user.preferredLanguage),
        phone: ofType(user.phoneNumbers, 'work'),
        mobilePhone: ofType(user.phoneNumbers, 'mobile'),
        created: text(user.meta?.created),
        lastModified: text(user.meta?.lastModified),
    }
    const custom = customFieldsOf(user)?.fields
    if (custom === undefined) return fixed
    // Custom fields join the fixed attributes without replacing one: a custom field can never shadow them.
    const attributes: Attributes = fixed
    for (const name in custom) {
        if (Object.prototype.hasOwnProperty.call(fixed, name)) continue
        const mapped = customFieldValue(custom[name])
        if (mapped !== undefined) attributes[name] = mapped
    }
    return attributes
}

/** The ISC account for a Salesforce user; inactive users are reported disabled, never active. */
export function toAccount(user: ScimUser): StdAccountReadOutput {
    return {
        key: SimpleKey(user.id),
        identity: user.id,
        disabled: user.active === false,
        locked: false,
        attributes: toAccountAttributes(user),
    }
}
