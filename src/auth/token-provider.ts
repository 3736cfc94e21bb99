import { createHash } from 'crypto'
import { AuthConfig, SalesforceConfig } from '../config'
import { InvalidResponseError } from '../errors'
import { processCache } from '../process-cache'
import { isSalesforceId, toId18 } from '../salesforce/ids'
import { clientCredentialsForm } from './client-credentials'
import { trustedInstanceUrl } from './instance-url'
import { jwtBearerForm } from './jwt-bearer'
import { usernamePasswordForm } from './username-password'

/** The token endpoint's 200 body. Salesforce sends no `expires_in`; `issued_at` is epoch milliseconds as a string. */
export interface SalesforceTokenResponse {
    readonly access_token: string
    readonly instance_url: string
    readonly id: string
    readonly token_type: string
    readonly issued_at: string
    readonly signature?: string
    readonly scope?: string
    readonly token_format?: string
}

/** An access token and where to use it. `issuedAt` is epoch milliseconds. */
interface SalesforceSession {
    readonly accessToken: string
    /** Origin of the org's API host (the token response's `instance_url`), already checked to be Salesforce. */
    readonly instanceUrl: string
    readonly issuedAt: number
    /** The user the session acts as (the integration user), from the token response's identity URL. */
    readonly userId?: string
}

/**
 * The user of an identity URL (`https://login.salesforce.com/id/<org id>/<user id>`), as an 18-character id;
 * undefined when the URL does not end in a user id.
 */
export function userIdOfIdentityUrl(identityUrl: unknown): string | undefined {
    if (typeof identityUrl !== 'string') return undefined
    const last = identityUrl.replace(/\/+$/, '').split('/').pop()
    return isSalesforceId(last, 'user') ? toId18(last as string, 'user') : undefined
}

export interface TokenProvider {
    /** A valid session: cached, or fetched once however many callers ask at the same time. */
    getToken(): Promise<SalesforceSession>
    /**
     * Drops the cached session if it is still this token, so a burst of 401s on one token causes one refresh
     * and a 401 on an old token never throws away a newer one.
     */
    invalidate(accessToken: string): void
}

/**
 * Sends the grant's form to `<loginUrl>/services/oauth2/token` and returns the parsed 200 body; maps every
 * failure to the connector's errors. Lives in the HTTP layer (`http/token-transport.ts`); the provider only
 * decides when to call it.
 */
export type TokenTransport = (form: URLSearchParams) => Promise<SalesforceTokenResponse>

interface TokenProviderOptions {
    readonly transport: TokenTransport
    readonly now?: () => number
}

interface CacheEntry {
    promise: Promise<SalesforceSession>
    session?: SalesforceSession
    expiresAt?: number
}

/**
 * Sessions live on `globalThis`, not in this module: the SDK's local server reloads the connector's modules
 * for every command, and ISC may run several commands in one process, so a module-level cache would log in
 * again each time. Keys hash the secret, so two sources (or a rotated secret) never share a session.
 */
function tokenCache(): Map<string, CacheEntry> {
    return processCache<string, CacheEntry>('token-cache.v1')
}

/** Forgets every cached session of this process (tests, and a forced re-login). */
export function clearTokenCache(): void {
    tokenCache().clear()
}

function sha256(text: string): string {
    return createHash('sha256').update(text).digest('hex')
}

function secretMaterial(auth: AuthConfig): string {
    switch (auth.type) {
        case 'jwtBearer':
            return auth.privateKey
        case 'clientCredentials':
            return auth.clientSecret
        case 'usernamePassword':
            return `${auth.clientSecret}\u0000${auth.password}`
    }
}

/** The cache key of a source's session: login origin, grant, client, user and a hash of the secret. */
export function tokenCacheKey(config: SalesforceConfig): string {
    const auth = config.auth
    const username = auth.type === 'clientCredentials' ? '' : auth.username
    return sha256(
        JSON.stringify([config.loginUrl.origin, auth.type, auth.clientId, username, sha256(secretMaterial(auth))])
    )
}

/** The token request form of the configured grant. */
function tokenRequestForm(config: SalesforceConfig, nowMs: number): URLSearchParams {
    const auth = config.auth
    switch (auth.type) {
        case 'jwtBearer':
            return jwtBearerForm(auth, config.loginUrl, nowMs)
        case 'clientCredentials':
            return clientCredentialsForm(auth)
        case 'usernamePassword':
            return usernamePasswordForm(auth)
    }
}

const FIVE_MINUTES_MS = 5 * 60_000

/**
 * When to stop reusing a session. Salesforce sends no `expires_in`: a token lives until the org's session
 * timeout passes without use, so `issued_at` + timeout is a safe lower bound, less a margin (5 minutes, or
 * 10% of short timeouts). The earlier of `issued_at` and our own clock is used so a skewed clock errs early.
 * Salesforce can hand back an existing session with its original, older `issued_at`; when that bound has
 * already passed on arrival, the session is timed from its arrival instead (a real expiry still surfaces as
 * a 401 and one refresh), so an old `issued_at` cannot turn every request into a new login.
 */
export function sessionExpiresAt(issuedAt: number, receivedAt: number, sessionTimeoutMinutes: number): number {
    const timeoutMs = sessionTimeoutMinutes * 60_000
    const margin = Math.min(FIVE_MINUTES_MS, timeoutMs * 0.1)
    const fromIssue = Math.min(issuedAt, receivedAt) + timeoutMs - margin
    return fromIssue > receivedAt + margin ? fromIssue : receivedAt + timeoutMs - margin
}

/** OAuth token provider for one source config, sharing sessions through the process-wide cache. */
export class CachingTokenProvider implements TokenProvider {
    private readonly key: string
    private readonly transport: TokenTransport
    private readonly now: () => number

    constructor(
        private readonly config: SalesforceConfig,
        options: TokenProviderOptions
    ) {
        this.key = tokenCacheKey(config)
        this.transport = options.transport
        this.now = options.now ?? Date.now
    }

    getToken(): Promise<SalesforceSession> {
        const cache = tokenCache()
        const cached = cache.get(this.key)
        if (cached !== undefined) {
            // Still in flight, or fetched and not yet past its expiry: share it.
            if (cached.expiresAt === undefined || this.now() < cached.expiresAt) return cached.promise
            cache.delete(this.key)
        }
        const entry: CacheEntry = { promise: this.fetchSession() }
        entry.promise = entry.promise.then(
            (session) => {
                entry.session = session
                entry.expiresAt = sessionExpiresAt(session.issuedAt, this.now(), this.config.sessionTimeoutMinutes)
                return session
            },
            (error: unknown) => {
                if (cache.get(this.key) === entry) cache.delete(this.key)
                throw error
            }
        )
        cache.set(this.key, entry)
        return entry.promise
    }

    invalidate(accessToken: string): void {
        const cache = tokenCache()
        const cached = cache.get(this.key)
        if (cached?.session?.accessToken === accessToken) cache.delete(this.key)
    }

    private async fetchSession(): Promise<SalesforceSession> {
        const requestedAt = this.now()
        const body = await this.transport(tokenRequestForm(this.config, requestedAt))
        if (typeof body.access_token !== 'string' || body.access_token === '') {
            throw new InvalidResponseError(
                'The Salesforce token response has no access_token; check that the Login URL points at Salesforce'
            )
        }
        const instanceUrl = trustedInstanceUrl(body.instance_url, this.config.loginUrl)
        // issued_at is epoch milliseconds as a string; fall back to our clock if it is missing or garbled.
        const issuedAt = Number(body.issued_at)
        const userId = userIdOfIdentityUrl(body.id)
        return {
            accessToken: body.access_token,
            instanceUrl: instanceUrl.origin,
            issuedAt: Number.isFinite(issuedAt) && issuedAt > 0 ? issuedAt : requestedAt,
            ...(userId !== undefined ? { userId } : {}),
        }
    }
}
