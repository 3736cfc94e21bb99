import { InvalidRequestError, InvalidResponseError } from '../errors'
import { logger } from '../logger'
import {
    ChangePlan,
    PermissionSetRemoval,
    permissionSetsNotRemovedError,
    permissionSetsStillHeld,
    removalOperations,
    valuesNotApplied,
} from '../mapping/account-changes'
import { SalesforceClient } from '../salesforce/client'
import { ScimUser } from '../salesforce/types'
import { settleLimited } from './concurrency'

export function isEmptyPlan(plan: ChangePlan): boolean {
    return (
        plan.operations.length === 0 &&
        plan.addToGroups.length === 0 &&
        plan.removeFromGroups.length === 0 &&
        plan.permissionSetRemoval === undefined
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
