import { StdTestConnectionHandler } from '@sailpoint/connector-sdk'
import { logger } from '../logger'
import { checkRestAccess, describeRestAccess } from '../salesforce/rest/access-check'
import { readAdditionalUserFields } from '../salesforce/rest/user-access'
import { connect } from './connection'

/**
 * Signs in and reads the integration user over SCIM: that failing fails the test. With Govern Access Beyond SCIM
 * on, it also logs the org's daily API usage and each REST permission the user lacks, as warnings: ISC's test
 * result carries nothing but success or an error, and a missing permission only degrades the features it blocks.
 */
export const stdTestConnection: StdTestConnectionHandler = async (_context, _input, res) => {
    const { config, client, rest, apiUsage } = await connect()
    const { me } = await client.testConnection()
    logger.info({ userName: me.userName }, 'Connected to Salesforce')
    if (config.governBeyondScim) {
        const report = await checkRestAccess(rest, me.id)
        for (const line of describeRestAccess(report, config.apiUsageLimitPercent, apiUsage.latest())) {
            if (line.level === 'warn') logger.warn(line.message)
            else logger.info(line.message)
        }
        // A misspelt Additional User Field fails here (INVALID_FIELD, naming it), not at the first aggregation.
        if (config.additionalUserFields.length > 0) await readAdditionalUserFields(rest, config.additionalUserFields)
    }
    res.send({})
}
