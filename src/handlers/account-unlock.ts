import { StdAccountUnlockHandler } from '@sailpoint/connector-sdk'
import { clearPasswordLock, findUserLogin } from '../salesforce/rest/user-login'
import { connect } from './connection'
import { accountIdOf } from './input'
import { requireBeyondScim } from './set-active'
import { accountBeyondScim } from './account-beyond-scim'

/**
 * Clears a password lockout (UserLogin.IsPasswordLocked false) and returns the account. A user who is not
 * locked out is returned as they are, with nothing written; one Salesforce keeps locked (a lockout until an
 * administrator resets the password) fails the command, saying what to do instead.
 */
export const stdAccountUnlock: StdAccountUnlockHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const { config, client, rest } = await connect()
    requireBeyondScim(config, 'Unlocking an account', 'unlock the user in Salesforce Setup → Users')
    const login = await findUserLogin(rest, id)
    if (login !== undefined) await clearPasswordLock(rest, login)
    res.send(await accountBeyondScim({ config, rest }, await client.getUser(id)))
}
