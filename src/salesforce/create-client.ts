import { SalesforceConfig } from '../config'
import { CachingTokenProvider } from '../auth/token-provider'
import { SCIM_BASE_PATH, SalesforceHttpClient } from '../http/http-client'
import { HttpOptions, RequestPipeline } from '../http/request-pipeline'
import { RetryTiming, defaultRetryTiming } from '../http/retry-policy'
import { createTokenTransport } from '../http/token-transport'
import { SalesforceClient } from './client'
import { ScimSalesforceClient } from './scim-client'
import { ApiUsageMeter } from '../http/api-usage'
import { REST_BASE_PATH, SalesforceRestClient } from './rest/rest-client'
import { orgKey } from './queues'

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

/** The org's APIs for one command, on one request pipeline and one session. */
export interface SalesforceClients {
    /** Users and their SCIM entitlements. */
    readonly client: SalesforceClient
    /** What SCIM cannot reach (setting Govern Access Beyond SCIM). */
    readonly rest: SalesforceRestClient
    /** The org's daily API usage from the newest answer of either. */
    readonly apiUsage: ApiUsageMeter
    /** The user this source signs in as (the integration user), when Salesforce's token response names it. */
    signedInUserId(): Promise<string | undefined>
}

/**
 * The Salesforce clients for a parsed source config. Sessions are shared process-wide per source, so creating
 * clients per command costs no extra login. `timing` lets tests run retries without waiting.
 */
export function createSalesforceClients(
    config: SalesforceConfig,
    timing: RetryTiming = defaultRetryTiming
): SalesforceClients {
    const pipeline = new RequestPipeline(httpOptions(config), timing)
    const tokens = new CachingTokenProvider(config, {
        transport: createTokenTransport(pipeline, config.loginUrl),
        now: timing.now,
    })
    return {
        client: new ScimSalesforceClient(new SalesforceHttpClient(pipeline, tokens, SCIM_BASE_PATH), config, timing),
        rest: new SalesforceRestClient(
            new SalesforceHttpClient(pipeline, tokens, REST_BASE_PATH),
            pipeline,
            orgKey(config)
        ),
        apiUsage: pipeline.apiUsage,
        signedInUserId: async () => (await tokens.getToken()).userId,
    }
}

/** The SCIM client alone, for code that needs nothing else. */
export function createSalesforceClient(
    config: SalesforceConfig,
    timing: RetryTiming = defaultRetryTiming
): SalesforceClient {
    return createSalesforceClients(config, timing).client
}
