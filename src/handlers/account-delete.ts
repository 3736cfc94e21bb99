import { StdAccountDeleteHandler } from '@sailpoint/connector-sdk'
import { logger } from '../logger'
import { connect } from './connection'
import { accountIdOf } from './input'
import { refuseCuttingOffIntegrationUser } from './integration-user'

/** Salesforce never deletes users: DELETE deactivates, and the user stays visible as disabled. */
export const stdAccountDelete: StdAccountDeleteHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const clients = await connect()
    await refuseCuttingOffIntegrationUser(clients, id, 'deactivate')
    await clients.client.deactivateUser(id)
    logger.info({ userId: id }, `Deactivated Salesforce user ${id} (Salesforce does not delete users)`)
    res.send({})
}
