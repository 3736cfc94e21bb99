import { Response, StdAccountEnableOutput } from '@sailpoint/connector-sdk'
import { accountBeyondScim } from './account-read'
import { connect } from './connection'
import { accountIdOf } from './input'

/** Enable and disable: Salesforce may refuse a deactivation (hierarchy field, Web-to-Lead…); that error propagates. */
export async function setActive(input: unknown, active: boolean, res: Response<StdAccountEnableOutput>): Promise<void> {
    const id = accountIdOf(input)
    const { config, client, rest } = await connect()
    const user = await client.patchUser(id, [{ op: 'replace', value: { active } }])
    res.send(await accountBeyondScim({ config, rest }, user))
}
