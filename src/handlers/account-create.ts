import { StdAccountCreateHandler } from '@sailpoint/connector-sdk'
import { logger } from '../logger'
import { planAccountChanges } from '../mapping/account-changes'
import { describeChanges, missingAfterCreate, toCreatePlan } from '../mapping/account-create'
import {
    applyAccountChanges,
    applyChangePlan,
    noRestWritesDone,
    planRestWrites,
    refuseNonQueues,
    refuseRestChangesWithoutRest,
    refuseUngrantableOnCreate,
    undoRestWrites,
} from './apply-changes'
import { accountBeyondScim } from './account-beyond-scim'
import { connect } from './connection'

/**
 * Creates the user with everything SCIM carries in one POST, then makes sure each requested permission set,
 * group, role and custom field is really on it, adding what is missing. If that fails, the user exists: the error
 * names it and what was not applied, so the admin can finish by hand or retry the access request. The REST-only
 * entitlements asked for (Govern Access Beyond SCIM) are checked against the org's rows before the user exists
 * (seats, entitlements deleted), granted once it exists and read back; if one still fails, what the create granted
 * beyond SCIM is taken back, so the user holds none of it, and the error says so.
 */
export const stdAccountCreate: StdAccountCreateHandler = async (_context, input, res) => {
    const { config, client, rest } = await connect()
    const plan = toCreatePlan(input.attributes, { defaultProfileId: config.defaultProfileId })
    // Refused before the user exists: nothing is created for a request that cannot be carried out.
    refuseRestChangesWithoutRest(plan.restChanges, config)
    await refuseNonQueues(client, plan.restChanges)
    await refuseUngrantableOnCreate(rest, plan.restChanges)
    const created = await client.createUser(plan.user)
    logger.info({ userId: created.id, userName: created.userName }, `Created Salesforce user ${created.id}`)

    const missing = missingAfterCreate(plan, created)
    if (missing.length === 0 && plan.restChanges.length === 0) {
        res.send(await accountBeyondScim({ config, rest }, created))
        return
    }
    if (missing.length > 0) {
        logger.info(
            { userId: created.id },
            `Applying to the new user what the create did not: ${describeChanges(missing)}`
        )
        try {
            await applyChangePlan(client, created.id, planAccountChanges(created, missing), config.maxConcurrency)
        } catch (err) {
            if (err instanceof Error) {
                err.message = `Created Salesforce user ${created.id} (${created.userName}) but could not apply ${describeChanges(missing)}: ${err.message}`
            }
            throw err
        }
    }
    if (plan.restChanges.length > 0) {
        const done = noRestWritesDone()
        try {
            const restChanges = await planRestWrites(rest, created.id, plan.restChanges, undefined)
            const none = { operations: [], addToGroups: [], removeFromGroups: [] }
            await applyAccountChanges(client, rest, created.id, none, restChanges, config.maxConcurrency, done)
        } catch (err) {
            const left = await undoRestWrites(rest, created.id, done)
            const undone =
                left.length > 0
                    ? ` Could not take back ${left.join(', ')}: remove ${left.length === 1 ? 'it' : 'them'} in Salesforce Setup.`
                    : ' The user holds none of the access beyond SCIM this create asked for.'
            if (err instanceof Error) {
                err.message =
                    `Created Salesforce user ${created.id} (${created.userName}) but could not apply ` +
                    `${describeChanges(plan.restChanges)}: ${err.message}.${undone} Fix the cause, then add the ` +
                    'access to the account in ISC (the account exists: a retried create would find its userName taken).'
            }
            throw err
        }
    }
    res.send(await accountBeyondScim({ config, rest }, await client.getUser(created.id)))
}
