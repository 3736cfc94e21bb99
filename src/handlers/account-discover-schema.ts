import { StdAccountDiscoverSchemaHandler } from '@sailpoint/connector-sdk'
import { toAccountSchema, withAdditionalUserFields } from '../mapping/account-schema'
import { readAdditionalUserFields } from '../salesforce/rest/user-access'
import { connect } from './connection'

/**
 * The org's account schema: the fixed attributes, the org's custom fields SCIM shows, and with Govern Access
 * Beyond SCIM the Additional User Fields with their types from the User describe.
 */
export const stdAccountDiscoverSchema: StdAccountDiscoverSchemaHandler = async (_context, _input, res) => {
    const { config, client, rest } = await connect()
    const [schemas, additionalUserFields] = await Promise.all([
        client.schemas(),
        config.governBeyondScim ? readAdditionalUserFields(rest, config.additionalUserFields) : [],
    ])
    res.send(withAdditionalUserFields(toAccountSchema(schemas), additionalUserFields))
}
