/**
 * Faults injected by the emulator: nothing lost, nothing duplicated, one token for a burst, and hostile input
 * refused before it reaches Salesforce.
 */
import { RunningEmulator, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { runOnBundle } from '../helpers/bundle'

describe('a 20,000-user aggregation on a flaky network', () => {
    let emulator: RunningEmulator
    beforeAll(async () => {
        emulator = await startEmulator({ port: 0, users: 20000 })
    })
    afterAll(async () => {
        await emulator.close()
    })

    it('returns exactly the accounts of a clean run despite 10% failed responses and a revoked session', async () => {
        // One stream, so that both runs send in id order (partitions.test.ts reads side by side under faults).
        const config = emulatorConfig(emulator.url, { maxRetries: 8, parallelStreams: 1 })
        const clean: string[] = []
        await runOnBundle('std:account:list', {}, config, (o) => clean.push(JSON.stringify(o)))
        expect(clean.length).toBeGreaterThanOrEqual(20000)

        emulator.resetStats()
        emulator.setFaults({ errorRate: 0.05, dropRate: 0.05, revokeSessionsAfterRequests: 40 })
        const faulty: string[] = []
        await runOnBundle('std:account:list', {}, config, (o) => faulty.push(JSON.stringify(o)))
        const stats = emulator.stats()
        emulator.setFaults({ errorRate: 0, dropRate: 0, revokeSessionsAfterRequests: 0 })

        expect(stats.faultsInjected).toBeGreaterThan(5)
        expect(stats.tokenRequests).toBe(1)
        expect(faulty).toEqual(clean)
    })
})

describe('a 3,000-user aggregation whose connections drop', () => {
    let emulator: RunningEmulator
    let clean: string[]
    beforeAll(async () => {
        emulator = await startEmulator({ port: 0, users: 3000 })
        clean = []
        await runOnBundle('std:account:list', {}, emulatorConfig(emulator.url, { parallelStreams: 1 }), (o) =>
            clean.push(JSON.stringify(o))
        )
    })
    afterAll(async () => {
        await emulator.close()
    })
    afterEach(() => {
        emulator.setFaults({ errorRate: 0, dropRate: 0 })
    })

    const identities = (accounts: readonly string[]): string[] =>
        accounts.map((a) => String((JSON.parse(a) as { identity: unknown }).identity))

    /** Runs the aggregation with these faults; the accounts sent, the error it ended with, and the faults seen. */
    async function aggregateWith(
        faults: Parameters<RunningEmulator['setFaults']>[0],
        config: Record<string, unknown>
    ): Promise<{ accounts: string[]; error: unknown; stats: ReturnType<RunningEmulator['stats']> }> {
        emulator.resetStats()
        emulator.setFaults(faults)
        const accounts: string[] = []
        let error: unknown
        try {
            await runOnBundle('std:account:list', {}, config, (o) => accounts.push(JSON.stringify(o)))
        } catch (e: unknown) {
            error = e
        }
        return { accounts, error, stats: emulator.stats() }
    }

    it('sends every account exactly once, in the clean order, when 30% of the answers are dropped', async () => {
        expect(clean.length).toBeGreaterThanOrEqual(3000)
        expect(new Set(identities(clean)).size).toBe(clean.length)

        const run = await aggregateWith(
            { dropRate: 0.3 },
            emulatorConfig(emulator.url, { maxRetries: 8, parallelStreams: 1 })
        )

        expect(run.error).toBeUndefined()
        expect(run.stats.faultsByOption.dropRate ?? 0).toBeGreaterThan(0)
        expect(new Set(identities(run.accounts)).size).toBe(run.accounts.length)
        expect(run.accounts).toEqual(clean)
    })

    it('sends every account exactly once when dropped connections mix with 5xx answers', async () => {
        const run = await aggregateWith(
            { errorRate: 0.1, dropRate: 0.1 },
            emulatorConfig(emulator.url, { maxRetries: 8, parallelStreams: 1 })
        )

        expect(run.error).toBeUndefined()
        expect(run.stats.faultsByOption.dropRate ?? 0).toBeGreaterThan(0)
        expect(run.stats.faultsInjected).toBeGreaterThan(run.stats.faultsByOption.dropRate ?? 0)
        expect(new Set(identities(run.accounts)).size).toBe(run.accounts.length)
        expect(run.accounts).toEqual(clean)
    })

    it('fails with a dropped-connection error once every answer drops, having sent no account', async () => {
        const run = await aggregateWith({ dropRate: 1 }, emulatorConfig(emulator.url, { maxRetries: 2 }))

        expect(run.error).toBeInstanceOf(Error)
        const message = (run.error as Error).message
        expect(message).toContain('The connection to Salesforce dropped: ECONNRESET')
        expect(message).toContain('(GET /services/scim/v2/Users)')
        // The first try and both retries dropped; each was a whole GET of the first page again.
        expect(run.stats.byRoute['GET /Users']).toBe(3)
        expect(run.accounts).toEqual([])
    })
})

describe('creates whose responses are lost', () => {
    it('never make a duplicate user: 200 creates, each lost response resolved by looking the user up', async () => {
        const emulator = await startEmulator({ port: 0, extraLicenses: 250 })
        try {
            const config = emulatorConfig(emulator.url)
            const profiles = await runOnBundle('std:entitlement:list', { type: 'profile' }, config)
            const profile = profiles.outputs.find(
                (o) => (o.attributes as Record<string, unknown>).name === 'Standard User'
            )
            emulator.setFaults({ writeDropRate: 0.3 })
            const userNames = Array.from({ length: 200 }, (_, i) => `lost.response.${i}@acme-faults.example`)
            const outcomes: string[] = []
            for (const userName of userNames) {
                const result = await runOnBundle(
                    'std:account:create',
                    {
                        attributes: {
                            userName,
                            email: userName,
                            familyName: `Lost${userName.length}`,
                            profile: profile?.identity,
                        },
                    },
                    config
                )
                outcomes.push(String((result.outputs[0]?.attributes as Record<string, unknown>).userName))
            }
            const stats = emulator.stats()
            emulator.setFaults({ writeDropRate: 0 })
            expect(stats.faultsInjected).toBeGreaterThan(20)
            expect(outcomes).toEqual(userNames)
            for (const userName of userNames) {
                expect(emulator.store.listUsers().filter((u) => u.userName === userName)).toHaveLength(1)
            }
        } finally {
            await emulator.close()
        }
    })
})

describe('a burst of commands on a cold token cache', () => {
    it('makes one token request for 50 concurrent commands', async () => {
        const emulator = await startEmulator({ port: 0 })
        try {
            const config = emulatorConfig(emulator.url)
            const someone = emulator.store.listUsers()[0]
            const results = await Promise.all(
                Array.from({ length: 50 }, () =>
                    runOnBundle('std:account:read', { key: { simple: { id: someone?.id } } }, config)
                )
            )
            expect(results.every((r) => r.outputs.length === 1)).toBe(true)
            expect(emulator.stats().tokenRequests).toBe(1)
        } finally {
            await emulator.close()
        }
    })
})

describe('hostile command input', () => {
    let emulator: RunningEmulator
    let config: Record<string, unknown>
    beforeAll(async () => {
        emulator = await startEmulator({ port: 0 })
        config = emulatorConfig(emulator.url)
        await runOnBundle('std:test-connection', {}, config)
    })
    afterAll(async () => {
        await emulator.close()
    })

    const hostileIds: unknown[] = [
        '../Groups',
        '..%2FGroups',
        '005000000000000AAA/../../Groups',
        '005000000000000AAA?attributes=password',
        '005000000000000AAA#x',
        '005" or userName pr or id eq "',
        'x'.repeat(100_000),
        '',
        ' ',
        '\u0000005000000000000AAA',
        '005000000000000AA\n',
        '００５000000000000AAA',
        12345,
        null,
        true,
        {},
        [],
        ['005000000000000AAA'],
        { $ne: '' },
        '00e000000000000AAA',
        '005 000000000000AAA',
        'http://attacker.example/005000000000000AAA',
    ]

    it.each(hostileIds.map((id) => [JSON.stringify(id).slice(0, 40), id]))(
        'refuses the account id %s before any request',
        async (_label, id) => {
            emulator.resetStats()
            await expect(
                runOnBundle('std:account:read', { key: { simple: { id } }, identity: id }, config)
            ).rejects.toThrow(/^Account key: .*\bSalesforce (user )?Id\b/)
            expect(emulator.stats().requests).toBe(0)
        }
    )

    /** Each hostile update, with the words of the message that tells the admin what is wrong with it. */
    const hostileUpdates: [unknown, RegExp][] = [
        [undefined, /^Account update: `changes` must be a list of attribute changes/],
        ['Set title', /^Account update: `changes` must be a list of attribute changes/],
        [[{ op: 'Delete', attribute: 'title', value: 'x' }], /^Change of title: unknown operation "Delete"/],
        [
            [{ op: 'Set', attribute: 'password', value: 'Hunter2hunter2' }],
            /^Set password: an account update cannot set a password; use change password/,
        ],
        [
            [{ op: 'Add', attribute: 'permissionSets', value: '0PS") or (id pr' }],
            /^Add permissionSets: .* is not a Salesforce permission set id/,
        ],
        [
            [{ op: 'Add', attribute: 'groups', value: '../Users' }],
            /^Add groups: .* is not a Salesforce public group id/,
        ],
        [
            [{ op: 'Set', attribute: 'profile', value: ['00e000000000001AAA', '00e000000000002AAA'] }],
            /^Set profile: got 2 profiles .*Salesforce requires exactly one profile per user/,
        ],
        [[{ op: 'Set', attribute: 'role', value: { value: '00E000000000001AAA' } }], /^Set role: expected text/],
        [
            [{ op: 'Set', attribute: 'title', value: 'x'.repeat(100_000) }],
            /^Set title: at most 80 characters in Salesforce/,
        ],
        [
            [{ op: 'Set', attribute: 'noSuchAttribute', value: 'x' }],
            /^Set noSuchAttribute: the Salesforce account has no attribute named noSuchAttribute/,
        ],
    ]

    it.each(hostileUpdates.map(([c, message]) => [JSON.stringify(c)?.slice(0, 50) ?? 'undefined', c, message]))(
        'refuses the update %s before any write',
        async (_label, changes, message) => {
            const someone = emulator.store.listUsers()[0]
            emulator.resetStats()
            await expect(
                runOnBundle('std:account:update', { key: { simple: { id: someone?.id } }, changes }, config)
            ).rejects.toThrow(message)
            const writes = Object.entries(emulator.stats().byRoute).filter(([route]) => !route.startsWith('GET'))
            expect(writes.filter(([route]) => route !== 'POST /token')).toEqual([])
        }
    )

    it.each([
        [
            'an entitlement type that does not exist',
            { type: 'superuser', key: { simple: { id: '00e000000000001AAA' } } },
            /^Unknown entitlement type "superuser": this source has profile, permissionSet, role, group/,
        ],
        [
            'a filter injected through the type',
            { type: 'profile") or (id pr', key: { simple: { id: '00e000000000001AAA' } } },
            /^Unknown entitlement type .*: this source has profile, permissionSet, role, group/,
        ],
        [
            'a path in the id',
            { type: 'group', key: { simple: { id: '../Users' } } },
            /^Entitlement key: expected a Salesforce Id/,
        ],
    ])('refuses an entitlement read with %s', async (_label, input, message) => {
        emulator.resetStats()
        await expect(runOnBundle('std:entitlement:read', input, config)).rejects.toThrow(message)
        expect(emulator.stats().requests).toBe(0)
    })
})
