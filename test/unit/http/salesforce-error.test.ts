import { ConnectorErrorType } from '@sailpoint/connector-sdk'
import {
    isSessionExpired,
    networkError,
    parseSalesforceError,
    parseScimDetail,
    toConnectorError,
} from '../../../src/http/salesforce-error'
import { fixture } from '../../helpers/nock'

const GET_USER = { method: 'GET', path: '/services/scim/v2/Users/005RM000002FZAlYAO' }
const POST_USERS = { method: 'POST', path: '/services/scim/v2/Users' }
const TOKEN = { method: 'POST', path: '/services/oauth2/token' }

describe('parseSalesforceError', () => {
    it('reads the SCIM error whose schemas is a JSON string and whose detail is CODE:reason;', () => {
        expect(parseSalesforceError(fixture('scim/error.required-field-missing-profile'))).toEqual({
            errorCode: 'REQUIRED_FIELD_MISSING',
            text: 'user_must_have_one_entitlement_which_must_be_a_profileid',
            fields: ['entitlements'],
            codes: ['REQUIRED_FIELD_MISSING'],
        })
    })

    it('reads the SCIM error with an array schemas', () => {
        const body = {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            detail: 'UNSUPPORTED_FIELD:costCenter;',
            status: '400',
        }
        expect(parseSalesforceError(body)).toMatchObject({ errorCode: 'UNSUPPORTED_FIELD', fields: ['costCenter'] })
    })

    it('keeps every segment of a multi-failure detail', () => {
        const parsed = parseSalesforceError({
            detail: 'REQUIRED_FIELD_MISSING:userName;REQUIRED_FIELD_MISSING:name.familyName;INVALID:only_a_single_email_is_allowed;',
            status: 409,
        })
        expect(parsed).toEqual({
            errorCode: 'REQUIRED_FIELD_MISSING',
            text: 'userName; name.familyName; INVALID: only_a_single_email_is_allowed',
            fields: ['userName', 'name.familyName'],
            codes: ['REQUIRED_FIELD_MISSING', 'REQUIRED_FIELD_MISSING', 'INVALID'],
        })
    })

    it('finds the code inside a platform DML failure', () => {
        const detail =
            "Insert failed. First exception on row 0; first error: DUPLICATE_USERNAME, Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). : [Username]"
        const parsed = parseSalesforceError({ detail, status: 409 })
        expect(parsed.errorCode).toBe('DUPLICATE_USERNAME')
        expect(parsed.text).toMatch(/^Duplicate Username\. The username already exists/)
    })

    it('finds a known code embedded in free text', () => {
        expect(
            parseSalesforceError({ detail: 'Failed: LICENSE_LIMIT_EXCEEDED: License Limit Exceeded' }).errorCode
        ).toBe('LICENSE_LIMIT_EXCEEDED')
    })

    it('reads a detail without a code as plain text', () => {
        expect(parseSalesforceError(fixture('scim/error.no-such-resource'))).toEqual({
            text: 'No such resource',
            codes: [],
        })
        expect(parseScimDetail('Unsupported attribute : x')).toEqual([{ reason: 'Unsupported attribute : x' }])
    })

    it('reads the REST error array', () => {
        expect(parseSalesforceError(fixture('rest/error.request-limit-exceeded'))).toEqual({
            errorCode: 'REQUEST_LIMIT_EXCEEDED',
            text: 'TotalRequests Limit exceeded.',
            codes: ['REQUEST_LIMIT_EXCEEDED'],
        })
    })

    it('joins several REST errors and keeps their fields', () => {
        const parsed = parseSalesforceError([
            { message: 'Bad email', errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] },
            { message: 'Too long', errorCode: 'STRING_TOO_LONG', fields: ['Alias'] },
        ])
        expect(parsed).toEqual({
            errorCode: 'INVALID_EMAIL_ADDRESS',
            text: 'Bad email; STRING_TOO_LONG: Too long',
            fields: ['Email', 'Alias'],
            codes: ['INVALID_EMAIL_ADDRESS', 'STRING_TOO_LONG'],
        })
    })

    it('reads the bare {message, errorCode} object', () => {
        expect(parseSalesforceError(fixture('scim/error.unknown-exception-payload'))).toMatchObject({
            errorCode: 'UNKNOWN_EXCEPTION',
            text: expect.stringMatching(/^Processing\/execution error: check the format of your request payload/),
        })
    })

    it('reads the SCIM 1.1 Errors array', () => {
        expect(parseSalesforceError(fixture('scim/error.start-index-too-big.scim1'))).toEqual({
            text: 'Start index too big. Consider filtering down your result set, e.g. id gt "(the last id in the result set)"',
            codes: [],
        })
    })

    it('reads the OAuth error', () => {
        expect(parseSalesforceError(fixture('oauth/error.invalid-client-id'))).toEqual({
            errorCode: 'invalid_client_id',
            text: 'client identifier invalid',
            codes: ['invalid_client_id'],
        })
    })

    it('recognises HTML and empty bodies as not the API', () => {
        const html = '<html><head><title>Maintenance</title></head><body>down</body></html>'
        expect(parseSalesforceError(html, 'text/html;charset=UTF-8')).toEqual({
            text: 'an HTML page ("Maintenance") instead of JSON',
            notApi: true,
            codes: [],
        })
        expect(parseSalesforceError('')).toMatchObject({ notApi: true })
        expect(parseSalesforceError(undefined)).toMatchObject({ notApi: true })
    })

    it('keeps unknown shapes readable', () => {
        expect(parseSalesforceError('Service temporarily unavailable')).toEqual({
            text: 'Service temporarily unavailable',
            codes: [],
        })
        expect(parseSalesforceError(42)).toEqual({ text: '42', codes: [] })
        expect(parseSalesforceError({ unexpected: true })).toEqual({ text: '{"unexpected":true}', codes: [] })
        expect(parseSalesforceError(['x'])).toEqual({ text: '["x"]', codes: [] })
        expect(parseSalesforceError('<html><body>no title</body></html>')).toMatchObject({
            text: 'an HTML page instead of JSON',
        })
    })

    it('shortens very long texts', () => {
        expect(parseSalesforceError({ detail: 'x'.repeat(5000) }).text).toHaveLength(1001)
    })

    it('parses a JSON body that arrived as a string', () => {
        expect(
            parseSalesforceError('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]')
        ).toMatchObject({
            errorCode: 'INVALID_SESSION_ID',
        })
    })
})

describe('toConnectorError', () => {
    const cases: [string, unknown, number, typeof POST_USERS, string, RegExp][] = [
        [
            'INVALID_SESSION_ID',
            fixture('rest/error.invalid-session-id'),
            401,
            GET_USER,
            'AuthenticationError',
            /^Salesforce refused the session: INVALID_SESSION_ID: Session expired or invalid \(HTTP 401 GET \/services\/scim\/v2\/Users\/005RM000002FZAlYAO\)\. A fresh token was refused/,
        ],
        [
            'the REST API session variant',
            fixture('rest/error.invalid-session-id-rest-api'),
            401,
            GET_USER,
            'AuthenticationError',
            /Manage user data via APIs \(api\)/,
        ],
        [
            'REQUEST_LIMIT_EXCEEDED',
            fixture('rest/error.request-limit-exceeded'),
            403,
            GET_USER,
            'RateLimitError',
            /^Salesforce API request limit reached: REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded\. \(HTTP 403 GET .*\)\. The org's API request limit is a rolling 24-hour limit.*Company Information.*System Overview.*does not retry/,
        ],
        [
            'concurrent REQUEST_LIMIT_EXCEEDED',
            [
                {
                    message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
                    errorCode: 'REQUEST_LIMIT_EXCEEDED',
                },
            ],
            403,
            GET_USER,
            'RateLimitError',
            /lower Max Concurrency/,
        ],
        [
            'DUPLICATE_USERNAME',
            { detail: 'DUPLICATE_USERNAME:Duplicate Username.;', status: 409 },
            409,
            POST_USERS,
            'ObjectAlreadyExistsError',
            /^The userName is already taken: DUPLICATE_USERNAME: Duplicate Username\. \(HTTP 409 POST \/services\/scim\/v2\/Users\)\. A Salesforce userName must be unique across all Salesforce orgs/,
        ],
        [
            'LICENSE_LIMIT_EXCEEDED',
            { detail: 'LICENSE_LIMIT_EXCEEDED: License Limit Exceeded;', status: 409 },
            409,
            POST_USERS,
            'LicenseLimitError',
            /License Limit Exceeded.*deactivate unused users.*buy more/,
        ],
        [
            'the missing profile',
            fixture('scim/error.required-field-missing-profile'),
            409,
            POST_USERS,
            'InvalidRequestError',
            /^Salesforce needs a field that was not sent: REQUIRED_FIELD_MISSING: user_must_have_one_entitlement_which_must_be_a_profileid \(HTTP 409 POST \/services\/scim\/v2\/Users\)\. Every Salesforce user needs exactly one profile/,
        ],
        [
            'another missing field',
            { detail: 'REQUIRED_FIELD_MISSING:name.familyName;', status: 409 },
            409,
            POST_USERS,
            'InvalidRequestError',
            /Send the missing field/,
        ],
        [
            'a profile license mismatch',
            {
                detail: "INVALID:User's Profile can't be set to 'Identity User' because it's derived from a license that doesn't require ChatterInternalUser;",
            },
            400,
            GET_USER,
            'InvalidRequestError',
            /The profile and the user's license do not match \(Identity User, ChatterInternalUser\)/,
        ],
        [
            'a deactivation blocked by a hierarchy field',
            [
                {
                    message: 'Cannot inactivate user that is the value of a hierarchy field',
                    errorCode: 'FIELD_INTEGRITY_EXCEPTION',
                },
            ],
            400,
            GET_USER,
            'InvalidRequestError',
            /hierarchy field.*Manager.*Salesforce Setup/,
        ],
        [
            'a deactivation blocked by Web-to-Lead',
            [
                {
                    message: 'You cannot deactivate a user who is the Web-to-Lead default creator',
                    errorCode: 'INVALID_FIELD',
                },
            ],
            400,
            GET_USER,
            'InvalidRequestError',
            /Setup → Web-to-Lead/,
        ],
        [
            'a deactivation blocked by the default case owner',
            [{ message: 'This user is the default case owner', errorCode: 'INVALID' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /Setup → Support Settings/,
        ],
        [
            'INVALID_NEW_PASSWORD',
            [{ message: 'Your password must have a mix of letters and numbers.', errorCode: 'INVALID_NEW_PASSWORD' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /Password Policies/,
        ],
        [
            'INSUFFICIENT_ACCESS_OR_READONLY',
            [{ message: 'insufficient access rights on object id', errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' }],
            400,
            GET_USER,
            'InsufficientPermissionError',
            /"Manage Users" and "API Enabled"/,
        ],
        ['a bare 403', { detail: 'Forbidden' }, 403, GET_USER, 'InsufficientPermissionError', /"Manage Users"/],
        [
            'UNKNOWN_EXCEPTION',
            fixture('scim/error.unknown-exception-payload'),
            400,
            GET_USER,
            'SalesforceServerError',
            /^Salesforce failed to process the request: UNKNOWN_EXCEPTION: Processing\/execution error/,
        ],
        ['a 503', '', 503, GET_USER, 'SalesforceServerError', /Salesforce did not answer like its API/],
        [
            'a 500 with a SCIM body',
            { detail: 'Internal error', status: 500 },
            500,
            GET_USER,
            'SalesforceServerError',
            /status\.salesforce\.com/,
        ],
        [
            'an unknown URL',
            fixture('rest/error.not-found-url'),
            404,
            GET_USER,
            'InvalidResponseError',
            /Salesforce has no SCIM API at this address/,
        ],
        [
            'an HTML page',
            '<html><body>Login</body></html>',
            200,
            GET_USER,
            'InvalidResponseError',
            /an HTML page instead of JSON.*Check Login URL/,
        ],
        [
            'a filter Salesforce cannot parse',
            { detail: 'Unbalanced brackets, check your filter', status: 400 },
            400,
            GET_USER,
            'InvalidRequestError',
            /Check Account Filter/,
        ],
        ['a redirect', '', 302, GET_USER, 'InvalidResponseError', /Check Login URL/],
        [
            'invalid_client_id',
            fixture('oauth/error.invalid-client-id'),
            400,
            TOKEN,
            'AuthenticationError',
            /^Salesforce did not recognise the connected app: invalid_client_id: client identifier invalid \(HTTP 400 POST \/services\/oauth2\/token\)\. Check Consumer Key/,
        ],
        [
            'invalid_grant authentication failure',
            fixture('oauth/error.invalid-grant-authentication-failure'),
            400,
            TOKEN,
            'AuthenticationError',
            /Check Username, Password and Security Token.*IP/,
        ],
        [
            'Audience validation failed',
            fixture('oauth/error.audience-validation-failed'),
            400,
            TOKEN,
            'AuthenticationError',
            /Check Login URL: .*production.*sandbox/,
        ],
        [
            "user hasn't approved this consumer",
            fixture('oauth/error.user-not-approved'),
            400,
            TOKEN,
            'AuthenticationError',
            /check the spelling of Username.*Login URL is the org the user is in.*production.*sandbox.*Admin approved users are pre-authorized/,
        ],
        [
            'invalid_client',
            { error: 'invalid_client', error_description: 'invalid client credentials' },
            400,
            TOKEN,
            'AuthenticationError',
            /Check Consumer Secret/,
        ],
        [
            'unsupported_grant_type',
            { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
            400,
            TOKEN,
            'AuthenticationError',
            /Enable this flow/,
        ],
        [
            'inactive_user',
            { error: 'inactive_user', error_description: 'user is inactive' },
            400,
            TOKEN,
            'AuthenticationError',
            /Reactivate the integration user/,
        ],
        [
            'inactive_org',
            { error: 'inactive_org', error_description: 'organization is locked' },
            400,
            TOKEN,
            'AuthenticationError',
            /org is locked/,
        ],
        [
            'invalid_client without a Run As user',
            { error: 'invalid_client', error_description: 'no client credentials user enabled' },
            400,
            TOKEN,
            'AuthenticationError',
            /Run As/,
        ],
        [
            'invalid_grant without a Run As user',
            { error: 'invalid_grant', error_description: 'no client credentials user enabled' },
            400,
            TOKEN,
            'AuthenticationError',
            /Run As/,
        ],
        [
            'client credentials on login.salesforce.com',
            { error: 'invalid_grant', error_description: 'request not supported on this domain' },
            400,
            TOKEN,
            'AuthenticationError',
            /My Domain URL/,
        ],
        [
            'a JWT signed with the wrong key',
            { error: 'invalid_grant', error_description: 'invalid assertion' },
            400,
            TOKEN,
            'AuthenticationError',
            /certificate on the connected app/,
        ],
        [
            'an expired grant',
            { error: 'invalid_grant', error_description: 'expired access/refresh token' },
            400,
            TOKEN,
            'AuthenticationError',
            /expired access\/refresh token .*\. The grant has expired; authenticate again$/,
        ],
        [
            'rate_limit_exceeded',
            { error: 'rate_limit_exceeded', error_description: 'ip rate limit exceeded' },
            400,
            TOKEN,
            'RateLimitError',
            /wait a few minutes/,
        ],
        [
            'invalid_request',
            { error: 'invalid_request', error_description: 'bad request' },
            400,
            TOKEN,
            'AuthenticationError',
            /Authentication Type/,
        ],
        ['a 429', { detail: 'slow down' }, 429, GET_USER, 'RateLimitError', /Max Concurrency/],
        [
            'an unexpected status',
            { detail: 'teapot' },
            418,
            GET_USER,
            'InvalidResponseError',
            /HTTP 418, which the connector does not expect/,
        ],
        [
            'a bare 400',
            { detail: 'Improper Schema.' },
            400,
            GET_USER,
            'InvalidRequestError',
            /^Salesforce refused the request: Improper Schema\. \(HTTP 400 GET .*\)\. Check the values sent for this account/,
        ],
        ['a bare 401', { detail: 'nope' }, 401, GET_USER, 'AuthenticationError', /Run Test Connection/],
        ['a bare 409', { detail: 'conflict' }, 409, POST_USERS, 'InvalidRequestError', /Check the values sent/],
        [
            'DUPLICATE_VALUE',
            [{ message: 'duplicate value found: CommunityNickname', errorCode: 'DUPLICATE_VALUE' }],
            400,
            POST_USERS,
            'InvalidRequestError',
            /nickName/,
        ],
        [
            'a flow refusing the change',
            [{ message: 'Flow failed', errorCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /automation in the org/,
        ],
        [
            'a deactivation refused for another reason',
            [{ message: 'You cannot deactivate this user: workflow', errorCode: 'INVALID' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /freeze the user/,
        ],
        [
            'a validation rule',
            [{ message: 'Dept required', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /Validation Rules/,
        ],
        [
            'an unknown reference',
            [{ message: 'invalid cross reference id', errorCode: 'INVALID_CROSS_REFERENCE_KEY' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /does not exist in this org/,
        ],
        [
            'a bad email',
            [{ message: 'invalid email', errorCode: 'INVALID_EMAIL_ADDRESS' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /valid email/,
        ],
        [
            'a long value',
            [{ message: 'too long', errorCode: 'STRING_TOO_LONG' }],
            400,
            GET_USER,
            'InvalidRequestError',
            /nickName allows 40/,
        ],
        [
            'the API disabled for the org',
            [{ message: 'API is not enabled for this Organization or Partner', errorCode: 'API_DISABLED_FOR_ORG' }],
            403,
            GET_USER,
            'InsufficientPermissionError',
            /API access/,
        ],
        [
            'the API disabled for the user',
            [{ message: 'API is disabled for this User', errorCode: 'API_CURRENTLY_DISABLED' }],
            403,
            GET_USER,
            'InsufficientPermissionError',
            /API Enabled/,
        ],
        [
            'NOT_FOUND on a record',
            [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }],
            404,
            GET_USER,
            'NotFoundError',
            /aggregate the source again/,
        ],
    ]

    it.each(cases)('maps %s', (_name, body, status, request, errorName, message) => {
        const error = toConnectorError(status, parseSalesforceError(body), request)
        expect(error.name).toBe(errorName)
        expect(error.message).toMatch(message)
        expect(error.status).toBe(status)
        expect(error.type).toBe(
            errorName === 'NotFoundError' ? ConnectorErrorType.NotFound : ConnectorErrorType.Generic
        )
    })

    it('maps a 404 No such resource for the user to NotFoundError, never saying the user was removed', () => {
        const error = toConnectorError(404, parseSalesforceError(fixture('scim/error.no-such-resource')), GET_USER)
        expect(error).toMatchObject({ name: 'NotFoundError', type: ConnectorErrorType.NotFound, status: 404 })
        expect(error.message).toBe(
            'Not found in Salesforce: No such resource (HTTP 404 GET /services/scim/v2/Users/005RM000002FZAlYAO). ' +
                'Salesforce never deletes users (a deactivated user is still found), so the id is wrong or is a user ' +
                'of another Salesforce org: check Login URL, then aggregate the source again'
        )
        expect(error.message).not.toMatch(/removed/)
    })

    it('carries only errorCode, status and fields', () => {
        const error = toConnectorError(
            409,
            parseSalesforceError(fixture('scim/error.required-field-missing-profile')),
            POST_USERS
        )
        expect(Object.keys(error).sort()).toEqual(['errorCode', 'fields', 'name', 'status', 'type'])
        expect(error).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', status: 409, fields: ['entitlements'] })
    })

    it('redacts secrets Salesforce echoes back', () => {
        const parsed = parseSalesforceError([
            {
                message: 'Bad password Pw-very-secret-123 for token 00DRM000000TEST!AQ4Abcdefghij',
                errorCode: 'INVALID_NEW_PASSWORD',
            },
        ])
        const error = toConnectorError(400, parsed, GET_USER, ['Pw-very-secret-123'])
        expect(error.message).toContain('Bad password [REDACTED] for token [REDACTED]')
    })
})

describe('networkError', () => {
    it.each([
        ['ECONNABORTED', 'TimeoutError', /did not answer in time.*Request Timeout \(now 60 s\)/],
        ['ETIMEDOUT', 'TimeoutError', /did not answer in time/],
        [
            'ECONNRESET',
            'TimeoutError',
            /connection to Salesforce dropped: ECONNRESET \(GET \/services\/scim\/v2\/Users\/005RM000002FZAlYAO\)/,
        ],
        ['EPIPE', 'TimeoutError', /dropped/],
        ['ENOTFOUND', 'InvalidConfigurationError', /Check Login URL/],
        ['CERT_HAS_EXPIRED', 'InvalidConfigurationError', /TLS certificate/],
        ['EWHATEVER', 'TimeoutError', /request to Salesforce failed/],
    ])('maps %s to %s', (code, name, message) => {
        const error = networkError(code, 'boom', GET_USER, 60)
        expect(error).toMatchObject({ name, errorCode: code })
        expect(error.message).toMatch(message)
    })

    it('treats a socket hang up without a code as a dropped connection', () => {
        expect(networkError(undefined, 'socket hang up', GET_USER, 60)).toMatchObject({
            name: 'TimeoutError',
            errorCode: 'ECONNRESET',
        })
    })
})

describe('isSessionExpired', () => {
    it('is true for a 401 INVALID_SESSION_ID', () => {
        expect(isSessionExpired(401, parseSalesforceError(fixture('rest/error.invalid-session-id')))).toBe(true)
    })
    it('is false for the REST API policy variant, other 401s and other statuses', () => {
        expect(isSessionExpired(401, parseSalesforceError(fixture('rest/error.invalid-session-id-rest-api')))).toBe(
            false
        )
        expect(isSessionExpired(401, parseSalesforceError([{ message: 'x', errorCode: 'OTHER' }]))).toBe(false)
        expect(isSessionExpired(403, parseSalesforceError(fixture('rest/error.invalid-session-id')))).toBe(false)
    })

    it.each([
        'This session is not valid for use with the REST API',
        'Connected app is not attached to Agent',
        'BlackTab users cannot perform API operations',
    ])('is false for the 401 jsforce does not refresh on: %s', (message) => {
        expect(isSessionExpired(401, parseSalesforceError([{ errorCode: 'INVALID_SESSION_ID', message }]))).toBe(false)
    })
})
