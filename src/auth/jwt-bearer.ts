import { sign } from 'jsonwebtoken'
import { JwtBearerAuth } from '../config'
import { InvalidConfigurationError } from '../errors'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Salesforce accepts an assertion for about 3 minutes; it checks only that `exp` has not passed. */
const ASSERTION_LIFETIME_SECONDS = 180

/**
 * The `aud` claim Salesforce expects: the login server that issues the token, never the My Domain host.
 * Sandboxes (`*.sandbox.my.salesforce.com`) authenticate against test.salesforce.com; a wrong audience
 * fails with `invalid_grant: Audience validation failed`.
 */
export function jwtAudience(loginUrl: URL): string {
    const host = loginUrl.hostname.toLowerCase()
    if (host === 'login.salesforce.com' || host === 'test.salesforce.com' || LOOPBACK_HOSTS.has(host)) {
        return loginUrl.origin
    }
    if (host.endsWith('.sandbox.my.salesforce.com')) return 'https://test.salesforce.com'
    return 'https://login.salesforce.com'
}

/**
 * Form fields of the JWT bearer grant: an RS256 assertion with iss = Consumer Key and sub = username.
 * @throws InvalidConfigurationError when the private key cannot sign.
 */
export function jwtBearerForm(auth: JwtBearerAuth, loginUrl: URL, nowMs: number): URLSearchParams {
    const claims = {
        iss: auth.clientId,
        sub: auth.username,
        aud: jwtAudience(loginUrl),
        exp: Math.floor(nowMs / 1000) + ASSERTION_LIFETIME_SECONDS,
    }
    let assertion: string
    try {
        assertion = sign(claims, auth.privateKey, { algorithm: 'RS256' })
    } catch {
        // Once more: OpenSSL can fail one key parse on a stale error left by an unrelated TLS failure.
        try {
            assertion = sign(claims, auth.privateKey, { algorithm: 'RS256' })
        } catch {
            throw new InvalidConfigurationError(
                'Private Key: could not sign the JWT assertion; paste an RSA private key'
            )
        }
    }
    return new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion })
}
