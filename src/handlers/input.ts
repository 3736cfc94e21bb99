import { KeyID, Key } from '@sailpoint/connector-sdk'
import { InvalidRequestError } from '../errors'
import { isSalesforceId, toId18 } from '../salesforce/ids'
import { isRecord } from '../json'

/**
 * The object key of a command input as given: the simple key, else `identity` (ISC's docs show enable/disable with
 * only `key`, and other callers with only `identity`). Undefined when neither is there.
 * @throws InvalidRequestError when the input is no object, or its key no simple key.
 */
export function objectKeyOf(input: unknown, what: string): unknown {
    if (!isRecord(input)) throw new InvalidRequestError(`${what} command: the input has no key or identity`)
    if (!isRecord(input.key)) return input.identity
    if (!isRecord(input.key.simple)) {
        throw new InvalidRequestError(
            `${what} key: expected a simple key { simple: { id } }, got ${preview(input.key)}`
        )
    }
    return KeyID(input as { key: Key })
}

/**
 * The object Id of a command input (`objectKeyOf`), in the 18-character form Salesforce's API uses (Setup
 * shows 15).
 * @throws InvalidRequestError when neither holds a Salesforce Id.
 */
export function objectIdOf(input: unknown, what: string): string {
    const id = objectKeyOf(input, what)
    if (typeof id !== 'string' || !isSalesforceId(id)) {
        throw new InvalidRequestError(
            `${what} key: expected a Salesforce Id (15 or 18 letters and digits), got ${preview(id)}`
        )
    }
    return toId18(id)
}

/** The user Id of an account command. @throws InvalidRequestError unless it is a Salesforce user Id (005…). */
export function accountIdOf(input: unknown): string {
    const id = objectIdOf(input, 'Account')
    if (!isSalesforceId(id, 'user')) {
        throw new InvalidRequestError(`Account key: '${id}' is not a Salesforce user Id (user Ids start with 005)`)
    }
    return id
}

function preview(value: unknown): string {
    const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? typeof value)
    return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
