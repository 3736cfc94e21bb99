/**
 * A user's login state through the REST API: the UserLogin row that says whether the user is frozen (active, but
 * unable to log in) and whether failed logins have locked them out. Salesforce lets the API query, retrieve and
 * update this row, never create or delete it; every write here is read back, so that the connector reports what
 * Salesforce holds, not what it asked for ([SF-USERLOGIN] in salesforce-rest.md §2.1).
 */
import { InvalidRequestError, InvalidResponseError } from '../../errors'
import { USER_LOGIN_FIELDS, USER_LOGIN_OBJECT, userLoginOfUserSoql } from './objects'
import { SalesforceRestClient, SObjectRecord } from './rest-client'

/** A user's login state, as Salesforce holds it now. */
export interface UserLoginState {
    /** The UserLogin row's id (0Yw…). */
    readonly id: string
    readonly userId: string
    /** Frozen: the user cannot log in, and keeps their license. */
    readonly frozen: boolean
    /** Locked out by failed logins. */
    readonly passwordLocked: boolean
}

/** A UserLogin row as the REST API returns it. */
interface UserLoginRecord extends SObjectRecord {
    readonly Id?: string
    readonly UserId?: unknown
    readonly IsFrozen?: unknown
    readonly IsPasswordLocked?: unknown
}

function toLoginState(record: UserLoginRecord, what: string): UserLoginState {
    const { Id: id, UserId: userId, IsFrozen: frozen, IsPasswordLocked: passwordLocked } = record
    if (
        typeof id !== 'string' ||
        typeof userId !== 'string' ||
        typeof frozen !== 'boolean' ||
        typeof passwordLocked !== 'boolean'
    ) {
        throw new InvalidResponseError(
            `Salesforce answered ${what} without the login state fields (${USER_LOGIN_FIELDS.join(', ')})`
        )
    }
    return { id, userId, frozen, passwordLocked }
}

/**
 * The user's login state, or undefined when Salesforce holds no UserLogin row for them.
 * @throws the mapped Salesforce error: a refused query on UserLogin when the integration user may not see it.
 */
export async function findUserLogin(rest: SalesforceRestClient, userId: string): Promise<UserLoginState | undefined> {
    const rows = await rest.query<UserLoginRecord>(userLoginOfUserSoql(userId))
    const row = rows[0]
    return row === undefined ? undefined : toLoginState(row, `the ${USER_LOGIN_OBJECT} query of user ${userId}`)
}

/**
 * The login state of a user who must have one (to freeze them).
 * @throws InvalidRequestError when Salesforce holds no UserLogin row for the user.
 */
export async function requireUserLogin(rest: SalesforceRestClient, userId: string): Promise<UserLoginState> {
    const login = await findUserLogin(rest, userId)
    if (login === undefined) {
        throw new InvalidRequestError(
            `Salesforce holds no login record (${USER_LOGIN_OBJECT}) for user ${userId}, so the API cannot freeze ` +
                'them: freeze the user in Salesforce Setup → Users, or set Disable Action to deactivate'
        )
    }
    return login
}

async function readBack(rest: SalesforceRestClient, login: UserLoginState): Promise<UserLoginState> {
    const record = await rest.retrieve<UserLoginRecord>(USER_LOGIN_OBJECT, login.id, USER_LOGIN_FIELDS)
    return toLoginState(record, `GET /sobjects/${USER_LOGIN_OBJECT}/${login.id}`)
}

/**
 * Freezes or unfreezes the user: writes nothing when the row already says so, else PATCHes `IsFrozen` and reads
 * the row back.
 * @throws InvalidResponseError when Salesforce accepts the write but the row still says otherwise; the mapped
 * Salesforce error when it refuses (INSUFFICIENT_ACCESS_OR_READONLY without Freeze Users or Manage Users).
 */
export async function setFrozen(
    rest: SalesforceRestClient,
    login: UserLoginState,
    frozen: boolean
): Promise<UserLoginState> {
    if (login.frozen === frozen) return login
    await rest.update(USER_LOGIN_OBJECT, login.id, { IsFrozen: frozen })
    const after = await readBack(rest, login)
    if (after.frozen !== frozen) {
        throw new InvalidResponseError(
            `Salesforce accepted the ${frozen ? 'freeze' : 'unfreeze'} of user ${login.userId} but its login record ` +
                `still says IsFrozen ${String(after.frozen)}: check the user in Salesforce Setup → Users`
        )
    }
    return after
}

/**
 * Clears a password lockout: writes nothing when the user is not locked out, else PATCHes `IsPasswordLocked`
 * false and reads the row back. Salesforce accepts that write (204) and changes nothing when the org's lockout
 * lasts until an administrator resets the password, so the read-back is what tells.
 * @throws InvalidRequestError when the user is still locked out after the write, saying what to do instead.
 */
export async function clearPasswordLock(rest: SalesforceRestClient, login: UserLoginState): Promise<UserLoginState> {
    if (!login.passwordLocked) return login
    await rest.update(USER_LOGIN_OBJECT, login.id, { IsPasswordLocked: false })
    const after = await readBack(rest, login)
    if (after.passwordLocked) {
        throw new InvalidRequestError(
            `Salesforce kept user ${login.userId} locked out: the org's lockout lasts until an administrator resets ` +
                'the password (Setup → Password Policies, Lockout effective period "Forever"), and the API cannot ' +
                "clear it. Reset the user's password in Salesforce Setup → Users (Reset Password), or set a new " +
                'one with a password change from ISC'
        )
    }
    return after
}
