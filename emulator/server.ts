import express, { NextFunction, Request, Response } from 'express'
import {
    MalformedPayloadError,
    NOT_FOUND_URL,
    OAuthError,
    REQUEST_LIMIT_EXCEEDED,
    RestApiError,
    ScimError,
    INSUFFICIENT_ACCESS,
} from './errors'
import { FaultInjector } from './faults'
import { RollingDailyCounter } from './limits'
import { issueToken, requireSession, sessionOf } from './oauth'
import { sendEmpty, sendJson } from './respond'
import { PermissionSwitch, UnknownPermissionError } from './rest/permissions'
import { OrgSchemas } from './rest/objects'
import { QueryCursors, restRouter } from './rest/routes'
import { RequestContext, SCIM_BASE_PATH } from './scim/common'
import { ScimDeps } from './scim/deps'
import { discoveryRouter } from './scim/discovery'
import { entitlementsRouter } from './scim/entitlements'
import { groupsRouter } from './scim/groups'
import { rolesRouter } from './scim/roles'
import { usersRouter } from './scim/users'
import { SessionStore } from './sessions'
import { EmulatorStats, routeKey } from './stats'
import { OrgStore } from './store'
import { UnknownVariantError, VariantSwitch } from './variants'

export interface ServerState {
    readonly store: OrgStore
    readonly sessions: SessionStore
    readonly faults: FaultInjector
    readonly limit: RollingDailyCounter
    readonly stats: EmulatorStats
    readonly variants: VariantSwitch
    /** The integration user's Salesforce permissions the REST API checks (and SCIM's writes: Manage Users). */
    readonly permissions: PermissionSwitch
    readonly defaultUserPageSize: number
    readonly stringifiedErrorSchemas: boolean
    /** The emulator's own URL once listening (login URL and instance URL). */
    url(): string
    resetStats(): void
    setClockSkew(ms: number): void
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function baseUrl(req: Request, state: ServerState): string {
    const host = req.get('host')
    return host ? `${req.protocol}://${host}` : state.url()
}

/** Render any error the way Salesforce would answer it. */
function errorHandler(state: ServerState) {
    return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
        if (res.headersSent) {
            next(err)
            return
        }
        if (err instanceof ScimError) sendJson(res, err.status, err.body(state.stringifiedErrorSchemas))
        else if (err instanceof RestApiError) sendJson(res, err.status, err.body(), err.headers)
        else if (err instanceof MalformedPayloadError) sendJson(res, err.status, err.body())
        else if (err instanceof OAuthError) sendJson(res, err.status, err.body())
        else if (isBodyParserError(err)) sendJson(res, 400, new MalformedPayloadError().body())
        else {
            console.error('emulator: unexpected error', err)
            sendJson(res, 500, [
                {
                    message:
                        'An unexpected error occurred. Please include this ErrorId if you contact support: 1904758323-41720 (-1517418447)',
                    errorCode: 'UNKNOWN_EXCEPTION',
                },
            ])
        }
    }
}

function isBodyParserError(err: unknown): boolean {
    return (
        typeof err === 'object' &&
        err !== null &&
        'type' in err &&
        typeof err.type === 'string' &&
        err.type.startsWith('entity.')
    )
}

function adminRouter(state: ServerState): express.Router {
    const router = express.Router()
    router.use(express.json())
    router.get('/health', (_req, res) => {
        res.json({
            status: 'ok',
            url: state.url(),
            orgId: state.store.org.id,
            users: state.store.userCount,
            sessions: state.sessions.size,
            apiRequestsLast24h: state.limit.used(),
            apiDailyLimit: state.limit.limit,
        })
    })
    router.get('/stats', (_req, res) => {
        res.json(state.stats)
    })
    router.post('/reset-stats', (_req, res) => {
        state.resetStats()
        res.json(state.stats)
    })
    router.get('/faults', (_req, res) => {
        res.json(state.faults.current)
    })
    router.put('/faults', (req, res) => {
        const body: unknown = req.body
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            res.status(400).json({ error: 'expected a JSON object of fault options' })
            return
        }
        res.json(state.faults.set(body))
    })
    router.get('/variants', (_req, res) => {
        res.json(state.variants.current)
    })
    router.put('/variants', (req, res) => {
        const body: unknown = req.body
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            res.status(400).json({ error: 'expected a JSON object of variants' })
            return
        }
        try {
            res.json(state.variants.set(body as Record<string, unknown>))
        } catch (e) {
            if (!(e instanceof UnknownVariantError)) throw e
            res.status(400).json({ error: e.message })
        }
    })
    router.get('/permissions', (_req, res) => {
        res.json(state.permissions.current)
    })
    router.put('/permissions', (req, res) => {
        const body: unknown = req.body
        if (!isObject(body)) {
            res.status(400).json({ error: 'expected a JSON object of permissions' })
            return
        }
        try {
            res.json(state.permissions.set(body))
        } catch (e) {
            if (!(e instanceof UnknownPermissionError)) throw e
            res.status(400).json({ error: e.message })
        }
    })
    router.put('/clock', (req, res) => {
        const skew: unknown = isObject(req.body) ? req.body.skewMs : undefined
        if (typeof skew !== 'number' || !Number.isFinite(skew)) {
            res.status(400).json({ error: 'expected {"skewMs": <number>}' })
            return
        }
        state.setClockSkew(skew)
        res.json({ skewMs: skew, now: new Date(state.store.clock()).toISOString() })
    })
    router.post('/confirm-email', (req, res) => {
        const id = typeof req.query.id === 'string' ? req.query.id : ''
        if (!state.store.confirmEmail(id)) {
            res.status(404).json({ error: `no email change waiting for user ${id}` })
            return
        }
        res.status(204).end()
    })
    router.post('/revoke-sessions', (_req, res) => {
        state.sessions.revokeAll()
        res.status(204).end()
    })
    router.get('/licenses', (_req, res) => {
        res.json(state.store.licenseUsage())
    })
    router.get('/users', (req, res) => {
        const userName = typeof req.query.userName === 'string' ? req.query.userName : undefined
        const id = typeof req.query.id === 'string' ? req.query.id : undefined
        const user = userName ? state.store.findUserByUserName(userName) : id ? state.store.getUser(id) : undefined
        const users = user ? [{ ...user, ...state.store.summarize(user) }] : []
        res.json({ totalResults: users.length, users })
    })
    return router
}

/** The HTTP face of the emulator: Salesforce's token endpoint and SCIM 2.0 API, plus `/__emulator` admin routes. */
export function createApp(state: ServerState): express.Express {
    const app = express()
    app.disable('x-powered-by')
    app.disable('etag')
    app.set('case sensitive routing', true)
    app.set('trust proxy', false)
    // Every answer's Date header is Salesforce's clock, the one `meta.lastModified` follows.
    app.use((_req, res, next) => {
        res.setHeader('Date', new Date(state.store.clock()).toUTCString())
        next()
    })

    // Admin routes are not API calls: they are neither counted nor faulted.
    app.use('/__emulator', adminRouter(state))

    app.use('/services', (req, _res, next) => {
        state.stats.requests++
        const key = routeKey(req.method, req.baseUrl + req.path)
        state.stats.byRoute[key] = (state.stats.byRoute[key] ?? 0) + 1
        if (key === 'POST /token') state.stats.tokenRequests++
        next()
    })
    app.use('/services', state.faults.latency())

    app.post('/services/oauth2/token', express.urlencoded({ extended: false }), (req, res) => {
        const { body } = issueToken(req, {
            store: state.store,
            sessions: state.sessions,
            ownUrls: (r) => [baseUrl(r, state), state.url()],
        })
        // Token responses must not be cached (Salesforce sends no-store like any OAuth server).
        sendJson(res, 200, body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' })
    })

    const deps: ScimDeps = {
        store: state.store,
        sessions: state.sessions,
        stats: state.stats,
        variants: state.variants,
        defaultUserPageSize: state.defaultUserPageSize,
        context: (req): RequestContext => ({ baseUrl: baseUrl(req, state) }),
    }
    // The org's rolling 24-hour API allocation; SCIM and REST calls count against it alike.
    const consumeApiCall = (_req: Request, res: Response, next: NextFunction): void => {
        if (!state.limit.tryConsume()) {
            next(REQUEST_LIMIT_EXCEEDED())
            return
        }
        res.setHeader('Sforce-Limit-Info', `api-usage=${state.limit.used()}/${state.limit.limit}`)
        next()
    }
    const scim = express.Router({ caseSensitive: true })
    scim.use(state.faults.beforeAuth())
    scim.use(requireSession(state.store, state.sessions))
    scim.use(consumeApiCall)
    scim.use((req, res, next) => {
        // Creating, changing and deactivating users and memberships needs "Manage Users"; reading does not.
        const userId = sessionOf(res).userId
        if (req.method !== 'GET' && !(state.store.canManageUsers(userId) && state.permissions.has('ManageUsers'))) {
            next(INSUFFICIENT_ACCESS())
            return
        }
        next()
    })
    scim.use(state.faults.afterAuth())
    scim.use(express.json({ type: () => true, limit: '10mb' }))
    scim.use(usersRouter(deps))
    scim.use(groupsRouter(deps))
    scim.use(entitlementsRouter(deps))
    scim.use(rolesRouter(deps))
    scim.use(discoveryRouter(deps))
    scim.use(() => {
        throw NOT_FOUND_URL()
    })
    app.use(SCIM_BASE_PATH, scim)

    const rest = express.Router({ caseSensitive: true })
    rest.use(state.faults.beforeAuth())
    rest.use(requireSession(state.store, state.sessions))
    rest.use(consumeApiCall)
    rest.use(state.faults.afterAuth())
    rest.use(express.json({ type: () => true, limit: '10mb' }))
    rest.use(
        restRouter({
            store: state.store,
            permissions: state.permissions,
            variants: state.variants,
            limit: state.limit,
            cursors: new QueryCursors(state.store),
            schemas: new OrgSchemas(state.store),
        })
    )
    app.use('/services/data', rest)

    // Anything else under /services needs a session first, then does not exist here.
    app.use('/services', requireSession(state.store, state.sessions), () => {
        throw NOT_FOUND_URL()
    })
    app.use((_req, res) => {
        sendEmpty(res, 404)
    })
    app.use(errorHandler(state))
    return app
}
