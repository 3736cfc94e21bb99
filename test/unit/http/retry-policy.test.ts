import {
    AttemptFailure,
    MAX_RETRY_AFTER_MS,
    RetryTiming,
    isRepeatable,
    isTransient,
    retryDelayMs,
} from '../../../src/http/retry-policy'
import { CONFIG, SCIM, networkFailure, salesforce, useNock } from '../../helpers/nock'
import { onlyAccount, runCommand } from '../../helpers/run-command'
import { IDS, USER } from '../../mapping/fixtures'
import { scimError } from '../../helpers/scim-bodies'

const NOW = Date.parse('2026-03-02T10:00:00Z')
const timing: RetryTiming = { sleep: () => Promise.resolve(), random: () => 0.5, now: () => NOW }
const status = (code: number, extra: Partial<{ errorCode: string; retryAfter: string }> = {}): AttemptFailure => ({
    kind: 'status',
    status: code,
    ...extra,
})

describe('which requests are sent again', () => {
    it.each([
        ['GET', true],
        ['HEAD', true],
        ['DELETE', true],
        ['POST', false],
        ['PATCH', false],
        ['PUT', false],
    ] as const)('%s: %s', (method, repeatable) => {
        expect(isRepeatable(method)).toBe(repeatable)
    })
})

describe('which failures are transient', () => {
    it.each([
        ['a 503', status(503), true],
        ['a 429 without Retry-After', status(429), true],
        ['a 429 asking for 30 s', status(429, { retryAfter: '30' }), true],
        ['a 429 asking for the cap exactly', status(429, { retryAfter: String(MAX_RETRY_AFTER_MS / 1000) }), true],
        ['a 429 asking for an hour', status(429, { retryAfter: '3600' }), false],
        ['a 429 asking for a date two hours on', status(429, { retryAfter: 'Mon, 02 Mar 2026 12:00:00 GMT' }), false],
        ['a 429 asking for a date a minute on', status(429, { retryAfter: 'Mon, 02 Mar 2026 10:00:30 GMT' }), true],
        ['a 429 carrying REQUEST_LIMIT_EXCEEDED', status(429, { errorCode: 'REQUEST_LIMIT_EXCEEDED' }), false],
        ["the org's 403 REQUEST_LIMIT_EXCEEDED", status(403, { errorCode: 'REQUEST_LIMIT_EXCEEDED' }), false],
        ['a 400', status(400), false],
        ['a 404', status(404), false],
        ['a dropped connection', { kind: 'network', code: 'ECONNRESET' } as const, true],
        ['an unknown host', { kind: 'network', code: 'ENOTFOUND' } as const, false],
    ])('%s: %s', (_name, failure, transient) => {
        expect(isTransient(failure, NOW)).toBe(transient)
    })
})

describe('how long to wait', () => {
    it("waits what a 429's Retry-After asks, in seconds or as a date, up to the cap", () => {
        expect(retryDelayMs(1, status(429, { retryAfter: '5' }), timing)).toBe(5000)
        expect(retryDelayMs(1, status(429, { retryAfter: 'Mon, 02 Mar 2026 10:00:20 GMT' }), timing)).toBe(20_000)
        expect(retryDelayMs(1, status(429, { retryAfter: '3600' }), timing)).toBe(MAX_RETRY_AFTER_MS)
    })

    it('backs off exponentially with jitter without Retry-After', () => {
        expect(retryDelayMs(1, status(429), timing)).toBe(250)
        expect(retryDelayMs(3, status(429), timing)).toBe(1000)
    })
})

describe('retries through the connector', () => {
    useNock()
    const KEY = { simple: { id: IDS.user } }

    it('sends a DELETE again after a 503: a second deactivation leaves the same inactive user', async () => {
        salesforce()
            .delete(`${SCIM}/Users/${IDS.user}`)
            .reply(503, scimError(503, 'Service Unavailable'), { 'Retry-After': '0' })
            .delete(`${SCIM}/Users/${IDS.user}`)
            .reply(204)
        await expect(runCommand('std:account:delete', { key: KEY }, CONFIG)).resolves.toMatchObject({ outputs: [{}] })
    })

    it('sends a DELETE again after a dropped connection', async () => {
        salesforce()
            .delete(`${SCIM}/Users/${IDS.user}`)
            .replyWithError(networkFailure('ECONNRESET'))
            .delete(`${SCIM}/Users/${IDS.user}`)
            .reply(204)
        await expect(runCommand('std:account:delete', { key: KEY }, CONFIG)).resolves.toMatchObject({ outputs: [{}] })
    })

    it('reads again after a 429 once its Retry-After has passed', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(429, 'Too Many Requests', { 'Retry-After': '0' })
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, USER)
        const account = onlyAccount(await runCommand('std:account:read', { key: KEY }, CONFIG))
        expect(account.identity).toBe(IDS.user)
    })

    it('fails at once on a 429 whose Retry-After is longer than the connector waits', async () => {
        salesforce().get(`${SCIM}/Users/${IDS.user}`).reply(429, 'Too Many Requests', { 'Retry-After': '3600' })
        await expect(runCommand('std:account:read', { key: KEY }, CONFIG)).rejects.toMatchObject({
            name: 'RateLimitError',
            message: expect.stringMatching(/^Salesforce limited the request rate: Too Many Requests \(HTTP 429 GET/),
        })
    })

    it('fetches no new token for a BlackTab 401, and says why', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'BlackTab users cannot perform API operations' }])
        await expect(runCommand('std:account:read', { key: KEY }, CONFIG)).rejects.toMatchObject({
            name: 'AuthenticationError',
            message: expect.stringMatching(
                /^Salesforce bars this login from the API: INVALID_SESSION_ID: BlackTab users cannot perform API operations/
            ),
        })
    })

    it('never sends a PATCH again, not even after a 429', async () => {
        salesforce().patch(`${SCIM}/Users/${IDS.user}`).reply(429, 'Too Many Requests', { 'Retry-After': '0' })
        await expect(runCommand('std:account:disable', { key: KEY }, CONFIG)).rejects.toMatchObject({
            name: 'RateLimitError',
            message: expect.stringMatching(
                /^Salesforce limited the request rate: Too Many Requests \(HTTP 429 PATCH .*\)\. Lower Max Concurrency/
            ),
        })
    })
})
