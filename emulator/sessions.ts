import { randomBytes } from 'crypto'
import { appendFileSync } from 'fs'

export interface Session {
    readonly token: string
    readonly userId: string
    readonly issuedAt: number
    lastUsed: number
}

/**
 * Access tokens as Salesforce sessions: opaque `<15-char org id>!<random>` strings with no expiry of their own. They
 * die after the org's session timeout of inactivity, and every API call resets that timer (SOAP API "Error
 * Handling": default two hours). Salesforce tells the client nothing about this; there is no `expires_in`.
 */
export class SessionStore {
    private readonly sessions = new Map<string, Session>()

    constructor(
        private readonly orgId15: string,
        private readonly timeoutMs: number,
        private readonly clock: () => number = Date.now
    ) {}

    create(userId: string): Session {
        // Token characters after the `!` come from Salesforce's alphabet: letters, digits, `.` and `_`.
        const random = randomBytes(72).toString('base64').replace(/\+/g, '.').replace(/\//g, '_').replace(/=+$/, '')
        const now = this.clock()
        const session: Session = { token: `${this.orgId15}!${random}`, userId, issuedAt: now, lastUsed: now }
        this.sessions.set(session.token, session)
        // The test suite's secret scan reads every token issued, to prove none reached a log line.
        const tokenLog = process.env.EMULATOR_TOKEN_LOG
        if (tokenLog) appendFileSync(tokenLog, `${session.token}\n`)
        return session
    }

    /** The live session for a token, its inactivity timer reset; undefined if unknown, revoked or timed out. */
    use(token: string): Session | undefined {
        const session = this.sessions.get(token)
        if (!session) return undefined
        const now = this.clock()
        if (now - session.lastUsed > this.timeoutMs) {
            this.sessions.delete(token)
            return undefined
        }
        session.lastUsed = now
        return session
    }

    revokeAll(): void {
        this.sessions.clear()
    }

    revokeUser(userId: string): void {
        for (const [token, s] of this.sessions) if (s.userId === userId) this.sessions.delete(token)
    }

    get size(): number {
        return this.sessions.size
    }
}
