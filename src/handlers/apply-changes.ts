import { SalesforceConfig } from '../config'
import { InvalidRequestError, InvalidResponseError, SalesforceConnectorError } from '../errors'
import { logger } from '../logger'
import {
    AccountChange,
    ChangePlan,
    describeRestWrite,
    planRestChanges,
    restAccessNeeded,
    restChangesOf,
    isEmptyRestPlan,
    PermissionSetRemoval,
    permissionSetsNotRemovedError,
    permissionSetsStillHeld,
    removalOperations,
    RestGrant,
    RestPlan,
    RestRevoke,
    restWritesNotApplied,
    valuesNotApplied,
} from '../mapping/account-changes'
import { SalesforceClient } from '../salesforce/client'
import { SalesforceRestClient } from '../salesforce/rest/rest-client'
import { CHECKED_GRANT_TYPES, CheckedGrantType, refuseUngrantable } from '../salesforce/rest/grant-check'
import { sameId } from '../salesforce/ids'
import {
    AccessQuery,
    featureLicenseFields,
    grantAssignment,
    readUserAccess,
    revokeAssignment,
    setFeatureLicenses,
    UserAccess,
} from '../salesforce/rest/user-writes'
import { ScimUser } from '../salesforce/types'
import { settleLimited } from './concurrency'

export function isEmptyPlan(plan: ChangePlan): boolean {
    return (
        plan.operations.length === 0 &&
        plan.addToGroups.length === 0 &&
        plan.removeFromGroups.length === 0 &&
        plan.permissionSetRemoval === undefined &&
        (plan.permissionSetDeletes ?? []).length === 0
    )
}

/**
 * Applies a change plan: the user's PATCH first (one request, so its operations succeed or fail together), then
 * the further removal forms while Salesforce still lists a removed permission set, then each group membership
 * through the Group, several at a time. Every membership change is tried; if some fail, the first failure is
 * rethrown with the groups that did not change named in its message. A permission set Salesforce still lists
 * after every form fails the command (after the group changes), naming it and what to do; so does a value the
 * PATCH answer does not show as written, except an email change, which Salesforce holds until the user confirms it.
 */
export async function applyChangePlan(
    client: SalesforceClient,
    userId: string,
    plan: ChangePlan,
    maxConcurrency: number
): Promise<void> {
    let patched: ScimUser | undefined
    if (plan.operations.length > 0) {
        patched = await client.patchUser(userId, plan.operations)
        logger.info({ userId, operations: plan.operations.length }, `Updated Salesforce user ${userId}`)
    }
    const notApplied = patched && valuesNotAppliedError(plan, patched)
    const notRemoved =
        plan.permissionSetRemoval && (await removePermissionSets(client, userId, plan.permissionSetRemoval, patched))
    await changeGroupMemberships(client, userId, plan, maxConcurrency)
    if (notRemoved) throw notRemoved
    if (notApplied) throw notApplied
}

/**
 * Salesforce answers a PATCH with the user as it then holds it, and may accept a value without writing it (its
 * SCIM pilot never writes userName, externalId or phoneNumbers on PATCH, and reads custom fields in one form
 * only: risk R9). An email change is held until the user confirms it from the mail Salesforce sends (R11): not
 * a failure, but said in the log.
 * @returns the error naming the attributes Salesforce did not apply, if any.
 */
function valuesNotAppliedError(plan: ChangePlan, patched: ScimUser): InvalidResponseError | undefined {
    const missing = valuesNotApplied(plan, patched)
    if (missing.includes('email')) {
        logger.info(
            { userId: patched.id },
            `The email change of Salesforce user ${patched.id} waits for the user to confirm it from the mail Salesforce sends; until then Salesforce shows the old address`
        )
    }
    const failed = missing.filter((attribute) => attribute !== 'email')
    if (failed.length === 0) return undefined
    return new InvalidResponseError(
        `Salesforce accepted the update of user ${patched.id} (${patched.userName}) but did not apply ` +
            `${failed.join(', ')}: its answer still shows the ${failed.length === 1 ? 'value' : 'values'} from ` +
            "before. Salesforce's SCIM service does not write " +
            `${failed.length === 1 ? 'this attribute' : 'these attributes'} on update in this org; change ` +
            `${failed.length === 1 ? 'it' : 'them'} in Salesforce Setup (Users → ${patched.userName} → Edit).`
    )
}

/**
 * Sends each removal form in turn while Salesforce's answer still lists a removed permission set. A form
 * Salesforce refuses as invalid is noted and the next one tried.
 * @returns the error to report when Salesforce lists one after every form, else undefined.
 */
async function removePermissionSets(
    client: SalesforceClient,
    userId: string,
    removal: PermissionSetRemoval,
    patched: ScimUser | undefined
): Promise<Error | undefined> {
    // Without a PATCH yet, the user holds every one of them: the plan was made from the user as read.
    let user = patched
    let stillHeld = patched ? permissionSetsStillHeld(patched, removal.ids) : [...removal.ids]
    const refusals: string[] = []
    for (const form of removal.forms) {
        if (stillHeld.length === 0) break
        try {
            user = await client.patchUser(userId, removalOperations(form, stillHeld))
            stillHeld = permissionSetsStillHeld(user, stillHeld)
        } catch (err) {
            if (!(err instanceof InvalidRequestError)) throw err
            refusals.push(err.message)
            logger.warn({ userId, form }, `Salesforce refused one way of removing permission sets: ${err.message}`)
        }
        logger.info({ userId, form, stillHeld: stillHeld.length }, `Removing permission sets of ${userId}`)
    }
    if (stillHeld.length === 0) return undefined
    return permissionSetsNotRemovedError(user ?? (await client.getUser(userId)), stillHeld, refusals)
}

async function changeGroupMemberships(
    client: SalesforceClient,
    userId: string,
    plan: ChangePlan,
    maxConcurrency: number
): Promise<void> {
    const memberships = [
        ...plan.addToGroups.map((groupId) => ({ groupId, join: true })),
        ...plan.removeFromGroups.map((groupId) => ({ groupId, join: false })),
    ]
    if (memberships.length === 0) return
    const outcomes = await settleLimited(memberships, maxConcurrency, ({ groupId, join }) =>
        join ? client.addGroupMembers(groupId, [userId]) : client.removeGroupMembers(groupId, [userId])
    )
    const failed = memberships.filter((_, index) => outcomes[index]?.status === 'rejected')
    const firstFailure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
    logger.info(
        { userId, groupsChanged: memberships.length - failed.length, groupsFailed: failed.length },
        `Changed group memberships of Salesforce user ${userId}`
    )
    if (firstFailure === undefined) return
    const names = failed.map(({ groupId, join }) => `${join ? 'join' : 'leave'} ${groupId}`).join(', ')
    const reason: unknown = firstFailure.reason
    if (reason instanceof Error) {
        reason.message = `Could not ${names} for user ${userId}: ${reason.message}`
        throw reason
    }
    throw new Error(`Could not ${names} for user ${userId}: ${String(reason)}`)
}

/** The REST part of a command: its writes, and the read (before and after) they were planned from. */
export interface RestChanges {
    readonly plan: RestPlan
    readonly query: AccessQuery
}

/** What a command wrote through REST, so a create that fails can take it back. */
export interface RestWritesDone {
    /** Rows created, as the revokes that undo them. */
    readonly created: RestRevoke[]
    /** Feature-license flags set, with the value each had before. */
    readonly flagsBefore: Record<string, boolean>
}

export function noRestWritesDone(): RestWritesDone {
    return { created: [], flagsBefore: {} }
}

const LICENSE_TYPES: readonly string[] = ['permissionSetLicense', 'packageLicense']

function isLicense(kind: string): boolean {
    return LICENSE_TYPES.includes(kind)
}

function errorCodeOf(err: unknown): string | undefined {
    return err instanceof SalesforceConnectorError ? err.errorCode : undefined
}

/**
 * Applies a command's SCIM plan and its REST writes in the order Salesforce's rules need: licenses first (a
 * permission set or group may need one), then the SCIM PATCH and group memberships, then permission set groups,
 * queues and feature licenses, then the removals, each deleting exactly one row, licenses last (Salesforce keeps a
 * license while a permission set needs it). The writes go one at a time; the first refusal stops the command, its
 * message naming the write and those not tried. Salesforce's DUPLICATE_VALUE on a grant (already assigned) and a
 * row already gone on a revoke are not failures by themselves: the read-back decides.
 * @returns the user's access read back after the REST writes; undefined when there were none.
 * @throws the refused write's error; InvalidResponseError when the read-back does not show a write as done.
 */
export async function applyAccountChanges(
    client: SalesforceClient,
    rest: SalesforceRestClient,
    userId: string,
    plan: ChangePlan,
    restChanges: RestChanges | undefined,
    maxConcurrency: number,
    done: RestWritesDone = noRestWritesDone()
): Promise<UserAccess | undefined> {
    if (restChanges === undefined || isEmptyRestPlan(restChanges.plan)) {
        await applyChangePlan(client, userId, plan, maxConcurrency)
        return undefined
    }
    const restPlan = restChanges.plan
    const licenseGrants = restPlan.grants.filter((grant) => isLicense(grant.type))
    const otherGrants = restPlan.grants.filter((grant) => !isLicense(grant.type))
    const revokes = restPlan.revokes.filter((revoke) => !isLicense(revoke.kind))
    const licenseRevokes = restPlan.revokes.filter((revoke) => isLicense(revoke.kind))
    const flags =
        Object.keys(restPlan.featureLicenses).length > 0 ? [{ featureLicenses: restPlan.featureLicenses }] : []
    const steps: (RestGrant | RestRevoke | { featureLicenses: Readonly<Record<string, boolean>> })[] = [
        ...licenseGrants,
        ...otherGrants,
        ...flags,
        ...revokes,
        ...licenseRevokes,
    ]
    let next = 0
    const run = async (count: number): Promise<void> => {
        for (const end = next + count; next < end; next++) {
            const step = steps[next]
            if (step === undefined) return
            try {
                await restWrite(rest, userId, step, done)
            } catch (err) {
                const notTried = steps.slice(next + 1).map(describeRestWrite)
                if (err instanceof Error) {
                    err.message =
                        `Could not ${describeRestWrite(step)} for user ${userId}: ${err.message}` +
                        (notTried.length > 0 ? ` (not tried: ${notTried.join(', ')})` : '')
                }
                throw err
            }
        }
    }
    await run(licenseGrants.length)
    await applyChangePlan(client, userId, plan, maxConcurrency)
    await run(steps.length)
    logger.info(
        {
            userId,
            granted: restPlan.grants.length,
            revoked: restPlan.revokes.length,
            flags: Object.keys(restPlan.featureLicenses).length,
        },
        `Changed the access of Salesforce user ${userId} beyond SCIM`
    )
    const after = await readUserAccess(rest, userId, restChanges.query)
    checkRestWritesApplied(restPlan, after, userId)
    return after
}

async function restWrite(
    rest: SalesforceRestClient,
    userId: string,
    step: RestGrant | RestRevoke | { readonly featureLicenses: Readonly<Record<string, boolean>> },
    done: RestWritesDone
): Promise<void> {
    if ('featureLicenses' in step) {
        await setFeatureLicenses(rest, userId, step.featureLicenses)
        for (const [field, on] of Object.entries(step.featureLicenses)) done.flagsBefore[field] ??= !on
        return
    }
    if ('rowId' in step) {
        try {
            await revokeAssignment(rest, step.kind, step.rowId)
        } catch (err) {
            const code = errorCodeOf(err)
            if (code !== 'ENTITY_IS_DELETED' && code !== 'NOT_FOUND') throw err
            logger.info({ userId, rowId: step.rowId }, `The ${step.kind} row ${step.rowId} was already gone`)
        }
        return
    }
    try {
        const rowId = await grantAssignment(rest, step.type, userId, step.entitlementId)
        done.created.push({ kind: step.type, rowId, entitlementId: step.entitlementId })
    } catch (err) {
        if (errorCodeOf(err) !== 'DUPLICATE_VALUE') throw err
        // Salesforce says the user has it already: true only if the read-back shows it.
        logger.info(
            { userId, entitlementId: step.entitlementId },
            `Salesforce says user ${userId} already has ${step.entitlementId}`
        )
    }
}

/** @throws InvalidResponseError naming each write Salesforce accepted but the user's rows do not show. */
function checkRestWritesApplied(plan: RestPlan, after: UserAccess, userId: string): void {
    const missing = restWritesNotApplied(plan, after)
    if (missing.length === 0) return
    throw new InvalidResponseError(
        `Salesforce accepted the changes of user ${userId} but its records do not show the ${missing.join(', ')}: ` +
            'that access was NOT changed. Check the user in Salesforce Setup (Users → the user → Permission Set ' +
            'Assignments, Permission Set License Assignments, Managed Packages, Queues), then retry the request in ISC.'
    )
}

/**
 * Takes back what a failed create wrote through REST (rows created deleted, flags set back), so the user keeps
 * none of the REST access of the create; what could not be taken back is returned in words.
 */
export async function undoRestWrites(
    rest: SalesforceRestClient,
    userId: string,
    done: RestWritesDone
): Promise<string[]> {
    const left: string[] = []
    for (const row of [...done.created].reverse()) {
        try {
            await revokeAssignment(rest, row.kind, row.rowId)
        } catch (err) {
            left.push(describeRestWrite({ type: row.kind as RestGrant['type'], entitlementId: row.entitlementId }))
            logger.warn(
                { userId, rowId: row.rowId },
                `Could not take back ${row.rowId}: ${err instanceof Error ? err.message : String(err)}`
            )
        }
    }
    if (Object.keys(done.flagsBefore).length > 0) {
        try {
            await setFeatureLicenses(rest, userId, done.flagsBefore)
        } catch (err) {
            left.push(
                describeRestWrite({
                    featureLicenses: Object.fromEntries(Object.keys(done.flagsBefore).map((f) => [f, true])),
                })
            )
            logger.warn(
                { userId },
                `Could not take back the feature licenses: ${err instanceof Error ? err.message : String(err)}`
            )
        }
    }
    return left
}

/**
 * Reads what the REST writes are planned from, in one Composite request (and, for a Set of feature licenses,
 * the User describe's flags), and plans them. Undefined when the command touches nothing beyond SCIM.
 */
export async function planRestWrites(
    rest: SalesforceRestClient,
    userId: string,
    changes: readonly AccountChange[],
    permissionSetDeletes: readonly string[] | undefined
): Promise<(RestChanges & { readonly before: UserAccess }) | undefined> {
    const needed = restAccessNeeded(changes, permissionSetDeletes)
    if (needed === undefined) return undefined
    const fields = needed.allFeatureLicenses
        ? [...new Set([...needed.query.featureLicenseFields, ...(await featureLicenseFields(rest))])]
        : needed.query.featureLicenseFields
    const query = { ...needed.query, featureLicenseFields: fields }
    const before = await readUserAccess(rest, userId, query)
    const plan = planRestChanges(before, changes, permissionSetDeletes)
    return { plan, query, before }
}

/**
 * The REST-only entitlements need the REST API: without the setting, a change of one is refused before anything
 * is written, naming the setting, rather than reported done.
 * @throws InvalidRequestError naming the attributes and the setting.
 */
export function refuseRestChangesWithoutRest(changes: readonly AccountChange[], config: SalesforceConfig): void {
    if (config.governBeyondScim) return
    const attributes = [...new Set(restChangesOf(changes).map((change) => change.attribute))]
    if (attributes.length === 0) return
    throw new InvalidRequestError(
        `${attributes.join(', ')}: these entitlements are written through Salesforce's REST API, which this source ` +
            'does not use: turn on Govern Access Beyond SCIM (governBeyondScim) in the source configuration, or ' +
            'leave them out of the request'
    )
}

/**
 * A queue and a public group share their key prefix (00G), and Salesforce's GroupMember takes either: a public
 * group's id among `queues` would make the user a member of that group. So every queue granted must be one of the
 * org's queues.
 * @throws InvalidRequestError naming the id and the attribute to use.
 */
/**
 * Before a create: the permission set groups and licenses it grants are checked against the org's rows, so that a
 * grant Salesforce would refuse once the user exists (no free seat, an entitlement deleted) fails the create
 * before the user is made (`grant-check.ts`).
 */
export async function refuseUngrantableOnCreate(
    rest: SalesforceRestClient,
    changes: readonly AccountChange[]
): Promise<void> {
    const grants: Partial<Record<CheckedGrantType, string[]>> = {}
    for (const change of restChangesOf(changes)) {
        if (change.op === 'Remove' || !(CHECKED_GRANT_TYPES as readonly string[]).includes(change.type)) continue
        const type = change.type as CheckedGrantType
        grants[type] = [...(grants[type] ?? []), ...change.ids]
    }
    await refuseUngrantable(rest, grants)
}

export async function refuseNonQueues(client: SalesforceClient, changes: readonly AccountChange[]): Promise<void> {
    const granted = restChangesOf(changes).flatMap((c) => (c.type === 'queue' && c.op !== 'Remove' ? c.ids : []))
    if (granted.length === 0) return
    const queues = await client.queueIds()
    const notQueue = granted.find((id) => ![...queues].some((queueId) => sameId(queueId, id)))
    if (notQueue === undefined) return
    throw new InvalidRequestError(
        `queues: ${notQueue} is not a queue of this org (a public group, or a queue deleted since the last ` +
            'entitlement aggregation): give public groups through `groups`, and aggregate entitlements again'
    )
}
