/**
 * The four error shapes Salesforce's SCIM service answers with:
 * - SCIM 2.0 business errors: `{"schemas":"[\"urn:…:Error\"]","detail":"CODE:reason;","status":409}`, with `schemas`
 *   serialised as a string (a bug present in both the pilot and the native service);
 * - the Spring '26 malformed-payload object `{"message": "...", "errorCode": "UNKNOWN_EXCEPTION"}`;
 * - platform REST error arrays `[{"message","errorCode"}]` (session, limits, unknown URL);
 * - OAuth token errors `{"error","error_description"}`.
 */

export const SCIM_ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error'

/** A SCIM 2.0 error. `detail` follows Salesforce's `CODE:reason;` segment format where the platform uses it. */
export class ScimError extends Error {
    constructor(
        readonly status: number,
        readonly detail: string
    ) {
        super(detail)
        this.name = 'ScimError'
    }

    body(stringifiedSchemas: boolean): Record<string, unknown> {
        return {
            schemas: stringifiedSchemas ? JSON.stringify([SCIM_ERROR_URN]) : [SCIM_ERROR_URN],
            detail: this.detail,
            status: this.status,
        }
    }
}

/** One `CODE:reason;` segment of a SCIM error detail. */
export function segment(code: string, reason: string): string {
    return `${code}:${reason};`
}

/** A platform error answered as Salesforce's REST error array. */
export class RestApiError extends Error {
    constructor(
        readonly status: number,
        readonly errorCode: string,
        message: string,
        readonly headers: Record<string, string> = {}
    ) {
        super(message)
        this.name = 'RestApiError'
    }

    body(): unknown[] {
        return [{ message: this.message, errorCode: this.errorCode }]
    }
}

/**
 * Spring '26: a SCIM payload in the wrong form (e.g. a PATCH `value` that is an array instead of an object) is answered
 * with a bare REST-style object rather than a SCIM error. The status is not documented; 400 is the natural choice.
 */
export class MalformedPayloadError extends Error {
    readonly status = 400

    constructor() {
        super(
            'Processing/execution error: check the format of your request payload. If you still have issues, contact Support and share this error ID: ' +
                errorId()
        )
        this.name = 'MalformedPayloadError'
    }

    body(): Record<string, unknown> {
        return { message: this.message, errorCode: 'UNKNOWN_EXCEPTION' }
    }
}

/** OAuth token endpoint error, always HTTP 400 from Salesforce's token endpoint. */
export class OAuthError extends Error {
    readonly status = 400

    constructor(
        readonly error: string,
        readonly description: string
    ) {
        super(description)
        this.name = 'OAuthError'
    }

    body(): Record<string, unknown> {
        return { error: this.error, error_description: this.description }
    }
}

/**
 * A record-level refusal of the REST API (a DML validation, a field that cannot be written): HTTP 400 by default with
 * Salesforce's `[{"message","errorCode","fields"}]`.
 */
export class DmlError extends RestApiError {
    constructor(
        errorCode: string,
        message: string,
        readonly fields: readonly string[] = [],
        status = 400
    ) {
        super(status, errorCode, message)
        this.name = 'DmlError'
    }

    override body(): unknown[] {
        return [{ message: this.message, errorCode: this.errorCode, fields: [...this.fields] }]
    }

    /** A SCIM-side rule's `CODE:reason;` detail as the REST API words it. */
    static fromScim(e: ScimError): DmlError {
        const m = /^([A-Z_]+):\s*([^;]*)/.exec(e.detail)
        if (!m) return new DmlError('INVALID_FIELD', e.detail)
        return new DmlError(m[1] ?? 'INVALID_FIELD', (m[2] ?? '').trim())
    }
}

export const INVALID_SESSION = (): RestApiError =>
    new RestApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid')

export const REQUEST_LIMIT_EXCEEDED = (): RestApiError =>
    new RestApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')

/** A write by a user without "Manage Users": Salesforce's platform answer. */
export const INSUFFICIENT_ACCESS = (): RestApiError =>
    new RestApiError(
        403,
        'INSUFFICIENT_ACCESS',
        'Insufficient Privileges: You do not have the level of access necessary to perform the operation you ' +
            'requested. Please contact the owner of the record or your administrator if access is necessary.'
    )

export const NOT_FOUND_URL = (): RestApiError => new RestApiError(404, 'NOT_FOUND', 'Could not find a match for URL')

export const METHOD_NOT_ALLOWED = (method: string, allowed: readonly string[]): RestApiError =>
    new RestApiError(
        405,
        'METHOD_NOT_ALLOWED',
        `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`,
        { Allow: allowed.join(', ') }
    )

let errorIdCounter = 0

/** Salesforce error ids look like `1234567890-123456 (-987654321)`. */
function errorId(): string {
    errorIdCounter = (errorIdCounter + 1) % 1_000_000
    const a = 1_000_000_000 + Math.floor(Math.random() * 899_999_999)
    const b = 100_000 + errorIdCounter
    const c = -(100_000_000 + Math.floor(Math.random() * 899_999_999))
    return `${a}-${b} (${c})`
}

/**
 * An uncaught Apex exception, as Salesforce's Apex REST layer answers it: HTTP 500 with a REST error array. The pilot
 * throws this one when a group remove names a user who is not a member (`GroupResource.cls`, `[… limit 1]`).
 */
export class ApexQueryException extends RestApiError {
    constructor() {
        super(
            500,
            'APEX_ERROR',
            'System.QueryException: List has no rows for assignment to SObject\n\nClass.GroupResource.doPatch: line 98, column 1'
        )
        this.name = 'ApexQueryException'
    }
}
