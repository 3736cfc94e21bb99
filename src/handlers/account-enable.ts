import { StdAccountEnableHandler } from '@sailpoint/connector-sdk'
import { findUserLogin, setFrozen } from '../salesforce/rest/user-login'
import { connect } from './connection'
import { accountIdOf } from './input'
import { loginStateIfReadable, setActive } from './set-active'
import { accountBeyondScim } from './account-beyond-scim'

/**
 * Undoes what disable did, whichever Disable Action did it: activates an inactive user and unfreezes a frozen
 * one (both, when both), writing nothing that is already so. Licenses freed on disable are not given back.
 * Without Govern Access Beyond SCIM, only activates, as SCIM alone can.
 */
export const stdAccountEnable: StdAccountEnableHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const { config, client, rest } = await connect()
    if (!config.governBeyondScim) {
        res.send(await accountBeyondScim({ config, rest }, await setActive(client, id, true)))
        return
    }
    // Where disable never freezes, a login state the integration user may not read is only left out; where it
    // may have frozen the user, that refusal fails the command rather than leave the user unable to log in.
    const [login, current] = await Promise.all([
        config.disableAction === 'deactivate'
            ? loginStateIfReadable(rest, id, 'std:account:enable')
            : findUserLogin(rest, id),
        client.getUser(id),
    ])
    const user = current.active === false ? await setActive(client, id, true) : current
    if (login !== undefined) await setFrozen(rest, login, false)
    res.send(await accountBeyondScim({ config, rest }, user))
}
