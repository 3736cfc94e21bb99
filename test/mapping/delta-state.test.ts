import {
    deltaSince,
    highWaterMark,
    laterOf,
    parseDeltaState,
    scopeOf,
    toSalesforceTimestamp,
} from '../../src/mapping/delta-state'

const FILTER = 'userType eq "Standard"'
const valid = { version: '1', lastModified: '2024-05-06T07:08:09Z', scope: scopeOf(FILTER) }

describe('parseDeltaState', () => {
    it('accepts the state a list saved for the same account filter', () => {
        expect(parseDeltaState(valid, FILTER)).toEqual({ state: valid })
    })

    it.each([
        ['no state', undefined, /no saved state/],
        ['a state that is not an object', 'yesterday', /not an object/],
        ['another state version', { ...valid, version: '0' }, /unknown state version "0"/],
        ['a lastModified that is not a time', { ...valid, lastModified: 'soon' }, /not a timestamp/],
        ['a numeric lastModified', { ...valid, lastModified: 1714979289000 }, /not a timestamp/],
        ['a state saved for another filter', { ...valid, scope: scopeOf(undefined) }, /account filter changed/],
    ])('refuses %s, with the reason', (_label, raw, reason) => {
        const result = parseDeltaState(raw, FILTER)
        expect(result).toEqual({ reason: expect.stringMatching(reason) })
    })
})

describe('delta arithmetic', () => {
    it.each([
        [0, '2024-05-06T07:08:09Z'],
        [5, '2024-05-06T07:03:09Z'],
        [1440, '2024-05-05T07:08:09Z'],
    ])('reaches back %i minutes from the high-water mark', (minutes, since) => {
        expect(deltaSince(valid as Parameters<typeof deltaSince>[0], minutes)).toBe(since)
    })

    it.each([
        [undefined, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
        ['2024-01-01T00:00:00Z', '2023-12-31T23:59:59Z', '2024-01-01T00:00:00Z'],
        ['2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z', '2024-01-01T00:00:01Z'],
        ['2024-01-01T00:00:00Z', 'garbage', '2024-01-01T00:00:00Z'],
        ['2024-01-01T00:00:00Z', undefined, '2024-01-01T00:00:00Z'],
    ])('keeps the later of %s and %s', (current, candidate, expected) => {
        expect(laterOf(current, candidate)).toBe(expected)
    })

    it('formats times the way Salesforce writes them, to the second', () => {
        expect(toSalesforceTimestamp(new Date('2024-05-06T07:08:09.123Z'))).toBe('2024-05-06T07:08:09Z')
    })

    it('hashes the filter into a short stable scope that differs between filters', () => {
        expect(scopeOf(FILTER)).toMatch(/^[0-9a-f]{16}$/)
        expect(scopeOf(FILTER)).toBe(scopeOf(FILTER))
        expect(scopeOf(FILTER)).not.toBe(scopeOf(undefined))
    })
})

describe('highWaterMark', () => {
    const connectorClock = new Date('2025-06-01T10:00:30.500Z')

    it.each([
        [
            'the run start when a user changed during the run is newer',
            '2025-06-01T10:18:00Z',
            'Sun, 01 Jun 2025 10:00:00 GMT',
            '2025-06-01T10:00:00Z',
        ],
        [
            'the newest seen when it is older than the run start',
            '2025-05-01T00:00:00Z',
            'Sun, 01 Jun 2025 10:00:00 GMT',
            '2025-05-01T00:00:00Z',
        ],
        ['the run start when no user was seen', undefined, 'Sun, 01 Jun 2025 10:00:00 GMT', '2025-06-01T10:00:00Z'],
        [
            "the connector's clock, to the second, without a Date header",
            '2025-06-01T10:18:00Z',
            undefined,
            '2025-06-01T10:00:30Z',
        ],
        ["the connector's clock for a Date header that is not a time", undefined, 'soon', '2025-06-01T10:00:30Z'],
    ])('is %s', (_label, newestSeen, runStart, expected) => {
        expect(highWaterMark(newestSeen, runStart, connectorClock)).toBe(expected)
    })

    // delta-gap: a 20-minute full run; user A is read at minute 1 and changed at minute 2.
    it('lets the next delta find a change made after its page was read', () => {
        const saved = highWaterMark('2025-06-01T10:18:00Z', 'Sun, 01 Jun 2025 10:00:00 GMT', connectorClock)
        const since = deltaSince({ version: '1', lastModified: saved, scope: '' }, 5)
        expect(Date.parse('2025-06-01T10:02:00Z')).toBeGreaterThan(Date.parse(since))
    })
})
