/**
 * Accounts with what SCIM cannot reach (Govern Access Beyond SCIM, the product default): the built bundle against
 * the emulator over HTTP. The seeded frozen, locked and licensed users, SCIM and REST agreeing, one Composite call
 * per SCIM page, a delta that sees assignment rows added or deleted through REST, a missing permission degrading
 * with one warning, and the stop before the org's API usage passes the configured share.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { VARIANT_VALUES } from '../../emulator/variants'
import { emulatorConfig } from '../../scripts/local-config'
import { runOnBundle, withBundleLogs } from '../helpers/bundle'
import { at, http, token } from '../emulator/helpers'
import { REST } from '../helpers/rest-bodies'

type Output = Record<string, unknown> & { identity?: unknown; locked?: unknown; attributes?: Record<string, unknown> }

function accountOf(outputs: readonly Output[], id: string): Output {
    const account = outputs.find((o) => o.identity === id)
    if (account === undefined) throw new Error(`no account ${id}`)
    return account
}

/** A REST call with a session of the emulator's integration user. */
async function restCall(url: string, method: string, path: string, body?: unknown) {
    const accessToken = await token(url)
    return http(`${url}${REST}${path}`, {
        method,
        ...(body !== undefined ? { body } : {}),
        headers: { Authorization: `Bearer ${accessToken}` },
    })
}

describe('accounts beyond SCIM', () => {
    let emulator: RunningEmulator
    let config: Record<string, unknown>
    let listed: Output[]

    beforeAll(async () => {
        emulator = await startEmulator({ port: 0 })
        config = emulatorConfig(emulator.url)
        emulator.resetStats()
        listed = (await runOnBundle('std:account:list', {}, { ...config, pageSize: 10 })).outputs
    })
    afterAll(async () => {
        await emulator.close()
    })

    it('costs one Composite call per SCIM page of users, never a request per user', () => {
        const routes = emulator.stats().byRoute
        // One more for the command's plan: the User describe and the org's profiles, in one Composite call.
        expect(routes[`POST ${REST}/composite`]).toBe((routes['GET /Users'] ?? 0) + 1)
        expect(routes[`GET ${REST}/sobjects/User/describe`]).toBeUndefined()
        expect(routes['GET /Users']).toBe(Math.ceil(listed.length / 10))
        expect(Object.keys(routes).filter((route) => route.includes('/query'))).toEqual([])
    })

    it('reports the seeded frozen and locked users, the locked one with the account locked flag', () => {
        expect(accountOf(listed, SEED.users.frozen).attributes).toMatchObject({ frozen: true, locked: false })
        expect(accountOf(listed, SEED.users.frozen).locked).toBe(false)
        for (const id of [SEED.users.locked, SEED.users.lockedUntilAdminReset]) {
            expect(accountOf(listed, id).attributes).toMatchObject({ frozen: false, locked: true })
            expect(accountOf(listed, id).locked).toBe(true)
        }
        const others = listed.filter(
            (o) =>
                ![SEED.users.frozen, SEED.users.locked, SEED.users.lockedUntilAdminReset].includes(String(o.identity))
        )
        for (const account of others) expect(account.attributes).toMatchObject({ frozen: false, locked: false })
    })

    it('reports the permission set group, licenses and expiry dates SCIM does not show', () => {
        const vp = accountOf(listed, SEED.users.vpSales).attributes
        expect(vp).toMatchObject({
            permissionSetGroups: [SEED.permissionSetGroups.salesLeadership],
            permissionSetLicenses: [
                SEED.permissionSetLicenses.crmAnalyticsPlus,
                SEED.permissionSetLicenses.salesCloudEinstein,
            ].sort(),
            packageLicenses: [SEED.packageLicenses.docuSign],
            userLicense: 'Salesforce',
        })
        expect(vp?.permissionSetExpirations).toContain(`${SEED.permissionSets.salesCloudUser}=2027-06-30T00:00:00Z`)
        for (const account of listed) {
            const store = emulator.store
            const id = String(account.identity)
            expect([id, account.attributes?.queues]).toEqual([
                id,
                store
                    .groupsOf(id)
                    .filter((g) => store.groups.get(g)?.type === 'Queue')
                    .sort(),
            ])
        }
    })

    it('agrees with SCIM where SCIM carries the value too: an account read (SCIM with addresses) equals its listing', async () => {
        for (const account of listed) {
            const read = await runOnBundle('std:account:read', { key: account.key, identity: account.identity }, config)
            expect(read.outputs).toEqual([account])
        }
        expect(listed.some((o) => typeof o.attributes?.city === 'string')).toBe(true)
        expect(listed.some((o) => typeof o.attributes?.lastLoginDate === 'string')).toBe(true)
    })

    it('lists the same permission sets as SCIM, without profile-owned and group aggregate sets', async () => {
        const accessToken = await token(emulator.url)
        for (const account of listed) {
            const res = await http(`${emulator.url}/services/scim/v2/Users/${String(account.identity)}`, {
                headers: { Authorization: `Bearer ${accessToken}` },
            })
            const scimSets = ((at(res.body, 'entitlements') as { type?: string; value: string }[]) ?? [])
                .filter((e) => e.type === 'Permission Set')
                .map((e) => e.value)
            expect(account.attributes?.permissionSets).toEqual(scimSets)
        }
    })
})

describe.each(VARIANT_VALUES.deletedJunctionRows)(
    'delta beyond SCIM, deleted junction rows: %s',
    (deletedJunctionRows) => {
        let emulator: RunningEmulator
        let config: Record<string, unknown>

        beforeAll(async () => {
            emulator = await startEmulator({ port: 0, variants: { deletedJunctionRows } })
            config = { ...emulatorConfig(emulator.url), spConnEnableStatefulCommands: true }
        })
        afterAll(async () => {
            await emulator.close()
        })

        async function delta(state: unknown) {
            return runOnBundle('std:account:list', { stateful: true, state }, config)
        }

        it('brings in a user whose permission set license was assigned through REST, and one whose was removed when Salesforce keeps the row', async () => {
            const full = await runOnBundle('std:account:list', { stateful: true }, config)
            const user = SEED.users.salesManagerWest
            const before = (full.outputs as Output[]).find((o) => o.identity === user)?.attributes
                ?.permissionSetLicenses
            expect(before).not.toContain(SEED.permissionSetLicenses.fieldServiceScheduling)

            const created = await restCall(emulator.url, 'POST', '/sobjects/PermissionSetLicenseAssign', {
                AssigneeId: user,
                PermissionSetLicenseId: SEED.permissionSetLicenses.fieldServiceScheduling,
            })
            expect(created.status).toBe(201)
            const added = await delta(full.states[0])
            const addedOutputs = added.outputs as Output[]
            expect(addedOutputs.map((o) => o.identity)).toContain(user)
            expect(accountOf(addedOutputs, user).attributes?.permissionSetLicenses).toContain(
                SEED.permissionSetLicenses.fieldServiceScheduling
            )

            const removed = await restCall(
                emulator.url,
                'DELETE',
                `/sobjects/PermissionSetLicenseAssign/${String(at(created.body, 'id'))}`
            )
            expect(removed.status).toBe(204)
            const after = await delta(added.states[0])
            const afterIds = (after.outputs as Output[]).map((o) => o.identity)
            if (deletedJunctionRows === 'queryAll') {
                expect(afterIds).toContain(user)
                expect(accountOf(after.outputs as Output[], user).attributes?.permissionSetLicenses).not.toContain(
                    SEED.permissionSetLicenses.fieldServiceScheduling
                )
            } else {
                // Salesforce keeps no row of the removal: the delta cannot see it (README, Delta aggregation).
                expect(afterIds).not.toContain(user)
            }
        })
    }
)

describe('a permission the integration user lacks', () => {
    let emulator: RunningEmulator
    beforeAll(async () => {
        emulator = await startEmulator({ port: 0, integrationPermissions: { ManageUsers: false, FreezeUsers: false } })
    })
    afterAll(async () => {
        await emulator.close()
    })

    it('leaves only its attributes out of the accounts, with one warning naming it', async () => {
        const config = { ...emulatorConfig(emulator.url), pageSize: 10 }
        const { result, logs } = await withBundleLogs(() => runOnBundle('std:account:list', {}, config))
        expect(result.outputs.length).toBeGreaterThan(10)
        for (const account of result.outputs as Output[]) {
            expect(account.attributes).not.toHaveProperty('frozen')
            expect(account.attributes).not.toHaveProperty('locked')
            expect(account.locked).toBe(false)
            expect(account.attributes).toHaveProperty('permissionSetGroups')
            expect(account.attributes).toHaveProperty('packageLicenses')
        }
        const warnings = logs.filter((l) => l.message?.startsWith('Leaving frozen and locked out of the accounts'))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]?.message).toContain('The integration user needs the permission Manage Users')
    })
})

describe('the API usage limit', () => {
    let emulator: RunningEmulator
    beforeAll(async () => {
        emulator = await startEmulator({ port: 0, apiDailyLimit: 80 })
    })
    afterAll(async () => {
        await emulator.close()
    })

    it('stops the aggregation before a page that would take the org past the share, naming the setting and the figures', async () => {
        const config = { ...emulatorConfig(emulator.url), pageSize: 2, apiUsageLimitPercent: 50 }
        const sent: unknown[] = []
        await withBundleLogs(() =>
            expect(runOnBundle('std:account:list', {}, config, (o) => sent.push(o))).rejects.toMatchObject({
                name: 'RateLimitError',
                message: expect.stringMatching(
                    /of 80 daily API requests .* past 50% \(40 requests\), the setting API Usage Limit \(%\)/
                ),
            })
        )
        expect(sent.length).toBeGreaterThan(0)
        expect(sent.length).toBeLessThan(SEED_USERS_MIN)
        // The org keeps what the setting leaves for its other integrations.
        const limits = await restCall(emulator.url, 'GET', '/limits')
        const daily = at(limits.body, 'DailyApiRequests') as { Max: number; Remaining: number }
        // The token and /limits calls of this check count too.
        expect(daily.Max - daily.Remaining - 2).toBeLessThanOrEqual(40)
    })
})

/** Fewer than the seed's users: the stop came before the end of the list. */
const SEED_USERS_MIN = 20
