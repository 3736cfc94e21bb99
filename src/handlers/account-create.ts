import { StdAccountCreateHandler } from '@sailpoint/connector-sdk'
import { logger } from '../logger'
import { planAccountChanges } from '../mapping/account-changes'
import { describeChanges, missingAfterCreate, toCreatePlan } from '../mapping/account-create'
import { accountBeyondScim } from './account-read'
import { applyChangePlan } from './apply-changes'
import { connect } from './connection'

/**
 * Creates the user with everything in one POST, then makes sure each requested permission set, group, role and
 * custom field is really on it, adding what is missing. If that fails, the user exists: the error names it and
 * what was not applied, so the admin can finish by hand or retry the access request.
 */
export const stdAccountCreate: StdAccountCreateHandler = async (_context, input, res) => {
    const { config, client, rest } = await connect()
    const plan = toCreatePlan(input.attributes, { defaultProfileId: config.defaultProfileId })
    const created = await client.createUser(plan.user)
    logger.info({ userId: created.id, userName: created.userName }, `Created Salesforce user ${created.id}`)

    const missing = missingAfterCreate(plan, created)
    if (missing.length === 0) {
        res.send(await accountBeyondScim({ config, rest }, created))
        return
    }
    logger.info({ userId: created.id }, `Applying to the new user what the create did not: ${describeChanges(missing)}`)
    try {
        await applyChangePlan(client, created.id, planAccountChanges(created, missing), config.maxConcurrency)
    } catch (err) {
        if (err instanceof Error) {
            err.message = `Created Salesforce user ${created.id} (${created.userName}) but could not apply ${describeChanges(missing)}: ${err.message}`
        }
        throw err
    }
    res.send(await accountBeyondScim({ config, rest }, await client.getUser(created.id)))
}
