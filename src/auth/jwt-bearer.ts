import { sign } from 'jsonwebtoken'
import { JwtBearerAuth } from '../config'
import { InvalidConfigurationError } from '../errors'
import { isLoopbackHost, isSandboxHost } from './hosts'
import { retryingStaleOpenSslError } from './private-key'

/** Salesforce accepts an assertion for about 3 minutes; it checks only that `exp` has not passed. */
const ASSERTION_LIFETIME_SECONDS = 180

/**
 * The `aud` claim Salesforce expects: the login server that issues the token, never the My Domain host.
 * Sandboxes and scratch orgs (see `isSandboxHost`) authenticate against test.salesforce.com, production and
 * Developer Edition My Domains against login.salesforce.com; a wrong audience fails with
 * `invalid_grant: Audience validation failed`. The source's Audience field overrides this choice.
 */
export function jwtAudience(loginUrl: URL): string {
    const host = loginUrl.hostname.toLowerCase()
    if (host === 'login.salesforce.com' || host === 'test.salesforce.com' || isLoopbackHost(host)) {
        return loginUrl.origin
    }
    return isSandboxHost(host) ? 'https://test.salesforce.com' : 'https://login.salesforce.com'
}

/**
 * Form fields of the JWT bearer grant: an RS256 assertion with iss = Consumer Key and sub = username.
 * @throws InvalidConfigurationError when the private key cannot sign.
 */
export function jwtBearerForm(auth: JwtBearerAuth, loginUrl: URL, nowMs: number): URLSearchParams {
    const claims = {
        iss: auth.clientId,
        sub: auth.username,
        aud: auth.audience ?? jwtAudience(loginUrl),
        exp: Math.floor(nowMs / 1000) + ASSERTION_LIFETIME_SECONDS,
    }
    let assertion: string
    try {
        assertion = retryingStaleOpenSslError(() => sign(claims, auth.privateKey, { algorithm: 'RS256' }))
    } catch {
        throw new InvalidConfigurationError('Private Key: could not sign the JWT assertion; paste an RSA private key')
    }
    return new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion })
}
