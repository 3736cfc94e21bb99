import { SalesforceConnectorError } from '../errors'
import { redactSecrets, redactText } from '../logger'
import { ParsedSalesforceError, Segment, parseErrorBody, parseScimDetail as splitScimDetail } from './error-body'
import { isKnownCode, ruleFor, words } from './error-rules'
import type { Exchange } from './exchange'
import type { RequestSummary } from './network-error'
import type { AttemptFailure } from './retry-policy'

/**
 * The HTTP layer's one door to Salesforce's errors: reading a body (`error-body.ts`), choosing what it means
 * (`error-rules.ts`), network failures (`network-error.ts`), and the two questions the request loop asks of a
 * failed answer: is it an expired session, and how does retrying see it.
 */

export { networkError } from './network-error'

/** Reads any error body Salesforce sends; see `error-body.ts` for the shapes. */
export function parseSalesforceError(data: unknown, contentType?: string): ParsedSalesforceError {
    return parseErrorBody(data, contentType, isKnownCode)
}

/** Splits a SCIM `detail` of `CODE:reason;` segments (codes buried in free text count if a rule knows them). */
export function parseScimDetail(detail: string): Segment[] {
    return splitScimDetail(detail, isKnownCode)
}

/**
 * Turns a Salesforce error response into the connector's error, as
 * `<what happened>: <errorCode>: <Salesforce text> (HTTP <status> <METHOD> <path>). <What to do>`.
 * Secrets are redacted from Salesforce's text; the error carries only code, status and fields.
 */
export function toConnectorError(
    status: number,
    parsed: ParsedSalesforceError,
    request: RequestSummary,
    secrets: readonly (string | undefined)[] = []
): SalesforceConnectorError {
    const { rule, seen } = ruleFor(status, parsed, request)
    const text = redactSecrets(redactText(parsed.text), secrets)
    const code = parsed.errorCode !== undefined ? `${parsed.errorCode}: ` : ''
    const message =
        `${words(rule.say.what, seen)}: ${code}${text} (HTTP ${status} ${request.method} ${request.path}). ` +
        words(rule.say.advice, seen)
    return new rule.say.error(message, {
        ...(parsed.errorCode !== undefined ? { errorCode: parsed.errorCode } : {}),
        status,
        ...(parsed.fields !== undefined ? { fields: parsed.fields } : {}),
    })
}

/** A failed exchange as retrying judges it: the network code, or the status with Salesforce's code and Retry-After. */
export function attemptFailure(outcome: Exchange, parsed: ParsedSalesforceError | undefined): AttemptFailure {
    return outcome.kind === 'network'
        ? { kind: 'network', code: outcome.code ?? '' }
        : {
              kind: 'status',
              status: outcome.status,
              ...(parsed?.errorCode !== undefined ? { errorCode: parsed.errorCode } : {}),
              ...(outcome.retryAfter !== undefined ? { retryAfter: outcome.retryAfter } : {}),
          }
}

/**
 * 401 texts of INVALID_SESSION_ID that a new token cannot fix, as jsforce lists them (`http-api.ts`): a session
 * policy barring the API, an Agent API app not attached, and BlackTab (Salesforce support) logins. Refreshing on
 * them would only loop.
 */
const NOT_A_SESSION_EXPIRY =
    /not valid for use with the REST API|not attached to Agent|BlackTab users cannot perform API operations/i

/** Whether a 401 means the session expired, so a new token and one replay may help. */
export function isSessionExpired(status: number, parsed: ParsedSalesforceError): boolean {
    return status === 401 && parsed.codes.includes('INVALID_SESSION_ID') && !NOT_A_SESSION_EXPIRY.test(parsed.text)
}
