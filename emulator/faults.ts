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

/** A fault as counted in the stats: the option that caused it. */
export type FaultKind = keyof FaultOptions

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

/** `res.locals` key: the `performance.now()` time before which no byte of the answer may leave (`latencyMs`). */
const ANSWER_DUE = 'faultAnswerDue'

/** Runs `send` once the answer's latency is over (at once when no latency applies). */
function whenDue(res: Response, send: () => void): void {
    const due: unknown = res.locals[ANSWER_DUE]
    const wait = typeof due === 'number' ? due - performance.now() : 0
    // Timers count whole milliseconds and may fire a fraction early or late: the last fraction is waited out
    // turn by turn, so the answer leaves at its due time, neither before nor a millisecond after.
    if (wait >= 1) setTimeout(() => whenDue(res, send), Math.floor(wait))
    else if (wait > 0) setImmediate(() => whenDue(res, send))
    else send()
}

/**
 * `res.end`'s arguments with a string body encoded to bytes (its encoding argument consumed), so that the work of
 * encoding is done once, while the answer waits, by whichever wrapper of `res.end` sees it first.
 */
function withEncodedBody(args: unknown[]): unknown[] {
    const [chunk, encoding, ...rest] = args
    if (typeof chunk !== 'string') return args
    const bytes = Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    return typeof encoding === 'string' ? [bytes, ...rest] : [bytes, ...args.slice(1)]
}

/**
 * Fault injection for resilience tests: latency, transient 5xx, dropped connections, lost write answers, mass
 * session revocation and an exhausted API allocation. Random choices come from a
 * seeded generator so a test run repeats.
 */
export class FaultInjector {
    private options: FaultOptions
    private readonly rand: () => number
    private scimRequests = 0
    private nextErrorIs503 = false

    constructor(
        initial: Partial<FaultOptions>,
        seed: number,
        private readonly hooks: { revokeSessions: () => void; onFault: (kind: FaultKind) => void }
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
            res.locals[ANSWER_DUE] = performance.now() + ms
            const write = res.write.bind(res) as (...args: unknown[]) => boolean
            const end = res.end.bind(res) as (...args: unknown[]) => Response
            // A body written in parts (`res.write` each, then `res.end`) is held with its end, so that no byte
            // leaves early either.
            const held: unknown[][] = []
            res.write = ((...args: unknown[]) => {
                held.push(withEncodedBody(args))
                return true
            }) as Response['write']
            res.end = ((...args: unknown[]) => {
                // The body is encoded now, while the answer waits: at its due time only the bytes go out.
                const encoded = withEncodedBody(args)
                whenDue(res, () => {
                    res.cork()
                    for (const part of held) write(...part)
                    end(...encoded)
                    res.uncork()
                })
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
                    this.hooks.onFault('revokeSessionsAfterRequests')
                    this.options = { ...this.options, revokeSessionsAfterRequests: 0 }
                    this.scimRequests = 0
                } else this.scimRequests++
            }
            if (o.dropRate > 0 && this.rand() < o.dropRate) {
                this.hooks.onFault('dropRate')
                req.socket.destroy()
                return
            }
            if (o.errorRate > 0 && this.rand() < o.errorRate) {
                this.hooks.onFault('errorRate')
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
                this.hooks.onFault('apiLimitReached')
                next(REQUEST_LIMIT_EXCEEDED())
                return
            }
            if (
                o.writeDropRate > 0 &&
                WRITE_METHODS.has(req.method) &&
                /^\/Users(\/|$)/.test(req.path) &&
                this.rand() < o.writeDropRate
            ) {
                this.hooks.onFault('writeDropRate')
                res.locals[DROP_RESPONSE] = true
            }
            next()
        }
    }
}
