/**
 * Queues are not public groups (real-org-review B3/R14), and a create whose answer was lost adopts only its own user
 * (B5/R15): the built bundle against the emulator over HTTP, under each variant of the behaviour it depends on.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { VARIANT_VALUES } from '../../emulator/variants'
import { emulatorConfig } from '../../scripts/local-config'
import { firstAccount, runOnBundle } from '../helpers/bundle'

const QUEUE_ID = SEED.groups.supportQueue
const groupsOf = (account: Record<string, unknown>) => (account.attributes as Record<string, unknown>).groups

describe.each(VARIANT_VALUES.queues)('queues: %s', (queues) => {
    let emulator: RunningEmulator
    let config: Record<string, unknown>

    beforeAll(async () => {
        emulator = await startEmulator({ port: 0, variants: { queues } })
        config = emulatorConfig(emulator.url)
    })
    afterAll(async () => {
        await emulator.close()
    })

    /** The public groups the emulator holds the user in, as an aggregation must report them. */
    const publicGroupsOf = (userId: string) =>
        emulator.store.groupsOf(userId).filter((id) => emulator.store.groups.get(id)?.type === 'Regular')

    it('lists public groups only as group entitlements, each readable exactly as listed', async () => {
        const listed = await runOnBundle('std:entitlement:list', { type: 'group' }, config)
        const publicGroups = [...emulator.store.groups.values()].filter((g) => g.type === 'Regular').map((g) => g.id)
        expect(listed.outputs.map((o) => o.identity).sort()).toEqual([...publicGroups].sort())
        for (const entitlement of listed.outputs) {
            const read = await runOnBundle('std:entitlement:read', { type: 'group', key: entitlement.key }, config)
            expect(read.outputs).toEqual([entitlement])
        }
    })

    it("leaves the queue out of its members' groups, in aggregation and in a read alike", async () => {
        const listed = await runOnBundle('std:account:list', {}, config)
        const members = listed.outputs.filter((o) =>
            (SEED.queueMembers as readonly string[]).includes(String(o.identity))
        )
        expect(members).toHaveLength(SEED.queueMembers.length)
        for (const account of members) {
            expect(groupsOf(account)).toEqual(publicGroupsOf(String(account.identity)))
            const read = await runOnBundle('std:account:read', { key: account.key, identity: account.identity }, config)
            expect(read.outputs).toEqual([account])
        }
        expect(listed.outputs.flatMap((o) => groupsOf(o) as string[])).not.toContain(QUEUE_ID)
    })

    it('updates a queue member without touching the queue, and reports its public groups only', async () => {
        const member = SEED.users.messyQueue
        const key = { simple: { id: member } }
        const updated = firstAccount(
            await runOnBundle(
                'std:account:update',
                { key, changes: [{ op: 'Add', attribute: 'groups', value: SEED.groups.marketing }] },
                config
            )
        )
        expect(updated.attributes.groups).toEqual(publicGroupsOf(member))
        expect(updated.attributes.groups).toContain(SEED.groups.marketing)
        expect(emulator.store.groupsOf(member)).toContain(QUEUE_ID)
    })

    it("refuses a queue's id sent as a public group readably, never as the account's notFound", async () => {
        const error = await runOnBundle(
            'std:account:update',
            {
                key: { simple: { id: SEED.users.messyAccents } },
                changes: [{ op: 'Add', attribute: 'groups', value: QUEUE_ID }],
            },
            config
        ).catch((e: unknown) => e)
        if (queues === 'listed') {
            expect(error).toMatchObject({ name: 'InvalidRequestError', type: 'generic' })
            expect((error as Error).message).toContain(`${QUEUE_ID} is a Salesforce queue, not a public group`)
        } else {
            // Salesforce does not show the queue: its 404 for the group is what says so.
            expect(error).toMatchObject({ name: 'MissingEntitlementError', type: 'generic' })
            expect((error as Error).message).toContain(`Salesforce has no public group ${QUEUE_ID}`)
        }
    })

    it('refuses removing a user from a queue where Salesforce shows queues; where it hides them, nothing is sent', async () => {
        const member = emulator.store.listUsers().find((u) => u.groupIds.includes(QUEUE_ID))
        expect(member).toBeDefined()
        emulator.resetStats()
        const outcome = await runOnBundle(
            'std:account:update',
            { key: { simple: { id: member?.id } }, changes: [{ op: 'Remove', attribute: 'groups', value: QUEUE_ID }] },
            config
        ).catch((e: unknown) => e)
        if (queues === 'listed') {
            expect((outcome as Error).message).toContain(`${QUEUE_ID} is a Salesforce queue, not a public group`)
        } else {
            // Nothing shows the id is a queue's: to the connector it is a group the user is not in (README, R14).
            expect(outcome).not.toBeInstanceOf(Error)
            expect(Object.keys(emulator.stats().byRoute).filter((route) => route.startsWith('PATCH'))).toEqual([])
        }
        // Either way the user is still in the queue: SCIM cannot change queue membership.
        expect(emulator.store.listUsers().find((u) => u.id === member?.id)?.groupIds).toContain(QUEUE_ID)
    })
})

describe('a create whose answer was lost', () => {
    let emulator: RunningEmulator
    let config: Record<string, unknown>

    beforeAll(async () => {
        emulator = await startEmulator({ port: 0, variants: { createVisibility: 'delayed' }, extraLicenses: 10 })
        config = emulatorConfig(emulator.url)
    })
    afterAll(async () => {
        await emulator.close()
    })
    afterEach(() => {
        emulator.setFaults({ writeDropRate: 0 })
        emulator.setClockSkew(0)
    })

    const standardUser = () =>
        [...emulator.store.profiles.values()].find((p) => p.name === 'Standard User')?.id ?? 'no Standard User'

    async function lostCreate(attributes: Record<string, unknown>) {
        emulator.resetStats()
        emulator.setFaults({ writeDropRate: 1 })
        return runOnBundle('std:account:create', { attributes: { profile: standardUser(), ...attributes } }, config)
    }

    it.each([
        ['in step with ours', 0],
        ['10 minutes behind ours', -10 * 60_000],
    ])(
        "adopts its own user once it shows, after its commit delay, with Salesforce's clock %s",
        async (_label, skewMs) => {
            emulator.setClockSkew(skewMs)
            const userName = `lost.own.${skewMs === 0 ? 'now' : 'behind'}@acme-lost.example`
            const account = firstAccount(
                await lostCreate({ userName, email: userName, givenName: 'Lost', familyName: 'Own' })
            )
            expect(account.attributes.userName).toBe(userName)
            expect(account.identity).toBe(emulator.store.findUserByUserName(userName)?.id)
            expect(emulator.stats().byRoute['POST /Users']).toBe(1)
            // The first lookup came before the user showed: it was looked up again, not given up on.
            expect(emulator.stats().byRoute['GET /Users']).toBeGreaterThan(1)
        }
    )

    it('refuses the username of an existing user, and assigns that user nothing the request asked for', async () => {
        const former = emulator.store.getUser(SEED.users.inactiveStandard)
        if (former === undefined) throw new Error('no inactive seed user')
        const before = {
            permissionSets: [...emulator.store.permissionSetsOf(former.id)],
            groups: [...emulator.store.groupsOf(former.id)],
        }
        const salesCloud = [...emulator.store.permissionSets.values()].find((p) => p.name === 'Sales Cloud User')
        expect(salesCloud).toBeDefined()
        const error = await lostCreate({
            userName: former.userName,
            email: 'someone.else@acme-lost.example',
            givenName: 'Someone',
            familyName: 'Else',
            permissionSets: [salesCloud?.id],
            groups: [SEED.groups.marketing],
        }).catch((e: unknown) => e)
        expect(error).toMatchObject({ name: 'ObjectAlreadyExistsError' })
        expect((error as Error).message).toMatch(
            new RegExp(
                `^Salesforce username ${former.userName.replace(/[.]/g, '\\.')} is taken by an existing user, ` +
                    `${former.id}, created at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, before this create was sent: ` +
                    'choose another username\\.'
            )
        )
        expect({
            permissionSets: emulator.store.permissionSetsOf(former.id),
            groups: emulator.store.groupsOf(former.id),
        }).toEqual(before)
        const writes = Object.keys(emulator.stats().byRoute).filter((route) => route.startsWith('PATCH'))
        expect(writes).toEqual([])
    })
})
