import { Attributes, StdAccountReadOutput } from '@sailpoint/connector-sdk'
import { AccountAttribute } from '../schema'
import { compareIds } from '../salesforce/ids'
import { USER_PERMISSION_SET_ASSIGNMENTS } from '../salesforce/rest/objects'
import { SObjectRecord } from '../salesforce/rest/rest-client'
import {
    PageAccessRows,
    USER_ACCESS_PARTS,
    USER_FIELD_ATTRIBUTES,
    UserAccessPart,
    UserAccessShape,
} from '../salesforce/rest/user-access'
import { ScimUser } from '../salesforce/types'
import { scimPath } from './scim-path'

/**
 * The account attributes only Salesforce's REST API reads (setting Govern Access Beyond SCIM), from the rows a
 * page's queries return (`salesforce/rest/user-access.ts`): pure functions, no I/O. A part Salesforce refused (a
 * permission the integration user lacks) leaves exactly its own attributes out of the account: an attribute that
 * could not be read is absent, never empty, so ISC never takes an entitlement for removed.
 */

/** One user's share of a page's rows; a part that was not read is absent. */
export interface UserAccessRows {
    /** The User row with its permission set assignments; absent when the part was refused or held no row for it. */
    readonly user?: SObjectRecord
    readonly permissionSetLicenses?: readonly SObjectRecord[]
    readonly packageLicenses?: readonly SObjectRecord[]
    readonly queues?: readonly SObjectRecord[]
    /** The UserLogin row; null when the part was read and holds none for the user. */
    readonly login?: SObjectRecord | null
}

/** The field a row names its user by, per part (User rows by their Id). */
const USER_FIELD: Readonly<Record<UserAccessPart, string>> = {
    user: 'Id',
    permissionSetLicenses: 'AssigneeId',
    packageLicenses: 'UserId',
    queues: 'UserOrGroupId',
    logins: 'UserId',
}

function groupByUser(rows: readonly SObjectRecord[], field: string): Map<string, SObjectRecord[]> {
    const byUser = new Map<string, SObjectRecord[]>()
    for (const row of rows) {
        const userId = row[field]
        if (typeof userId !== 'string') continue
        const held = byUser.get(userId)
        if (held === undefined) byUser.set(userId, [row])
        else held.push(row)
    }
    return byUser
}

/** Each user's rows of a page, looked up by the user's 18-character id. */
export function indexPageAccess(rows: PageAccessRows): (userId: string) => UserAccessRows {
    const index = new Map<UserAccessPart, Map<string, SObjectRecord[]>>()
    for (const part of USER_ACCESS_PARTS) {
        const partRows = rows[part]
        if (partRows !== undefined) index.set(part, groupByUser(partRows, USER_FIELD[part]))
    }
    const users = index.get('user')
    const permissionSetLicenses = index.get('permissionSetLicenses')
    const packageLicenses = index.get('packageLicenses')
    const queues = index.get('queues')
    const logins = index.get('logins')
    // Called once per user of every page: built without intermediate objects, a read part with no rows for the
    // user as the one shared empty list.
    return (userId) => {
        const rows: { -readonly [K in keyof UserAccessRows]: UserAccessRows[K] } = {}
        const user = users?.get(userId)?.[0]
        if (user !== undefined) rows.user = user
        if (permissionSetLicenses !== undefined)
            rows.permissionSetLicenses = permissionSetLicenses.get(userId) ?? NO_ROWS
        if (packageLicenses !== undefined) rows.packageLicenses = packageLicenses.get(userId) ?? NO_ROWS
        if (queues !== undefined) rows.queues = queues.get(userId) ?? NO_ROWS
        if (logins !== undefined) rows.login = logins.get(userId)?.[0] ?? null
        return rows
    }
}

const NO_ROWS: readonly SObjectRecord[] = Object.freeze([])

/** `2026-12-31T00:00:00.000+0000` (Salesforce's dateTime) as `2026-12-31T00:00:00Z`, as SCIM's timestamps read. */
const SALESFORCE_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/

function isoInstant(value: string): string {
    // Most text is no dateTime: the 'T' after the date rules it out before the pattern is tried.
    if (value.length < 19 || value.charCodeAt(10) !== 0x54) return value
    const utc = utcInstant(value)
    if (utc !== undefined) return utc
    const match = SALESFORCE_DATE_TIME.exec(value)
    if (match === null) return value
    const zone = match[2] === 'Z' ? 'Z' : (match[2] as string).replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')
    const time = Date.parse(`${match[1] as string}${zone}`)
    return Number.isNaN(time) ? value : new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The two digits at `at` as a number, or -1. */
function twoDigits(value: string, at: number): number {
    const tens = value.charCodeAt(at) - 0x30
    const ones = value.charCodeAt(at + 1) - 0x30
    return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

/**
 * `isoInstant` of a dateTime in UTC (`+0000`, `+00:00` or `Z`, as Salesforce sends every one), read without a
 * Date: its first 19 characters and `Z`. Undefined for anything else, and for a day past the 28th, which only a
 * Date can check against its month; `isoInstant` then reads it the general way.
 */
function utcInstant(value: string): string | undefined {
    const length = value.length
    let end: number
    if (value.endsWith('+0000')) end = length - 5
    else if (value.endsWith('+00:00')) end = length - 6
    else if (value.charCodeAt(length - 1) === 0x5a) end = length - 1
    else return undefined
    if (end > 19) {
        // A fraction of a second: a dot and at least one digit.
        if (value.charCodeAt(19) !== 0x2e || end === 20) return undefined
        for (let i = 20; i < end; i++) {
            const digit = value.charCodeAt(i) - 0x30
            if (digit < 0 || digit > 9) return undefined
        }
    } else if (end !== 19) return undefined
    const century = twoDigits(value, 0)
    const year = twoDigits(value, 2)
    const month = twoDigits(value, 5)
    const day = twoDigits(value, 8)
    const hour = twoDigits(value, 11)
    const minute = twoDigits(value, 14)
    const second = twoDigits(value, 17)
    const separators =
        value.charCodeAt(4) === 0x2d &&
        value.charCodeAt(7) === 0x2d &&
        value.charCodeAt(13) === 0x3a &&
        value.charCodeAt(16) === 0x3a
    if (!separators || century < 0 || year < 0 || month < 1 || month > 12 || day < 1 || day > 28) return undefined
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined
    return `${value.slice(0, 19)}Z`
}

type FieldValue = string | boolean | number | null

/** A User field's value as an ISC value: text (dateTimes in ISO form), booleans, whole numbers; others as text. */
function fieldValue(value: unknown): FieldValue | undefined {
    if (value === null || value === undefined) return null
    if (typeof value === 'string') return value === '' ? null : isoInstant(value)
    if (typeof value === 'boolean') return value
    if (typeof value === 'number') return Number.isInteger(value) ? value : String(value)
    // A compound field (an address) or a relationship: not one value.
    return undefined
}

/** The value at a field path of a row (`UserLicense.Name`, split at its dots), parent relationships read as nested rows. */
function valueAt(row: SObjectRecord, path: readonly string[]): unknown {
    let value: unknown = row
    for (const step of path) {
        if (value === null || typeof value !== 'object') return null
        value = (value as Record<string, unknown>)[step]
    }
    return value
}

/**
 * The REST attributes read from a User field, each with a reader of its SCIM twin if it has one, and for a field
 * holding another row's id, the path of the value in that row.
 */
const USER_FIELD_READERS: readonly {
    readonly name: AccountAttribute
    readonly path: readonly string[]
    readonly scim?: (user: ScimUser) => unknown
    readonly viaPath?: readonly string[]
}[] = USER_FIELD_ATTRIBUTES.map(({ name, field, alsoScim, via }) => ({
    name,
    path: field.split('.'),
    ...(alsoScim !== undefined ? { scim: scimPath(alsoScim).read } : {}),
    ...(via !== undefined ? { viaPath: via.path.split('.') } : {}),
}))

/**
 * The value of a looked-up attribute: the field at `viaPath` of the row the user's field points to (a null id
 * reads as null); undefined, so left out, when those rows could not be read or lack the one it points to.
 */
function lookedUpValue(
    user: SObjectRecord,
    path: readonly string[],
    viaPath: readonly string[],
    rows: ReadonlyMap<string, SObjectRecord> | undefined
): unknown {
    if (rows === undefined) return undefined
    const id = valueAt(user, path)
    if (typeof id !== 'string') return null
    const row = rows.get(id)
    return row === undefined ? undefined : valueAt(row, viaPath)
}

interface Assignment {
    readonly permissionSetId?: string
    readonly groupId?: string
    readonly expires?: string
}

/**
 * The user's permission set assignments from the child subquery, or undefined when it was not read. Salesforce
 * answers `null` for a user with none.
 */
function assignmentsOf(user: SObjectRecord): Assignment[] | undefined {
    if (!(USER_PERMISSION_SET_ASSIGNMENTS.relationship in user)) return undefined
    const child = user[USER_PERMISSION_SET_ASSIGNMENTS.relationship] as { records?: unknown } | null
    // Most users hold no group and no expiring assignment: the subquery reads none (null).
    if (!Array.isArray(child?.records) || child.records.length === 0) return []
    const records = child.records as SObjectRecord[]
    return records.flatMap((row): Assignment[] => {
        // The row every user has for the profile's own permission set is no permission set of the account.
        if ((row.PermissionSet as { IsOwnedByProfile?: unknown } | null | undefined)?.IsOwnedByProfile === true)
            return []
        const groupId = typeof row.PermissionSetGroupId === 'string' ? row.PermissionSetGroupId : undefined
        const permissionSetId = typeof row.PermissionSetId === 'string' ? row.PermissionSetId : undefined
        const expires = typeof row.ExpirationDate === 'string' ? isoInstant(row.ExpirationDate) : undefined
        // A group's row names the group's aggregate permission set, which is no permission set of the account.
        if (groupId !== undefined) return [{ groupId, ...(expires !== undefined ? { expires } : {}) }]
        if (permissionSetId === undefined) return []
        return [{ permissionSetId, ...(expires !== undefined ? { expires } : {}) }]
    })
}

/** `ids` sorted, each once: in place, as most lists hold none or one. */
function sortedIds(ids: string[]): string[] {
    if (ids.length < 2) return ids
    ids.sort(compareIds)
    let kept = 1
    for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[kept - 1]) ids[kept++] = ids[i] as string
    ids.length = kept
    return ids
}

/** `<id>=<ISO date-time>` for each assignment with an expiry, in id order. */
function expirations(assignments: readonly Assignment[], idOf: (a: Assignment) => string | undefined): string[] {
    if (assignments.length === 0) return []
    const entries: [string, string][] = []
    for (const assignment of assignments) {
        const id = idOf(assignment)
        if (id !== undefined && assignment.expires !== undefined) entries.push([id, assignment.expires])
    }
    return entries.sort(([a], [b]) => compareIds(a, b)).map(([id, expires]) => `${id}=${expires}`)
}

function idsAt(rows: readonly SObjectRecord[], field: string): string[] {
    const ids: string[] = []
    for (const row of rows) {
        const id = row[field]
        if (typeof id === 'string') ids.push(id)
    }
    return sortedIds(ids)
}

/**
 * The REST attributes of one user. `scimUser`, when given, supplies the values SCIM carries as well (preferred
 * where it holds them); `existing` names attributes the SCIM mapping already set, which a further User field of the
 * same name never replaces.
 */
export function toRestAttributes(
    rows: UserAccessRows,
    shape: UserAccessShape,
    scimUser?: ScimUser,
    existing: Readonly<Attributes> = {}
): Attributes {
    const attributes: Attributes = {}
    const user = rows.user
    if (user !== undefined) {
        for (const { name, path, scim, viaPath } of USER_FIELD_READERS) {
            const fromScim = scim !== undefined && scimUser !== undefined ? scim(scimUser) : undefined
            if (typeof fromScim === 'string' && fromScim !== '') {
                attributes[name] = fromScim
                continue
            }
            const raw =
                viaPath !== undefined ? lookedUpValue(user, path, viaPath, shape.lookedUp[name]) : valueAt(user, path)
            const value = raw === undefined ? undefined : fieldValue(raw)
            if (value !== undefined) attributes[name] = value
        }
        attributes.featureLicenses = shape.featureLicenseFields.filter((field) => user[field] === true)
        const assignments = assignmentsOf(user)
        if (assignments !== undefined) {
            attributes.permissionSetGroups = sortedIds(assignments.flatMap((a) => (a.groupId ? [a.groupId] : [])))
            attributes.permissionSetExpirations = expirations(assignments, (a) => a.permissionSetId)
            attributes.permissionSetGroupExpirations = expirations(assignments, (a) => a.groupId)
        }
        for (const field of shape.additionalUserFields) {
            const current = existing[field] ?? attributes[field]
            if (current !== undefined && current !== null) continue
            const value = fieldValue(user[field])
            if (value !== undefined) attributes[field] = value
        }
    }
    if (rows.permissionSetLicenses !== undefined)
        attributes.permissionSetLicenses = idsAt(rows.permissionSetLicenses, 'PermissionSetLicenseId')
    if (rows.packageLicenses !== undefined) attributes.packageLicenses = idsAt(rows.packageLicenses, 'PackageLicenseId')
    if (rows.queues !== undefined) attributes.queues = idsAt(rows.queues, 'GroupId')
    if (rows.login !== undefined) {
        attributes.frozen = rows.login?.IsFrozen === true
        attributes.locked = rows.login?.IsPasswordLocked === true
    }
    return attributes
}

/**
 * The account with its REST attributes joined; the SDK's `locked` flag follows `UserLogin.IsPasswordLocked` when
 * it was read. The SCIM attributes stay as they are.
 */
export function withRestAttributes(
    account: StdAccountReadOutput,
    rows: UserAccessRows,
    shape: UserAccessShape,
    scimUser?: ScimUser
): StdAccountReadOutput {
    const rest = toRestAttributes(rows, shape, scimUser, account.attributes)
    const locked = typeof rest.locked === 'boolean' ? rest.locked : account.locked === true
    // A frozen user stays active in Salesforce but cannot log in: to ISC the account is disabled (a freeze is
    // what Disable Action may do), so that a frozen leaver does not show as enabled again at the next aggregation.
    const disabled = account.disabled === true || rest.frozen === true
    return { ...account, disabled, locked, attributes: { ...account.attributes, ...rest } }
}
