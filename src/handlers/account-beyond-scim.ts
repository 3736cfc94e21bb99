import { StdAccountReadOutput } from '@sailpoint/connector-sdk'
import { SalesforceConfig } from '../config'
import { toAccount } from '../mapping/account'
import { indexPageAccess, withRestAttributes } from '../mapping/rest-account'
import { SalesforceRestClient } from '../salesforce/rest/rest-client'
import { UserAccessPlan, UserAccessReader, readUserAccessPlan } from '../salesforce/rest/user-access'
import { ScimUser } from '../salesforce/types'

/**
 * The account of a SCIM user as aggregation lists it: with Govern Access Beyond SCIM, joined with what only the
 * REST API shows (one Composite call, and the User describe unless `plan` is given); without it, `toAccount`.
 * Every command that sends an account (read, create, update, enable, disable) sends this, so each equals the
 * aggregation's account for the user.
 * @throws the mapped Salesforce error of a REST failure that is not a refusal.
 */
export async function accountBeyondScim(
    clients: { readonly config: SalesforceConfig; readonly rest: SalesforceRestClient },
    user: ScimUser,
    plan?: Promise<UserAccessPlan>
): Promise<StdAccountReadOutput> {
    const account = toAccount(user)
    if (!clients.config.governBeyondScim) return account
    const shape = await (plan ?? readUserAccessPlan(clients.rest, clients.config.additionalUserFields))
    const rows = await new UserAccessReader(clients.rest, shape).read([user.id])
    return withRestAttributes(account, indexPageAccess(rows)(user.id), shape, user)
}
