import { InvalidRequestError } from '../errors'
import { ACCOUNT_ATTRIBUTE_TABLE, ENTITLEMENT_ATTRIBUTE } from '../schema'
import { NewScimUser } from '../salesforce/client'
import { SCIM_ENTERPRISE_SCHEMA, SCIM_USER_SCHEMA, ScimUser } from '../salesforce/types'
import { userEntitlements, userGroupIds, userRoleId } from './account'
import {
    AccountChange,
    checkLength,
    CUSTOM_FIELD_MAX_LENGTH,
    CUSTOM_FIELD_PATTERN,
    CustomValue,
    isRestEntitlementAttribute,
    parseChange,
    parseCustomValue,
    parsePlainValue,
    PLAIN_ATTRIBUTES,
    READ_ONLY_ATTRIBUTES,
    RestEntitlementChange,
} from './account-changes'
import { requireSalesforceId, SalesforceIdKind, sameId, toId18 } from '../salesforce/ids'
import { isRecord } from '../json'
import { toBoolean, toSingleText, toTextList } from './values'

/**
 * ISC's create profile → one POST /Users. Salesforce creates the user with its profile, permission sets, role
 * and groups in one transaction, so a refused permission set leaves no half-made user behind.
 */
interface CreatePlan {
    readonly user: NewScimUser
    readonly userName: string
    readonly profileId: string
    readonly permissionSetIds: readonly string[]
    readonly groupIds: readonly string[]
    readonly roleId: string | undefined
    /**
     * Custom fields are written after the POST: their extension URN holds the org Id, which the created user
     * carries and the create input does not.
     */
    readonly customFields: Readonly<Record<string, CustomValue>>
    /** The REST-only entitlements asked for (Govern Access Beyond SCIM), as Adds applied once the user exists. */
    readonly restChanges: readonly RestEntitlementChange[]
}

const REQUIRED = ['userName', 'email', 'familyName'] as const
const PROFILE_HELP =
    'Salesforce requires exactly one profile per user: set `profile` in the create profile to one profile Id (00e…)'
const NO_PROFILE =
    'no profile: Salesforce requires exactly one profile per user: set `profile` in the create profile, or ' +
    'Default Profile ID in the source configuration, to a profile Id (00e…)'

/** Salesforce's CommunityNickname (SCIM `nickName`) holds 40 characters. */
const NICKNAME_MAX_LENGTH = ACCOUNT_ATTRIBUTE_TABLE.nickName.write.maxLength

interface CreateOptions {
    /** The source's Default Profile ID: the profile of a create whose create profile sets none. */
    readonly defaultProfileId?: string | undefined
}

/**
 * The nickName to send when the create profile sets none. Salesforce fills CommunityNickname with the userName,
 * which is longer than the field's 40 characters for a long userName; its SCIM pilot does not cut it, so the
 * create would fail. Salesforce's own CLI sends the first 40 characters of the username (sfdx-core
 * `src/org/user.ts`), as this does: within an org, usernames that share their first 40 characters are rare,
 * and a clash is refused by Salesforce, never silent.
 */
function defaultNickName(userName: string): string | undefined {
    return userName.length > NICKNAME_MAX_LENGTH ? userName.slice(0, NICKNAME_MAX_LENGTH) : undefined
}

/**
 * Reads and checks every create attribute, collecting all problems into one message.
 * @throws InvalidRequestError, before anything is sent to Salesforce, naming what is missing or malformed.
 */
export function toCreatePlan(rawAttributes: unknown, options: CreateOptions = {}): CreatePlan {
    if (!isRecord(rawAttributes)) throw new InvalidRequestError('Account create: `attributes` must be an object')
    const problems: string[] = []
    const attempt = <T>(read: () => T): T | undefined => {
        try {
            return read()
        } catch (err) {
            if (!(err instanceof InvalidRequestError)) throw err
            problems.push(err.message)
            return undefined
        }
    }
    const texts: Record<string, string> = {}
    const customFields: Record<string, CustomValue> = {}
    const unknown: string[] = []
    const restChanges: RestEntitlementChange[] = []

    for (const [name, value] of Object.entries(rawAttributes)) {
        const plain = PLAIN_ATTRIBUTES[name]
        if (isRestEntitlementAttribute(name)) {
            const change = attempt(() => parseChange({ op: 'Add', attribute: name, value }))
            if (change?.kind === 'restEntitlement' && change.ids.length > 0) restChanges.push(change)
        } else if (plain) {
            const text = attempt(() => parsePlainValue(plain, value, name))
            if (text !== undefined) texts[name] = text
        } else if (CUSTOM_FIELD_PATTERN.test(name)) {
            const custom = attempt(() => parseCustomValue(value, name))
            if (typeof custom === 'string') attempt(() => checkLength(custom, CUSTOM_FIELD_MAX_LENGTH, name))
            if (custom !== undefined) customFields[name] = custom
        } else if (
            !Object.values<string>(ENTITLEMENT_ATTRIBUTE).includes(name) &&
            !['active', 'password'].includes(name) &&
            // Read-only attributes in a create profile are ignored: Salesforce computes them.
            !READ_ONLY_ATTRIBUTES.includes(name)
        ) {
            unknown.push(name)
        }
    }
    if (unknown.length > 0) {
        problems.push(
            `the Salesforce account has no attribute ${unknown.join(', ')}: remove it from the create profile`
        )
    }

    const missing = REQUIRED.filter((name) => isEmpty(rawAttributes[name]))
    if (missing.length > 0)
        problems.push(`missing ${missing.join(', ')} (Salesforce requires userName, email and familyName)`)

    const ids = (attribute: string, kind: SalesforceIdKind): string[] => {
        const values = attempt(() => toTextList(rawAttributes[attribute], attribute)) ?? []
        // Sent as 18-character ids, as Salesforce returns them (Setup shows 15).
        const normalised = values.flatMap((value) => attempt(() => requireSalesforceId(value, kind, attribute)) ?? [])
        return normalised.filter((id, index) => normalised.findIndex((other) => sameId(other, id)) === index)
    }
    const profiles = ids(ENTITLEMENT_ATTRIBUTE.profile, 'profile')
    const permissionSetIds = ids(ENTITLEMENT_ATTRIBUTE.permissionSet, 'permissionSet')
    const groupIds = ids(ENTITLEMENT_ATTRIBUTE.group, 'group')
    const roles = ids(ENTITLEMENT_ATTRIBUTE.role, 'role')
    const rawProfiles = attempt(() => toTextList(rawAttributes[ENTITLEMENT_ATTRIBUTE.profile], 'profile')) ?? []
    // A create profile without a profile takes the source's Default Profile ID (checked when the source is saved).
    if (rawProfiles.length === 0 && options.defaultProfileId !== undefined) {
        profiles.push(toId18(options.defaultProfileId, 'profile'))
    } else if (rawProfiles.length === 0) problems.push(NO_PROFILE)
    else if (rawProfiles.length > 1)
        problems.push(`${rawProfiles.length} profiles (${rawProfiles.join(', ')}): ${PROFILE_HELP}`)
    if (roles.length > 1)
        problems.push(`${roles.length} roles (${roles.join(', ')}): a Salesforce user has at most one role`)
    const active = attempt(() => toBoolean(rawAttributes.active, 'active'))
    const password = attempt(() => toSingleText(rawAttributes.password, 'password'))

    const [profileId] = profiles
    const [roleId] = roles
    const userName = texts.userName
    if (problems.length > 0 || profileId === undefined || userName === undefined) {
        throw new InvalidRequestError(`Cannot create the Salesforce account: ${problems.join('; ')}`)
    }

    const user: Record<string, unknown> = { schemas: [SCIM_USER_SCHEMA], userName }
    const add = (value: Record<string, unknown>): void => {
        for (const [key, member] of Object.entries(value)) {
            const existing = user[key]
            if (isRecord(existing) && isRecord(member)) user[key] = { ...existing, ...member }
            else if (Array.isArray(existing) && Array.isArray(member))
                user[key] = [...(existing as unknown[]), ...(member as unknown[])]
            else user[key] = member
        }
    }
    for (const [name, text] of Object.entries(texts)) {
        if (name !== 'userName') add(PLAIN_ATTRIBUTES[name]?.setOnCreate(text) ?? {})
    }
    const nickName = texts.nickName === undefined ? defaultNickName(userName) : undefined
    if (nickName !== undefined) add({ nickName })
    add({ entitlements: [profileId, ...permissionSetIds].map((value) => ({ value })) })
    if (roleId !== undefined) add({ roles: [{ value: roleId }] })
    if (groupIds.length > 0) add({ groups: groupIds.map((value) => ({ value })) })
    add({ active: active ?? true })
    if (password !== undefined) add({ password })
    if (isRecord(user[SCIM_ENTERPRISE_SCHEMA])) user.schemas = [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_SCHEMA]

    return {
        user: { ...user, userName },
        userName,
        profileId,
        permissionSetIds,
        groupIds,
        roleId,
        customFields,
        restChanges,
    }
}

/** Nothing given: ISC sends empty create-profile fields as null, an empty string or an empty list. */
function isEmpty(value: unknown): boolean {
    return (
        value === undefined ||
        value === null ||
        (typeof value === 'string' && value.trim() === '') ||
        (Array.isArray(value) && value.every(isEmpty))
    )
}

/**
 * What the create asked for that the created user lacks, as changes to apply now: permission sets and groups
 * Salesforce did not assign, a role it did not set, and the custom fields.
 */
export function missingAfterCreate(plan: CreatePlan, created: ScimUser): AccountChange[] {
    const changes: AccountChange[] = []
    const lacks = (held: readonly string[]) => (id: string) => !held.some((h) => sameId(h, id))
    const missingPermissionSets = plan.permissionSetIds.filter(lacks(userEntitlements(created).permissionSets))
    if (missingPermissionSets.length > 0)
        changes.push({ kind: 'permissionSets', op: 'Add', ids: missingPermissionSets })
    const missingGroups = plan.groupIds.filter(lacks(userGroupIds(created)))
    if (missingGroups.length > 0) changes.push({ kind: 'groups', op: 'Add', ids: missingGroups })
    const role = userRoleId(created)
    if (plan.roleId !== undefined && (role === null || !sameId(role, plan.roleId))) {
        changes.push({ kind: 'role', op: 'Set', id: plan.roleId })
    }
    for (const [field, value] of Object.entries(plan.customFields))
        changes.push({ kind: 'custom', op: 'Set', field, value })
    return changes
}

/** Words for the changes `missingAfterCreate` found, for an error that says what was not applied. */
export function describeChanges(changes: readonly AccountChange[]): string {
    return changes
        .map((change) => {
            switch (change.kind) {
                case 'permissionSets':
                    return `permission sets ${change.ids.join(', ')}`
                case 'groups':
                    return `groups ${change.ids.join(', ')}`
                case 'role':
                    return `role ${change.id ?? '(none)'}`
                case 'custom':
                    return `field ${change.field}`
                case 'restEntitlement':
                    return `${change.attribute} ${change.ids.join(', ')}`
                default:
                    return change.kind
            }
        })
        .join(', ')
}
