import axios from 'axios'
import { SalesforceConfig } from '../config'
import { InvalidResponseError } from '../errors'
import { logger } from '../logger'
import { TokenTransport } from '../auth/token-provider'
import { SalesforceTokenResponse } from '../salesforce/types'
import { exchange, traceExchange } from './exchange'
import { RetryTiming, defaultRetryTiming, isTransient, retryDelayMs } from './retry-policy'
import { attemptFailure, networkError, parseSalesforceError, toConnectorError } from './salesforce-error'

export const TOKEN_PATH = '/services/oauth2/token'

/** The secrets a source config holds, for value-based redaction of traces and error texts. */
export function configSecrets(config: SalesforceConfig): string[] {
    const auth = config.auth
    switch (auth.type) {
        case 'jwtBearer':
            return [auth.privateKey]
        case 'clientCredentials':
            return [auth.clientSecret]
        case 'usernamePassword':
            return [auth.clientSecret, auth.password]
    }
}

/**
 * POSTs the grant form to the login host's token endpoint. A token request changes nothing in Salesforce,
 * so unlike other POSTs it is retried on dropped connections and 5xx answers.
 * @throws AuthenticationError (OAuth refusals, with what to check), TimeoutError, SalesforceServerError,
 * InvalidConfigurationError (unreachable host), InvalidResponseError.
 */
export function createTokenTransport(
    config: SalesforceConfig,
    timing: RetryTiming = defaultRetryTiming
): TokenTransport {
    const http = axios.create({ timeout: config.requestTimeoutSeconds * 1000 })
    const url = `${config.loginUrl.origin}${TOKEN_PATH}`
    const summary = { method: 'POST', path: TOKEN_PATH }
    return async (form) => {
        const secrets = [...configSecrets(config), form.get('assertion') ?? undefined]
        for (let attempt = 0; ; attempt++) {
            const outcome = await exchange(
                http,
                {
                    method: 'POST',
                    url,
                    data: form.toString(),
                    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
                },
                timing.now
            )
            if (config.traceHttp) traceExchange('POST', TOKEN_PATH, Object.fromEntries(form), outcome, secrets)
            if (outcome.kind === 'response' && outcome.status === 200) {
                if (typeof outcome.data !== 'object' || outcome.data === null) {
                    throw new InvalidResponseError(
                        `The Salesforce token endpoint answered without JSON (HTTP 200 POST ${TOKEN_PATH}). Check Login URL`
                    )
                }
                return outcome.data as SalesforceTokenResponse
            }
            const parsed =
                outcome.kind === 'response' ? parseSalesforceError(outcome.data, outcome.contentType) : undefined
            const failure = attemptFailure(outcome, parsed)
            if (isTransient(failure) && attempt < config.maxRetries) {
                const delay = retryDelayMs(attempt + 1, failure, timing)
                const reason = failure.kind === 'network' ? failure.code : `HTTP ${failure.status}`
                logger.warn(
                    {
                        salesforceRequest: `POST ${TOKEN_PATH}`,
                        attempt: attempt + 1,
                        maxRetries: config.maxRetries,
                        delayMs: delay,
                    },
                    `Retrying the Salesforce token request (attempt ${attempt + 1}/${config.maxRetries}) in ${delay} ms after ${reason}`
                )
                await timing.sleep(delay)
                continue
            }
            if (outcome.kind === 'network') {
                throw networkError(outcome.code, outcome.description, summary, config.requestTimeoutSeconds)
            }
            throw toConnectorError(outcome.status, parsed ?? parseSalesforceError(outcome.data), summary, secrets)
        }
    }
}
