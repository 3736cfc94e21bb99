/**
 * Each Salesforce refusal, produced by the emulator over HTTP and seen through the built bundle, ends as one
 * readable message with Salesforce's code and what the admin should do.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { firstAccount, runOnBundle } from '../helpers/bundle'

let emulator: RunningEmulator
let config: Record<string, unknown>
let standardUser: string
let chatterFree: string

async function entitlementId(type: string, name: string): Promise<string> {
    const list = await runOnBundle('std:entitlement:list', { type }, config)
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
            runOnBundle(
                'std:account:create',
                { attributes: { userName: 'np@acme.example', email: 'np@acme.example', familyName: 'P' } },
                config
            )
        ).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(/Salesforce requires exactly one profile per user/),
        })
        expect(emulator.stats().requests).toBe(0)
    })

    it('reports a duplicate username, including one taken in another org', async () => {
        const existing = emulator.store.listUsers()[0]
        if (!existing) throw new Error('empty org')
        await expect(
            runOnBundle('std:account:create', newUser(existing.userName.toUpperCase()), config)
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
                    await runOnBundle('std:account:create', newUser(`seat${i}@acme-seats.example`), fullConfig).catch(
                        (e: unknown) => e
                    )
                )
            }
            const failures = results.filter((r): r is Error => r instanceof Error)
            expect(failures).toHaveLength(2)
            expect(failures[0]?.message).toMatch(
                /No Salesforce license left: LICENSE_LIMIT_EXCEEDED[\s\S]*deactivate unused users to free licenses/
            )
            expect(full.store.listUsers().length).toBe(before + 2)
        } finally {
            await full.close()
        }
    })

    it('reports an unknown user as notFound on read and update, as a wrong id rather than a removed user', async () => {
        const key = { simple: { id: '005000000000000AAA' } }
        const read = await runOnBundle('std:account:read', { key }, config).catch((e: unknown) => e)
        expect(read).toMatchObject({
            type: 'notFound',
            message: expect.stringMatching(
                /^Not found in Salesforce: [\s\S]*Salesforce never deletes users[\s\S]*the id is wrong or is a user of another Salesforce org/
            ),
        })
        expect((read as Error).message).not.toMatch(/removed/)
        await expect(
            runOnBundle('std:account:update', { key, changes: [{ op: 'Set', attribute: 'title', value: 'x' }] }, config)
        ).rejects.toMatchObject({ type: 'notFound' })
    })

    it('refuses joining a queue as a public group before asking Salesforce, never as notFound', async () => {
        const queue = SEED.groups.supportQueue
        const user = firstAccount(
            await runOnBundle('std:account:create', newUser('b3-queue@acme-errors.example'), config)
        )
        const failure = await runOnBundle(
            'std:account:update',
            { key: { simple: { id: user.identity } }, changes: [{ op: 'Add', attribute: 'groups', value: queue }] },
            config
        ).catch((e: unknown) => e)
        expect(failure).toMatchObject({ name: 'InvalidRequestError', type: 'generic' })
        expect((failure as Error).message).toContain(
            `${queue} is a Salesforce queue, not a public group: Salesforce's SCIM API cannot change who is in a queue`
        )
    })

    it.each([['a group Salesforce no longer has', () => '00G000000000099AAA']])(
        'reports joining %s as that missing group, never as notFound (ISC would create the account again)',
        async (_name, groupOf) => {
            const groupId = groupOf()
            const user = firstAccount(
                await runOnBundle('std:account:create', newUser(`b3-${groupId}@acme-errors.example`), config)
            )
            const failure = await runOnBundle(
                'std:account:update',
                {
                    key: { simple: { id: user.identity } },
                    changes: [{ op: 'Add', attribute: 'groups', value: groupId }],
                },
                config
            ).catch((e: unknown) => e)
            expect(failure).toMatchObject({ name: 'MissingEntitlementError', type: 'generic' })
            expect((failure as Error).message).toMatch(
                new RegExp(
                    `^Could not join ${groupId} for user ${user.identity}: Salesforce has no public group ${groupId}: ` +
                        '[\\s\\S]*may have been deleted in Salesforce since the last entitlement aggregation, or the id ' +
                        "is a queue's[\\s\\S]*aggregate entitlements again"
                )
            )
        }
    )

    it('reports reading a queue as a group as notFound, naming it', async () => {
        const id = SEED.groups.supportQueue
        await expect(
            runOnBundle('std:entitlement:read', { type: 'group', key: { simple: { id } } }, config)
        ).rejects.toMatchObject({
            type: 'notFound',
            message: expect.stringMatching(new RegExp(`^Salesforce has no public group ${id}: `)),
        })
    })

    it('reports the API request limit without retrying it', async () => {
        emulator.setFaults({ apiLimitReached: true })
        emulator.resetStats()
        await expect(runOnBundle('std:account:list', {}, config)).rejects.toThrow(
            /^Salesforce API request limit reached: REQUEST_LIMIT_EXCEEDED: [\s\S]*rolling 24-hour limit for the whole org/
        )
        expect(emulator.stats().byRoute['GET /Users']).toBe(1)
    })

    it('refreshes a revoked session once and carries on', async () => {
        await runOnBundle('std:test-connection', {}, config)
        emulator.revokeSessions()
        emulator.resetStats()
        const result = await runOnBundle('std:account:list', {}, config)
        expect(result.outputs.length).toBe(emulator.store.listUsers().length)
        expect(emulator.stats().tokenRequests).toBe(1)
    })

    it('names both licenses when a profile swap crosses license types', async () => {
        const user = firstAccount(await runOnBundle('std:account:create', newUser('swap@acme-errors.example'), config))
        await expect(
            runOnBundle(
                'std:account:update',
                {
                    key: { simple: { id: user.identity } },
                    changes: [{ op: 'Set', attribute: 'profile', value: chatterFree }],
                },
                config
            )
        ).rejects.toThrow(/The profile and the user's license do not match \([^)]*Chatter Free/)
    })

    it('says why Salesforce refused a deactivation', async () => {
        const blocked = emulator.store.listUsers().find((u) => u.deactivationBlocker !== undefined)
        if (!blocked) throw new Error('the seed org has no user whose deactivation Salesforce refuses')
        await expect(
            runOnBundle('std:account:disable', { key: { simple: { id: blocked.id } } }, config)
        ).rejects.toThrow(
            /^Salesforce refused the change: FIELD_INTEGRITY_EXCEPTION: Cannot inactivate user [\s\S]*(change those users' Manager|Salesforce Setup → Web-to-Lead|Salesforce Setup → Support Settings)/
        )
    })

    it('reports a password that breaks the password policy', async () => {
        const user = firstAccount(await runOnBundle('std:account:create', newUser('pw@acme-errors.example'), config))
        await expect(
            runOnBundle('std:change-password', { key: { simple: { id: user.identity } }, password: 'short' }, config)
        ).rejects.toThrow(/Salesforce refused the new password: INVALID_NEW_PASSWORD: [\s\S]*Setup → Password Policies/)
    })

    it('says the integration user needs Manage Users when Salesforce refuses a write for lack of access', async () => {
        // A user the connected app admits (through API Enabled) but whose profile lacks "Manage Users".
        const delegate = firstAccount(
            await runOnBundle(
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
        await expect(runOnBundle('std:test-connection', {}, asDelegate)).resolves.toMatchObject({ outputs: [{}] })
        await expect(
            runOnBundle('std:account:create', newUser('refused@acme-errors.example'), asDelegate)
        ).rejects.toThrow(
            /^The integration user lacks a permission: INSUFFICIENT_ACCESS[\s\S]*"Manage Users" and "API Enabled"/
        )
        expect(emulator.store.listUsers().some((u) => u.userName === 'refused@acme-errors.example')).toBe(false)
    })

    it('reports bad credentials as a configuration problem to fix', async () => {
        await expect(
            runOnBundle('std:test-connection', {}, emulatorConfig(emulator.url, { clientId: 'not-the-consumer-key' }))
        ).rejects.toThrow(
            /Salesforce did not recognise the connected app: invalid_client_id: [\s\S]*Check Consumer Key/
        )
        await expect(
            runOnBundle(
                'std:test-connection',
                {},
                emulatorConfig(emulator.url, {
                    authType: 'usernamePassword',
                    privateKey: undefined,
                    clientSecret: 'wrong',
                    password: 'wrong',
                })
            )
        ).rejects.toThrow(/^Salesforce refused the client credentials: invalid_client: [\s\S]*Check Consumer Secret/)
    })
})
