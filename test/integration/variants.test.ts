/**
 * The variant matrix: every value of every unconfirmed Salesforce behaviour the emulator models (VARIANT_VALUES,
 * R1-R15 and E12), each run through the built bundle with the commands it can affect. Under each value the
 * connector is either right (the users, entitlements or writes Salesforce holds) or fails loudly, naming what
 * Salesforce did not do; never a short list or a success that did not happen.
 */
import { RunningEmulator, SEED, startEmulator, VARIANT_VALUES, VariantName, Variants } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { createUserOnBundle, firstAccount, runOnBundle, updateOnBundle } from '../helpers/bundle'
import { at, http, HttpResult, token } from '../emulator/helpers'

let emulator: RunningEmulator
let config: Record<string, unknown>
let serial = 0

beforeAll(async () => {
    // 1,000 permission sets meet /Entitlements' 200 cap; a small page size pages the 30 seed users over
    // several pages, across the pods and the case flip of their ids.
    emulator = await startEmulator({ port: 0, permissionSets: 1000, extraLicenses: 60 })
    config = emulatorConfig(emulator.url, { defaultProfileId: SEED.profiles.standardUser, pageSize: 7 })
})

afterAll(async () => {
    await emulator.close()
})

const DEFAULTS = (): Variants => ({ ...emulator.variants() })
let defaults: Variants
beforeAll(() => {
    defaults = DEFAULTS()
})
afterEach(() => {
    emulator.setVariants(defaults)
    emulator.setFaults({ writeDropRate: 0 })
})

/** A new user made through the connector, with what `attributes` adds. */
function newUser(attributes: Record<string, unknown> = {}): Promise<string> {
    serial += 1
    return createUserOnBundle(config, `variant.user${serial}@acme-variants.example`, {
        givenName: 'Variant',
        familyName: `User ${serial}`,
        ...attributes,
    })
}

function update(id: string, changes: Record<string, unknown>[]) {
    return updateOnBundle(config, id, changes)
}

function stored(id: string) {
    const user = emulator.store.getUser(id)
    if (!user) throw new Error(`no user ${id} in the emulator`)
    return user
}

/** A full aggregation hands out exactly the users Salesforce's /Users serves, each once. */
async function expectFullAggregation(extraConfig: Record<string, unknown> = {}): Promise<void> {
    const result = await runOnBundle('std:account:list', {}, { ...config, ...extraConfig })
    const ids = result.outputs.map((o) => String(o.identity))
    const expected = emulator.store.listUsers().map((u) => u.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual([...expected].sort())
}

/** An entitlement list returns every profile and permission set the org has (1,000 and more of them). */
async function expectEveryEntitlement(): Promise<void> {
    const permissionSets = await runOnBundle('std:entitlement:list', { type: 'permissionSet' }, config)
    const expected = emulator.store.sortedPermissionSets().map((p) => p.id)
    expect(expected.length).toBeGreaterThan(1000)
    expect(permissionSets.outputs.map((o) => String(o.identity)).sort()).toEqual([...expected].sort())
    const profiles = await runOnBundle('std:entitlement:list', { type: 'profile' }, config)
    expect(profiles.outputs.map((o) => String(o.identity)).sort()).toEqual(
        emulator.store
            .listedProfiles()
            .map((p) => p.id)
            .sort()
    )
}

type Scenario = (value: string) => Promise<void>

/**
 * Variants of the emulator's REST API, which the connector does not call yet: `test/emulator` covers them until the
 * connector's REST scenarios join this matrix.
 */
const EMULATOR_ONLY_VARIANTS = ['restBatchSize'] as const

/** A REST call with a session of the emulator's integration user. */
async function restCall(method: string, path: string, body?: unknown): Promise<HttpResult> {
    return http(`${emulator.url}/services/data/v62.0${path}`, {
        method,
        ...(body !== undefined ? { body } : {}),
        headers: { Authorization: `Bearer ${await token(emulator.url)}` },
    })
}
type ConnectorVariant = Exclude<VariantName, (typeof EMULATOR_ONLY_VARIANTS)[number]>

/** For each variant, the commands it can affect and what the connector must do under `value`. */
const SCENARIOS: { readonly [K in ConnectorVariant]: Scenario } = {
    deletedJunctionRows: async (value) => {
        // A delta sees a removed license assignment only where Salesforce still shows the deleted row (queryAll).
        const stateful = { ...config, spConnEnableStatefulCommands: true }
        const user = SEED.users.salesManagerWest
        const license = SEED.permissionSetLicenses.fieldServiceScheduling
        const created = await restCall('POST', '/sobjects/PermissionSetLicenseAssign', {
            AssigneeId: user,
            PermissionSetLicenseId: license,
        })
        expect(created.status).toBe(201)
        const full = await runOnBundle('std:account:list', { stateful: true }, stateful)
        expect(full.outputs.find((o) => o.identity === user)?.attributes).toMatchObject({
            permissionSetLicenses: expect.arrayContaining([license]),
        })
        const removed = await restCall(
            'DELETE',
            `/sobjects/PermissionSetLicenseAssign/${String(at(created.body, 'id'))}`
        )
        expect(removed.status).toBe(204)
        const delta = await runOnBundle('std:account:list', { stateful: true, state: full.states[0] }, stateful)
        const account = delta.outputs.find((o) => o.identity === user)
        if (value === 'queryAll')
            expect(account?.attributes).toMatchObject({ permissionSetLicenses: expect.not.arrayContaining([license]) })
        else expect(account).toBeUndefined()
    },
    emptyEntitlementsReplace: async (value) => {
        const remove = [{ op: 'Remove', attribute: 'permissionSets', value: SEED.permissionSets.knowledgeUser }]
        const id = await newUser({ permissionSets: SEED.permissionSets.knowledgeUser })
        // SCIM's own removal, as the connector sends it without Govern Access Beyond SCIM.
        const removal = updateOnBundle({ ...config, governBeyondScim: false }, id, remove)
        if (value === 'ignored') {
            // No SCIM request takes the last permission set away there: a loud failure, the access named.
            await expect(removal).rejects.toThrow(
                new RegExp(`still assigns permission set ${SEED.permissionSets.knowledgeUser} .*NOT revoked`)
            )
            expect(emulator.store.hasPermissionSet(id, SEED.permissionSets.knowledgeUser)).toBe(true)
        } else {
            expect(firstAccount(await removal).attributes.permissionSets).toEqual([])
            expect(emulator.store.permissionSetsOf(id)).toEqual([])
            await update(id, [{ ...remove[0], op: 'Add' }])
        }
        // Through REST (the default), the assignment row is deleted under either value.
        expect(firstAccount(await update(id, remove)).attributes.permissionSets).toEqual([])
        expect(emulator.store.permissionSetsOf(id)).toEqual([])
    },
    idCollation: async (value) => {
        if (value === 'binary') return expectFullAggregation()
        // ORDER BY Id and `id gt` disagree: keyset paging could skip users, so the aggregation stops, saying why.
        await expect(runOnBundle('std:account:list', {}, config)).rejects.toThrow(
            /(out of id order|which sorts before it): paging by id gt could skip users, so the listing stops/
        )
    },
    entitlementsCap: async () => {
        await expectEveryEntitlement()
    },
    totalResults: async () => {
        await expectFullAggregation()
        await expectEveryEntitlement()
    },
    countClamp: async () => {
        await expectFullAggregation({ pageSize: 200 })
        await expectEveryEntitlement()
    },
    userFilterClause: async () => {
        // A top-level `or`: Salesforce adds its own clause with AND, so only a bracketed filter works.
        const accountFilter = 'active eq "true" or userType eq "Standard"'
        const result = await runOnBundle('std:account:list', {}, { ...config, accountFilter })
        const expected = emulator.store.listUsers().filter((u) => u.active || u.userType === 'Standard')
        expect(result.outputs.map((o) => String(o.identity)).sort()).toEqual(expected.map((u) => u.id).sort())
    },
    replaceHiddenAssignments: async () => {
        const id = await newUser({
            permissionSets: [SEED.permissionSets.knowledgeUser, SEED.permissionSets.flowBuilder],
        })
        const updated = await update(id, [
            { op: 'Remove', attribute: 'permissionSets', value: SEED.permissionSets.flowBuilder },
        ])
        expect(firstAccount(updated).attributes.permissionSets).toEqual([SEED.permissionSets.knowledgeUser])
        expect(emulator.store.permissionSetsOf(id)).toEqual([SEED.permissionSets.knowledgeUser])
    },
    userGroupsAndRoles: async () => {
        const id = await newUser({ groups: [SEED.groups.westRegion], role: SEED.roles.salesRepWest })
        expect(emulator.store.groupsOf(id)).toEqual([SEED.groups.westRegion])
        await update(id, [
            { op: 'Remove', attribute: 'groups', value: SEED.groups.westRegion },
            { op: 'Remove', attribute: 'role', value: SEED.roles.salesRepWest },
        ])
        expect(emulator.store.groupsOf(id)).toEqual([])
        expect(stored(id).roleId).toBeNull()
        // Removing a group or role the user does not hold is done already (ISC re-sends provisioning).
        await update(id, [
            { op: 'Remove', attribute: 'groups', value: SEED.groups.eastRegion },
            { op: 'Remove', attribute: 'role', value: SEED.roles.ceo },
        ])
        expect(emulator.store.groupsOf(id)).toEqual([])
    },
    patchExtensionKeys: async () => {
        const id = await newUser()
        const updated = await update(id, [
            { op: 'Set', attribute: 'alias', value: 'vnested' },
            { op: 'Set', attribute: 'Cost_Center__c', value: 'CC-4711' },
        ])
        expect(firstAccount(updated).attributes).toMatchObject({ alias: 'vnested', Cost_Center__c: 'CC-4711' })
        expect(stored(id).alias).toBe('vnested')
        expect(stored(id).custom.Cost_Center__c).toBe('CC-4711')
    },
    patchIdentityFields: async (value) => {
        const id = await newUser()
        const changes = [
            { op: 'Set', attribute: 'federationIdentifier', value: `fed-${id}` },
            { op: 'Set', attribute: 'phone', value: '+1 415 555 0100' },
        ]
        if (value === 'ignored') {
            await expect(update(id, changes)).rejects.toThrow(
                /did not apply federationIdentifier, phone: its answer still shows the values from before/
            )
            expect(stored(id).federationId).toBeNull()
        } else {
            const updated = await update(id, changes)
            expect(firstAccount(updated).attributes).toMatchObject({
                federationIdentifier: `fed-${id}`,
                phone: '+1 415 555 0100',
            })
        }
    },
    createAliasUrn: async () => {
        const id = await newUser({ alias: 'valias' })
        expect(stored(id).alias).toBe('valias')
    },
    emailChange: async (value) => {
        const id = await newUser()
        emulator.resetStats()
        const wanted = `changed.${serial}@acme-variants.example`
        const updated = await update(id, [{ op: 'Set', attribute: 'email', value: wanted }])
        if (value === 'held') {
            // Held until the user confirms: not a failure, and the account shows what Salesforce holds.
            expect(stored(id).email).not.toBe(wanted)
            expect(emulator.store.pendingEmailOf(id)).toBe(wanted)
            expect(firstAccount(updated).attributes.email).toBe(stored(id).email)
        } else {
            expect(firstAccount(updated).attributes.email).toBe(wanted)
        }
        expect(emulator.stats().emailConfirmationsSent).toBe(value === 'held' ? 1 : 0)
    },
    defaultNickName: async () => {
        serial += 1
        const userName = `a.very.long.username.number.${serial}@acme-variants.example`
        expect(userName.length).toBeGreaterThan(40)
        const created = await runOnBundle(
            'std:account:create',
            { attributes: { userName, email: userName, familyName: 'Long', profile: SEED.profiles.standardUser } },
            config
        )
        expect(firstAccount(created).attributes.userName).toBe(userName)
    },
    photos: async () => {
        await expectFullAggregation()
    },
    queues: async () => {
        const groups = await runOnBundle('std:entitlement:list', { type: 'group' }, config)
        const groupIds = groups.outputs.map((o) => String(o.identity))
        expect(groupIds).not.toContain(SEED.groups.supportQueue)
        expect(groupIds).toEqual(expect.arrayContaining([SEED.groups.allSales, SEED.groups.nightShift]))
        const accounts = await runOnBundle('std:account:list', {}, config)
        for (const account of accounts.outputs) {
            const attributes = account.attributes as { groups: string[] }
            expect(attributes.groups).not.toContain(SEED.groups.supportQueue)
        }
    },
    createVisibility: async () => {
        const id = await newUser({
            permissionSets: SEED.permissionSets.knowledgeUser,
            groups: SEED.groups.marketing,
        })
        expect(emulator.store.permissionSetsOf(id)).toEqual([SEED.permissionSets.knowledgeUser])
        expect(emulator.store.groupsOf(id)).toEqual([SEED.groups.marketing])
    },
    groupRemoveNonMember: async () => {
        const id = await newUser({ groups: SEED.groups.marketing })
        // The user is not in East Region: nothing to remove, and Salesforce is not asked to.
        await update(id, [
            { op: 'Remove', attribute: 'groups', value: [SEED.groups.eastRegion, SEED.groups.marketing] },
        ])
        expect(emulator.store.groupsOf(id)).toEqual([])
    },
}

const CASES = (Object.keys(SCENARIOS) as ConnectorVariant[]).flatMap((name) =>
    VARIANT_VALUES[name].map((value) => [name, value] as const)
)

describe('the connector under every variant of unconfirmed Salesforce behaviour', () => {
    it.each(CASES)('%s: %s', async (name, value) => {
        emulator.setVariants({ [name]: value })
        await SCENARIOS[name](value)
    })

    // Where Salesforce leaves `groups` and `roles` out of every user, an aggregation reads them from the members
    // of the groups and roles instead.
    it('userGroupsAndRoles: omitted: aggregation reports every group and role from the member lists', async () => {
        const membershipsOf = (outputs: readonly { identity?: unknown; attributes?: unknown }[]) =>
            outputs.map((o) => {
                const { groups, role } = o.attributes as { groups: string[]; role: string | null }
                return { id: o.identity, groups: [...groups].sort(), role }
            })
        emulator.setVariants({ userGroupsAndRoles: 'present' })
        const listed = membershipsOf((await runOnBundle('std:account:list', {}, config)).outputs)
        emulator.setVariants({ userGroupsAndRoles: 'omitted' })
        const result = await runOnBundle('std:account:list', {}, config)
        // A user created in the last moments (variant createVisibility) may not be listed yet: the listed ones count.
        const withGroups = emulator.store
            .listUsers()
            .filter((u) => u.groupIds.length > 0 && listed.some((a) => a.id === u.id))
        expect(withGroups.length).toBeGreaterThan(0)
        for (const user of withGroups) {
            const account = result.outputs.find((o) => o.identity === user.id)
            expect((account?.attributes as { groups: unknown }).groups).not.toEqual([])
        }
        // The same groups and role for every account as where Salesforce lists them on the user.
        expect(listed.some((a) => a.role !== null)).toBe(true)
        expect(membershipsOf(result.outputs)).toEqual(listed)
    })

    it('has a scenario for every variant the emulator models', () => {
        expect([...Object.keys(SCENARIOS), ...EMULATOR_ONLY_VARIANTS].sort()).toEqual(
            Object.keys(VARIANT_VALUES).sort()
        )
    })
})
