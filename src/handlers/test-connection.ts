import { StdTestConnectionHandler } from '@sailpoint/connector-sdk'
import { logger } from '../logger'
import { connect } from './connection'

export const stdTestConnection: StdTestConnectionHandler = async (_context, _input, res) => {
    const { client } = await connect()
    const { me } = await client.testConnection()
    logger.info({ userName: me.userName }, 'Connected to Salesforce')
    res.send({})
}
