import { StdChangePasswordHandler } from '@sailpoint/connector-sdk'
import { InvalidRequestError } from '../errors'
import { logger } from '../logger'
import { connect } from './connection'
import { accountIdOf } from './input'

/** ISC has already checked the password against the source's policy; Salesforce checks its own. Never logged. */
export const stdChangePassword: StdChangePasswordHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const password: unknown = input.password
    if (typeof password !== 'string' || password === '') {
        throw new InvalidRequestError('Change password: the input has no new password')
    }
    const { client } = await connect()
    await client.patchUser(id, [{ op: 'replace', value: { password } }])
    logger.info({ userId: id }, `Changed the password of Salesforce user ${id}`)
    res.send({})
}
