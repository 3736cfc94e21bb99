import { InvalidRequestError } from '../errors'
import { assertSalesforceId, SALESFORCE_ID_PREFIX, SalesforceIdKind } from '../salesforce/scim-filter'

export { SALESFORCE_ID_PREFIX, SalesforceIdKind }

/** Whether `value` is a 15- or 18-character Salesforce Id (of that kind: prefixes are case-sensitive). */
export function isSalesforceId(value: string, kind?: SalesforceIdKind): boolean {
    try {
        if (kind === undefined) assertSalesforceId(value)
        else assertSalesforceId(value, kind)
        return true
    } catch {
        return false
    }
}

/**
 * The value as a Salesforce Id of that kind.
 * @throws InvalidRequestError naming `what` and the expected prefix, so nothing malformed reaches Salesforce.
 */
export function requireSalesforceId(value: string, kind: SalesforceIdKind, what: string): string {
    try {
        return assertSalesforceId(value, kind)
    } catch (err) {
        if (err instanceof InvalidRequestError) throw new InvalidRequestError(`${what}: ${err.message}`)
        throw err
    }
}
