import { StdAccountUpdateHandler } from '@sailpoint/connector-sdk'
import { InsufficientPermissionError, InvalidRequestError } from '../errors'
import { logger } from '../logger'
import {
    AccountChange,
    checkPermissionSetsRemoved,
    deactivatesUser,
    isEmptyRestPlan,
    parseChanges,
    planAccountChanges,
    restChangesOf,
} from '../mapping/account-changes'
import { SalesforceClient } from '../salesforce/client'
import { sameId } from '../salesforce/ids'
import { ScimGroupMember, ScimUser } from '../salesforce/types'
import {
    applyAccountChanges,
    isEmptyPlan,
    planRestWrites,
    refuseNonQueues,
    refuseRestChangesWithoutRest,
} from './apply-changes'
import { accountBeyondScim } from './account-beyond-scim'
import { connect } from './connection'
import { accountIdOf } from './input'
import { refuseCuttingOffIntegrationUser } from './integration-user'

/** A single group or role GET lists at most this many members (Salesforce's member window). */
const MEMBER_WINDOW = 200

/**
 * Reads the user (its current entitlements decide the writes), applies every change, and returns the user as
 * Salesforce then holds it; a permission set it still lists after being removed fails the command. With Govern
 * Access Beyond SCIM, the user's rows of the REST-only entitlements touched (and of removed permission sets) are
 * read first in one Composite request, each removal deletes exactly its own row, and the rows read back after the
 * writes must show every write.
 */
export const stdAccountUpdate: StdAccountUpdateHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const changes = parseChanges(input.changes)
    const clients = await connect()
    const { config, client, rest } = clients
    refuseRestChangesWithoutRest(changes, config)
    if (deactivatesUser(changes)) await refuseCuttingOffIntegrationUser(clients, id, 'deactivate')
    const user = await withRemovedMembershipsRead(client, await client.getUser(id), changes)
    await refuseQueueChanges(client, user, changes)
    await refuseNonQueues(client, changes)
    let plan = planAccountChanges(user, changes, {
        defaultProfileId: config.defaultProfileId,
        removePermissionSetsThroughRest: config.governBeyondScim,
    })
    let restChanges: Awaited<ReturnType<typeof planRestWrites>>
    try {
        restChanges = await planRestWrites(rest, id, changes, plan.permissionSetDeletes)
    } catch (err) {
        // Degrade, never break: when only permission sets are removed and their rows cannot be read, SCIM's way
        // (which it was before the REST API was used) still removes them, at the cost of other rows' expiry dates.
        if (!isRefusedRead(err) || restChangesOf(changes).length > 0) throw err
        logger.warn(
            { userId: id },
            `Removing permission sets of user ${id} through SCIM: ${err instanceof Error ? err.message : String(err)}`
        )
        plan = planAccountChanges(user, changes, { defaultProfileId: config.defaultProfileId })
        restChanges = undefined
    }
    if (isEmptyPlan(plan) && (restChanges === undefined || isEmptyRestPlan(restChanges.plan))) {
        res.send(await accountBeyondScim({ config, rest }, user))
        return
    }
    await applyAccountChanges(client, rest, id, plan, restChanges, config.maxConcurrency)
    const updated = await client.getUser(id)
    checkPermissionSetsRemoved(plan, updated)
    res.send(await accountBeyondScim({ config, rest }, updated))
}

/** Whether Salesforce refused a read for the integration user's permissions (INVALID_TYPE, INSUFFICIENT_ACCESS…). */
function isRefusedRead(err: unknown): boolean {
    return (
        err instanceof InsufficientPermissionError ||
        (err instanceof InvalidRequestError && (err.errorCode === 'INVALID_TYPE' || err.status === 403))
    )
}

/**
 * A queue is no public group, and Salesforce's SCIM API cannot change who is in one (its `/Groups/{queueId}`
 * answers 404). A user's queues are left out of its groups, so without this a Remove of a queue id (ISC may hold
 * one from an aggregation made before queues were told apart) would be planned as "not a member" and report
 * success while the user stays in the queue.
 * @throws InvalidRequestError naming the queue and what to do.
 */
async function refuseQueueChanges(
    client: SalesforceClient,
    user: ScimUser,
    changes: readonly AccountChange[]
): Promise<void> {
    const groupIds = changes.flatMap((c) => (c.kind === 'groups' ? c.ids : []))
    if (groupIds.length === 0) return
    const queues = await client.queueIds()
    const queue = groupIds.find((groupId) => [...queues].some((queueId) => sameId(queueId, groupId)))
    if (queue === undefined) return
    throw new InvalidRequestError(
        `${queue} is a Salesforce queue, not a public group: Salesforce's SCIM API cannot change who is in a queue, ` +
            `so user ${user.id} (${user.userName}) was left as is. Change the queue's members in Salesforce Setup, ` +
            'and aggregate entitlements again so that ISC no longer lists the queue as a group'
    )
}

/** Whether `members` (one window of a group's or role's members) holds the user: yes, no, or cannot tell. */
function membership(members: readonly ScimGroupMember[] | undefined, userId: string): 'member' | 'not' | 'unknown' {
    const list = members ?? []
    if (list.some((member) => sameId(member.value, userId))) return 'member'
    return list.length >= MEMBER_WINDOW ? 'unknown' : 'not'
}

/**
 * Salesforce leaves `groups` and `roles` out of a user who has none, and may leave them out always (risk R8).
 * Without them, a Remove would be planned against "no groups, no role" and silently do nothing. So for a
 * Remove of a group or a role that the user resource does not list at all, the group's or role's members say
 * whether the user holds it, and the user is planned with what they say.
 * @throws InvalidRequestError when a role's members are too many to tell whether the user holds it.
 */
async function withRemovedMembershipsRead(
    client: SalesforceClient,
    user: ScimUser,
    changes: readonly AccountChange[]
): Promise<ScimUser> {
    const removedGroups =
        user.groups === undefined
            ? [...new Set(changes.flatMap((c) => (c.kind === 'groups' && c.op === 'Remove' ? c.ids : [])))]
            : []
    const removedRoles =
        user.roles === undefined
            ? [...new Set(changes.flatMap((c) => (c.kind === 'role' && c.op === 'Remove' && c.id ? [c.id] : [])))]
            : []
    if (removedGroups.length === 0 && removedRoles.length === 0) return user

    const groups: { value: string }[] = []
    for (const groupId of removedGroups) {
        const group = await client.getGroup(groupId)
        // Past the member window the removal is sent: Salesforce then says whether the user was a member.
        if (membership(group.members, user.id) !== 'not') groups.push({ value: group.id })
    }
    let roles: { value: string }[] | undefined
    for (const roleId of removedRoles) {
        const role = await client.getRole(roleId)
        const held = membership(role.members, user.id)
        if (held === 'unknown') {
            throw new InvalidRequestError(
                `Remove role ${roleId}: Salesforce does not list the role of user ${user.id} (${user.userName}), ` +
                    `and role ${roleId} has more than ${MEMBER_WINDOW} members, so whether the user holds it cannot ` +
                    'be told; remove the role in Salesforce Setup'
            )
        }
        if (held === 'member') roles = [{ value: role.id }]
    }
    logger.info(
        { userId: user.id, groupsChecked: removedGroups.length, rolesChecked: removedRoles.length },
        `Salesforce did not list the groups or role of user ${user.id}; read them from the groups and roles to remove`
    )
    return {
        ...user,
        ...(removedGroups.length > 0 ? { groups } : {}),
        ...(roles !== undefined ? { roles } : {}),
    }
}
