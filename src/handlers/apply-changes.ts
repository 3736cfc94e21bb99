import { InvalidRequestError } from '../errors'
import { logger } from '../logger'
import {
    ChangePlan,
    PermissionSetRemoval,
    permissionSetsNotRemovedError,
    permissionSetsStillHeld,
    removalOperations,
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
 * after every form fails the command (after the group changes), naming it and what to do.
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
    const notRemoved =
        plan.permissionSetRemoval && (await removePermissionSets(client, userId, plan.permissionSetRemoval, patched))
    await changeGroupMemberships(client, userId, plan, maxConcurrency)
    if (notRemoved) throw notRemoved
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
