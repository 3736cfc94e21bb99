import { StdAccountUpdateHandler } from '@sailpoint/connector-sdk'
import { toAccount } from '../mapping/account'
import { checkPermissionSetsRemoved, parseChanges, planAccountChanges } from '../mapping/account-changes'
import { applyChangePlan, isEmptyPlan } from './apply-changes'
import { connect } from './connection'
import { accountIdOf } from './input'

/**
 * Reads the user (its current entitlements decide the writes), applies every change, and returns the user as
 * Salesforce then holds it; a permission set it still lists after being removed fails the command.
 */
export const stdAccountUpdate: StdAccountUpdateHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const changes = parseChanges(input.changes)
    const { config, client } = await connect()
    const user = await client.getUser(id)
    const plan = planAccountChanges(user, changes, { defaultProfileId: config.defaultProfileId })
    if (isEmptyPlan(plan)) {
        res.send(toAccount(user))
        return
    }
    await applyChangePlan(client, id, plan, config.maxConcurrency)
    const updated = await client.getUser(id)
    checkPermissionSetsRemoved(plan, updated)
    res.send(toAccount(updated))
}
