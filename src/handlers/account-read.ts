import { StdAccountReadHandler } from '@sailpoint/connector-sdk'
import { readUserAccessPlan } from '../salesforce/rest/user-access'
import { accountBeyondScim } from './account-beyond-scim'
import { connect } from './connection'
import { accountIdOf } from './input'

/** The account as aggregation lists it: with Govern Access Beyond SCIM, with what only the REST API shows. */
export const stdAccountRead: StdAccountReadHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const { config, client, rest } = await connect()
    // The User describe is read while the SCIM user is on its way.
    const plan = config.governBeyondScim ? readUserAccessPlan(rest, config.additionalUserFields) : undefined
    plan?.catch(() => undefined)
    res.send(await accountBeyondScim({ config, rest }, await client.getUser(id), plan))
}
