import { ConnectorError, ConnectorErrorType } from '@sailpoint/connector-sdk'

/**
 * Errors the connector raises. ISC only knows `generic` and `notFound`, so the class name says what went wrong
 * and the message says what the admin should do. None of them carries a request, a response or a token:
 * only the Salesforce error code, its text and the HTTP status.
 */
export interface SalesforceErrorDetails {
    /** Salesforce's code, e.g. `DUPLICATE_USERNAME`, `INVALID_SESSION_ID`, `invalid_grant`. */
    readonly errorCode?: string
    readonly status?: number
    readonly fields?: readonly string[]
}

export class SalesforceConnectorError extends ConnectorError {
    readonly errorCode?: string
    readonly status?: number
    readonly fields?: readonly string[]

    constructor(
        message: string,
        details: SalesforceErrorDetails = {},
        type: ConnectorErrorType = ConnectorErrorType.Generic
    ) {
        super(message, type)
        this.name = new.target.name
        if (details.errorCode !== undefined) this.errorCode = details.errorCode
        if (details.status !== undefined) this.status = details.status
        if (details.fields !== undefined) this.fields = details.fields
    }
}

/** A source config value is missing, malformed or contradictory. */
export class InvalidConfigurationError extends SalesforceConnectorError {}
/** The token endpoint refused the credentials (OAuth `invalid_grant`, `invalid_client_id`, ...). */
export class AuthenticationError extends SalesforceConnectorError {}
/** The integration user lacks a permission Salesforce requires for the call. */
export class InsufficientPermissionError extends SalesforceConnectorError {}
/** The command input or the values sent to Salesforce were refused as invalid. */
export class InvalidRequestError extends SalesforceConnectorError {}
/** A user with that userName exists (in this or another org). */
export class ObjectAlreadyExistsError extends SalesforceConnectorError {}
/** No free user license of the profile's license type. */
export class LicenseLimitError extends SalesforceConnectorError {}
/** The org's API request limit is reached: not retried. */
export class RateLimitError extends SalesforceConnectorError {}
/** Salesforce answered with something that is not what its API documents. */
export class InvalidResponseError extends SalesforceConnectorError {}
/** No answer in time, or the connection dropped, after the retries allowed. */
export class TimeoutError extends SalesforceConnectorError {}
/**
 * A group, role, profile or permission set the request names no longer exists in Salesforce (deleted since the
 * last entitlement aggregation, or a queue's id where a public group was expected). Of type `generic`, never
 * `notFound`: the user was found, and ISC would answer `notFound` by creating the account again.
 */
export class MissingEntitlementError extends InvalidRequestError {}
/** Salesforce failed on its side (5xx) after the retries allowed. */
export class SalesforceServerError extends SalesforceConnectorError {}

/** The account or entitlement does not exist: ISC reacts to this type (e.g. by creating the account). */
export class NotFoundError extends SalesforceConnectorError {
    constructor(message: string, details: SalesforceErrorDetails = {}) {
        super(message, details, ConnectorErrorType.NotFound)
    }
}
