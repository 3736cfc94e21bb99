/**
 * One case per rule of the error table, each with the body Salesforce sends (verbatim where a source quotes it:
 * salesforce-scim.md §3, §7.5, §8, Salesforce's pilot, jsforce), and the words an admin reads. The last test
 * checks that no rule is left without a case.
 */
import { ConnectorErrorType } from '@sailpoint/connector-sdk'
import { ERROR_RULES, ErrorRule, ruleFor } from '../../../src/http/error-rules'
import { parseSalesforceError, toConnectorError } from '../../../src/http/salesforce-error'
import { fixture } from '../../helpers/nock'
import { scimError } from '../../helpers/scim-bodies'
import { REST } from '../../helpers/rest-bodies'

const SCIM = '/services/scim/v2'
const USER_ID = '005RM000002FZAlYAO'
const GROUP_ID = '00GRM000000ZqPbYAK'
const QUEUE_ID = '00GRM000000ZqPcYAK'
const ROLE_ID = '00ERM000000KwN2YAK'
const PERMISSION_SET_ID = '0PSRM000000Jt7zYAC'
const PROFILE_ID = '00eRM000000KlCjYAK'

const GET_USER = { method: 'GET', path: `${SCIM}/Users/${USER_ID}` }
const PATCH_USER = { method: 'PATCH', path: `${SCIM}/Users/${USER_ID}` }
const DELETE_USER = { method: 'DELETE', path: `${SCIM}/Users/${USER_ID}` }
const POST_USERS = { method: 'POST', path: `${SCIM}/Users` }
const LIST_USERS = { method: 'GET', path: `${SCIM}/Users` }
const TOKEN = { method: 'POST', path: '/services/oauth2/token' }
const POST_PSLA = { method: 'POST', path: `${REST}/sobjects/PermissionSetLicenseAssign` }
const POST_UPL = { method: 'POST', path: `${REST}/sobjects/UserPackageLicense` }
const POST_PSA = { method: 'POST', path: `${REST}/sobjects/PermissionSetAssignment` }
const DELETE_PSLA = { method: 'DELETE', path: `${REST}/sobjects/PermissionSetLicenseAssign/2LARM0000000AbcYAE` }
const POST_GROUP_MEMBER = { method: 'POST', path: `${REST}/sobjects/GroupMember` }
const PATCH_REST_USER = { method: 'PATCH', path: `${REST}/sobjects/User/${USER_ID}` }

interface Case {
    readonly name: string
    readonly status: number
    readonly request: { readonly method: string; readonly path: string }
    readonly body: unknown
    readonly error: string
    /** Each must occur in the message, in this order. */
    readonly says: readonly string[]
}

const DUPLICATE_USERNAME_TEXT =
    "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). : [Username]"

const CASES: readonly Case[] = [
    {
        name: 'no free seat of a permission set license',
        status: 400,
        request: POST_PSLA,
        body: fixture('rest/provisioning.license-limit-exceeded'),
        error: 'LicenseLimitError',
        says: [
            'No free seats of the permission set license: LICENSE_LIMIT_EXCEEDED: License Limit Exceeded',
            'Free a seat (remove the license from a user who no longer needs it) or buy more',
        ],
    },
    {
        name: 'no free seat of a package license',
        status: 400,
        request: POST_UPL,
        body: fixture('rest/provisioning.license-limit-exceeded'),
        error: 'LicenseLimitError',
        says: ['No free seats of the package license: LICENSE_LIMIT_EXCEEDED', 'or buy more'],
    },
    {
        name: 'a permission set that needs a license the user lacks',
        status: 400,
        request: POST_PSA,
        body: fixture('rest/provisioning.permission-set-needs-license'),
        error: 'InvalidRequestError',
        says: [
            "Salesforce refused the permission set: FIELD_INTEGRITY_EXCEPTION: Can't assign permission set Sales_Console",
            'The permission set Sales_Console needs a license the user lacks (Sales Console): give the user the ' +
                'permission set license it needs first (permissionSetLicenses)',
        ],
    },
    {
        name: 'a permission set license that permission sets of the user still need',
        status: 400,
        request: DELETE_PSLA,
        body: fixture('rest/provisioning.license-needed-by-permission-sets'),
        error: 'InvalidRequestError',
        says: [
            "Salesforce kept the permission set license: DELETE_FAILED: You can't remove the permission set license",
            'Permission sets the user holds (directly or through a permission set group) need this license: remove ' +
                'those first, then remove the license',
        ],
    },
    {
        name: 'an assignment the user already has',
        status: 400,
        request: POST_PSA,
        body: fixture('rest/provisioning.duplicate-assignment'),
        error: 'ObjectAlreadyExistsError',
        says: ['The user already has the permission set: DUPLICATE_VALUE: duplicate value found', 'Nothing to add'],
    },
    {
        name: 'an integration user who may not add queue members',
        status: 400,
        request: POST_GROUP_MEMBER,
        body: fixture('rest/provisioning.insufficient-access'),
        error: 'InsufficientPermissionError',
        says: [
            'The integration user may not change the queues of users: INSUFFICIENT_ACCESS_OR_READONLY',
            'Give the integration user the Salesforce permission "Manage Users"',
        ],
    },
    {
        name: 'an integration user who may not set feature licenses',
        status: 400,
        request: PATCH_REST_USER,
        body: fixture('rest/provisioning.insufficient-access'),
        error: 'InsufficientPermissionError',
        says: ['may not change the feature licenses of users', '"Manage Users"'],
    },
    {
        name: 'a session a policy bars from the REST API',
        status: 401,
        request: GET_USER,
        body: fixture('rest/error.invalid-session-id-rest-api'),
        error: 'AuthenticationError',
        says: [
            'Salesforce refused the session: INVALID_SESSION_ID: This session is not valid for use with the REST API',
            '"Manage user data via APIs (api)" OAuth scope',
        ],
    },
    {
        name: 'a BlackTab login',
        status: 401,
        request: GET_USER,
        body: [{ errorCode: 'INVALID_SESSION_ID', message: 'BlackTab users cannot perform API operations' }],
        error: 'AuthenticationError',
        says: [
            'Salesforce bars this login from the API: INVALID_SESSION_ID: BlackTab users cannot perform API operations (HTTP 401 GET',
            'a new token would be refused the same way',
            'log in as a regular, API Enabled user of the org',
        ],
    },
    {
        name: 'an expired session that a new token did not fix',
        status: 401,
        request: GET_USER,
        body: fixture('rest/error.invalid-session-id'),
        error: 'AuthenticationError',
        says: [
            'Salesforce refused the session: INVALID_SESSION_ID: Session expired or invalid',
            'A fresh token was refused too',
            'IP relaxation',
        ],
    },
    {
        name: 'the concurrent long-running request limit',
        status: 403,
        request: GET_USER,
        body: [
            {
                message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
                errorCode: 'REQUEST_LIMIT_EXCEEDED',
            },
        ],
        error: 'RateLimitError',
        says: [
            'Salesforce API request limit reached: REQUEST_LIMIT_EXCEEDED: ConcurrentRequests',
            'lower Max Concurrency',
        ],
    },
    {
        name: "the org's daily API limit",
        status: 403,
        request: LIST_USERS,
        body: fixture('rest/error.request-limit-exceeded'),
        error: 'RateLimitError',
        says: ['REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.', 'rolling 24-hour limit', 'does not retry it'],
    },
    {
        name: 'a username taken in any org',
        status: 409,
        request: POST_USERS,
        body: scimError(
            409,
            `Insert failed. First exception on row 0; first error: DUPLICATE_USERNAME, ${DUPLICATE_USERNAME_TEXT}`
        ),
        error: 'ObjectAlreadyExistsError',
        says: [
            'The userName is already taken: DUPLICATE_USERNAME: Duplicate Username. The username already exists',
            'unique across all Salesforce orgs',
        ],
    },
    {
        name: 'a duplicate nickname',
        status: 400,
        request: PATCH_USER,
        body: [
            {
                message: `duplicate value found: CommunityNickname duplicates value on record with id: ${USER_ID}`,
                errorCode: 'DUPLICATE_VALUE',
                fields: [],
            },
        ],
        error: 'InvalidRequestError',
        says: [
            'A value that must be unique is already used: DUPLICATE_VALUE: duplicate value found: CommunityNickname',
            'often nickName',
        ],
    },
    {
        name: 'no license left',
        status: 409,
        request: POST_USERS,
        body: scimError(
            409,
            'Insert failed. First exception on row 0; first error: LICENSE_LIMIT_EXCEEDED, License Limit Exceeded: []'
        ),
        error: 'LicenseLimitError',
        says: [
            'No Salesforce license left: LICENSE_LIMIT_EXCEEDED: License Limit Exceeded (HTTP 409 POST',
            'deactivate unused users to free licenses',
        ],
    },
    {
        name: 'a create without a profile',
        status: 409,
        request: POST_USERS,
        body: fixture('scim/error.required-field-missing-profile'),
        error: 'InvalidRequestError',
        says: [
            'REQUIRED_FIELD_MISSING: user_must_have_one_entitlement_which_must_be_a_profileid',
            'set Default Profile ID on the source',
        ],
    },
    {
        name: 'a create without a last name',
        status: 409,
        request: POST_USERS,
        body: scimError(409, 'REQUIRED_FIELD_MISSING:name.familyName;'),
        error: 'InvalidRequestError',
        says: [
            'Salesforce needs a field that was not sent: REQUIRED_FIELD_MISSING: name.familyName',
            'Send the missing field',
        ],
    },
    {
        name: 'a profile of another license',
        status: 400,
        request: PATCH_USER,
        body: scimError(
            400,
            "INVALID:User's Profile can't be set to 'Chatter Free User' because it's derived from a license that doesn't require Salesforce;"
        ),
        error: 'InvalidRequestError',
        says: [
            'Salesforce refused a value: INVALID:',
            "The profile and the user's license do not match (Chatter Free User, Salesforce)",
        ],
    },
    {
        name: 'a deactivation blocked by a hierarchy field',
        status: 400,
        request: PATCH_USER,
        body: scimError(
            400,
            'FIELD_INTEGRITY_EXCEPTION:Cannot inactivate user that is the value of a hierarchy field;'
        ),
        error: 'InvalidRequestError',
        says: [
            'Salesforce refused the change: FIELD_INTEGRITY_EXCEPTION: Cannot inactivate user',
            "change those users' Manager",
        ],
    },
    {
        name: 'a deactivation blocked by Web-to-Lead',
        status: 400,
        request: PATCH_USER,
        body: scimError(
            400,
            'FIELD_INTEGRITY_EXCEPTION:Cannot inactivate user that is the default lead creator for Web-to-Lead;'
        ),
        error: 'InvalidRequestError',
        says: ['default lead creator for Web-to-Lead', 'change it in Salesforce Setup → Web-to-Lead'],
    },
    {
        name: 'a deactivation blocked by the default case owner',
        status: 400,
        request: PATCH_USER,
        body: scimError(400, 'FIELD_INTEGRITY_EXCEPTION:Cannot inactivate user that is the default case owner;'),
        error: 'InvalidRequestError',
        says: ['default case owner', 'Salesforce Setup → Support Settings'],
    },
    {
        name: 'a deactivation blocked by another reference',
        status: 400,
        request: DELETE_USER,
        body: [
            {
                message: 'You cannot deactivate this user because they are the sender of a scheduled report',
                errorCode: 'INVALID_FIELD',
            },
        ],
        error: 'InvalidRequestError',
        says: ['Salesforce refused a field: INVALID_FIELD: You cannot deactivate', 'or freeze the user instead'],
    },
    {
        name: 'a trigger refusing the change',
        status: 400,
        request: PATCH_USER,
        body: [
            {
                message: 'UserTrigger: execution of AfterUpdate caused by: System.NullPointerException',
                errorCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
            },
        ],
        error: 'InvalidRequestError',
        says: [
            'Salesforce refused the change: CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: UserTrigger',
            'An automation in the org',
        ],
    },
    {
        name: 'a second email address',
        status: 400,
        request: PATCH_USER,
        body: scimError(400, 'INVALID:only_a_single_email_is_allowed;'),
        error: 'InvalidRequestError',
        says: [
            'Salesforce refused a value: INVALID: only_a_single_email_is_allowed',
            'Check the values sent for this account',
        ],
    },
    {
        name: 'a validation rule',
        status: 400,
        request: PATCH_USER,
        body: [
            {
                message: 'Department is required for sales users',
                errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                fields: [],
            },
        ],
        error: 'InvalidRequestError',
        says: [
            'A validation rule in the org refused the change: FIELD_CUSTOM_VALIDATION_EXCEPTION',
            'Validation Rules',
        ],
    },
    {
        name: 'an id of nothing in the org',
        status: 400,
        request: PATCH_USER,
        body: [{ message: 'invalid cross reference id', errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: [] }],
        error: 'InvalidRequestError',
        says: ['Salesforce does not know a referenced id', 'does not exist in this org'],
    },
    {
        name: 'an attribute SCIM does not store',
        status: 409,
        request: POST_USERS,
        body: scimError(409, 'UNSUPPORTED_FIELD:costCenter;'),
        error: 'InvalidRequestError',
        says: [
            'Salesforce does not support a field: UNSUPPORTED_FIELD: costCenter',
            'remove it from the account create/update profile',
        ],
    },
    {
        name: 'a bad email address',
        status: 400,
        request: PATCH_USER,
        body: [
            {
                message: 'Email: invalid email address: not-an-email',
                errorCode: 'INVALID_EMAIL_ADDRESS',
                fields: ['Email'],
            },
        ],
        error: 'InvalidRequestError',
        says: [
            'Salesforce refused the email address: INVALID_EMAIL_ADDRESS: Email: invalid email address',
            'Send a valid email address',
        ],
    },
    {
        name: 'a value too long',
        status: 400,
        request: PATCH_USER,
        body: [
            {
                message: 'Alias: data value too large: abcdefghij (max length=8)',
                errorCode: 'STRING_TOO_LONG',
                fields: ['Alias'],
            },
        ],
        error: 'InvalidRequestError',
        says: ['A value is too long for Salesforce: STRING_TOO_LONG: Alias', 'alias 8'],
    },
    {
        name: 'a password the policy refuses',
        status: 400,
        request: { method: 'POST', path: `/services/data/v62.0/sobjects/User/${USER_ID}/password` },
        body: [{ message: 'Your password must have a mix of letters and numbers.', errorCode: 'INVALID_NEW_PASSWORD' }],
        error: 'InvalidRequestError',
        says: ['Salesforce refused the new password: INVALID_NEW_PASSWORD', 'Setup → Password Policies'],
    },
    {
        name: 'a missing permission of the integration user',
        status: 400,
        request: POST_USERS,
        body: [
            {
                message: 'insufficient access rights on cross-reference id',
                errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
            },
        ],
        error: 'InsufficientPermissionError',
        says: [
            'The integration user lacks a permission: INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
            '"Manage Users" and "API Enabled"',
        ],
    },
    {
        name: 'an org without API access',
        status: 403,
        request: GET_USER,
        body: [{ message: 'API is not enabled for this Organization or Partner', errorCode: 'API_DISABLED_FOR_ORG' }],
        error: 'InsufficientPermissionError',
        says: ['The Salesforce API is not enabled: API_DISABLED_FOR_ORG', 'The org edition must include API access'],
    },
    {
        name: 'a user without API Enabled',
        status: 403,
        request: GET_USER,
        body: [{ message: 'API is disabled for this User', errorCode: 'API_CURRENTLY_DISABLED' }],
        error: 'InsufficientPermissionError',
        says: [
            'The Salesforce API is disabled for this user: API_CURRENTLY_DISABLED',
            'Grant the integration user "API Enabled"',
        ],
    },
    {
        name: "Spring '26's payload error",
        status: 400,
        request: PATCH_USER,
        body: fixture('scim/error.unknown-exception-payload'),
        error: 'SalesforceServerError',
        says: [
            'Salesforce failed to process the request: UNKNOWN_EXCEPTION: Processing/execution error',
            'status.salesforce.com',
        ],
    },
    {
        name: 'an unknown consumer key',
        status: 400,
        request: TOKEN,
        body: fixture('oauth/error.invalid-client-id'),
        error: 'AuthenticationError',
        says: [
            'Salesforce did not recognise the connected app: invalid_client_id: client identifier invalid',
            'Check Consumer Key',
        ],
    },
    {
        name: 'client credentials without a Run As user',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_client', error_description: 'no client credentials user enabled' },
        error: 'AuthenticationError',
        says: [
            'Salesforce refused the client credentials: invalid_client: no client credentials user enabled',
            'set its "Run As" user',
        ],
    },
    {
        name: 'a wrong consumer secret',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_client', error_description: 'invalid client credentials' },
        error: 'AuthenticationError',
        says: [
            'Salesforce refused the client credentials: invalid_client: invalid client credentials',
            'Check Consumer Secret',
        ],
    },
    {
        name: 'a JWT for the wrong audience',
        status: 400,
        request: TOKEN,
        body: fixture('oauth/error.audience-validation-failed'),
        error: 'AuthenticationError',
        says: [
            'invalid_grant: Audience validation failed',
            'https://login.salesforce.com',
            'for production',
            'https://test.salesforce.com',
            'for a sandbox',
        ],
    },
    {
        name: "a JWT whose user hasn't approved the consumer",
        status: 400,
        request: TOKEN,
        body: fixture('oauth/error.user-not-approved'),
        error: 'AuthenticationError',
        says: [
            "Salesforce refused to log in: invalid_grant: user hasn't approved this consumer",
            'Most often Username or Login URL is wrong: check the spelling of Username',
            'https://login.salesforce.com or the My Domain for production',
            'https://test.salesforce.com or the sandbox My Domain for a sandbox',
            'Admin approved users are pre-authorized',
        ],
    },
    {
        name: 'client credentials through invalid_grant without a Run As user',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_grant', error_description: 'no client credentials user enabled' },
        error: 'AuthenticationError',
        says: ['invalid_grant: no client credentials user enabled', 'set its "Run As" user'],
    },
    {
        name: 'client credentials on login.salesforce.com',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_grant', error_description: 'request not supported on this domain' },
        error: 'AuthenticationError',
        says: ['request not supported on this domain', 'need the My Domain URL as Login URL'],
    },
    {
        name: 'a JWT signed with another key',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_grant', error_description: 'invalid assertion' },
        error: 'AuthenticationError',
        says: ['invalid_grant: invalid assertion', 'The certificate on the connected app does not match Private Key'],
    },
    {
        name: 'an expired refresh token',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
        error: 'AuthenticationError',
        says: ['invalid_grant: expired access/refresh token', 'The grant has expired'],
    },
    {
        name: 'a wrong password',
        status: 400,
        request: TOKEN,
        body: fixture('oauth/error.invalid-grant-authentication-failure'),
        error: 'AuthenticationError',
        says: ['invalid_grant: authentication failure', 'Check Username, Password and Security Token'],
    },
    {
        name: 'a user not admin approved for the app',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_app_access', error_description: 'user is not admin approved to access this app' },
        error: 'AuthenticationError',
        says: [
            'invalid_app_access: user is not admin approved to access this app',
            'not pre-authorized for the connected app',
            'Admin approved users are pre-authorized',
        ],
    },
    {
        name: 'a flow the app does not allow',
        status: 400,
        request: TOKEN,
        body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
        error: 'AuthenticationError',
        says: [
            'Salesforce does not allow this login flow: unsupported_grant_type',
            'Enable this flow on the connected app',
        ],
    },
    {
        name: 'an inactive integration user',
        status: 400,
        request: TOKEN,
        body: { error: 'inactive_user', error_description: 'user is inactive' },
        error: 'AuthenticationError',
        says: ['The integration user is inactive: inactive_user', 'Reactivate the integration user'],
    },
    {
        name: 'an inactive org',
        status: 400,
        request: TOKEN,
        body: { error: 'inactive_org', error_description: 'organization is locked' },
        error: 'AuthenticationError',
        says: ['The Salesforce org is inactive: inactive_org', 'The org is locked, deleted or its trial has ended'],
    },
    {
        name: 'a malformed login request',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_request', error_description: 'bad request' },
        error: 'AuthenticationError',
        says: ['Salesforce refused the login request: invalid_request', 'Check Authentication Type and Login URL'],
    },
    {
        name: 'too many logins',
        status: 400,
        request: TOKEN,
        body: { error: 'rate_limit_exceeded', error_description: 'ip rate limit exceeded' },
        error: 'RateLimitError',
        says: ['Salesforce limited logins: rate_limit_exceeded', 'wait a few minutes'],
    },
    {
        name: 'a 503 with no body',
        status: 503,
        request: GET_USER,
        body: '',
        error: 'SalesforceServerError',
        says: ['Salesforce did not answer like its API: the response body is empty (HTTP 503 GET', 'Check Login URL'],
    },
    {
        name: 'an HTML login page',
        status: 200,
        request: GET_USER,
        body: '<html><head><title>Login | Salesforce</title></head><body></body></html>',
        error: 'InvalidResponseError',
        says: [
            'Salesforce did not answer like its API: an HTML page ("Login | Salesforce") instead of JSON',
            'not a Lightning, Visualforce or Experience site address',
        ],
    },
    {
        name: 'a filter Salesforce cannot parse',
        status: 400,
        request: LIST_USERS,
        body: scimError(400, 'Unbalanced brackets, check your filter'),
        error: 'InvalidRequestError',
        says: ['Salesforce refused the filter: Unbalanced brackets, check your filter', 'Check Account Filter'],
    },
    {
        name: 'an address with no SCIM API',
        status: 404,
        request: GET_USER,
        body: fixture('rest/error.not-found-url'),
        error: 'InvalidResponseError',
        says: [
            'Salesforce has no SCIM API at this address: NOT_FOUND: Could not find a match for URL',
            'Check Login URL',
        ],
    },
    {
        name: 'a 404 on a user write whose text names a permission set',
        status: 404,
        request: PATCH_USER,
        // Not a payload any source quotes: it guards an unconfirmed answer of the native API.
        body: scimError(404, `No such resource: ${PERMISSION_SET_ID}`),
        error: 'MissingEntitlementError',
        says: [
            `Salesforce has no permission set ${PERMISSION_SET_ID}: No such resource`,
            'aggregate entitlements again',
        ],
    },
    {
        name: 'an unknown user',
        status: 404,
        request: GET_USER,
        body: fixture('scim/error.no-such-resource'),
        error: 'NotFoundError',
        says: [
            'Not found in Salesforce: No such resource',
            'Salesforce never deletes users',
            'the id is wrong or is a user of another Salesforce org',
        ],
    },
    {
        name: 'a group deleted since the last aggregation',
        status: 404,
        request: { method: 'PATCH', path: `${SCIM}/Groups/${GROUP_ID}` },
        body: scimError(404, 'No such resource'),
        error: 'MissingEntitlementError',
        says: [
            `Salesforce has no public group ${GROUP_ID}: No such resource (HTTP 404 PATCH ${SCIM}/Groups/${GROUP_ID})`,
            'may have been deleted in Salesforce since the last entitlement aggregation',
            "or the id is a queue's",
            'aggregate entitlements again',
        ],
    },
    {
        name: 'an unknown path',
        status: 404,
        request: { method: 'GET', path: `${SCIM}/ServiceProviderConfigs` },
        body: scimError(404, 'No such resource'),
        error: 'InvalidResponseError',
        says: ['Salesforce has nothing at this address: No such resource', 'Check Login URL'],
    },
    {
        name: 'a PatchOp with the wrong schema',
        status: 400,
        request: PATCH_USER,
        body: scimError(400, 'Improper Schema.'),
        error: 'InvalidRequestError',
        says: ['Salesforce refused the request: Improper Schema.', 'Check the values sent'],
    },
    {
        name: 'a 401 without a code',
        status: 401,
        request: GET_USER,
        body: { Errors: [{ description: 'Unauthorized', code: 401 }] },
        error: 'AuthenticationError',
        says: ['Salesforce refused the credentials: Unauthorized', 'Run Test Connection'],
    },
    {
        name: 'a 403 without a code',
        status: 403,
        request: GET_USER,
        body: scimError(403, 'Forbidden'),
        error: 'InsufficientPermissionError',
        says: ['Salesforce denied access: Forbidden', '"Manage Users" and "API Enabled"'],
    },
    {
        name: 'a 409 without a code',
        status: 409,
        request: POST_USERS,
        body: scimError(409, 'Conflict'),
        error: 'InvalidRequestError',
        says: ['Salesforce refused the change: Conflict', 'Check the values sent'],
    },
    {
        name: 'a 429 from something in front of Salesforce',
        status: 429,
        request: GET_USER,
        body: 'Too Many Requests',
        error: 'RateLimitError',
        says: ['Salesforce limited the request rate: Too Many Requests', 'Lower Max Concurrency', 'check any proxy'],
    },
    {
        name: 'a 500 with a SCIM body',
        status: 500,
        request: GET_USER,
        body: scimError(
            500,
            'An unexpected error occurred. Please include this ErrorId if you contact support: 1234-5678'
        ),
        error: 'SalesforceServerError',
        says: ['Salesforce failed on its side: An unexpected error occurred', 'status.salesforce.com'],
    },
    {
        name: 'a redirect',
        status: 302,
        request: GET_USER,
        body: { unexpected: true },
        error: 'InvalidResponseError',
        says: [
            'Salesforce answered HTTP 302, which the connector does not expect',
            'a redirect usually means a wrong or outdated host',
        ],
    },
    // Login state (freeze, unlock).
    {
        name: 'a query of UserLogin the integration user may not see',
        status: 400,
        request: { method: 'GET', path: '/services/data/v62.0/query' },
        body: fixture('rest/error.invalid-type-userlogin'),
        error: 'InsufficientPermissionError',
        says: [
            "The integration user may not see users' login state: INVALID_TYPE:",
            "sObject type 'UserLogin' is not supported",
            'needs Freeze Users (or Manage Users)',
        ],
    },
    {
        name: 'a login of a frozen integration user',
        status: 400,
        request: TOKEN,
        body: { error: 'invalid_grant', error_description: 'user is frozen' },
        error: 'AuthenticationError',
        says: [
            'Salesforce refused to log in: the integration user is frozen: invalid_grant: user is frozen',
            'Unfreeze the integration user in Salesforce Setup → Users',
        ],
    },
    {
        name: 'a freeze or unlock the integration user may not make',
        status: 400,
        request: { method: 'PATCH', path: '/services/data/v62.0/sobjects/UserLogin/0YwRM000000TmLaYAK' },
        body: fixture('rest/error.insufficient-access-userlogin'),
        error: 'InsufficientPermissionError',
        says: [
            "The integration user may not change users' login state: INSUFFICIENT_ACCESS_OR_READONLY: insufficient access rights on object id",
            'Freeze Users (or Manage Users)',
            'Reset User Passwords and Unlock Users',
        ],
    },
]

function inOrder(message: string, says: readonly string[]): void {
    let from = 0
    for (const words of says) {
        const at = message.indexOf(words, from)
        expect({ message, missing: at < 0 ? words : undefined }).toEqual({ message, missing: undefined })
        from = at + words.length
    }
}

describe('the error table', () => {
    it.each(CASES.map((c) => [c.name, c] as const))('says what to do about %s', (_name, c) => {
        const error = toConnectorError(c.status, parseSalesforceError(c.body), c.request)
        expect(error.name).toBe(c.error)
        expect(error.type).toBe(c.error === 'NotFoundError' ? ConnectorErrorType.NotFound : ConnectorErrorType.Generic)
        expect(error.status).toBe(c.status)
        inOrder(error.message, c.says)
    })

    it('has a case for every rule', () => {
        const covered = new Set<ErrorRule>(
            CASES.map((c) => ruleFor(c.status, parseSalesforceError(c.body), c.request).rule)
        )
        const missing = ERROR_RULES.map((rule, index) => ({ index, rule })).filter(({ rule }) => !covered.has(rule))
        expect(missing.map(({ index, rule }) => `${index}: ${JSON.stringify(rule.when)}`)).toEqual([])
    })
})

describe('a 404 is ISC notFound only for the user itself (B3)', () => {
    it.each([
        ['a queue where a public group was expected', 'PATCH', `/Groups/${QUEUE_ID}`, 'public group', QUEUE_ID],
        ['a group read', 'GET', `/Groups/${GROUP_ID}`, 'public group', GROUP_ID],
        ['a role', 'GET', `/Roles/${ROLE_ID}`, 'role', ROLE_ID],
        ['a permission set', 'GET', `/Entitlements/${PERMISSION_SET_ID}`, 'permission set', PERMISSION_SET_ID],
        ['a profile', 'GET', `/Entitlements/${PROFILE_ID}`, 'profile', PROFILE_ID],
    ])('names %s and says to aggregate entitlements again', (_name, method, path, label, id) => {
        const error = toConnectorError(404, parseSalesforceError(scimError(404, 'No such resource.')), {
            method,
            path: `${SCIM}${path}`,
        })
        expect(error).toMatchObject({ name: 'MissingEntitlementError', type: ConnectorErrorType.Generic, status: 404 })
        expect(error.message).toMatch(new RegExp(`^Salesforce has no ${label} ${id}: No such resource\\.`))
        expect(error.message).toContain(
            `The ${label} may have been deleted in Salesforce since the last entitlement aggregation`
        )
        expect(error.message).toContain('aggregate entitlements again, then remove it from the access that grants it')
    })

    it("reports the pilot's 404 for a DELETE of an unknown user as notFound", () => {
        const body = scimError(404, `Resource https://acme.my.salesforce.com${SCIM}/Users/${USER_ID} not found`)
        expect(toConnectorError(404, parseSalesforceError(body), DELETE_USER)).toMatchObject({
            name: 'NotFoundError',
            type: ConnectorErrorType.NotFound,
        })
    })

    it('reports a NOT_FOUND code for the user as notFound, and for a group as the missing group', () => {
        const body = [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]
        expect(toConnectorError(404, parseSalesforceError(body), GET_USER).type).toBe(ConnectorErrorType.NotFound)
        expect(
            toConnectorError(404, parseSalesforceError(body), { method: 'PATCH', path: `${SCIM}/Groups/${GROUP_ID}` })
        ).toMatchObject({ name: 'MissingEntitlementError', type: ConnectorErrorType.Generic })
    })
})

describe('the object a 404 names', () => {
    it('names the group a user write refers to, not the user, when the text holds its id', () => {
        const body = scimError(404, `Group ${GROUP_ID} not found`)
        const error = toConnectorError(404, parseSalesforceError(body), PATCH_USER)
        expect(error).toMatchObject({ name: 'MissingEntitlementError', type: ConnectorErrorType.Generic, status: 404 })
        expect(error.message).toMatch(new RegExp(`^Salesforce has no public group ${GROUP_ID}: Group ${GROUP_ID}`))
        expect(error.message).toContain("or the id is a queue's (SCIM serves public groups only)")
    })

    it('names the kind the endpoint serves when the id in the path has no known prefix', () => {
        const error = toConnectorError(404, parseSalesforceError(scimError(404, 'No such resource.')), {
            method: 'GET',
            path: `${SCIM}/Entitlements/0TTRM000000Abc1YAC`,
        })
        expect(error.message).toMatch(/^Salesforce has no profile or permission set 0TTRM000000Abc1YAC: No such/)
    })
})

describe('the names a license refusal quotes', () => {
    const refuse = (text: string): string =>
        toConnectorError(400, parseSalesforceError(scimError(400, text)), PATCH_USER).message

    it('takes double-quoted names and the license a profile requires', () => {
        expect(
            refuse(
                'INVALID:The profile "Chatter External User" does not match a license that requires Salesforce Platform.'
            )
        ).toContain("The profile and the user's license do not match (Chatter External User, Salesforce Platform)")
    })

    it('says the mismatch without names when Salesforce quotes none', () => {
        const message = refuse("INVALID:User's profile doesn't match the user license;")
        expect(message).toContain("The profile and the user's license do not match: pick a profile")
    })
})
