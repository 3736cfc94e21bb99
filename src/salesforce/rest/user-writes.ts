/**
 * One user's access beyond SCIM, as provisioning reads and writes it through the REST API: the assignment rows of
 * each kind (read in one Composite request), a row created to grant and deleted to revoke, and the
 * feature-license flags set with one PATCH of the user.
 */
import { SalesforceConnectorError } from '../../errors'
import {
    ASSIGNMENT_OBJECTS,
    assignmentsOfUsersSoql,
    FEATURE_LICENSE_FIELD_PATTERN,
    featureLicensesOfUserSoql,
    permissionSetAssignmentsOfUserSoql,
    PROVISIONING_LABEL,
    PROVISIONING_PERMISSION,
} from './objects'
import { SalesforceRestClient, SObjectRecord } from './rest-client'
import { soqlIdList } from './soql'
import { userDescribe } from './user-describe'

/** The REST-only entitlement types held as a row of their own (feature licenses are flags on User). */
export type AssignmentType = keyof typeof ASSIGNMENT_OBJECTS
/** The kinds of row provisioning reads: those types, and the PermissionSetAssignment of a plain permission set. */
export type RowKind = AssignmentType | 'permissionSet'

/** One row giving the user an entitlement: the row's own id (what a revoke deletes) and the entitlement's. */
export interface HeldAssignment {
    readonly rowId: string
    readonly entitlementId: string
    /** When Salesforce ends the assignment (permission sets and groups only), null for never. */
    readonly expirationDate?: string | null
}

/** What provisioning read of a user; a kind that was not asked for is absent, never empty. */
export interface UserAccess {
    readonly rows: Partial<Record<RowKind, readonly HeldAssignment[]>>
    /** The flags asked for, each true or false as the user has it. */
    readonly featureLicenses?: Readonly<Record<string, boolean>>
}

/** Which of a user's access to read. */
export interface AccessQuery {
    readonly kinds: readonly RowKind[]
    readonly featureLicenseFields: readonly string[]
}

const OBJECT_OF_KIND: Readonly<Record<RowKind, string>> = {
    permissionSet: 'PermissionSetAssignment',
    permissionSetGroup: ASSIGNMENT_OBJECTS.permissionSetGroup.object,
    permissionSetLicense: ASSIGNMENT_OBJECTS.permissionSetLicense.object,
    packageLicense: ASSIGNMENT_OBJECTS.packageLicense.object,
    queue: ASSIGNMENT_OBJECTS.queue.object,
}

function text(record: SObjectRecord, field: string): string | undefined {
    const value = record[field]
    return typeof value === 'string' && value !== '' ? value : undefined
}

function heldAssignments(
    records: readonly SObjectRecord[],
    entitlementField: string,
    keep: (record: SObjectRecord) => boolean = () => true
): HeldAssignment[] {
    return records.flatMap((record) => {
        const rowId = text(record, 'Id')
        const entitlementId = text(record, entitlementField)
        if (rowId === undefined || entitlementId === undefined || !keep(record)) return []
        const expiry = record.ExpirationDate
        return [
            {
                rowId,
                entitlementId,
                ...(expiry === undefined ? {} : { expirationDate: typeof expiry === 'string' ? expiry : null }),
            },
        ]
    })
}

/** The error of a refused read, saying what could not be read and which permission it takes. */
function unreadable(error: Error, what: string, kind: RowKind | 'featureLicense', userId: string): Error {
    if (error instanceof SalesforceConnectorError && error.errorCode === 'INVALID_FIELD') {
        // A feature license the org's User does not have (a misspelt flag, or one of another edition).
        error.message = `Cannot read the ${what} of user ${userId}, so nothing was changed: ${error.message}`
    } else if (error instanceof SalesforceConnectorError) {
        error.message =
            `Cannot read the ${what} of user ${userId}, so nothing was changed (the integration user needs ` +
            `"${PROVISIONING_PERMISSION[kind]}"): ${error.message}`
    }
    return error
}

/**
 * Reads the rows (and flags) asked for in ONE Composite request: permission sets and groups from the user's
 * PermissionSetAssignment rows, then PermissionSetLicenseAssign, UserPackageLicense, the queues' GroupMember rows
 * and the User's flags: at most five queries.
 * @throws the refused query's error, naming what could not be read and the Salesforce permission it needs.
 */
export async function readUserAccess(
    rest: SalesforceRestClient,
    userId: string,
    query: AccessQuery
): Promise<UserAccess> {
    const kinds = new Set(query.kinds)
    const soql: Record<string, string> = {}
    if (kinds.has('permissionSet') || kinds.has('permissionSetGroup'))
        soql.permissionSetAssignments = permissionSetAssignmentsOfUserSoql(userId)
    for (const kind of ['permissionSetLicense', 'packageLicense', 'queue'] as const)
        if (kinds.has(kind)) soql[kind] = assignmentsOfUsersSoql(kind, soqlIdList([userId]))
    if (query.featureLicenseFields.length > 0)
        soql.featureLicenses = featureLicensesOfUserSoql(userId, query.featureLicenseFields)
    if (Object.keys(soql).length === 0) return { rows: {} }

    const outcomes = await rest.queries(soql)
    const recordsOf = (name: string, what: string, kind: RowKind | 'featureLicense'): SObjectRecord[] => {
        const outcome = outcomes[name]
        if (outcome === undefined) return []
        if (!outcome.ok) throw unreadable(outcome.error, what, kind, userId)
        return outcome.records
    }
    const rows: Partial<Record<RowKind, readonly HeldAssignment[]>> = {}
    if (soql.permissionSetAssignments !== undefined) {
        const kind = kinds.has('permissionSet') ? 'permissionSet' : 'permissionSetGroup'
        const records = recordsOf('permissionSetAssignments', 'permission set assignments', kind)
        const ofGroup = (record: SObjectRecord): boolean => text(record, 'PermissionSetGroupId') !== undefined
        if (kinds.has('permissionSet'))
            rows.permissionSet = heldAssignments(records, 'PermissionSetId', (record) => !ofGroup(record))
        if (kinds.has('permissionSetGroup')) rows.permissionSetGroup = heldAssignments(records, 'PermissionSetGroupId')
    }
    for (const kind of ['permissionSetLicense', 'packageLicense', 'queue'] as const) {
        if (soql[kind] === undefined) continue
        const records = recordsOf(kind, `${PROVISIONING_LABEL[kind]}s`, kind)
        rows[kind] = heldAssignments(records, ASSIGNMENT_OBJECTS[kind].entitlementField)
    }
    if (soql.featureLicenses === undefined) return { rows }
    const [user] = recordsOf('featureLicenses', 'feature licenses', 'featureLicense')
    const featureLicenses: Record<string, boolean> = {}
    for (const field of query.featureLicenseFields) featureLicenses[field] = user?.[field] === true
    return { rows, featureLicenses }
}

/**
 * The feature-license flags the org's User describe shows: its boolean `UserPermissions*` fields that an update
 * may write (a Set of feature licenses must know every flag to clear the ones not listed). The describe held for
 * the org serves (`user-describe.ts`): at worst, a flag Salesforce added in the last few minutes is left as it is.
 */
export async function featureLicenseFields(rest: SalesforceRestClient): Promise<string[]> {
    const describe = await userDescribe(rest)
    return describe.fields
        .filter(
            (field) =>
                field.type === 'boolean' && FEATURE_LICENSE_FIELD_PATTERN.test(field.name) && field.updateable !== false
        )
        .map((field) => field.name)
}

/**
 * Grants an entitlement by creating its assignment row: PermissionSetAssignment naming the group,
 * PermissionSetLicenseAssign, UserPackageLicense, or GroupMember of the queue (which Salesforce answers with the
 * existing row when the user already is a member).
 * @returns the new row's id.
 * @throws the mapped Salesforce error (LICENSE_LIMIT_EXCEEDED, DUPLICATE_VALUE, FIELD_INTEGRITY_EXCEPTION…).
 */
export function grantAssignment(
    rest: SalesforceRestClient,
    type: AssignmentType,
    userId: string,
    entitlementId: string
): Promise<string> {
    const spec = ASSIGNMENT_OBJECTS[type]
    return rest.create(spec.object, { [spec.userField]: userId, [spec.entitlementField]: entitlementId })
}

/**
 * Revokes one assignment by deleting exactly its row; every other row of the user, and its expiry date, stays.
 * @throws the mapped Salesforce error (a license that permission sets still need, a missing permission…).
 */
export function revokeAssignment(rest: SalesforceRestClient, kind: RowKind, rowId: string): Promise<void> {
    return rest.delete(OBJECT_OF_KIND[kind], rowId)
}

/** Sets every feature-license flag of one command in one PATCH of the user. */
export function setFeatureLicenses(
    rest: SalesforceRestClient,
    userId: string,
    flags: Readonly<Record<string, boolean>>
): Promise<void> {
    return rest.update('User', userId, flags)
}
