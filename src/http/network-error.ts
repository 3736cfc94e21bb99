import { InvalidConfigurationError, SalesforceConnectorError, TimeoutError } from '../errors'

/** The request an error belongs to, as it may appear in a message: method and path only, never the query. */
export interface RequestSummary {
    readonly method: string
    readonly path: string
}

/** Codes of failures where the request may or may not have reached Salesforce. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_NETWORK', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED'])
const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/

/**
 * Turns a failure without an HTTP response (timeout, dropped connection, DNS, TLS) into the connector's error.
 * `code` is Node's or axios's error code; it becomes the error's `errorCode`.
 */
export function networkError(
    code: string | undefined,
    description: string,
    request: RequestSummary,
    timeoutSeconds: number
): SalesforceConnectorError {
    const where = `(${request.method} ${request.path})`
    const errorCode = code ?? (/socket hang up/i.test(description) ? 'ECONNRESET' : 'ERR_NETWORK')
    const details = { errorCode }
    if (TIMEOUT_CODES.has(errorCode)) {
        return new TimeoutError(
            `Salesforce did not answer in time: ${errorCode} ${where}. Salesforce may be slow; raise Request Timeout ` +
                `(now ${timeoutSeconds} s) or retry later`,
            details
        )
    }
    if (DROPPED_CODES.has(errorCode)) {
        return new TimeoutError(
            `The connection to Salesforce dropped: ${errorCode} ${where}. Retry later; if it persists, check the ` +
                'network path to Salesforce',
            details
        )
    }
    if (UNREACHABLE_CODES.has(errorCode)) {
        return new InvalidConfigurationError(
            `Could not reach Salesforce: ${errorCode} ${where}. Check Login URL (host name and spelling)`,
            details
        )
    }
    if (TLS_CODES.test(errorCode)) {
        return new InvalidConfigurationError(
            `The TLS certificate presented for Salesforce was not trusted: ${errorCode} ${where}. Check Login URL; a ` +
                'proxy that inspects TLS must not sit between the connector and Salesforce',
            details
        )
    }
    return new TimeoutError(`The request to Salesforce failed: ${errorCode} ${where}. Retry later`, details)
}
