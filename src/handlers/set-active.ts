import { Response, StdAccountEnableOutput } from '@sailpoint/connector-sdk'
import { toAccount } from '../mapping/account'
import { connect } from './connection'
import { accountIdOf } from './input'

/** Enable and disable: Salesforce may refuse a deactivation (hierarchy field, Web-to-Lead…); that error propagates. */
export async function setActive(input: unknown, active: boolean, res: Response<StdAccountEnableOutput>): Promise<void> {
    const id = accountIdOf(input)
    const { client } = await connect()
    res.send(toAccount(await client.patchUser(id, [{ op: 'replace', value: { active } }])))
}
