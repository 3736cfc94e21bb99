import { NextFunction, Request, Response } from 'express'
import { REQUEST_LIMIT_EXCEEDED, RestApiError } from './errors'
import { prng } from './random'
import { DROP_RESPONSE } from './respond'

export interface FaultOptions {
    /** Added to every /services request (default 0). */
    latencyMs: number
    /** 0..1 fraction of /services/scim requests answered 500 or 503 (alternating; 503 with Retry-After: 1), before any change. */
    errorRate: number
    /** 0..1 fraction of /services/scim requests whose socket is destroyed without an answer, before any change. */
    dropRate: number
    /** 0..1 fraction of POST/PATCH/PUT/DELETE /Users that are applied and then lose their answer (socket destroyed). */
    writeDropRate: number
    /** When > 0: after that many SCIM requests, revoke all sessions once (then it resets to 0). */
    revokeSessionsAfterRequests: number
    /** Every /services/scim request gets 403 REQUEST_LIMIT_EXCEEDED. */
    apiLimitReached: boolean
}

export const NO_FAULTS: FaultOptions = Object.freeze({
    latencyMs: 0,
    errorRate: 0,
    dropRate: 0,
    writeDropRate: 0,
    revokeSessionsAfterRequests: 0,
    apiLimitReached: false,
})

const rate = (v: unknown, fallback: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : fallback
const nonNegative = (v: unknown, fallback: number): number =>
    typeof v === 'number' && Number.isFinite(v) ? Math.max(0, v) : fallback

/** Merge a partial, untrusted fault setting (from code or the admin endpoint) over the current one. */
export function mergeFaults(current: FaultOptions, patch: Partial<Record<keyof FaultOptions, unknown>>): FaultOptions {
    return {
        latencyMs: nonNegative(patch.latencyMs, current.latencyMs),
        errorRate: rate(patch.errorRate, current.errorRate),
        dropRate: rate(patch.dropRate, current.dropRate),
        writeDropRate: rate(patch.writeDropRate, current.writeDropRate),
        revokeSessionsAfterRequests: Math.floor(
            nonNegative(patch.revokeSessionsAfterRequests, current.revokeSessionsAfterRequests)
        ),
        apiLimitReached: typeof patch.apiLimitReached === 'boolean' ? patch.apiLimitReached : current.apiLimitReached,
    }
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

/**
 * Fault injection for resilience tests: latency, transient 5xx, dropped connections, lost write answers, mass
 * session revocation and an exhausted API allocation. Random choices come from a seeded generator so a test run
 * repeats.
 */
export class FaultInjector {
    private options: FaultOptions
    private readonly rand: () => number
    private scimRequests = 0
    private nextErrorIs503 = false

    constructor(
        initial: Partial<FaultOptions>,
        seed: number,
        private readonly hooks: { revokeSessions: () => void; onFault: () => void }
    ) {
        this.options = mergeFaults(NO_FAULTS, initial)
        this.rand = prng(seed ^ 0x5eed)
    }

    get current(): FaultOptions {
        return { ...this.options }
    }

    set(patch: Partial<Record<keyof FaultOptions, unknown>>): FaultOptions {
        this.options = mergeFaults(this.options, patch)
        this.scimRequests = 0
        return this.current
    }

    /**
     * Every /services answer leaves `latencyMs` after its request arrived, at the earliest: the latency stands for
     * Salesforce's whole response time, network included, so the emulator's own work counts toward it instead of
     * adding to it.
     */
    latency() {
        return (_req: Request, res: Response, next: NextFunction): void => {
            const ms = this.options.latencyMs
            if (ms <= 0) return next()
            const due = performance.now() + ms
            const end = res.end.bind(res) as (...args: unknown[]) => Response
            res.end = ((...args: unknown[]) => {
                const wait = due - performance.now()
                if (wait > 0) setTimeout(() => end(...args), wait)
                else end(...args)
                return res
            }) as Response['end']
            next()
        }
    }

    /** Faults that strike before authentication: dropped sockets, 5xx, and the scheduled session revocation. */
    beforeAuth() {
        return (req: Request, _res: Response, next: NextFunction): void => {
            const o = this.options
            if (o.revokeSessionsAfterRequests > 0) {
                if (this.scimRequests >= o.revokeSessionsAfterRequests) {
                    this.hooks.revokeSessions()
                    this.hooks.onFault()
                    this.options = { ...this.options, revokeSessionsAfterRequests: 0 }
                    this.scimRequests = 0
                } else this.scimRequests++
            }
            if (o.dropRate > 0 && this.rand() < o.dropRate) {
                this.hooks.onFault()
                req.socket.destroy()
                return
            }
            if (o.errorRate > 0 && this.rand() < o.errorRate) {
                this.hooks.onFault()
                const is503 = this.nextErrorIs503
                this.nextErrorIs503 = !is503
                next(
                    is503
                        ? new RestApiError(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable, please retry.', {
                              'Retry-After': '1',
                          })
                        : new RestApiError(
                              500,
                              'UNKNOWN_EXCEPTION',
                              'An unexpected error occurred. Please include this ErrorId if you contact support: 1904758323-41720 (-1517418447)'
                          )
                )
                return
            }
            next()
        }
    }

    /** Faults that strike after authentication: the API allocation switch and lost write answers. */
    afterAuth() {
        return (req: Request, res: Response, next: NextFunction): void => {
            const o = this.options
            if (o.apiLimitReached) {
                this.hooks.onFault()
                next(REQUEST_LIMIT_EXCEEDED())
                return
            }
            if (
                o.writeDropRate > 0 &&
                WRITE_METHODS.has(req.method) &&
                /^\/Users(\/|$)/.test(req.path) &&
                this.rand() < o.writeDropRate
            ) {
                this.hooks.onFault()
                res.locals[DROP_RESPONSE] = true
            }
            next()
        }
    }
}
