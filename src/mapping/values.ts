import { InvalidRequestError } from '../errors'
import { isRecord } from '../json'

/**
 * Narrowing of the loosely typed values ISC sends (`input.attributes`, `AttributeChange.value`). ISC sends a
 * multi-valued attribute as a string when it has one value and as an array when it has several, and may send
 * numbers or booleans for text fields; empty strings and nulls mean "no value".
 */

function scalarText(value: unknown, what: string): string | undefined {
    if (value === undefined || value === null) return undefined
    if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim()
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    throw new InvalidRequestError(`${what}: expected text, got ${describe(value)}`)
}

/** One value (a one-element array counts as one); undefined when empty. */
export function toSingleText(value: unknown, what: string): string | undefined {
    if (Array.isArray(value)) {
        const values = toTextList(value, what)
        if (values.length > 1) {
            throw new InvalidRequestError(`${what} takes one value, got ${values.length}: ${values.join(', ')}`)
        }
        return values[0]
    }
    return scalarText(value, what)
}

/** Every value, without empties and duplicates, in the order given. */
export function toTextList(value: unknown, what: string): string[] {
    const items: readonly unknown[] = Array.isArray(value) ? value : [value]
    const result: string[] = []
    for (const item of items) {
        if (Array.isArray(item)) throw new InvalidRequestError(`${what}: expected text values, got a nested list`)
        const text = scalarText(item, what)
        if (text !== undefined && !result.includes(text)) result.push(text)
    }
    return result
}

export function toBoolean(value: unknown, what: string): boolean | undefined {
    const single = Array.isArray(value) ? toSingleText(value, what) : value
    if (single === undefined || single === null || single === '') return undefined
    if (typeof single === 'boolean') return single
    if (typeof single === 'string') {
        const lowered = single.trim().toLowerCase()
        if (lowered === 'true') return true
        if (lowered === 'false') return false
    }
    throw new InvalidRequestError(`${what}: expected true or false, got ${describe(single)}`)
}

function describe(value: unknown): string {
    if (Array.isArray(value)) return 'a list'
    if (isRecord(value)) return 'an object'
    return `${typeof value} ${JSON.stringify(value)}`
}

// C0 and C1 control characters: Salesforce refuses them in a username, and in a log or a message they hide
// what the value really is.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/
/** Email form as Salesforce asks of a username: one `@`, no spaces, a dotted domain (e.g. `jane@acme.com.uat`). */
const EMAIL_FORM = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

/**
 * A username as Salesforce will take it: text (a number is refused, not turned into text), in email form, with
 * no control characters; its length is the attribute table's to check. Surrounding spaces are dropped, as for
 * every other text.
 * @throws InvalidRequestError saying which rule the value breaks.
 */
export function toUserName(value: unknown, what: string): string | undefined {
    const single = Array.isArray(value) ? (value.length === 1 ? (value[0] as unknown) : value) : value
    if (single === undefined || single === null) return undefined
    if (typeof single !== 'string') {
        throw new InvalidRequestError(`${what}: expected text, got ${describe(single)}`)
    }
    const userName = single.trim()
    if (userName === '') return undefined
    if (CONTROL_CHARACTERS.test(userName)) {
        throw new InvalidRequestError(`${what}: ${JSON.stringify(userName)} contains a control character`)
    }
    if (!EMAIL_FORM.test(userName)) {
        throw new InvalidRequestError(
            `${what}: ${JSON.stringify(userName)} is not in email form (Salesforce usernames look like jane@acme.com)`
        )
    }
    return userName
}
