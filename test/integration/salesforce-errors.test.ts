/**
 * Each Salesforce refusal, produced by the emulator over HTTP and seen through the built bundle, ends as one
 * readable message with Salesforce's code and what the admin should do.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { firstAccount, runCommand } from '../helpers/bundle'

let emulator: RunningEmulator
let config: Record<string, unknown>
let standardUser: string
let chatterFree: string

async function entitlementId(type: string, name: string): Promise<string> {
    const list = await runCommand('std:entitlement:list', { type }, config)
    const found = list.outputs.find((o) => (o.attributes as Record<string, unknown>).name === name)
    if (!found) throw new Error(`no ${type} named ${name}`)
    return String(found.identity)
}

function newUser(userName: string, profile: string = standardUser): Record<string, unknown> {
    return { attributes: { userName, email: userName, familyName: 'Tester', givenName: 'Tess', profile } }
}

beforeAll(async () => {
    emulator = await startEmulator({ port: 0, extraLicenses: 50 })
    config = emulatorConfig(emulator.url)
    standardUser = await entitlementId('profile', 'Standard User')
    chatterFree = await entitlementId('profile', 'Chatter Free User')
})

afterAll(async () => {
    await emulator.close()
})

afterEach(() => {
    emulator.setFaults({ apiLimitReached: false })
})

describe('Salesforce errors through the bundled connector', () => {
    it('refuses a create without a profile before any request, saying a profile is required', async () => {
        emulator.resetStats()
        await expect(
            runCommand(
                'std:account:create',
                { attributes: { userName: 'np@acme.example', email: 'np@acme.example', familyName: 'P' } },
                config
            )
        ).rejects.toThrow(/profile/i)
        expect(emulator.stats().requests).toBe(0)
    })

    it('reports a duplicate username, including one taken in another org', async () => {
        const existing = emulator.store.listUsers()[0]
        if (!existing) throw new Error('empty org')
        await expect(
            runCommand('std:account:create', newUser(existing.userName.toUpperCase()), config)
        ).rejects.toMatchObject({
            message: expect.stringMatching(/DUPLICATE_USERNAME[\s\S]*unique across all Salesforce/i),
        })
    })

    it('reports the license limit with what to do, and leaves no user behind', async () => {
        const full = await startEmulator({ port: 0, extraLicenses: 2 })
        try {
            const fullConfig = emulatorConfig(full.url)
            const before = full.store.listUsers().length
            const results: unknown[] = []
            for (let i = 0; i < 4; i++) {
                results.push(
                    await runCommand('std:account:create', newUser(`seat${i}@acme-seats.example`), fullConfig).catch(
                        (e: unknown) => e
                    )
                )
            }
            const failures = results.filter((r): r is Error => r instanceof Error)
            expect(failures).toHaveLength(2)
            expect(failures[0]?.message).toMatch(/LICENSE_LIMIT_EXCEEDED[\s\S]*licen[cs]e/i)
            expect(full.store.listUsers().length).toBe(before + 2)
        } finally {
            await full.close()
        }
    })

    it('reports an unknown user as notFound on read and update', async () => {
        const key = { simple: { id: '005000000000000AAA' } }
        await expect(runCommand('std:account:read', { key }, config)).rejects.toMatchObject({ type: 'notFound' })
        await expect(
            runCommand('std:account:update', { key, changes: [{ op: 'Set', attribute: 'title', value: 'x' }] }, config)
        ).rejects.toMatchObject({ type: 'notFound' })
    })

    it('reports the API request limit without retrying it', async () => {
        emulator.setFaults({ apiLimitReached: true })
        emulator.resetStats()
        await expect(runCommand('std:account:list', {}, config)).rejects.toThrow(/REQUEST_LIMIT_EXCEEDED[\s\S]*24/)
        expect(emulator.stats().byRoute['GET /Users']).toBe(1)
    })

    it('refreshes a revoked session once and carries on', async () => {
        await runCommand('std:test-connection', {}, config)
        emulator.revokeSessions()
        emulator.resetStats()
        const result = await runCommand('std:account:list', {}, config)
        expect(result.outputs.length).toBe(emulator.store.listUsers().length)
        expect(emulator.stats().tokenRequests).toBe(1)
    })

    it('names both licenses when a profile swap crosses license types', async () => {
        const user = firstAccount(await runCommand('std:account:create', newUser('swap@acme-errors.example'), config))
        await expect(
            runCommand(
                'std:account:update',
                {
                    key: { simple: { id: user.identity } },
                    changes: [{ op: 'Set', attribute: 'profile', value: chatterFree }],
                },
                config
            )
        ).rejects.toThrow(/Chatter Free[\s\S]*Salesforce|Salesforce[\s\S]*Chatter Free/)
    })

    it('says why Salesforce refused a deactivation', async () => {
        const blocked = emulator.store.listUsers().find((u) => u.deactivationBlocker !== undefined)
        if (!blocked) throw new Error('the seed org has no user whose deactivation Salesforce refuses')
        await expect(
            runCommand('std:account:disable', { key: { simple: { id: blocked.id } } }, config)
        ).rejects.toThrow(/hierarchy|Web-to-Lead|case owner/i)
    })

    it('reports a password that breaks the password policy', async () => {
        const user = firstAccount(await runCommand('std:account:create', newUser('pw@acme-errors.example'), config))
        await expect(
            runCommand('std:change-password', { key: { simple: { id: user.identity } }, password: 'short' }, config)
        ).rejects.toThrow(/INVALID_NEW_PASSWORD/)
    })

    it('says the integration user needs Manage Users when Salesforce refuses a write for lack of access', async () => {
        // A user the connected app admits (through API Enabled) but whose profile lacks "Manage Users".
        const delegate = firstAccount(
            await runCommand(
                'std:account:create',
                {
                    attributes: {
                        ...(newUser('delegate@acme-errors.example').attributes as Record<string, unknown>),
                        permissionSets: SEED.permissionSets.apiEnabled,
                    },
                },
                config
            )
        )
        const asDelegate = emulatorConfig(emulator.url, { username: delegate.attributes.userName })
        await expect(runCommand('std:test-connection', {}, asDelegate)).resolves.toMatchObject({ outputs: [{}] })
        await expect(
            runCommand('std:account:create', newUser('refused@acme-errors.example'), asDelegate)
        ).rejects.toThrow(/INSUFFICIENT_ACCESS[\s\S]*Manage Users/)
        expect(emulator.store.listUsers().some((u) => u.userName === 'refused@acme-errors.example')).toBe(false)
    })

    it('reports bad credentials as a configuration problem to fix', async () => {
        await expect(
            runCommand('std:test-connection', {}, emulatorConfig(emulator.url, { clientId: 'not-the-consumer-key' }))
        ).rejects.toThrow(/invalid_client_id|Consumer Key/i)
        await expect(
            runCommand(
                'std:test-connection',
                {},
                emulatorConfig(emulator.url, {
                    authType: 'usernamePassword',
                    privateKey: undefined,
                    clientSecret: 'wrong',
                    password: 'wrong',
                })
            )
        ).rejects.toThrow(/invalid_client|invalid_grant|authentication failure/i)
    })
})
