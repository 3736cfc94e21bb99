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
 * Joins filters with `and`, each part in parentheses, a lone one too: Salesforce gives AND no precedence over OR
 * and adds clauses of its own to what it receives (its pilot sends `( <filter> AND userType in (…) )`), so a bare
 * `a or b` would not mean what it says. A part already wrapped whole in one pair is not wrapped again. Empty parts
 * are dropped; undefined when nothing is left.
 */
export function and(...filters: readonly (string | undefined | null | false)[]): string | undefined {
    /** Whether the opening parenthesis closes only at the very end, string literals (`"a)\"b"`) skipped. */
    const wrappedWhole = (part: string): boolean => {
        if (!part.startsWith('(') || !part.endsWith(')')) return false
        let depth = 0
        let inString = false
        for (let i = 0; i < part.length; i++) {
            const char = part.charAt(i)
            if (inString) {
                if (char === '\\') i++
                else if (char === '"') inString = false
            } else if (char === '"') inString = true
            else if (char === '(') depth++
            else if (char === ')' && --depth === 0 && i < part.length - 1) return false
        }
        return depth === 0 && !inString
    }
    const parts = filters.flatMap((f) => (typeof f === 'string' && f.trim() !== '' ? [f.trim()] : []))
    if (parts.length === 0) return undefined
    return parts.map((p) => (wrappedWhole(p) ? p : `(${p})`)).join(' and ')
}

/**
 * @throws InvalidRequestError describing the first syntax problem Salesforce would reject the filter for.
 */
export function validateFilterSyntax(filter: string): void {
    const problem = scimFilterSyntaxError(filter)
    if (problem !== undefined) throw new InvalidRequestError(`The SCIM filter ${filter} is not valid: ${problem}`)
}
