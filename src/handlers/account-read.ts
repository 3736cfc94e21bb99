import { StdAccountReadHandler } from '@sailpoint/connector-sdk'
import { toAccount } from '../mapping/account'
import { indexPageAccess, withRestAttributes } from '../mapping/rest-account'
import { UserAccessReader, readUserAccessPlan } from '../salesforce/rest/user-access'
import { connect } from './connection'
import { accountIdOf } from './input'

/** The account as aggregation lists it: with Govern Access Beyond SCIM, with what only the REST API shows. */
export const stdAccountRead: StdAccountReadHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const { config, client, rest } = await connect()
    if (!config.governBeyondScim) {
        res.send(toAccount(await client.getUser(id)))
        return
    }
    const [user, plan] = await Promise.all([client.getUser(id), readUserAccessPlan(rest, config.additionalUserFields)])
    const reader = new UserAccessReader(rest, plan)
    const rows = indexPageAccess(await reader.read([user.id]))(user.id)
    res.send(withRestAttributes(toAccount(user), rows, plan, user))
}
