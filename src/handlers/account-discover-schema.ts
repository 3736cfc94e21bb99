import { StdAccountDiscoverSchemaHandler } from '@sailpoint/connector-sdk'
import { toAccountSchema } from '../mapping/account-schema'
import { connect } from './connection'

export const stdAccountDiscoverSchema: StdAccountDiscoverSchemaHandler = async (_context, _input, res) => {
    const { client } = await connect()
    res.send(toAccountSchema(await client.schemas()))
}
