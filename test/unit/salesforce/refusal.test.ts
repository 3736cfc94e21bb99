import { parseSalesforceError, toConnectorError } from '../../../src/http/salesforce-error'
import { isPermissionRefusal } from '../../../src/salesforce/rest/refusal'

/**
 * The one rule for "Salesforce refused for want of a permission", over errors made by the connector's own error
 * table from Salesforce's REST answers as they come (a query's 400 or 403 body: an array of errorCode/message).
 */
function failure(status: number, errorCode: string, message: string): Error {
    const request = { method: 'GET', path: '/services/data/v62.0/query' }
    return toConnectorError(status, parseSalesforceError([{ message, errorCode }]), request)
}

const HIDDEN_OBJECT = failure(
    400,
    'INVALID_TYPE',
    "\nSELECT Id FROM UserPackageLicense\n               ^\nERROR at Row:1:Column:16\nsObject type 'UserPackageLicense' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
)
const HIDDEN_FIELD = failure(
    400,
    'INVALID_FIELD',
    "\nSELECT Id, Cost_Center__c FROM User\n           ^\nERROR at Row:1:Column:12\nNo such column 'Cost_Center__c' on entity 'User'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
)
const DENIED = failure(403, 'INSUFFICIENT_ACCESS', 'insufficient access rights on object id')
const API_OFF = failure(403, 'API_CURRENTLY_DISABLED', 'API is disabled for this User')
const API_LIMIT = failure(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')
const MALFORMED = failure(400, 'MALFORMED_QUERY', "unexpected token: 'FORM'")
const SERVER = failure(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId.')

describe('isPermissionRefusal', () => {
    it.each([
        ['an object the integration user may not see (INVALID_TYPE)', HIDDEN_OBJECT],
        ['a denial (403 INSUFFICIENT_ACCESS)', DENIED],
        ['API access switched off for the user (403 API_CURRENTLY_DISABLED)', API_OFF],
    ])('counts %s, for every command', (_, error) => {
        expect(isPermissionRefusal(error)).toBe(true)
        expect(isPermissionRefusal(error, { hiddenFields: true })).toBe(true)
    })

    it('counts a field hidden by field-level security (INVALID_FIELD) only where the query names such fields', () => {
        expect(isPermissionRefusal(HIDDEN_FIELD)).toBe(false)
        expect(isPermissionRefusal(HIDDEN_FIELD, { hiddenFields: true })).toBe(true)
    })

    it.each([
        ["the org's API limit (403 REQUEST_LIMIT_EXCEEDED), which stops the command", API_LIMIT],
        ['a malformed query', MALFORMED],
        ['a server error', SERVER],
        ['an error that is no Salesforce answer', new Error('socket hang up')],
    ])('does not count %s', (_, error) => {
        expect(isPermissionRefusal(error, { hiddenFields: true })).toBe(false)
    })
})
