import { SalesforceConfig } from '../config'
import { CachingTokenProvider } from '../auth/token-provider'
import { SalesforceHttpClient } from '../http/http-client'
import { RetryTiming, defaultRetryTiming } from '../http/retry-policy'
import { createTokenTransport } from '../http/token-transport'
import { SalesforceClient } from './client'
import { ScimSalesforceClient } from './scim-client'

/**
 * The Salesforce client for a parsed source config. Sessions are shared process-wide per source, so creating
 * a client per command costs no extra login. `timing` lets tests run retries without waiting.
 */
export function createSalesforceClient(
    config: SalesforceConfig,
    timing: RetryTiming = defaultRetryTiming
): SalesforceClient {
    const tokens = new CachingTokenProvider(config, {
        transport: createTokenTransport(config, timing),
        now: timing.now,
    })
    return new ScimSalesforceClient(new SalesforceHttpClient(config, tokens, timing), config)
}
