import { StdTestConnectionHandler } from '@sailpoint/connector-sdk'
import { logger } from '../logger'
import { readUserAccessPlan } from '../salesforce/rest/user-access'
import { connect } from './connection'

export const stdTestConnection: StdTestConnectionHandler = async (_context, _input, res) => {
    const { config, client, rest } = await connect()
    const { me } = await client.testConnection()
    logger.info({ userName: me.userName }, 'Connected to Salesforce')
    // A misspelt Additional User Field fails here (INVALID_FIELD, naming it), not at the first aggregation.
    if (config.governBeyondScim && config.additionalUserFields.length > 0)
        await readUserAccessPlan(rest, config.additionalUserFields)
    res.send({})
}
