/**
 * What enable, disable and unlock share: the SCIM activation, the settings the REST API's login state needs, and
 * the results a command reports on its account.
 */

import { ResultMessageLevel, ResultStatus } from '@sailpoint/connector-sdk'
import { CONFIG_LABELS, SalesforceConfig } from '../config'
import { InsufficientPermissionError, InvalidConfigurationError, SalesforceConnectorError } from '../errors'
import { logger } from '../logger'
import { SalesforceClient } from '../salesforce/client'
import { SalesforceRestClient } from '../salesforce/rest/rest-client'
import { findUserLogin, UserLoginState } from '../salesforce/rest/user-login'
import { ScimUser } from '../salesforce/types'

/**
 * Activates or deactivates the user through SCIM and returns the user as Salesforce now holds them. Salesforce
 * may refuse a deactivation (hierarchy field, Web-to-Lead…); that error propagates.
 */
export function setActive(client: SalesforceClient, userId: string, active: boolean): Promise<ScimUser> {
    return client.patchUser(userId, [{ op: 'replace', value: { active } }])
}

/**
 * Refuses, before any request, a command or setting that needs the REST API while Govern Access Beyond SCIM is off.
 * @throws InvalidConfigurationError naming the setting.
 */
export function requireBeyondScim(config: SalesforceConfig, what: string, otherwise: string): void {
    if (config.governBeyondScim) return
    const setting = CONFIG_LABELS.governBeyondScim
    throw new InvalidConfigurationError(
        `${what} needs ${setting} on: it goes through Salesforce's REST API, which the source does not use while ` +
            `that setting is off. Turn ${setting} on, or ${otherwise}`,
        { fields: ['governBeyondScim'] }
    )
}

/** Whether Salesforce refused a login-state read for a permission the integration user lacks. */
function isAccessRefusal(error: unknown): boolean {
    // An object the user may not see is INVALID_TYPE ("sObject type 'UserLogin' is not supported") to a query.
    return (
        error instanceof InsufficientPermissionError ||
        (error instanceof SalesforceConnectorError && error.errorCode === 'INVALID_TYPE')
    )
}

/**
 * The user's login state where the command can do without it (to show it on the account): a read Salesforce
 * refuses for a permission leaves it out, with one warning naming what is missing.
 */
export async function loginStateIfReadable(
    rest: SalesforceRestClient,
    userId: string,
    command: string
): Promise<UserLoginState | undefined> {
    try {
        return await findUserLogin(rest, userId)
    } catch (error) {
        if (!isAccessRefusal(error)) throw error
        logger.warn(
            { userId, command },
            `${command}: could not read whether user ${userId} is frozen or locked out, as the integration user ` +
                `may not read UserLogin (it needs "Manage Users"); the account leaves both out: ${(error as Error).message}`
        )
        return undefined
    }
}

/** A message on the account a command returns, in the SDK's per-attribute result form. */
export interface AccountResult {
    readonly attribute: string
    readonly status?: ResultStatus
    readonly messages: readonly { readonly level: ResultMessageLevel; readonly message: string }[]
}

/** An account output with the messages the command has for the admin (ISC's per-attribute results). */
export function withResults<T extends object>(account: T, results: readonly AccountResult[]): T {
    return results.length === 0 ? account : { ...account, results: [...results] }
}
