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
