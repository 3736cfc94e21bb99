import {
    AuthenticationError,
    InsufficientPermissionError,
    InvalidRequestError,
    InvalidResponseError,
    LicenseLimitError,
    MissingEntitlementError,
    NotFoundError,
    ObjectAlreadyExistsError,
    RateLimitError,
    SalesforceConnectorError,
    SalesforceErrorDetails,
    SalesforceServerError,
} from '../errors'
import { SalesforceIdKind, isSalesforceId } from '../salesforce/ids'
import { PROVISIONING_LABEL, PROVISIONING_PERMISSION, REST_PERMISSIONS } from '../salesforce/rest/objects'
import type { ParsedSalesforceError } from './error-body'
import { PROFILE_MISSING } from './error-body'
import type { RequestSummary } from './network-error'

/**
 * What a Salesforce refusal means to an admin: one table of `{when, say}` rules. `when` is data (Salesforce's
 * code, the HTTP status, words in Salesforce's text, the request path); `say` names the error class, what
 * happened and what to do. The first rule that matches wins, so a narrow rule stands before the broad one for
 * the same code. Rules with a code are tried for each code of the body in the body's order, before any rule
 * without one, so a body's first known code decides.
 */

type ErrorClass = new (message: string, details?: SalesforceErrorDetails) => SalesforceConnectorError

/** A failed answer as a rule reads it; `code` is the body's code the rule is being tried for. */
interface SeenFailure {
    readonly status: number
    readonly parsed: ParsedSalesforceError
    readonly request: RequestSummary
    readonly code?: string
}

interface When {
    readonly code?: string | RegExp
    readonly status?: number | ((status: number) => boolean)
    /** Each pattern must occur in Salesforce's text. */
    readonly text?: RegExp | readonly RegExp[]
    readonly path?: RegExp
    /** HTML or an empty body. */
    readonly notApi?: true
    /** For the rare rule data cannot say. */
    readonly test?: (seen: SeenFailure) => boolean
}

type Words = string | ((seen: SeenFailure) => string)

interface Say {
    readonly error: ErrorClass
    /** What happened, in the admin's terms. */
    readonly what: Words
    /** What to do about it. */
    readonly advice: Words
}

export interface ErrorRule {
    readonly when: When
    readonly say: Say
}

const SUPPORT_ADVICE =
    'If it persists, check https://status.salesforce.com and give Salesforce Support the error text (it may hold an error ID)'

const INVALID_VALUE_ADVICE =
    'Check the values sent for this account against Salesforce (profile, permission sets, role, email, locale, time zone)'

const PERMISSION_ADVICE =
    'The integration user needs the "Manage Users" and "API Enabled" permissions (System Administrator has both); ' +
    "grant them through the user's profile or a permission set"

const NOT_API_ADVICE =
    "Check Login URL: it must be the org's login host or My Domain (https://mycompany.my.salesforce.com), " +
    'not a Lightning, Visualforce or Experience site address, and nothing (proxy, firewall) may rewrite the response'

const RUN_AS_ADVICE = 'Enable the Client Credentials Flow on the connected app and set its "Run As" user'

const LOGIN_URL_ADVICE =
    'Check Login URL: use https://login.salesforce.com (or your My Domain) for production and ' +
    'https://test.salesforce.com (or the sandbox My Domain) for a sandbox'

const PRE_AUTHORIZE_ADVICE =
    'set Permitted Users to "Admin approved users are pre-authorized" and add the user\'s profile or a permission ' +
    'set to the app (Setup → Connected Apps → Manage → Edit Policies)'

/** The single-object paths of the SCIM API: only the first names the account itself. */
const USER_PATH = /\/Users\/[^/]+$/
const ENTITLEMENT_PATH = /\/(Groups|Roles|Entitlements)\/([^/]+)$/
/** A user's login-state row in the REST API. */
const USER_LOGIN_PATH = /\/sobjects\/UserLogin\/[^/]+$/

const ENTITLEMENT_KINDS: readonly (readonly [SalesforceIdKind, string])[] = [
    ['group', 'public group'],
    ['role', 'role'],
    ['profile', 'profile'],
    ['permissionSet', 'permission set'],
]
const LABEL_BY_ENDPOINT: Readonly<Record<string, string>> = {
    Groups: 'public group',
    Roles: 'role',
    Entitlements: 'profile or permission set',
}

/** The group, role, profile or permission set an id names, by its prefix; undefined for any other id. */
function entitlementLabel(id: string): string | undefined {
    return ENTITLEMENT_KINDS.find(([kind]) => isSalesforceId(id, kind))?.[1]
}

/** `public group 00G…` for the object a failed request or Salesforce's text names. */
function missingObject(seen: SeenFailure): { readonly label: string; readonly id: string } {
    const byPath = ENTITLEMENT_PATH.exec(seen.request.path)
    if (byPath?.[2] !== undefined) {
        const id = decodeURIComponent(byPath[2])
        return { label: entitlementLabel(id) ?? LABEL_BY_ENDPOINT[byPath[1] ?? ''] ?? 'object', id }
    }
    const id = entitlementIdIn(seen.parsed.text) ?? ''
    return { label: entitlementLabel(id) ?? 'object', id }
}

function entitlementIdIn(text: string): string | undefined {
    return text.match(/\b[A-Za-z0-9]{15,18}\b/g)?.find((token) => entitlementLabel(token) !== undefined)
}

function quotedNames(text: string): string[] {
    // Quoted names only: apostrophes inside words ("can't", "User's") are not quotes.
    const names = [...text.matchAll(/(?:^|[\s(:])(?:'([^']+)'|"([^"]+)")(?=[\s.,;:)]|$)/g)].map(
        (m) => m[1] ?? m[2] ?? ''
    )
    const required = /requires?\s+(?:the\s+)?(?:…\s*)?([A-Z][\w ]*?)(?:[.;,]|$)/.exec(text)?.[1]
    return [...new Set([...names, ...(required !== undefined ? [required.trim()] : [])])].filter((n) => n !== '')
}

/** Codes under which Salesforce refuses a valid-looking change; the text says why, and the advice follows it. */
const REFUSAL = /^(INVALID|INVALID_FIELD|FIELD_INTEGRITY_EXCEPTION|CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY)$/
const REFUSAL_WHAT: Readonly<Record<string, string>> = {
    INVALID: 'Salesforce refused a value',
    INVALID_FIELD: 'Salesforce refused a field',
}
const refusalWhat = (seen: SeenFailure): string => REFUSAL_WHAT[seen.code ?? ''] ?? 'Salesforce refused the change'

const FILTER_PROBLEM =
    /unsupported attribute|unsupported operator|quoted string literal|unbalanced brackets|illegal token|only one membership/i

/** The REST rows provisioning writes, by the object in the request path, as the kind of access each carries. */
const ROW_KIND_BY_OBJECT = {
    PermissionSetAssignment: 'permissionSet',
    PermissionSetLicenseAssign: 'permissionSetLicense',
    UserPackageLicense: 'packageLicense',
    GroupMember: 'queue',
    User: 'featureLicense',
} as const
const PROVISIONING_PATH =
    /\/sobjects\/(PermissionSetAssignment|PermissionSetLicenseAssign|UserPackageLicense|GroupMember|User)(?:\/|$)/
const LICENSE_ROW_PATH = /\/sobjects\/(PermissionSetLicenseAssign|UserPackageLicense)(?:\/|$)/
const ASSIGNMENT_ROW_PATH =
    /\/sobjects\/(PermissionSetAssignment|PermissionSetLicenseAssign|UserPackageLicense)(?:\/|$)/

/** The kind of access a REST provisioning request writes, from its path. */
function rowKindOf(seen: SeenFailure): keyof typeof PROVISIONING_PERMISSION {
    const object = PROVISIONING_PATH.exec(seen.request.path)?.[1] as keyof typeof ROW_KIND_BY_OBJECT | undefined
    return object === undefined ? 'permissionSet' : ROW_KIND_BY_OBJECT[object]
}

/** The permission set and the license a refused assignment names, when Salesforce's text names them. */
function neededLicense(text: string): string {
    const permissionSet = /permission set (\S+?) to user/i.exec(text)?.[1]
    const license =
        /permission set license (.+?) that/i.exec(text)?.[1] ??
        /doesn'?t allow the permission:? ([^.;]+)/i.exec(text)?.[1]
    const which = permissionSet !== undefined ? `The permission set ${permissionSet}` : 'The permission set'
    const what = license !== undefined ? ` (${license.trim()})` : ''
    return (
        `${which} needs a license the user lacks${what}: give the user the permission set license it needs first ` +
        '(permissionSetLicenses), or a profile of the user license the permission set is made for, then retry'
    )
}

/** The table. Verbatim payloads for each rule are in `test/unit/http/error-rules.test.ts`. */
export const ERROR_RULES: readonly ErrorRule[] = [
    // Sessions. The 401s a new token cannot fix are listed in `isSessionExpired` (after jsforce), and get no refresh.
    {
        when: { code: 'INVALID_SESSION_ID', text: /not valid for use with the REST API/i },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused the session',
            advice:
                'Add the "Manage user data via APIs (api)" OAuth scope to the connected app, and check that no session ' +
                'policy (e.g. high assurance) blocks API sessions for the integration user',
        },
    },
    {
        when: { code: 'INVALID_SESSION_ID', text: /BlackTab users cannot perform API operations/i },
        say: {
            error: AuthenticationError,
            what: 'Salesforce bars this login from the API',
            advice:
                'Salesforce lets no BlackTab user use the API, and a new token would be refused the same way: log ' +
                'in as a regular, API Enabled user of the org (Username, or the Run As user of the connected app)',
        },
    },
    {
        when: { code: 'INVALID_SESSION_ID' },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused the session',
            advice:
                'A fresh token was refused too: check the connected app\'s IP relaxation and session policies, "Lock ' +
                'sessions to the IP address from which they originated", and that the integration user is API Enabled',
        },
    },

    // Limits. The org's API limit arrives as 403 REQUEST_LIMIT_EXCEEDED (retry-policy.ts never retries it).
    {
        when: { code: 'REQUEST_LIMIT_EXCEEDED', text: /concurrent/i },
        say: {
            error: RateLimitError,
            what: 'Salesforce API request limit reached',
            advice: 'Too many long-running requests run at once in the org: lower Max Concurrency or run fewer jobs at the same time',
        },
    },
    {
        when: { code: 'REQUEST_LIMIT_EXCEEDED' },
        say: {
            error: RateLimitError,
            what: 'Salesforce API request limit reached',
            advice:
                "The org's API request limit is a rolling 24-hour limit for the whole org: see Setup → Company Information " +
                '(API Requests, Last 24 Hours) or Setup → System Overview. The connector does not retry it; wait for ' +
                'usage to drop, or ask Salesforce for a higher limit',
        },
    },

    // Provisioning beyond SCIM: the assignment rows and flags of REST-only entitlements (Govern Access Beyond SCIM).
    {
        when: { code: 'LICENSE_LIMIT_EXCEEDED', path: LICENSE_ROW_PATH },
        say: {
            error: LicenseLimitError,
            what: (seen) => `No free seats of the ${PROVISIONING_LABEL[rowKindOf(seen)]}`,
            advice:
                'Free a seat (remove the license from a user who no longer needs it) or buy more; Setup → Company ' +
                'Information lists the seats in use',
        },
    },
    {
        when: {
            code: /^(FIELD_INTEGRITY_EXCEPTION|INVALID|INVALID_CROSS_REFERENCE_KEY|CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY)$/,
            text: /can'?t assign permission set|permission set license|doesn'?t allow the permission/i,
        },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce refused the permission set',
            advice: ({ parsed }) => neededLicense(parsed.text),
        },
    },
    {
        when: {
            code: /^(DELETE_FAILED|FIELD_INTEGRITY_EXCEPTION|INVALID_OPERATION|CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY)$/,
            path: /\/sobjects\/PermissionSetLicenseAssign\//,
        },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce kept the permission set license',
            advice:
                'Permission sets the user holds (directly or through a permission set group) need this license: ' +
                'remove those first, then remove the license',
        },
    },
    {
        when: { code: 'DUPLICATE_VALUE', path: ASSIGNMENT_ROW_PATH },
        say: {
            error: ObjectAlreadyExistsError,
            what: (seen) => `The user already has the ${PROVISIONING_LABEL[rowKindOf(seen)]}`,
            advice: 'Nothing to add; aggregate the account so that ISC shows what Salesforce holds',
        },
    },
    {
        when: { code: /^INSUFFICIENT_ACCESS/, path: PROVISIONING_PATH },
        say: {
            error: InsufficientPermissionError,
            what: (seen) => `The integration user may not change the ${PROVISIONING_LABEL[rowKindOf(seen)]}s of users`,
            advice: (seen) =>
                `Give the integration user the Salesforce permission "${PROVISIONING_PERMISSION[rowKindOf(seen)]}" ` +
                'through its profile or a permission set (Setup → Users → the integration user)',
        },
    },

    // Creates and updates.
    {
        when: { code: 'DUPLICATE_USERNAME' },
        say: {
            error: ObjectAlreadyExistsError,
            what: 'The userName is already taken',
            advice:
                'A Salesforce userName must be unique across all Salesforce orgs, not just this one: choose another ' +
                "userName (it does not have to be the user's email address)",
        },
    },
    {
        when: { code: 'DUPLICATE_VALUE' },
        say: {
            error: InvalidRequestError,
            what: 'A value that must be unique is already used',
            advice: 'Another user already has this value (often nickName, i.e. the community nickname, or the federation ID): choose another',
        },
    },
    {
        when: { code: 'LICENSE_LIMIT_EXCEEDED' },
        say: {
            error: LicenseLimitError,
            what: 'No Salesforce license left',
            advice:
                "No user license of the profile's license type is free: deactivate unused users to free licenses, buy more, " +
                'or choose a profile of another license type (Setup → Company Information lists licenses in use)',
        },
    },
    {
        when: { code: 'REQUIRED_FIELD_MISSING', text: PROFILE_MISSING },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce needs a field that was not sent',
            advice:
                'Every Salesforce user needs exactly one profile: include a profile entitlement (an id starting 00e) in ' +
                'the request, or set Default Profile ID on the source',
        },
    },
    {
        when: { code: 'REQUIRED_FIELD_MISSING' },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce needs a field that was not sent',
            advice: 'Send the missing field (userName, email and last name are required for a new user)',
        },
    },
    {
        when: { code: REFUSAL, text: [/license/i, /profile|derived|doesn't|does not|match/i] },
        say: {
            error: InvalidRequestError,
            what: refusalWhat,
            advice: ({ parsed }) => {
                const names = quotedNames(parsed.text)
                const named = names.length > 0 ? ` (${names.join(', ')})` : ''
                return (
                    `The profile and the user's license do not match${named}: pick a profile of the same user license ` +
                    "as the user, or change the user's license first in Salesforce Setup → Users"
                )
            },
        },
    },
    {
        when: { code: REFUSAL, text: /hierarchy field/i },
        say: {
            error: InvalidRequestError,
            what: refusalWhat,
            advice:
                'Salesforce will not deactivate a user other users point to through a hierarchy field (e.g. Manager): in ' +
                "Salesforce Setup → Users, change those users' Manager (or the custom hierarchy field) first, or freeze the user instead",
        },
    },
    {
        when: { code: REFUSAL, text: /web-to-lead|lead creator/i },
        say: {
            error: InvalidRequestError,
            what: refusalWhat,
            advice: 'The user is the Default Lead Creator: change it in Salesforce Setup → Web-to-Lead, then retry',
        },
    },
    {
        when: { code: REFUSAL, text: /case owner|automated case|support settings/i },
        say: {
            error: InvalidRequestError,
            what: refusalWhat,
            advice:
                'The user is the default case owner or Automated Case User: change it in Salesforce Setup → Support ' +
                'Settings, then retry',
        },
    },
    {
        when: { code: REFUSAL, text: /inactivate|deactivate/i },
        say: {
            error: InvalidRequestError,
            what: refusalWhat,
            advice:
                'Salesforce refuses to deactivate a user that org settings still reference (the text above names it): ' +
                'change that reference in Salesforce Setup, or freeze the user instead',
        },
    },
    {
        when: { code: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY' },
        say: {
            error: InvalidRequestError,
            what: refusalWhat,
            advice: 'An automation in the org (flow, trigger or validation) refused it; its text is above',
        },
    },
    { when: { code: REFUSAL }, say: { error: InvalidRequestError, what: refusalWhat, advice: INVALID_VALUE_ADVICE } },
    {
        when: { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
        say: {
            error: InvalidRequestError,
            what: 'A validation rule in the org refused the change',
            advice: 'Adjust the value or the validation rule on the User object (Setup → Object Manager → User → Validation Rules)',
        },
    },
    {
        when: { code: 'INVALID_CROSS_REFERENCE_KEY' },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce does not know a referenced id',
            advice: 'A profile, permission set, role, group or manager id sent does not exist in this org',
        },
    },
    {
        when: { code: 'UNSUPPORTED_FIELD' },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce does not support a field',
            advice: "Salesforce's SCIM API does not store this attribute; remove it from the account create/update profile",
        },
    },
    {
        when: { code: 'INVALID_EMAIL_ADDRESS' },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce refused the email address',
            advice: 'Send a valid email address',
        },
    },
    {
        when: { code: 'STRING_TOO_LONG' },
        say: {
            error: InvalidRequestError,
            what: 'A value is too long for Salesforce',
            advice: 'Shorten the value (nickName allows 40 characters, alias 8)',
        },
    },
    {
        when: { code: 'INVALID_NEW_PASSWORD' },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce refused the new password',
            advice:
                "The password does not meet the org's password policy or repeats a recent one: see Setup → Password Policies " +
                "(or the user's profile password policy)",
        },
    },

    // Permissions.
    // Login state (freeze, unfreeze, unlock): a write to a UserLogin row names the permissions it needs. These
    // stand before the broad permission rule below, which would otherwise match first.
    {
        when: { code: /^INSUFFICIENT_ACCESS/, path: USER_LOGIN_PATH },
        say: {
            error: InsufficientPermissionError,
            what: "The integration user may not change users' login state",
            advice:
                `Freezing and unfreezing need ${REST_PERMISSIONS.freeze}; unlocking needs ` +
                `${REST_PERMISSIONS.unlock}: grant them through the integration user's profile or a permission set`,
        },
    },
    {
        // To a user without the permission, UserLogin does not exist: "sObject type 'UserLogin' is not supported".
        when: { code: 'INVALID_TYPE', text: /\bUserLogin\b/ },
        say: {
            error: InsufficientPermissionError,
            what: "The integration user may not see users' login state",
            advice:
                `Reading whether users are frozen or locked out needs ${REST_PERMISSIONS.freeze}; unlocking needs ` +
                `${REST_PERMISSIONS.unlock}: grant them through the integration user's profile or a permission set`,
        },
    },
    {
        // INSUFFICIENT_ACCESS, INSUFFICIENT_ACCESS_OR_READONLY, INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY, …
        when: { code: /^INSUFFICIENT_ACCESS/ },
        say: {
            error: InsufficientPermissionError,
            what: 'The integration user lacks a permission',
            advice: PERMISSION_ADVICE,
        },
    },
    {
        when: { code: 'API_DISABLED_FOR_ORG' },
        say: {
            error: InsufficientPermissionError,
            what: 'The Salesforce API is not enabled',
            advice: 'The org edition must include API access and the integration user needs "API Enabled"',
        },
    },
    {
        when: { code: 'API_CURRENTLY_DISABLED' },
        say: {
            error: InsufficientPermissionError,
            what: 'The Salesforce API is disabled for this user',
            advice: 'Grant the integration user "API Enabled" through its profile or a permission set',
        },
    },
    {
        when: { code: 'UNKNOWN_EXCEPTION' },
        say: { error: SalesforceServerError, what: 'Salesforce failed to process the request', advice: SUPPORT_ADVICE },
    },

    // The token endpoint: HTTP 400 {error, error_description} (salesforce-scim.md §7.5).
    {
        when: { code: 'invalid_client_id' },
        say: {
            error: AuthenticationError,
            what: 'Salesforce did not recognise the connected app',
            advice:
                'Check Consumer Key: copy it again from Setup → App Manager → the connected app → View → Manage Consumer ' +
                'Details, and check that Login URL is the org the app lives in (a new app can take up to 10 minutes to work)',
        },
    },
    {
        when: { code: 'invalid_client', text: /no client credentials user enabled/i },
        say: { error: AuthenticationError, what: 'Salesforce refused the client credentials', advice: RUN_AS_ADVICE },
    },
    {
        when: { code: 'invalid_client' },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused the client credentials',
            advice:
                'Check Consumer Secret (Setup → App Manager → the connected app → Manage Consumer Details); a ' +
                'regenerated secret replaces the old one',
        },
    },
    {
        when: { code: 'invalid_grant', text: /audience/i },
        say: { error: AuthenticationError, what: 'Salesforce refused to log in', advice: LOGIN_URL_ADVICE },
    },
    {
        // Salesforce answers a JWT for a username it does not know in that org with the same text as for a user
        // who is not pre-authorized, so a typo in Username, or a production Login URL for a sandbox user (or the
        // reverse), is the likelier cause.
        when: { code: 'invalid_grant', text: /approved|pre-?authori[sz]ed/i },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused to log in',
            advice:
                'Most often Username or Login URL is wrong: check the spelling of Username (a sandbox username ends ' +
                'in the sandbox name, e.g. .uat), and that Login URL is the org the user is in (https://login.salesforce.com ' +
                'or the My Domain for production, https://test.salesforce.com or the sandbox My Domain for a sandbox). ' +
                `If both are right, the integration user is not pre-authorized for the connected app: ${PRE_AUTHORIZE_ADVICE}`,
        },
    },
    {
        when: { code: 'invalid_grant', text: /client credentials user/i },
        say: { error: AuthenticationError, what: 'Salesforce refused to log in', advice: RUN_AS_ADVICE },
    },
    {
        when: { code: 'invalid_grant', text: /not supported on this domain/i },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused to log in',
            advice: 'Client credentials need the My Domain URL as Login URL, e.g. https://mycompany.my.salesforce.com',
        },
    },
    {
        when: { code: 'invalid_grant', text: /invalid assertion|jwt|signature|certificate/i },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused to log in',
            advice: 'The certificate on the connected app does not match Private Key, or Username is not in this org',
        },
    },
    {
        when: { code: 'invalid_grant', text: /expired/i },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused to log in',
            advice: 'The grant has expired; authenticate again',
        },
    },
    {
        // A frozen user cannot log in, through the API too. Salesforce documents no words of its own for it; where
        // it names the state (as `user is frozen`), the fix is plain.
        when: { code: 'invalid_grant', text: /\bfrozen\b/i },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused to log in: the integration user is frozen',
            advice:
                'Unfreeze the integration user in Salesforce Setup → Users (Unfreeze), or configure another user; ' +
                'a frozen user cannot log in, through the API either',
        },
    },
    {
        when: { code: 'invalid_grant' },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused to log in',
            advice:
                "Check Username, Password and Security Token (append the token, or add the connector's IP range to " +
                "the profile's Login IP Ranges or the org's trusted IPs); check that the user is not locked out or " +
                'frozen (Setup → Users)',
        },
    },
    {
        when: { code: 'invalid_app_access' },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused to log in',
            advice: `The integration user is not pre-authorized for the connected app: ${PRE_AUTHORIZE_ADVICE}`,
        },
    },
    {
        when: { code: 'unsupported_grant_type' },
        say: {
            error: AuthenticationError,
            what: 'Salesforce does not allow this login flow',
            advice:
                'Enable this flow on the connected app (Client Credentials, or JWT with "Use digital signatures"); ' +
                'the username-password flow may be blocked by the org ("Allow OAuth Username-Password Flows")',
        },
    },
    {
        when: { code: 'inactive_user' },
        say: {
            error: AuthenticationError,
            what: 'The integration user is inactive',
            advice: 'Reactivate the integration user in Salesforce Setup → Users, or configure another user',
        },
    },
    {
        when: { code: 'inactive_org' },
        say: {
            error: AuthenticationError,
            what: 'The Salesforce org is inactive',
            advice: 'The org is locked, deleted or its trial has ended; check the org in Salesforce',
        },
    },
    {
        when: { code: 'invalid_request' },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused the login request',
            advice: 'Check Authentication Type and Login URL',
        },
    },
    {
        when: { code: 'rate_limit_exceeded' },
        say: {
            error: RateLimitError,
            what: 'Salesforce limited logins',
            advice: 'Too many logins in a short time: wait a few minutes and retry',
        },
    },

    // No code the connector knows: the kind of body, Salesforce's words, the status and the path decide.
    {
        when: { notApi: true, status: (s) => s >= 500 },
        say: { error: SalesforceServerError, what: 'Salesforce did not answer like its API', advice: NOT_API_ADVICE },
    },
    {
        when: { notApi: true },
        say: { error: InvalidResponseError, what: 'Salesforce did not answer like its API', advice: NOT_API_ADVICE },
    },
    {
        when: { text: FILTER_PROBLEM },
        say: {
            error: InvalidRequestError,
            what: 'Salesforce refused the filter',
            advice: 'Check Account Filter: quote every value ("true" too), balance parentheses, use known attributes',
        },
    },
    {
        // An unknown *path*, not an unknown record: reporting notFound would make ISC create the account again.
        when: { status: 404, text: /could not find a match for url/i },
        say: {
            error: InvalidResponseError,
            what: 'Salesforce has no SCIM API at this address',
            advice: 'Check Login URL and that the org has SCIM (it needs API access)',
        },
    },
    {
        // A 404 for a user write whose text names a group, role, profile or permission set: that object is what
        // is missing, not the user.
        when: { status: 404, path: USER_PATH, test: ({ parsed }) => entitlementIdIn(parsed.text) !== undefined },
        say: { error: MissingEntitlementError, what: missingObjectWhat, advice: missingObjectAdvice },
    },
    {
        // B3: only the user itself is ISC's notFound (ISC then creates the account).
        when: { status: 404, path: USER_PATH },
        say: {
            error: NotFoundError,
            what: 'Not found in Salesforce',
            advice:
                'Salesforce never deletes users (a deactivated user is still found), so the id is wrong or is a user ' +
                'of another Salesforce org: check Login URL, then aggregate the source again',
        },
    },
    {
        // A group deleted since the last aggregation, or a queue: Salesforce's single GET and PATCH of
        // /Groups/{queueId} answer 404. Never notFound: the user exists, and ISC would create it again.
        when: { status: 404, path: ENTITLEMENT_PATH },
        say: { error: MissingEntitlementError, what: missingObjectWhat, advice: missingObjectAdvice },
    },
    {
        when: { status: 404 },
        say: {
            error: InvalidResponseError,
            what: 'Salesforce has nothing at this address',
            advice: 'Check Login URL and that the org has SCIM (it needs API access)',
        },
    },
    {
        when: { status: 400 },
        say: { error: InvalidRequestError, what: 'Salesforce refused the request', advice: INVALID_VALUE_ADVICE },
    },
    {
        when: { status: 401 },
        say: {
            error: AuthenticationError,
            what: 'Salesforce refused the credentials',
            advice: 'Run Test Connection; check the connected app and the integration user',
        },
    },
    {
        when: { status: 403 },
        say: { error: InsufficientPermissionError, what: 'Salesforce denied access', advice: PERMISSION_ADVICE },
    },
    {
        when: { status: 409 },
        say: { error: InvalidRequestError, what: 'Salesforce refused the change', advice: INVALID_VALUE_ADVICE },
    },
    {
        // Salesforce documents no 429 for its API (its limits are 403 REQUEST_LIMIT_EXCEEDED): this most likely comes
        // from something in front of it, and reaches the admin only after the retries retry-policy.ts allows.
        when: { status: 429 },
        say: {
            error: RateLimitError,
            what: 'Salesforce limited the request rate',
            advice: 'Lower Max Concurrency; if it persists, check any proxy between the connector and Salesforce',
        },
    },
    {
        when: { status: (s) => s >= 500 },
        say: { error: SalesforceServerError, what: 'Salesforce failed on its side', advice: SUPPORT_ADVICE },
    },
    {
        when: {},
        say: {
            error: InvalidResponseError,
            what: ({ status }) => `Salesforce answered HTTP ${status}, which the connector does not expect`,
            advice: 'Check Login URL; a redirect usually means a wrong or outdated host',
        },
    },
]

function missingObjectWhat(seen: SeenFailure): string {
    const { label, id } = missingObject(seen)
    return `Salesforce has no ${label} ${id}`.trimEnd()
}

function missingObjectAdvice(seen: SeenFailure): string {
    const { label } = missingObject(seen)
    const queue = label === 'public group' ? ", or the id is a queue's (SCIM serves public groups only)" : ''
    return (
        `The ${label} may have been deleted in Salesforce since the last entitlement aggregation${queue}: aggregate ` +
        'entitlements again, then remove it from the access that grants it'
    )
}

function matchesCode(want: string | RegExp, code: string): boolean {
    return typeof want === 'string' ? want === code : want.test(code)
}

function matches(when: When, seen: SeenFailure): boolean {
    if (when.code !== undefined && (seen.code === undefined || !matchesCode(when.code, seen.code))) return false
    if (typeof when.status === 'number' && when.status !== seen.status) return false
    if (typeof when.status === 'function' && !when.status(seen.status)) return false
    const texts = when.text === undefined ? [] : when.text instanceof RegExp ? [when.text] : when.text
    if (!texts.every((pattern) => pattern.test(seen.parsed.text))) return false
    if (when.path !== undefined && !when.path.test(seen.request.path)) return false
    if (when.notApi === true && seen.parsed.notApi !== true) return false
    return when.test === undefined || when.test(seen)
}

/** Whether any rule is about this code: of several codes in one body, the first known one leads. */
export function isKnownCode(code: string): boolean {
    return ERROR_RULES.some((rule) => rule.when.code !== undefined && matchesCode(rule.when.code, code))
}

/** The rule for a failed answer, with the code it matched on. The table's last rule matches anything. */
export function ruleFor(
    status: number,
    parsed: ParsedSalesforceError,
    request: RequestSummary
): { readonly rule: ErrorRule; readonly seen: SeenFailure } {
    const codes = [...new Set([...(parsed.errorCode !== undefined ? [parsed.errorCode] : []), ...parsed.codes])]
    for (const code of codes) {
        const seen = { status, parsed, request, code }
        const rule = ERROR_RULES.find((r) => r.when.code !== undefined && matches(r.when, seen))
        if (rule !== undefined) return { rule, seen }
    }
    const seen = { status, parsed, request }
    const rule = ERROR_RULES.find((r) => r.when.code === undefined && matches(r.when, seen))
    // The last rule has an empty `when`; this only keeps the type checker content.
    return { rule: rule ?? (ERROR_RULES[ERROR_RULES.length - 1] as ErrorRule), seen }
}

export function words(text: Words, seen: SeenFailure): string {
    return typeof text === 'string' ? text : text(seen)
}
