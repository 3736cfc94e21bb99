import { createHmac, timingSafeEqual } from 'crypto'
import { NextFunction, Request, Response } from 'express'
import jwt from 'jsonwebtoken'
import { EMULATOR_CREDENTIALS } from './credentials'
import { INVALID_SESSION, OAuthError } from './errors'
import { isRecord } from './scim/common'
import { Session, SessionStore } from './sessions'
import { OrgStore } from './store'
import { SEED } from './seed'

/**
 * Salesforce's OAuth 2.0 token endpoint (`/services/oauth2/token`) for the three server-to-server grants a connector
 * uses, and the bearer check in front of the API. Error pairs come from Salesforce's docs and observed responses
 * (Salesforce's OAuth error table); all are HTTP 400 with `{error, error_description}`.
 */

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** "exp … within 3 minutes": Salesforce allows about three minutes of clock skew. */
const CLOCK_SKEW_SECONDS = 180
const STANDARD_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com']

export interface TokenResult {
    readonly session: Session
    readonly body: Record<string, string>
}

export interface OAuthDeps {
    readonly store: OrgStore
    readonly sessions: SessionStore
    /** Base URLs this emulator is reachable under (its own `aud` value, its `instance_url`). */
    readonly ownUrls: (req: Request) => string[]
    readonly clock?: () => number
}

function params(req: Request): Record<string, string> {
    const out: Record<string, string> = {}
    // HelloID-style clients post the parameters as a query string; Salesforce accepts that too.
    for (const source of [req.query as unknown, req.body as unknown]) {
        if (!isRecord(source)) continue
        for (const [k, v] of Object.entries(source)) if (typeof v === 'string') out[k] = v
    }
    return out
}

function sameSecret(a: string, b: string): boolean {
    const ab = Buffer.from(a)
    const bb = Buffer.from(b)
    return ab.length === bb.length && timingSafeEqual(ab, bb)
}

function basicAuth(req: Request): { id: string; secret: string } | undefined {
    const header = req.get('Authorization')
    const m = header ? /^Basic\s+(.+)$/i.exec(header) : null
    if (!m?.[1]) return undefined
    const decoded = Buffer.from(m[1], 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    if (i < 0) return undefined
    return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) }
}

function checkClient(clientId: string | undefined, clientSecret: string | undefined): void {
    if (clientId !== EMULATOR_CREDENTIALS.clientId)
        throw new OAuthError('invalid_client_id', 'client identifier invalid')
    if (clientSecret === undefined || !sameSecret(clientSecret, EMULATOR_CREDENTIALS.clientSecret))
        throw new OAuthError('invalid_client', 'invalid client credentials')
}

function trimSlash(url: string): string {
    return url.replace(/\/+$/, '')
}

/**
 * Issue a token for one of the supported grants.
 * @throws OAuthError with Salesforce's error pairs.
 */
export function issueToken(req: Request, deps: OAuthDeps): TokenResult {
    const p = params(req)
    const grant = p.grant_type
    const now = (deps.clock ?? Date.now)()
    let userId: string
    let scope: string | undefined
    if (grant === 'password') {
        checkClient(p.client_id, p.client_secret)
        const user = p.username ? deps.store.findUserByUserName(p.username) : undefined
        // Wrong username, password or token, and inactive or frozen users, all get the same answer.
        if (
            !user ||
            !user.isActive ||
            deps.store.isFrozen(user.id) ||
            !deps.store.checkPassword(user.id, p.password ?? '')
        )
            throw new OAuthError('invalid_grant', 'authentication failure')
        if (deps.store.isPasswordLocked(user.id)) throw new OAuthError('invalid_grant', 'user is locked')
        userId = user.id
    } else if (grant === 'client_credentials') {
        const basic = basicAuth(req)
        checkClient(p.client_id ?? basic?.id, p.client_secret ?? basic?.secret)
        // Client credentials run as the connected app's "run as" user: the integration user.
        const runAs = deps.store.getUser(SEED.users.integration)
        if (!runAs?.isActive) throw new OAuthError('invalid_grant', 'inactive user')
        if (deps.store.isFrozen(runAs.id)) throw new OAuthError('invalid_grant', 'user is frozen')
        userId = runAs.id
    } else if (grant === JWT_GRANT) {
        userId = verifyAssertion(req, p.assertion, deps, now)
        scope = 'api'
    } else {
        throw new OAuthError('unsupported_grant_type', 'grant type not supported')
    }
    const session = deps.sessions.create(userId)
    const base = deps.ownUrls(req)[0] ?? ''
    const id = `https://login.salesforce.com/id/${deps.store.org.id}/${userId}`
    const issuedAt = String(session.issuedAt)
    // Salesforce signs `id + issued_at` with the consumer secret so clients can check the response's origin.
    const signature = createHmac('sha256', EMULATOR_CREDENTIALS.clientSecret)
        .update(id + issuedAt)
        .digest('base64')
    const body: Record<string, string> = { access_token: session.token }
    if (scope) body.scope = scope
    body.signature = signature
    if (grant === 'client_credentials') body.token_format = 'opaque'
    body.instance_url = base
    body.id = id
    body.token_type = 'Bearer'
    body.issued_at = issuedAt
    return { session, body }
}

function verifyAssertion(req: Request, assertion: string | undefined, deps: OAuthDeps, now: number): string {
    const invalid = (): OAuthError => new OAuthError('invalid_grant', 'invalid assertion')
    if (!assertion) throw invalid()
    const decoded = jwt.decode(assertion, { complete: true })
    if (!decoded || !isRecord(decoded.payload) || decoded.header.alg !== 'RS256') throw invalid()
    const claims = decoded.payload
    if (claims.iss !== EMULATOR_CREDENTIALS.clientId)
        throw new OAuthError('invalid_client_id', 'client identifier invalid')
    try {
        jwt.verify(assertion, EMULATOR_CREDENTIALS.certificatePem, {
            algorithms: ['RS256'],
            ignoreExpiration: true,
            clockTolerance: CLOCK_SKEW_SECONDS,
            clockTimestamp: Math.floor(now / 1000),
        })
    } catch {
        throw invalid()
    }
    const allowed = new Set([...STANDARD_AUDIENCES, ...deps.ownUrls(req)].map(trimSlash))
    const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
        (a): a is string => typeof a === 'string'
    )
    if (!audiences.some((a) => allowed.has(trimSlash(a))))
        throw new OAuthError('invalid_grant', 'Audience validation failed')
    // Only "not expired" is enforced: Salesforce's own CLI signs `exp` in milliseconds (far future) and is accepted.
    if (typeof claims.exp !== 'number') throw invalid()
    if (claims.exp + CLOCK_SKEW_SECONDS < now / 1000)
        throw new OAuthError('invalid_grant', 'expired authorization code')
    // `prn` is the older name of `sub`; when both are sent, `prn` wins.
    const subject =
        typeof claims.prn === 'string' ? claims.prn : typeof claims.sub === 'string' ? claims.sub : undefined
    const user = subject ? deps.store.findUserByUserName(subject) : undefined
    if (!user) throw new OAuthError('invalid_grant', "user hasn't approved this consumer")
    if (!user.isActive) throw new OAuthError('invalid_grant', 'inactive user')
    if (deps.store.isFrozen(user.id)) throw new OAuthError('invalid_grant', 'user is frozen')
    if (!deps.store.isApprovedForConnectedApp(user.id))
        throw new OAuthError('invalid_grant', "user hasn't approved this consumer")
    return user.id
}

export const SESSION_LOCAL = 'session'

/** The session of an authenticated API request. */
export function sessionOf(res: Response): Session {
    const s: unknown = res.locals[SESSION_LOCAL]
    if (!s) throw INVALID_SESSION()
    return s as Session
}

/**
 * Bearer check for `/services/*` API calls. Salesforce accepts `Bearer <token>` and the older `OAuth <token>`;
 * an unknown, revoked or timed-out token, or one whose user was deactivated, gets 401 INVALID_SESSION_ID.
 */
export function requireSession(store: OrgStore, sessions: SessionStore) {
    return (req: Request, res: Response, next: NextFunction): void => {
        const header = req.get('Authorization') ?? ''
        const m = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header)
        const session = m?.[1] ? sessions.use(m[1]) : undefined
        if (!session || !store.getUser(session.userId)?.isActive) {
            if (session) sessions.revokeUser(session.userId)
            next(INVALID_SESSION())
            return
        }
        res.locals[SESSION_LOCAL] = session
        next()
    }
}
