import { Attributes, SimpleKey, StdAccountReadOutput } from '@sailpoint/connector-sdk'
import { ACCOUNT_ATTRIBUTES, AccountAttribute, attributeSpec, isRestAttribute } from '../schema'
import { SCIM_ENTERPRISE_SCHEMA, ScimMultiValue, ScimUser } from '../salesforce/types'
import { isRecord } from '../json'
import { entitlementKindOf } from './entitlement'
import { scimPath } from './scim-path'

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
function customFieldsOf(
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

/**
 * Who holds which public group and role, read from the groups' and roles' member lists, for a listing where
 * Salesforce leaves `groups` and `roles` out of its users (risk R8). Held for the whole listing: a user in one group
 * costs about 130 bytes (map entry, id string, one-slot array), in 2 to 17 groups about 280 (V8 grows the array to
 * 17 slots at the second push), 8 bytes per membership past that, the group id strings being shared; a user with a
 * role about 80 more. Measured: 100,000 users in 5 groups each hold 28 MB.
 */
export interface UserMemberships {
    readonly groupsByUser: ReadonlyMap<string, readonly string[]>
    readonly roleByUser: ReadonlyMap<string, string>
}

/** Whether Salesforce listed the user's groups or role at all (it leaves each key out of a user who has none). */
export function listsMemberships(user: ScimUser): boolean {
    return user.groups !== undefined || user.roles !== undefined
}

/**
 * The users with the groups and role Salesforce left out filled in from `memberships`. A key Salesforce sent is
 * kept as it is; a user holding nothing stays as it is, and the mapping reads the missing key as none.
 */
export function withMemberships(users: readonly ScimUser[], memberships: UserMemberships): ScimUser[] {
    return users.map((user) => {
        const groupIds = user.groups === undefined ? memberships.groupsByUser.get(user.id) : undefined
        const roleId = user.roles === undefined ? memberships.roleByUser.get(user.id) : undefined
        if (groupIds === undefined && roleId === undefined) return user
        return {
            ...user,
            ...(groupIds !== undefined ? { groups: groupIds.map((value) => ({ value })) } : {}),
            ...(roleId !== undefined ? { roles: [{ value: roleId }] } : {}),
        }
    })
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

type AttributeValue = string | boolean | string[] | null
type Reader = (user: ScimUser, entitlements: ReturnType<typeof userEntitlements>) => AttributeValue

/** The attributes whose value is more than what their SCIM path holds; every other one is read at its path. */
const SPECIAL_READERS: Partial<Record<AccountAttribute, Reader>> = {
    id: (user) => user.id,
    userName: (user) => user.userName,
    // Salesforce holds one email: the primary one, or else the first.
    email: (user) => primaryOrFirst(user.emails),
    active: (user) => user.active !== false,
    // Told apart by Id prefix, then `type` (see userEntitlements).
    profile: (_user, entitlements) => entitlements.profile,
    permissionSets: (_user, entitlements) => entitlements.permissionSets,
    role: (user) => userRoleId(user),
    groups: (user) => userGroupIds(user),
}

/** Text at a SCIM path, with an empty value read as none. */
function pathReader(path: string): Reader {
    const { read } = scimPath(path)
    return (user) => {
        const value = read(user)
        return value === undefined || value === '' ? null : (value as AttributeValue)
    }
}

/** The attributes read from the SCIM user; those only the REST API reads are added by the REST mapping. */
const SCIM_ATTRIBUTES = ACCOUNT_ATTRIBUTES.filter((name) => !isRestAttribute(attributeSpec(name)))

/** One reader per SCIM account attribute, in the attribute table's order, built once. */
const READERS: readonly (readonly [AccountAttribute, Reader])[] = SCIM_ATTRIBUTES.map((name) => {
    const spec = attributeSpec(name)
    return [name, SPECIAL_READERS[name] ?? pathReader(isRestAttribute(spec) ? '' : spec.scim)]
})

const ATTRIBUTE_TEMPLATE: Readonly<Record<string, AttributeValue>> = Object.fromEntries(
    SCIM_ATTRIBUTES.map((name) => [name, null])
)

/**
 * Templates with the custom fields' keys after the fixed ones, by the custom fields' names. A member added to a
 * copy of a template turns the copy into a hash table (in V8: some 1.7 KB and several times the time of the
 * copy), so an account with custom fields is copied from a template that holds their keys already. An org's users
 * share a few sets of custom fields; the cache is cleared past `MAX_TEMPLATES`, so it never grows with the org.
 */
const templatesByCustomFields = new Map<string, Readonly<Record<string, AttributeValue | number>>>()
const MAX_TEMPLATES = 64

/** The custom fields that join an account: those with a value ISC can take that shadow no fixed attribute. */
function customKeysOf(custom: Record<string, unknown>): string | undefined {
    let key = ''
    for (const name in custom) {
        if (Object.prototype.hasOwnProperty.call(ATTRIBUTE_TEMPLATE, name)) continue
        if (customFieldValue(custom[name]) === undefined) continue
        // `__proto__` would set the template's prototype, not a key, and the key below is names joined by newlines:
        // such a name is added by assignment, as any other was before templates.
        if (name === '__proto__' || name.includes('\n')) return undefined
        key += `${name}\n`
    }
    return key
}

function templateWith(custom: Record<string, unknown>): Readonly<Record<string, AttributeValue | number>> | undefined {
    const key = customKeysOf(custom)
    if (key === undefined) return undefined
    if (key === '') return ATTRIBUTE_TEMPLATE
    let template = templatesByCustomFields.get(key)
    if (template === undefined) {
        if (templatesByCustomFields.size >= MAX_TEMPLATES) templatesByCustomFields.clear()
        template = Object.fromEntries([
            ...SCIM_ATTRIBUTES.map((name) => [name, null] as const),
            ...key
                .split('\n')
                .slice(0, -1)
                .map((name) => [name, null] as const),
        ])
        templatesByCustomFields.set(key, template)
    }
    return template
}

export function toAccountAttributes(user: ScimUser): Attributes {
    const entitlements = userEntitlements(user)
    const custom = customFieldsOf(user)?.fields
    // Filled in a copy of a template with every key in place, so each account shares one object shape.
    const attributes: Attributes = { ...((custom && templateWith(custom)) ?? ATTRIBUTE_TEMPLATE) }
    for (const [name, read] of READERS) attributes[name] = read(user, entitlements)
    if (custom === undefined) return attributes
    // Custom fields join the fixed attributes without replacing one: a custom field can never shadow them.
    for (const name in custom) {
        if (Object.prototype.hasOwnProperty.call(ATTRIBUTE_TEMPLATE, name)) continue
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
