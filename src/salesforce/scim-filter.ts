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

/** Key prefixes (first three characters, case-sensitive) of the objects this connector reads. */
export const SALESFORCE_ID_PREFIX = {
    user: '005',
    profile: '00e',
    permissionSet: '0PS',
    group: '00G',
    role: '00E',
} as const
export type SalesforceIdKind = keyof typeof SALESFORCE_ID_PREFIX

const ID_LABEL: Readonly<Record<SalesforceIdKind, string>> = {
    user: 'user',
    profile: 'profile',
    permissionSet: 'permission set',
    group: 'public group',
    role: 'role',
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/

/**
 * Checks an id before it goes into a URL path, so nothing but a 15- or 18-character Salesforce id (of one of
 * the given kinds, when given) can change which resource a request addresses.
 * @throws InvalidRequestError naming the expected kind and prefix.
 */
export function assertSalesforceId(id: string, ...kinds: readonly SalesforceIdKind[]): string {
    const prefixOk = kinds.length === 0 || kinds.some((kind) => id.startsWith(SALESFORCE_ID_PREFIX[kind]))
    if (!ID_PATTERN.test(id) || !prefixOk) {
        const what = kinds.length === 0 ? 'Salesforce' : kinds.map((k) => `Salesforce ${ID_LABEL[k]}`).join(' or ')
        const prefixes = kinds.map((k) => SALESFORCE_ID_PREFIX[k]).join(' or ')
        const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)
        throw new InvalidRequestError(
            `${shown} is not a ${what} id: expected 15 or 18 letters and digits` +
                (prefixes !== '' ? ` starting with ${prefixes}` : '')
        )
    }
    return id
}
