/**
 * The command sequence an ISC admin triggers, run on the built bundle against the emulator over HTTP.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { firstAccount, runOnBundle } from '../helpers/bundle'

let emulator: RunningEmulator
let config: Record<string, unknown>
const ids: Record<string, string> = {}

async function entitlementId(type: string, name: string): Promise<string> {
    const list = await runOnBundle('std:entitlement:list', { type }, config)
    const found = list.outputs.find((o) => (o.attributes as Record<string, unknown>).name === name)
    if (!found) throw new Error(`no ${type} named ${name}`)
    return String(found.identity)
}

beforeAll(async () => {
    emulator = await startEmulator({ port: 0 })
    config = emulatorConfig(emulator.url)
    ids.standardUser = await entitlementId('profile', 'Standard User')
    ids.platformUser = await entitlementId('profile', 'Salesforce Platform User')
    ids.salesCloud = await entitlementId('permissionSet', 'Sales Cloud User')
    ids.apiEnabled = await entitlementId('permissionSet', 'API Enabled')
    const groups = await runOnBundle('std:entitlement:list', { type: 'group' }, config)
    ids.group = String(groups.outputs[0]?.identity)
    const roles = await runOnBundle('std:entitlement:list', { type: 'role' }, config)
    ids.role = String(roles.outputs[0]?.identity)
})

afterAll(async () => {
    await emulator.close()
})

describe('an admin rolling out the Salesforce source', () => {
    it('tests the connection', async () => {
        const result = await runOnBundle('std:test-connection', {}, config)
        expect(result.outputs).toEqual([{}])
    })

    it('aggregates every user the org lists, inactive and frozen ones as disabled', async () => {
        const result = await runOnBundle('std:account:list', {}, config)
        const expected = emulator.store.listUsers()
        expect(result.outputs).toHaveLength(expected.length)
        const inactive = expected.filter((u) => u.active === false).map((u) => u.id)
        expect(inactive.length).toBeGreaterThan(0)
        // A frozen user is active in Salesforce but cannot log in.
        const cannotLogIn = [...inactive, SEED.users.frozen]
        for (const output of result.outputs) {
            expect(output.disabled).toBe(cannotLogIn.includes(String(output.identity)))
            expect(output.key).toEqual({ simple: { id: output.identity } })
        }
    })

    it('reads each account exactly as aggregation listed it (what `sail conn validate` checks)', async () => {
        const listed = await runOnBundle('std:account:list', {}, config)
        const sample = [...listed.outputs.slice(0, 5), ...listed.outputs.filter((o) => o.disabled === true)]
        for (const account of sample) {
            const read = await runOnBundle('std:account:read', { key: account.key, identity: account.identity }, config)
            expect(read.outputs).toEqual([account])
        }
    })

    it.each(['profile', 'permissionSet', 'role', 'group'])(
        'reads each %s entitlement exactly as aggregation listed it',
        async (type) => {
            const listed = await runOnBundle('std:entitlement:list', { type }, config)
            for (const entitlement of listed.outputs) {
                const read = await runOnBundle('std:entitlement:read', { type, key: entitlement.key }, config)
                expect(read.outputs).toEqual([entitlement])
            }
        }
    )

    it.each(['profile', 'permissionSet', 'role', 'group'])('aggregates %s entitlements', async (type) => {
        const result = await runOnBundle('std:entitlement:list', { type }, config)
        expect(result.outputs.length).toBeGreaterThan(0)
        for (const output of result.outputs) {
            expect(output.type).toBe(type)
            expect((output.attributes as Record<string, unknown>).name).toEqual(expect.any(String))
        }
    })

    it('creates a user from an access request with a profile and a permission set, then updates and reads it', async () => {
        const created = firstAccount(
            await runOnBundle(
                'std:account:create',
                {
                    attributes: {
                        userName: 'Avery.Stone@Acme-Integration.example',
                        email: 'avery.stone@acme-integration.example',
                        givenName: 'Avery',
                        familyName: 'Stone',
                        profile: ids.standardUser,
                        permissionSets: [ids.salesCloud],
                    },
                },
                config
            )
        )
        expect(created.attributes.userName).toBe('avery.stone@acme-integration.example')
        expect(created.attributes.profile).toBe(ids.standardUser)
        expect(created.attributes.permissionSets).toEqual([ids.salesCloud])
        const key = { simple: { id: created.identity } }

        const added = firstAccount(
            await runOnBundle(
                'std:account:update',
                { key, changes: [{ op: 'Add', attribute: 'permissionSets', value: ids.apiEnabled }] },
                config
            )
        )
        expect(added.attributes.permissionSets).toEqual(expect.arrayContaining([ids.salesCloud, ids.apiEnabled]))

        const removed = firstAccount(
            await runOnBundle(
                'std:account:update',
                { key, changes: [{ op: 'Remove', attribute: 'permissionSets', value: [ids.salesCloud] }] },
                config
            )
        )
        expect(removed.attributes.permissionSets).toEqual([ids.apiEnabled])

        const swapped = firstAccount(
            await runOnBundle(
                'std:account:update',
                {
                    key,
                    changes: [
                        { op: 'Set', attribute: 'profile', value: ids.platformUser },
                        { op: 'Add', attribute: 'groups', value: ids.group },
                        { op: 'Set', attribute: 'role', value: ids.role },
                        { op: 'Set', attribute: 'title', value: 'Solutions Engineer' },
                    ],
                },
                config
            )
        )
        expect(swapped.attributes.profile).toBe(ids.platformUser)
        expect(swapped.attributes.permissionSets).toEqual([ids.apiEnabled])
        expect(swapped.attributes.groups).toEqual([ids.group])
        expect(swapped.attributes.role).toBe(ids.role)
        expect(swapped.attributes.title).toBe('Solutions Engineer')

        const read = firstAccount(await runOnBundle('std:account:read', { key, identity: created.identity }, config))
        expect(read).toEqual(swapped)
    })
})
