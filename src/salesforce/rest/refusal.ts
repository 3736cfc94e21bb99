import { InsufficientPermissionError, SalesforceConnectorError } from '../../errors'

/**
 * Whether Salesforce refused a REST read for want of a permission the integration user lacks, so that what needs
 * the permission degrades (left out, with a message naming it) rather than failing the command. Salesforce answers
 * a query of an object the user may not see with INVALID_TYPE, as if the object did not exist; a denial
 * (INSUFFICIENT_ACCESS…, API access off, any other 403) is an InsufficientPermissionError from the HTTP boundary.
 * The org's API limit (403 REQUEST_LIMIT_EXCEEDED, a RateLimitError) is no refusal: it stops the command.
 *
 * `hiddenFields`: INVALID_FIELD counts too. For the page queries a field may be hidden by field-level security
 * alone (the object readable, one field not); in a query of fixed fields on a readable object it would be the
 * connector's own mistake, which must fail.
 */
export function isPermissionRefusal(
    error: unknown,
    options: { readonly hiddenFields?: boolean } = {}
): error is SalesforceConnectorError {
    if (error instanceof InsufficientPermissionError) return true
    if (!(error instanceof SalesforceConnectorError)) return false
    return error.errorCode === 'INVALID_TYPE' || (options.hiddenFields === true && error.errorCode === 'INVALID_FIELD')
}
