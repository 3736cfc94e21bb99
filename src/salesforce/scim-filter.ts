import { scimFilterSyntaxError } from '../config'
import { InvalidRequestError } from '../errors'

/**
 * A SCIM filter literal: a JSON string, so quotes and backslashes in the value are escaped and a value can
 * never close the literal and inject filter syntax.
 */
export function quoteFilterValue(value: string): string {
    return JSON.stringify(value)
}

/**
 * Joins filters with `and`, each in parentheses: Salesforce gives AND no precedence over OR, so
 * `a or b and c` would not mean what it says. Empty parts are dropped; undefined when nothing is left.
 */
export function and(...filters: readonly (string | undefined | null | false)[]): string | undefined {
    const parts = filters.flatMap((f) => (typeof f === 'string' && f.trim() !== '' ? [f.trim()] : []))
    if (parts.length <= 1) return parts[0]
    return parts.map((p) => `(${p})`).join(' and ')
}

/**
 * @throws InvalidRequestError describing the first syntax problem Salesforce would reject the filter for.
 */
export function validateFilterSyntax(filter: string): void {
    const problem = scimFilterSyntaxError(filter)
    if (problem !== undefined) throw new InvalidRequestError(`The SCIM filter ${filter} is not valid: ${problem}`)
}
