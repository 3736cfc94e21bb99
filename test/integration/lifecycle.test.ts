/**
 * The rest of the account lifecycle through the built bundle against the emulator: enable, disable, delete,
 * change password, entitlement reads, schema discovery, delta aggregation, scoping and profile revocation.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { firstAccount, runOnBundle } from '../helpers/bundle'

let emulator: RunningEmulator
let config: Record<string, unknown>
let userId: string
const key = () => ({ simple: { id: userId } })

beforeAll(async () => {
    emulator = await startEmulator({ port: 0, extraLicenses: 20 })
    // Tracing on: every request and response of this suite is logged, and the suite's secret scan reads them all.
    config = emulatorConfig(emulator.url, { defaultProfileId: SEED.profiles.standardUser, traceHttp: true })
    const created = await runOnBundle(
        'std:account:create',
        {
            attributes: {
                userName: 'morgan.reyes@acme-lifecycle.example',
                email: 'morgan.reyes@acme-lifecycle.example',
                givenName: 'Morgan',
                familyName: 'Reyes',
                profile: SEED.profiles.salesforcePlatformUser,
                permissionSets: SEED.permissionSets.salesCloudUser,
            },
        },
        config
    )
    userId = firstAccount(created).identity
})

afterAll(async () => {
    await emulator.close()
})

describe('the account lifecycle', () => {
    it('disables and enables a user, reporting the new state', async () => {
        const disabled = firstAccount(await runOnBundle('std:account:disable', { key: key() }, config))
        expect(disabled.disabled).toBe(true)
        expect(disabled.attributes.active).toBe(false)
        expect(emulator.store.listUsers().find((u) => u.id === userId)?.active).toBe(false)

        const enabled = firstAccount(await runOnBundle('std:account:enable', { key: key() }, config))
        expect(enabled.disabled).toBe(false)
        expect(emulator.store.listUsers().find((u) => u.id === userId)?.active).toBe(true)
    })

    it('changes the password, and reports the policy when Salesforce refuses one', async () => {
        const result = await runOnBundle('std:change-password', { key: key(), password: 'N3w-Passphrase-2026' }, config)
        expect(result.outputs).toEqual([{}])
        await expect(runOnBundle('std:change-password', { key: key(), password: 'abc' }, config)).rejects.toThrow(
            /INVALID_NEW_PASSWORD[\s\S]*8 characters/
        )
    })

    it('swaps a revoked profile to the default profile instead of leaving the user without one', async () => {
        const revoked = firstAccount(
            await runOnBundle(
                'std:account:update',
                {
                    key: key(),
                    changes: [{ op: 'Remove', attribute: 'profile', value: SEED.profiles.salesforcePlatformUser }],
                },
                config
            )
        )
        expect(revoked.attributes.profile).toBe(SEED.profiles.standardUser)
        expect(revoked.attributes.permissionSets).toEqual([SEED.permissionSets.salesCloudUser])
    })

    it('removes the last permission set through SCIM where Salesforce clears on an empty replace, and fails readably where not', async () => {
        // SCIM's own removal, as the connector sends it without Govern Access Beyond SCIM (with it, the
        // PermissionSetAssignment row is deleted through REST: test/integration/rest-provisioning.test.ts).
        const removeLast = () =>
            runOnBundle(
                'std:account:update',
                {
                    key: key(),
                    changes: [{ op: 'Remove', attribute: 'permissionSets', value: SEED.permissionSets.salesCloudUser }],
                },
                { ...config, governBeyondScim: false }
            )
        // The default, as Salesforce's SCIM pilot: no SCIM request takes the last permission set away. The
        // revocation is never reported done while Salesforce still assigns it.
        await expect(removeLast()).rejects.toThrow(
            new RegExp(
                `Salesforce still assigns permission set ${SEED.permissionSets.salesCloudUser} to user ${userId} .*` +
                    'the access was NOT revoked.*Remove the assignment in Salesforce Setup'
            )
        )
        expect(emulator.store.hasPermissionSet(userId, SEED.permissionSets.salesCloudUser)).toBe(true)

        emulator.setVariants({ emptyEntitlementsReplace: 'clears' })
        try {
            const updated = firstAccount(await removeLast())
            expect(updated.attributes.permissionSets).toEqual([])
            expect(updated.attributes.profile).toBe(SEED.profiles.standardUser)
            expect(emulator.store.permissionSetsOf(userId)).toEqual([])
        } finally {
            emulator.setVariants({ emptyEntitlementsReplace: 'ignored' })
        }
    })

    it.each([
        ['profile', SEED.profiles.standardUser, 'Standard User'],
        ['permissionSet', SEED.permissionSets.salesCloudUser, 'Sales Cloud User'],
        ['group', SEED.groups.allSales, 'All Sales'],
        ['role', SEED.roles.ceo, 'CEO'],
    ])('reads a %s entitlement by id', async (type, id, name) => {
        const result = await runOnBundle('std:entitlement:read', { type, key: { simple: { id } } }, config)
        expect(result.outputs).toHaveLength(1)
        expect(result.outputs[0]).toMatchObject({ identity: id, type, attributes: { name } })
    })

    it('reports an id of the wrong kind for the entitlement type as notFound', async () => {
        await expect(
            runOnBundle(
                'std:entitlement:read',
                { type: 'profile', key: { simple: { id: SEED.permissionSets.salesCloudUser } } },
                config
            )
        ).rejects.toMatchObject({ type: 'notFound' })
    })

    it("discovers the account schema, with the org's custom fields", async () => {
        const result = await runOnBundle('std:account:discover-schema', {}, config)
        const schema = result.outputs[0] as {
            identityAttribute: string
            attributes: { name: string; entitlement?: boolean }[]
        }
        expect(schema.identityAttribute).toBe('id')
        const names = schema.attributes.map((a) => a.name)
        expect(names).toEqual(expect.arrayContaining(['userName', 'profile', 'permissionSets', 'Cost_Center__c']))
        expect(
            schema.attributes
                .filter((a) => a.entitlement)
                .map((a) => a.name)
                .sort()
        ).toEqual([
            'featureLicenses',
            'groups',
            'packageLicenses',
            'permissionSetGroups',
            'permissionSetLicenses',
            'permissionSets',
            'profile',
            'queues',
            'role',
        ])
    })

    it('aggregates only what changed since the saved state, deactivations included', async () => {
        const full = await runOnBundle('std:account:list', { stateful: true }, config)
        const state = full.states[0]
        expect(state).toEqual({ version: '1', lastModified: expect.any(String), scope: expect.any(String) })

        // A change made at least a second after the high-water mark, as Salesforce timestamps have second precision.
        await new Promise((resolve) => setTimeout(resolve, 1100))
        await runOnBundle(
            'std:account:update',
            { key: key(), changes: [{ op: 'Set', attribute: 'title', value: 'Director' }] },
            config
        )
        await runOnBundle('std:account:disable', { key: key() }, config)

        const delta = await runOnBundle('std:account:list', { stateful: true, state }, config)
        const changed = delta.outputs.find((o) => o.identity === userId)
        expect(changed).toMatchObject({ disabled: true, attributes: { title: 'Director' } })
        expect(delta.outputs.length).toBeLessThan(full.outputs.length)
        expect(delta.states[0]?.lastModified).not.toBe(state?.lastModified)

        const afterBadState = await runOnBundle('std:account:list', { stateful: true, state: { version: '0' } }, config)
        expect(afterBadState.outputs).toHaveLength(full.outputs.length)
    })

    it('scopes aggregation with the configured SCIM filter, and refuses a malformed one', async () => {
        const scoped = await runOnBundle('std:account:list', {}, { ...config, accountFilter: 'active eq "true"' })
        const active = emulator.store.listUsers().filter((u) => u.active)
        expect(scoped.outputs).toHaveLength(active.length)
        // Every user is active; the frozen one, who cannot log in, is the only account disabled.
        expect(scoped.outputs.filter((o) => o.disabled !== false).map((o) => o.identity)).toEqual([SEED.users.frozen])

        emulator.resetStats()
        await expect(
            runOnBundle('std:account:list', {}, { ...config, accountFilter: 'active eq true) or (' })
        ).rejects.toThrow(/Account filter/i)
        expect(emulator.stats().requests).toBe(0)
    })

    it('deletes by deactivating: the user stays in Salesforce, disabled', async () => {
        await runOnBundle('std:account:enable', { key: key() }, config)
        const result = await runOnBundle('std:account:delete', { key: key() }, config)
        expect(result.outputs).toEqual([{}])
        const read = firstAccount(await runOnBundle('std:account:read', { key: key() }, config))
        expect(read.disabled).toBe(true)
    })
})
