import { AttributeChangeOp } from '@sailpoint/connector-sdk'
import {
    ACCOUNT_ATTRIBUTES,
    attributeSpec,
    ENTITLEMENT_ATTRIBUTE,
    isRestAttribute,
    REST_ENTITLEMENT_TYPES,
    RestEntitlementType,
    TextWrite,
} from '../schema'
import { InvalidRequestError, InvalidResponseError } from '../errors'
import { ScimPatchOperation, ScimUser } from '../salesforce/types'
import { scimPath } from './scim-path'
import { orgExtensionUrn, orgIdOf, toAccountAttributes, userEntitlements, userGroupIds, userRoleId } from './account'
import { requireSalesforceId, SalesforceIdKind, sameId, toId18 } from '../salesforce/ids'
import { isRecord } from '../json'
import { toBoolean, toSingleText, toTextList, toUserName } from './values'
import { FEATURE_LICENSE_FIELD_PATTERN, PROVISIONING_LABEL } from '../salesforce/rest/objects'
import type { AccessQuery, AssignmentType, HeldAssignment, RowKind, UserAccess } from '../salesforce/rest/user-writes'

/**
 * ISC attribute changes → one Salesforce PATCH (several operations) plus group membership changes.
 *
 * Salesforce's PATCH is "SCIM PATCH Simple": add/replace carry an object `value` and no `path`; remove names a
 * `path`. Entitlements follow the rules of Salesforce's SCIM service:
 * - `replace` listing only a profile swaps the profile and leaves permission sets alone;
 * - `replace` listing any permission set replaces all of them, so it must list every one the user keeps;
 * - `add` of permission sets adds them (re-adding an assigned one fails, so only missing ones are sent);
 * - the profile cannot be removed, only swapped: a user always has exactly one.
 * Public groups change through the Group's members, not the user.
 */

export type ChangeOp = 'Add' | 'Set' | 'Remove'

/** A validated change; `ids` and values are already narrowed and checked, so planning cannot fail on format. */
export type AccountChange =
    | { readonly kind: 'profile' | 'permissionSets' | 'groups'; readonly op: ChangeOp; readonly ids: readonly string[] }
    | { readonly kind: 'role'; readonly op: ChangeOp; readonly id: string | undefined }
    | { readonly kind: 'active'; readonly op: ChangeOp; readonly value: boolean | undefined }
    | {
          readonly kind: 'attribute'
          readonly op: ChangeOp
          readonly attribute: string
          readonly value: string | undefined
      }
    | {
          readonly kind: 'custom'
          readonly op: ChangeOp
          readonly field: string
          readonly value: CustomValue | undefined
      }
    | {
          /** An entitlement only the REST API writes; for feature licenses `ids` are the User flags' API names. */
          readonly kind: 'restEntitlement'
          readonly type: RestEntitlementType
          readonly attribute: string
          readonly op: ChangeOp
          readonly ids: readonly string[]
      }

export type CustomValue = string | boolean | number

/** A text attribute of the attribute table, with the SCIM shapes that write it. */
export interface PlainAttribute extends TextWrite {
    /** The `value` of a path-less replace that writes the attribute. */
    readonly set: (value: string) => Record<string, unknown>
    /** What a create sends for it (the attribute's own path, and any other the table names). */
    readonly setOnCreate: (value: string) => Record<string, unknown>
}

function plainAttribute(write: TextWrite, scim: string): PlainAttribute {
    const path = scimPath(scim)
    const also = write.alsoOnCreate === undefined ? undefined : scimPath(write.alsoOnCreate)
    return {
        ...write,
        set: (value) => path.write(value),
        setOnCreate: (value) => ({ ...path.write(value), ...also?.write(value) }),
    }
}

/** The text attributes an update or a create may write, from the attribute table. */
export const PLAIN_ATTRIBUTES: Readonly<Record<string, PlainAttribute>> = Object.fromEntries(
    ACCOUNT_ATTRIBUTES.flatMap((name) => {
        const spec = attributeSpec(name)
        return spec.write.kind === 'text' && !isRestAttribute(spec)
            ? [[name, plainAttribute(spec.write, spec.scim)]]
            : []
    })
)

/** The longest custom field Salesforce has (Long Text Area). */
export const CUSTOM_FIELD_MAX_LENGTH = 131_072

/** @throws InvalidRequestError when `value` is longer than the Salesforce field holds. */
export function checkLength(value: string, maxLength: number, what: string): string {
    if (value.length > maxLength) {
        throw new InvalidRequestError(`${what}: at most ${maxLength} characters in Salesforce, got ${value.length}`)
    }
    return value
}

/** Attributes Salesforce computes: an update cannot write them. */
export const READ_ONLY_ATTRIBUTES: readonly string[] = ACCOUNT_ATTRIBUTES.filter(
    (name) => attributeSpec(name).write.kind === 'readOnly'
)

/** The API name of a custom User field, e.g. `Cost_Center__c`. */
export const CUSTOM_FIELD_PATTERN = /^[A-Za-z][A-Za-z0-9_]*__c$/

const ENTITLEMENT_KINDS: Readonly<
    Record<string, { kind: 'profile' | 'permissionSets' | 'groups'; idKind: SalesforceIdKind }>
> = {
    [ENTITLEMENT_ATTRIBUTE.profile]: { kind: 'profile', idKind: 'profile' },
    [ENTITLEMENT_ATTRIBUTE.permissionSet]: { kind: 'permissionSets', idKind: 'permissionSet' },
    [ENTITLEMENT_ATTRIBUTE.group]: { kind: 'groups', idKind: 'group' },
}

/** The attributes of the REST-only entitlement types (Govern Access Beyond SCIM), by name. */
const REST_ENTITLEMENT_KINDS: Readonly<Record<string, RestEntitlementType>> = Object.fromEntries(
    ACCOUNT_ATTRIBUTES.flatMap((name) => {
        const entitlement = attributeSpec(name).entitlement
        const type = REST_ENTITLEMENT_TYPES.find((rest) => rest === entitlement)
        return type !== undefined ? [[name, type]] : []
    })
)

/** Whether `attribute` is an entitlement only the REST API writes. */
export function isRestEntitlementAttribute(attribute: string): boolean {
    return REST_ENTITLEMENT_KINDS[attribute] !== undefined
}

/**
 * The values of a REST-only entitlement change: 18-character ids of the type's kind, or for feature licenses the
 * User flags' API names; each once.
 * @throws InvalidRequestError naming the attribute for a value of the wrong kind.
 */
function restEntitlementIds(type: RestEntitlementType, value: unknown, what: string): string[] {
    const values = toTextList(value, what).map((item) => {
        if (type !== 'featureLicense') return requireSalesforceId(item, type, what)
        if (FEATURE_LICENSE_FIELD_PATTERN.test(item)) return item
        throw new InvalidRequestError(
            `${what}: ${JSON.stringify(item.slice(0, 80))} is not a feature license: expected the API name of a ` +
                'User permission field, e.g. UserPermissionsMarketingUser'
        )
    })
    return values.filter((item, index) => values.findIndex((other) => sameEntitlement(other, item)) === index)
}

/** Ids compare by their 15-character key; feature licenses by their exact API name. */
function sameEntitlement(a: string, b: string): boolean {
    return FEATURE_LICENSE_FIELD_PATTERN.test(a) ? a === b : sameId(a, b)
}

function parseOp(op: unknown, attribute: string): ChangeOp {
    if (op === AttributeChangeOp.Add || op === AttributeChangeOp.Set || op === AttributeChangeOp.Remove) return op
    throw new InvalidRequestError(
        `Change of ${attribute}: unknown operation ${JSON.stringify(op)} (expected Add, Set or Remove)`
    )
}

export function parseCustomValue(value: unknown, what: string): CustomValue | undefined {
    const single = Array.isArray(value) ? toSingleText(value, what) : value
    if (typeof single === 'boolean' || typeof single === 'number') return single
    return toSingleText(single, what)
}

/**
 * The value of a plain attribute, checked against its Salesforce field; ids come back in their 18-character form.
 * @throws InvalidRequestError for a value the field cannot take.
 */
export function parsePlainValue(plain: PlainAttribute, value: unknown, what: string): string | undefined {
    const text = (plain.userName ? toUserName : toSingleText)(value, what)
    if (text === undefined) return undefined
    checkLength(text, plain.maxLength, what)
    return plain.idKind ? requireSalesforceId(text, plain.idKind, what) : text
}

/** One ISC change, narrowed and checked. @throws InvalidRequestError for anything Salesforce could not take. */
export function parseChange(raw: unknown): AccountChange {
    if (!isRecord(raw) || typeof raw.attribute !== 'string' || raw.attribute === '') {
        throw new InvalidRequestError(
            `Malformed attribute change ${(JSON.stringify(raw) ?? typeof raw).slice(0, 200)}: expected { op, attribute, value }`
        )
    }
    const { attribute, value } = raw
    const op = parseOp(raw.op, attribute)
    const what = `${op} ${attribute}`

    const entitlement = ENTITLEMENT_KINDS[attribute]
    if (entitlement) {
        const ids = toTextList(value, what).map((id) => requireSalesforceId(id, entitlement.idKind, what))
        if (entitlement.kind === 'profile' && op !== 'Remove' && ids.length > 1) {
            throw new InvalidRequestError(
                `${what}: got ${ids.length} profiles (${ids.join(', ')}); Salesforce requires exactly one profile per user`
            )
        }
        return { kind: entitlement.kind, op, ids }
    }
    const restType = REST_ENTITLEMENT_KINDS[attribute]
    if (restType !== undefined) {
        return {
            kind: 'restEntitlement',
            type: restType,
            attribute,
            op,
            ids: restEntitlementIds(restType, value, what),
        }
    }
    if (attribute === ENTITLEMENT_ATTRIBUTE.role) {
        const id = toSingleText(value, what)
        return { kind: 'role', op, id: id === undefined ? undefined : requireSalesforceId(id, 'role', what) }
    }
    if (attribute === 'active') return { kind: 'active', op, value: toBoolean(value, what) }
    if (attribute === 'password') {
        // Passwords go through std:change-password, which ISC sends for them and which never logs the value.
        throw new InvalidRequestError(`${op} password: an account update cannot set a password; use change password`)
    }
    const plain = PLAIN_ATTRIBUTES[attribute]
    if (plain) return { kind: 'attribute', op, attribute, value: parsePlainValue(plain, value, what) }
    if (READ_ONLY_ATTRIBUTES.includes(attribute)) {
        throw new InvalidRequestError(`${what}: ${attribute} is computed by Salesforce and cannot be changed`)
    }
    if (CUSTOM_FIELD_PATTERN.test(attribute)) {
        const custom = parseCustomValue(value, what)
        if (typeof custom === 'string') checkLength(custom, CUSTOM_FIELD_MAX_LENGTH, what)
        return { kind: 'custom', op, field: attribute, value: custom }
    }
    throw new InvalidRequestError(`${what}: the Salesforce account has no attribute named ${attribute}`)
}

/** @throws InvalidRequestError if `changes` is not a list of well-formed changes. */
export function parseChanges(raw: unknown): AccountChange[] {
    if (!Array.isArray(raw))
        throw new InvalidRequestError('Account update: `changes` must be a list of attribute changes')
    return raw.map(parseChange)
}

export interface ChangePlan {
    /** The operations of one PATCH /Users/{id}; empty when the user itself does not change. */
    readonly operations: readonly ScimPatchOperation[]
    readonly addToGroups: readonly string[]
    readonly removeFromGroups: readonly string[]
    /** Present when the plan takes permission sets away through SCIM: how, and what to check afterwards. */
    readonly permissionSetRemoval?: PermissionSetRemoval
    /**
     * Permission sets taken away through the REST API instead (Govern Access Beyond SCIM): each by deleting exactly
     * its PermissionSetAssignment row, as Salesforce spells them on the user.
     */
    readonly permissionSetDeletes?: readonly string[]
    /** The values the PATCH writes, to be found on the user Salesforce answers with (null: taken away). */
    readonly expected?: readonly ExpectedValue[]
}

/** An attribute the PATCH writes and the value Salesforce should then hold. */
export interface ExpectedValue {
    readonly attribute: string
    readonly value: string | CustomValue | null
}

/**
 * Ways to take permission sets off a user besides the `replace` in the plan's PATCH, each one PATCH:
 * - `filteredRemove`: RFC 7644 §3.5.2.2 `remove` with path `entitlements[value eq "0PS…"]`, one per permission set;
 * - `emptyReplace`: `replace` with `entitlements: []`, only when the user keeps no permission set.
 */
export type RemovalForm = 'filteredRemove' | 'emptyReplace'

export interface PermissionSetRemoval {
    /** The permission sets taken away, as Salesforce spells them on the user. */
    readonly ids: readonly string[]
    /** Tried in order after the plan's PATCH, each only while Salesforce still lists one of `ids` on the user. */
    readonly forms: readonly RemovalForm[]
}

export interface ChangeOptions {
    /** Where a revoked profile moves the user; without it a profile cannot be revoked. */
    readonly defaultProfileId?: string | undefined
    /**
     * Take permission sets away by deleting their PermissionSetAssignment rows through the REST API (Govern Access
     * Beyond SCIM) rather than by SCIM's replace-all, which drops every other assignment's expiry date.
     */
    readonly removePermissionSetsThroughRest?: boolean
}

function includesId(list: readonly string[], id: string): boolean {
    return list.some((item) => sameId(item, id))
}

/** The ids of `list` that `other` does not name, whichever length either spells them in. */
function withoutIds(list: readonly string[], other: readonly string[]): string[] {
    return list.filter((item) => !includesId(other, item))
}

function sameOptionalId(a: string | null, b: string | null): boolean {
    return a === null || b === null ? a === b : sameId(a, b)
}

function applyList(current: readonly string[], op: ChangeOp, ids: readonly string[]): string[] {
    switch (op) {
        case 'Set':
            // An id the user holds stays as Salesforce spells it, so only real differences are written.
            return ids.map((id) => current.find((held) => sameId(held, id)) ?? id)
        case 'Add':
            return [...current, ...withoutIds(ids, current)]
        case 'Remove':
            // A Remove without a value clears the attribute, as ISC defines Remove on an attribute.
            return ids.length === 0 ? [] : withoutIds(current, ids)
    }
}

function profileRemoval(current: string, options: ChangeOptions): string {
    const fix = 'set Default Profile in the source configuration, or Set another profile instead'
    if (options.defaultProfileId === undefined) {
        throw new InvalidRequestError(`Cannot remove the profile: Salesforce users must keep a profile; ${fix}`)
    }
    if (sameId(current, options.defaultProfileId)) {
        throw new InvalidRequestError(
            `Cannot remove profile ${current}: it is the Default Profile revoked profiles are replaced with, and Salesforce users must keep a profile; Set another profile instead`
        )
    }
    // Setup shows 15-character ids; Salesforce's API takes and returns 18.
    return toId18(options.defaultProfileId, 'profile')
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
    for (const [key, value] of Object.entries(source)) {
        const existing = target[key]
        if (Array.isArray(existing) && Array.isArray(value))
            target[key] = [...(existing as unknown[]), ...(value as unknown[])]
        else if (isRecord(existing) && isRecord(value)) target[key] = merge({ ...existing }, value)
        else target[key] = value
    }
    return target
}

/** One attribute's write: the replace `value` that sets it (with the value it leaves), or a remove path. */
type Intent =
    | { readonly set: Record<string, unknown>; readonly value: string | CustomValue | null }
    | { readonly removePath: string }

function sameValue(current: unknown, value: CustomValue): boolean {
    return current === value || String(current) === String(value)
}

/** Whether the user's current value of a plain attribute is `value`, compared the way Salesforce compares it. */
function holdsPlainValue(plain: PlainAttribute, current: unknown, value: string): boolean {
    if (typeof current !== 'string') return false
    if (plain.idKind) return sameId(current, value)
    return plain.caseInsensitive ? current.toLowerCase() === value.toLowerCase() : current === value
}

/**
 * The Salesforce writes that take `user` to the state `changes` describe. Changes apply in order (a later
 * change to the same attribute wins). Nothing is written for a change that leaves a value as it is: ids are
 * compared by their 15-character key, so either length matches; email and userName without regard to case, as
 * Salesforce compares them. ISC re-sends provisioning, and each email write makes Salesforce mail the user.
 * @throws InvalidRequestError when a change cannot be made in Salesforce (e.g. removing the only profile).
 */
export function planAccountChanges(
    user: ScimUser,
    changes: readonly AccountChange[],
    options: ChangeOptions = {}
): ChangePlan {
    const current = userEntitlements(user)
    const currentGroups = userGroupIds(user)
    const currentRole = userRoleId(user)
    const currentAttributes = toAccountAttributes(user)

    let profile = current.profile
    let permissionSets = [...current.permissionSets]
    let groups = [...currentGroups]
    let role = currentRole
    const intents = new Map<string, Intent>()

    for (const change of changes) {
        switch (change.kind) {
            case 'profile': {
                const [id] = change.ids
                if (change.op !== 'Remove' && id !== undefined) profile = id
                else if (
                    change.op === 'Remove' &&
                    change.ids.length > 0 &&
                    (profile === null || !includesId(change.ids, profile))
                )
                    continue // the user does not have that profile
                // Resolved after every change: a Remove followed by an Add of another profile is a swap.
                else profile = null
                break
            }
            case 'permissionSets':
                permissionSets = applyList(permissionSets, change.op, change.ids)
                break
            case 'groups':
                groups = applyList(groups, change.op, change.ids)
                break
            case 'restEntitlement':
                // Planned from what the REST API reads of the user: planRestChanges.
                break
            case 'role':
                if (change.op !== 'Remove' && change.id !== undefined) role = change.id
                else if (change.op === 'Remove' && change.id !== undefined && !sameOptionalId(change.id, role)) continue
                else role = null
                break
            case 'active': {
                const active = activeAfter(change)
                if (active === undefined) throw new InvalidRequestError(`${change.op} active: a value is required`)
                intents.set('active', { set: { active }, value: active })
                break
            }
            case 'attribute': {
                const plain = PLAIN_ATTRIBUTES[change.attribute]
                if (!plain) throw new InvalidRequestError(`Unknown attribute ${change.attribute}`)
                const held = currentAttributes[change.attribute]
                if (change.op !== 'Remove' && change.value !== undefined) {
                    // A Set to the value the user has writes nothing (and undoes an earlier change of this request).
                    if (holdsPlainValue(plain, held, change.value)) intents.delete(change.attribute)
                    else intents.set(change.attribute, { set: plain.set(change.value), value: change.value })
                    break
                }
                if (change.op === 'Remove' && change.value !== undefined && !holdsPlainValue(plain, held, change.value))
                    continue // removing a value the user does not have
                if ('refuse' in plain.remove) {
                    throw new InvalidRequestError(`Cannot remove ${change.attribute}: ${plain.remove.refuse}`)
                }
                intents.set(
                    change.attribute,
                    'path' in plain.remove ? { removePath: plain.remove.path } : { set: plain.set(''), value: null }
                )
                break
            }
            case 'custom': {
                const orgId = orgIdOf(user)
                if (orgId === undefined) {
                    throw new InvalidRequestError(
                        `${change.op} ${change.field}: cannot write custom fields because Salesforce did not report the user's organization`
                    )
                }
                const urn = orgExtensionUrn(orgId)
                const held = currentAttributes[change.field]
                if (change.op !== 'Remove' && change.value !== undefined) {
                    if (held !== undefined && held !== null && sameValue(held, change.value))
                        intents.delete(change.field)
                    else
                        intents.set(change.field, {
                            set: { [urn]: { [change.field]: change.value } },
                            value: change.value,
                        })
                } else if (change.op === 'Remove' && change.value !== undefined && !sameValue(held, change.value)) {
                    continue
                } else {
                    intents.set(change.field, { removePath: `${urn}:${change.field}` })
                }
                break
            }
        }
    }

    if (profile === null && current.profile !== null) profile = profileRemoval(current.profile, options)

    const operations: ScimPatchOperation[] = []
    const replaceValue: Record<string, unknown> = {}
    for (const intent of intents.values()) if ('set' in intent) merge(replaceValue, intent.set)
    if (Object.keys(replaceValue).length > 0)
        operations.push({ op: 'replace', value: withFlatExtensionKeys(replaceValue) })

    if (!sameOptionalId(role, currentRole)) {
        operations.push(
            role === null ? { op: 'remove', path: 'roles' } : { op: 'replace', value: { roles: [{ value: role }] } }
        )
    }

    const newProfile = profile !== null && !sameOptionalId(profile, current.profile) ? profile : undefined
    const removedPermissionSets = withoutIds(current.permissionSets, permissionSets)
    const addedPermissionSets = withoutIds(permissionSets, current.permissionSets)
    const entitlement = (value: string): { value: string } => ({ value })
    let permissionSetRemoval: PermissionSetRemoval | undefined
    let permissionSetDeletes: string[] | undefined
    if (removedPermissionSets.length > 0 && options.removePermissionSetsThroughRest === true) {
        // Each removed permission set's own assignment row is deleted through REST after this PATCH; a replace
        // naming only the profile swaps the profile and leaves permission sets alone.
        if (newProfile) operations.push({ op: 'replace', value: { entitlements: [entitlement(newProfile)] } })
        if (addedPermissionSets.length > 0) {
            operations.push({ op: 'add', value: { entitlements: addedPermissionSets.map(entitlement) } })
        }
        permissionSetDeletes = removedPermissionSets
    } else if (removedPermissionSets.length > 0 && permissionSets.length === 0) {
        // The last permission sets: no documented request removes them. Salesforce's SCIM pilot ignores a
        // `replace` with an empty list (it deletes only when the list names a permission set) and refuses a
        // `remove` of `entitlements`. So the writes after this PATCH try, one at a time and only while Salesforce
        // still lists one: first the RFC 7644 `remove` of exactly those values (it cannot touch the profile or
        // another permission set, and where it is not understood the pilot ignores it), then the empty
        // `replace` (which clears them where it means "no permission sets"). The user read back at the end
        // decides: a revocation is never reported done while Salesforce still holds the permission set.
        if (newProfile) operations.push({ op: 'replace', value: { entitlements: [entitlement(newProfile)] } })
        permissionSetRemoval = { ids: removedPermissionSets, forms: ['filteredRemove', 'emptyReplace'] }
    } else if (removedPermissionSets.length > 0) {
        // Salesforce's documented way to drop some: a replace naming every permission set the user keeps (a
        // replace with any permission set deletes all assignments and inserts the list). Read back afterwards,
        // the RFC 7644 `remove` of those still listed is the fallback.
        const kept = [...(profile === null ? [] : [profile]), ...permissionSets]
        operations.push({ op: 'replace', value: { entitlements: kept.map(entitlement) } })
        permissionSetRemoval = { ids: removedPermissionSets, forms: ['filteredRemove'] }
    } else {
        if (newProfile) operations.push({ op: 'replace', value: { entitlements: [entitlement(newProfile)] } })
        if (addedPermissionSets.length > 0) {
            operations.push({ op: 'add', value: { entitlements: addedPermissionSets.map(entitlement) } })
        }
    }

    for (const intent of intents.values())
        if ('removePath' in intent) operations.push({ op: 'remove', path: intent.removePath })

    return {
        operations,
        addToGroups: withoutIds(groups, currentGroups),
        removeFromGroups: withoutIds(currentGroups, groups),
        ...(permissionSetRemoval ? { permissionSetRemoval } : {}),
        ...(permissionSetDeletes ? { permissionSetDeletes } : {}),
        ...(intents.size > 0
            ? {
                  expected: [...intents].map(([attribute, intent]) => ({
                      attribute,
                      value: 'set' in intent ? intent.value : null,
                  })),
              }
            : {}),
    }
}

/**
 * Salesforce's SCIM pilot reads custom fields and the alias on PATCH only as flat `"<urn>:<attribute>"` keys,
 * and other SCIM servers only as nested `{ "<urn>": { attribute } }` blocks (risk R9). RFC 7644 allows both
 * forms of an extension attribute, so Salesforce's own extensions go out in both, with the same values.
 */
function withFlatExtensionKeys(value: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...value }
    for (const [urn, block] of Object.entries(value)) {
        if (!urn.startsWith(SALESFORCE_EXTENSION_PREFIX) || !isRecord(block)) continue
        for (const [attribute, attributeValue] of Object.entries(block)) out[`${urn}:${attribute}`] = attributeValue
    }
    return out
}

const SALESFORCE_EXTENSION_PREFIX = 'urn:salesforce:schemas:extension:'

/** The attributes of `plan.expected` that `user` (Salesforce's answer to the PATCH) does not show as written. */
export function valuesNotApplied(plan: ChangePlan, user: ScimUser): string[] {
    const attributes = toAccountAttributes(user)
    return (plan.expected ?? [])
        .filter(({ attribute, value }) => {
            const held = attributes[attribute]
            if (value === null) return held !== null && held !== undefined && held !== ''
            const plain = PLAIN_ATTRIBUTES[attribute]
            if (plain) return typeof value !== 'string' || !holdsPlainValue(plain, held, value)
            return held === undefined || held === null || !sameValue(held, value)
        })
        .map(({ attribute }) => attribute)
}

/** The PATCH operations of one removal form, for the permission sets Salesforce still lists. */
export function removalOperations(form: RemovalForm, stillHeld: readonly string[]): ScimPatchOperation[] {
    switch (form) {
        case 'filteredRemove':
            return stillHeld.map((id) => ({ op: 'remove', path: `entitlements[value eq ${JSON.stringify(id)}]` }))
        case 'emptyReplace':
            return [{ op: 'replace', value: { entitlements: [] } }]
    }
}

/** The permission sets of `ids` that Salesforce still lists on `user`. */
export function permissionSetsStillHeld(user: ScimUser, ids: readonly string[]): string[] {
    return userEntitlements(user).permissionSets.filter((held) => includesId(ids, held))
}

/**
 * The error for a revocation Salesforce did not carry out: it names the permission sets and the user, and says
 * what the admin must do, so a revocation is never reported done while the access remains.
 * @param refusals Salesforce's answers to the forms it refused, if any.
 */
export function permissionSetsNotRemovedError(
    user: ScimUser,
    stillHeld: readonly string[],
    refusals: readonly string[] = []
): InvalidResponseError {
    const sets = stillHeld.length === 1 ? `permission set ${stillHeld[0]}` : `permission sets ${stillHeld.join(', ')}`
    const why = refusals.length > 0 ? ` Salesforce's answer: ${refusals.join(' / ')}` : ''
    return new InvalidResponseError(
        `Salesforce still assigns ${sets} to user ${user.id} (${user.userName}) after the request to remove ` +
            `${stillHeld.length === 1 ? 'it' : 'them'}: the access was NOT revoked.${why} Remove the assignment ` +
            `in Salesforce Setup (Users → ${user.userName} → Permission Set Assignments → Edit Assignments), then ` +
            'retry the request in ISC.'
    )
}

/** @throws InvalidResponseError when `user` (read back after the writes) still holds a removed permission set. */
export function checkPermissionSetsRemoved(plan: ChangePlan, user: ScimUser): void {
    const removed = [...(plan.permissionSetRemoval?.ids ?? []), ...(plan.permissionSetDeletes ?? [])]
    if (removed.length === 0) return
    const stillHeld = permissionSetsStillHeld(user, removed)
    if (stillHeld.length > 0) throw permissionSetsNotRemovedError(user, stillHeld)
}

// ---- Beyond SCIM: REST-only entitlements, and permission sets removed row by row ------------------------------

/** A change of a REST-only entitlement attribute. */
export type RestEntitlementChange = Extract<AccountChange, { kind: 'restEntitlement' }>

/** An entitlement granted by creating its assignment row. */
export interface RestGrant {
    readonly type: AssignmentType
    readonly entitlementId: string
}

/** An entitlement revoked by deleting exactly one assignment row of the user. */
export interface RestRevoke {
    readonly kind: RowKind
    readonly rowId: string
    readonly entitlementId: string
}

/** The REST writes of one command. */
export interface RestPlan {
    readonly grants: readonly RestGrant[]
    readonly revokes: readonly RestRevoke[]
    /** Feature-license flags to set, all in one PATCH of the user; empty when none changes. */
    readonly featureLicenses: Readonly<Record<string, boolean>>
}

export function isEmptyRestPlan(plan: RestPlan): boolean {
    return plan.grants.length === 0 && plan.revokes.length === 0 && Object.keys(plan.featureLicenses).length === 0
}

/** What a change of `active` sets it to: a Remove deactivates; undefined for a value missing. */
function activeAfter(change: Extract<AccountChange, { kind: 'active' }>): boolean | undefined {
    return change.op === 'Remove' ? false : change.value
}

/** Whether the changes deactivate the user. */
export function deactivatesUser(changes: readonly AccountChange[]): boolean {
    return changes.some((change) => change.kind === 'active' && activeAfter(change) === false)
}

export function restChangesOf(changes: readonly AccountChange[]): RestEntitlementChange[] {
    return changes.filter((change): change is RestEntitlementChange => change.kind === 'restEntitlement')
}

/**
 * What to read of the user before planning (and again after the writes, to check them): the rows of each kind the
 * changes touch, the rows of permission sets removed through REST, and the feature-license flags named.
 * `allFeatureLicenses`: a Set, or a Remove without a value, must also know every flag the org has, to clear those
 * not listed. Undefined when nothing beyond SCIM is touched.
 */
export function restAccessNeeded(
    changes: readonly AccountChange[],
    permissionSetDeletes: readonly string[] = []
): { readonly query: AccessQuery; readonly allFeatureLicenses: boolean } | undefined {
    const rest = restChangesOf(changes)
    const kinds = new Set<RowKind>()
    const fields: string[] = []
    let allFeatureLicenses = false
    for (const change of rest) {
        if (change.type !== 'featureLicense') {
            kinds.add(change.type)
            continue
        }
        for (const field of change.ids) if (!fields.includes(field)) fields.push(field)
        if (change.op === 'Set' || (change.op === 'Remove' && change.ids.length === 0)) allFeatureLicenses = true
    }
    if (permissionSetDeletes.length > 0) kinds.add('permissionSet')
    if (kinds.size === 0 && fields.length === 0 && !allFeatureLicenses) return undefined
    return { query: { kinds: [...kinds], featureLicenseFields: fields }, allFeatureLicenses }
}

/** `applyList` for values compared by `same` (ids by key, feature licenses by exact name). */
function applyValues(
    current: readonly string[],
    op: ChangeOp,
    values: readonly string[],
    same: (a: string, b: string) => boolean
): string[] {
    const has = (list: readonly string[], value: string): boolean => list.some((item) => same(item, value))
    switch (op) {
        case 'Set':
            return values.map((value) => current.find((held) => same(held, value)) ?? value)
        case 'Add':
            return [...current, ...values.filter((value) => !has(current, value))]
        case 'Remove':
            return values.length === 0 ? [] : current.filter((held) => !has(values, held))
    }
}

function heldRows(access: UserAccess, kind: RowKind): readonly HeldAssignment[] {
    const rows = access.rows[kind]
    // The read is planned from the same changes (restAccessNeeded): a kind missing here is a bug, not a user.
    if (rows === undefined) throw new Error(`The ${PROVISIONING_LABEL[kind]} rows of the user were not read`)
    return rows
}

/**
 * The REST writes that take the user from `access` (what Salesforce holds now) to what `changes` describe, with
 * the permission set rule's no-ops: an Add of what the user holds writes nothing, a Remove of what they do not hold
 * writes nothing, a Set writes only the difference. Changes apply in order. A removed permission set deletes its
 * own PermissionSetAssignment row and no other.
 */
export function planRestChanges(
    access: UserAccess,
    changes: readonly AccountChange[],
    permissionSetDeletes: readonly string[] = []
): RestPlan {
    const rest = restChangesOf(changes)
    const grants: RestGrant[] = []
    const revokes: RestRevoke[] = []
    const types = [...new Set(rest.map((change) => change.type))]
    for (const type of types) {
        if (type === 'featureLicense') continue
        const held = heldRows(access, type)
        const heldIds = held.map((row) => row.entitlementId)
        let target = [...heldIds]
        for (const change of rest) if (change.type === type) target = applyValues(target, change.op, change.ids, sameId)
        for (const id of withoutIds(target, heldIds)) grants.push({ type, entitlementId: id })
        for (const row of held)
            if (!includesId(target, row.entitlementId))
                revokes.push({ kind: type, rowId: row.rowId, entitlementId: row.entitlementId })
    }
    if (permissionSetDeletes.length > 0) {
        for (const row of heldRows(access, 'permissionSet'))
            if (includesId(permissionSetDeletes, row.entitlementId))
                revokes.push({ kind: 'permissionSet', rowId: row.rowId, entitlementId: row.entitlementId })
    }

    const featureLicenses: Record<string, boolean> = {}
    if (types.includes('featureLicense')) {
        const flags = access.featureLicenses ?? {}
        const current = Object.keys(flags).filter((field) => flags[field] === true)
        let target = [...current]
        for (const change of rest)
            if (change.type === 'featureLicense') target = applyValues(target, change.op, change.ids, (a, b) => a === b)
        for (const field of target) if (!current.includes(field)) featureLicenses[field] = true
        for (const field of current) if (!target.includes(field)) featureLicenses[field] = false
    }
    return { grants, revokes, featureLicenses }
}

/**
 * The writes of `plan` that `after` (the user's access read back) does not show: each in words, e.g. `grant of
 * queue 00G…`. Salesforce may accept a write without doing it; the command reports only what it did.
 */
export function restWritesNotApplied(plan: RestPlan, after: UserAccess): string[] {
    const holds = (kind: RowKind, id: string): boolean =>
        (after.rows[kind] ?? []).some((row) => sameId(row.entitlementId, id))
    return [
        ...plan.grants
            .filter(({ type, entitlementId }) => !holds(type, entitlementId))
            .map(({ type, entitlementId }) => `grant of ${PROVISIONING_LABEL[type]} ${entitlementId}`),
        ...plan.revokes
            .filter(({ kind, entitlementId }) => holds(kind, entitlementId))
            .map(({ kind, entitlementId }) => `removal of ${PROVISIONING_LABEL[kind]} ${entitlementId}`),
        ...Object.entries(plan.featureLicenses)
            .filter(([field, on]) => after.featureLicenses?.[field] !== on)
            .map(([field, on]) => `${on ? 'grant' : 'removal'} of feature license ${field}`),
    ]
}

/** Words for a REST write, e.g. `grant permission set license 0PL…`, for a message naming what was not done. */
export function describeRestWrite(
    write: RestGrant | RestRevoke | { readonly featureLicenses: Readonly<Record<string, boolean>> }
): string {
    if ('featureLicenses' in write) {
        return Object.entries(write.featureLicenses)
            .map(([field, on]) => `${on ? 'grant' : 'remove'} feature license ${field}`)
            .join(', ')
    }
    if ('rowId' in write) return `remove ${PROVISIONING_LABEL[write.kind]} ${write.entitlementId}`
    return `grant ${PROVISIONING_LABEL[write.type]} ${write.entitlementId}`
}
