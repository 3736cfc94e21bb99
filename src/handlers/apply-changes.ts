import { logger } from '../logger'
import { ChangePlan } from '../mapping/account-changes'
import { SalesforceClient } from '../salesforce/client'
import { settleLimited } from './concurrency'

export function isEmptyPlan(plan: ChangePlan): boolean {
    return plan.operations.length === 0 && plan.addToGroups.length === 0 && plan.removeFromGroups.length === 0
}

/**
 * Applies a change plan: the user's PATCH first (one request, so its operations succeed or fail together),
 * then each group membership through the Group, several at a time. Every membership change is tried; if some
 * fail, the first failure is rethrown with the groups that did not change named in its message.
 */
export async function applyChangePlan(
    client: SalesforceClient,
    userId: string,
    plan: ChangePlan,
    maxConcurrency: number
): Promise<void> {
    if (plan.operations.length > 0) {
        await client.patchUser(userId, plan.operations)
        logger.info({ userId, operations: plan.operations.length }, `Updated Salesforce user ${userId}`)
    }
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
