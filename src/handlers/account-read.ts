import { StdAccountReadHandler } from '@sailpoint/connector-sdk'
import { toAccount } from '../mapping/account'
import { connect } from './connection'
import { accountIdOf } from './input'

export const stdAccountRead: StdAccountReadHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const { client } = await connect()
    res.send(toAccount(await client.getUser(id)))
}
