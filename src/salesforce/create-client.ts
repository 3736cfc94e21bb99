import { SalesforceConfig } from '../config'
import { CachingTokenProvider } from '../auth/token-provider'
import { SCIM_BASE_PATH, SalesforceHttpClient } from '../http/http-client'
import { HttpOptions, RequestPipeline } from '../http/request-pipeline'
import { RetryTiming, defaultRetryTiming } from '../http/retry-policy'
import { createTokenTransport } from '../http/token-transport'
import { SalesforceClient } from './client'
import { ScimSalesforceClient } from './scim-client'

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

/** The HTTP layer's share of the source config: timeouts, retries, tracing, and what to redact. */
export function httpOptions(config: SalesforceConfig): HttpOptions {
    return {
        requestTimeoutMs: config.requestTimeoutSeconds * 1000,
        maxRetries: config.maxRetries,
        trace: config.traceHttp,
        secrets: configSecrets(config),
    }
}

/**
 * The Salesforce client for a parsed source config. Sessions are shared process-wide per source, so creating
 * a client per command costs no extra login. `timing` lets tests run retries without waiting.
 */
export function createSalesforceClient(
    config: SalesforceConfig,
    timing: RetryTiming = defaultRetryTiming
): SalesforceClient {
    const pipeline = new RequestPipeline(httpOptions(config), timing)
    const tokens = new CachingTokenProvider(config, {
        transport: createTokenTransport(pipeline, config.loginUrl),
        now: timing.now,
    })
    return new ScimSalesforceClient(new SalesforceHttpClient(pipeline, tokens, SCIM_BASE_PATH), config, timing)
}
