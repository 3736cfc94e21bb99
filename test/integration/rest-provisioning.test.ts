/**
 * Provisioning beyond SCIM through the built bundle against the emulator over HTTP (Govern Access Beyond SCIM is on
 * by default): each REST-only entitlement type added and removed and read back through SOQL, permission sets
 * removed row by row, seats, license dependencies, and no-ops that send nothing.
 */
import { toId18 } from '../../src/salesforce/ids'
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { createUserOnBundle, firstAccount, runOnBundle, updateOnBundle } from '../helpers/bundle'
import { token, TestOrg } from '../emulator/helpers'
import { soql } from '../emulator/rest-helpers'

let emulator: RunningEmulator
let config: Record<string, unknown>
let org: TestOrg

beforeAll(async () => {
    // Seats for the users the tests create (the seed org keeps three free).
    emulator = await startEmulator({ port: 0, extraLicenses: 10 })
    config = emulatorConfig(emulator.url)
    org = { url: emulator.url, accessToken: await token(emulator.url) } as TestOrg
})
afterAll(async () => {
    await emulator.close()
})

const rows = (q: string) => soql(org, q)
const attributesOf = (result: Awaited<ReturnType<typeof runOnBundle>>) => firstAccount(result).attributes

/** The REST writes the emulator answered since its stats were reset: creates, updates and deletes of rows. */
function restWrites(): string[] {
    return Object.entries(emulator.stats().byRoute)
        .filter(([route]) => /^(POST|PATCH|DELETE) \/services\/data\/v\d+\.\d\/sobjects\//.test(route))
        .map(([route, count]) => `${route} ×${count}`)
}

describe('each REST-only entitlement type, added and removed', () => {
    let userId: string
    beforeAll(async () => {
        userId = await createUserOnBundle(config, 'rest.provisioning@acme.example', { familyName: 'Provisioning' })
    })

    it.each([
        [
            'permissionSetGroups',
            SEED.permissionSetGroups.serviceAgentBundle,
            (id: string) =>
                `SELECT PermissionSetGroupId FROM PermissionSetAssignment WHERE AssigneeId = '${id}' AND PermissionSetGroupId != null`,
            'PermissionSetGroupId',
        ],
        [
            'permissionSetLicenses',
            SEED.permissionSetLicenses.fieldServiceScheduling,
            (id: string) => `SELECT PermissionSetLicenseId FROM PermissionSetLicenseAssign WHERE AssigneeId = '${id}'`,
            'PermissionSetLicenseId',
        ],
        [
            'packageLicenses',
            SEED.packageLicenses.docuSign,
            (id: string) => `SELECT PackageLicenseId FROM UserPackageLicense WHERE UserId = '${id}'`,
            'PackageLicenseId',
        ],
        [
            'queues',
            SEED.groups.escalationsQueue,
            (id: string) => `SELECT GroupId FROM GroupMember WHERE UserOrGroupId = '${id}' AND Group.Type = 'Queue'`,
            'GroupId',
        ],
    ] as const)('%s: an Add creates the row and a Remove deletes it', async (attribute, id, query, field) => {
        const added = await updateOnBundle(config, userId, [{ op: 'Add', attribute, value: id.slice(0, 15) }])
        expect(attributesOf(added)[attribute]).toEqual([id])
        expect((await rows(query(userId))).map((r) => r[field])).toEqual([id])

        const removed = await updateOnBundle(config, userId, [{ op: 'Remove', attribute, value: id }])
        expect(attributesOf(removed)[attribute]).toEqual([])
        expect(await rows(query(userId))).toEqual([])
    })

    it('featureLicenses: Add and Remove set the User flags in one PATCH each', async () => {
        const flags = async () =>
            (
                await rows(
                    `SELECT UserPermissionsMarketingUser, UserPermissionsKnowledgeUser FROM User WHERE Id = '${userId}'`
                )
            )[0]
        emulator.resetStats()
        const added = await updateOnBundle(config, userId, [
            {
                op: 'Add',
                attribute: 'featureLicenses',
                value: ['UserPermissionsMarketingUser', 'UserPermissionsKnowledgeUser'],
            },
        ])
        expect(attributesOf(added).featureLicenses).toEqual([
            'UserPermissionsMarketingUser',
            'UserPermissionsKnowledgeUser',
        ])
        expect(await flags()).toMatchObject({ UserPermissionsMarketingUser: true, UserPermissionsKnowledgeUser: true })
        expect(restWrites()).toEqual([`PATCH /services/data/v62.0/sobjects/User/${userId} ×1`])

        await updateOnBundle(config, userId, [
            { op: 'Remove', attribute: 'featureLicenses', value: 'UserPermissionsMarketingUser' },
        ])
        expect(await flags()).toMatchObject({ UserPermissionsMarketingUser: false, UserPermissionsKnowledgeUser: true })
    })

    it('writes nothing for an Add of what the user holds and a Remove of what they do not hold', async () => {
        const member = SEED.queueMembers[0]
        emulator.resetStats()
        const result = await updateOnBundle(config, member, [
            { op: 'Add', attribute: 'queues', value: SEED.groups.supportQueue },
            { op: 'Remove', attribute: 'permissionSetLicenses', value: SEED.permissionSetLicenses.crmAnalyticsPlus },
        ])
        expect(restWrites()).toEqual([])
        // One Composite read to plan the writes from; for the account the command returns (as aggregation lists
        // it), one for the page query's plan (the User describe and the org's profiles) and one for the user.
        expect(emulator.stats().byRoute['POST /services/data/v62.0/composite']).toBe(3)
        expect(attributesOf(result).queues).toEqual([SEED.groups.supportQueue])
    })
})

describe('removing a permission set', () => {
    const U = SEED.users
    const S = SEED.permissionSets
    const assignmentsOf = (id: string) =>
        rows(
            `SELECT PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment ` +
                `WHERE AssigneeId = '${id}' AND PermissionSet.IsOwnedByProfile = false`
        )

    it('deletes exactly its row: a group assignment and an expiring assignment stay as they were', async () => {
        const before = await assignmentsOf(U.vpSales)
        const kept = before.filter((r) => r.PermissionSetId !== S.crmAnalyticsPlus)
        expect(kept.some((r) => r.PermissionSetGroupId === SEED.permissionSetGroups.salesLeadership)).toBe(true)
        expect(kept.some((r) => r.PermissionSetId === S.salesCloudUser && r.ExpirationDate !== null)).toBe(true)

        const result = await updateOnBundle(config, U.vpSales, [
            { op: 'Remove', attribute: 'permissionSets', value: S.crmAnalyticsPlus },
        ])

        expect(attributesOf(result).permissionSets).toEqual([S.salesCloudUser])
        expect(await assignmentsOf(U.vpSales)).toEqual(kept)
    })

    it('deletes the last one too, through its row', async () => {
        const userId = await createUserOnBundle(config, 'last.permission.set@acme.example', {
            familyName: 'Last',
            permissionSets: [S.apiEnabled],
        })
        const result = await updateOnBundle(config, userId, [
            { op: 'Remove', attribute: 'permissionSets', value: S.apiEnabled },
        ])
        expect(attributesOf(result).permissionSets).toEqual([])
        expect(await assignmentsOf(userId)).toEqual([])
    })
})

describe('refusals said plainly', () => {
    it('says no seat of the license is free, and grants nothing', async () => {
        const userId = await createUserOnBundle(config, 'no.seat@acme.example', { familyName: 'Seat' })
        const license = SEED.permissionSetLicenses.salesCloudEinstein
        await expect(
            updateOnBundle(config, userId, [{ op: 'Add', attribute: 'permissionSetLicenses', value: license }])
        ).rejects.toMatchObject({
            name: 'LicenseLimitError',
            message: expect.stringContaining(
                `Could not grant permission set license ${license} for user ${userId}: No free seats of the permission set license`
            ),
        })
        expect(await rows(`SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '${userId}'`)).toEqual([])
    })

    it('keeps a license a permission set of the user needs, and says to remove that first', async () => {
        const license = SEED.permissionSetLicenses.crmAnalyticsPlus
        await expect(
            updateOnBundle(config, SEED.users.ceo, [
                { op: 'Remove', attribute: 'permissionSetLicenses', value: license },
            ])
        ).rejects.toMatchObject({
            message: expect.stringContaining('need this license: remove those first, then remove the license'),
        })
        const held = await rows(
            `SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '${SEED.users.ceo}' AND PermissionSetLicenseId = '${license}'`
        )
        expect(held).toHaveLength(1)
    })

    it('names the Salesforce permission the integration user lacks, and changes nothing', async () => {
        const [user] = await rows(`SELECT Id FROM User WHERE Username = 'rest.provisioning@acme.example'`)
        const userId = String(user?.Id)
        emulator.setIntegrationPermissions({ ManagePackageLicenses: false })
        try {
            await expect(
                updateOnBundle(config, userId, [
                    { op: 'Add', attribute: 'packageLicenses', value: SEED.packageLicenses.docuSign },
                ])
            ).rejects.toMatchObject({
                name: 'InsufficientPermissionError',
                message: expect.stringContaining(
                    'Give the integration user the Salesforce permission "Manage Package Licenses"'
                ),
            })
        } finally {
            emulator.setIntegrationPermissions({ ManagePackageLicenses: true })
        }
        expect(await rows(`SELECT Id FROM UserPackageLicense WHERE UserId = '${userId}'`)).toEqual([])
    })

    it('says the org has no such feature license when a flag is misspelt, and changes nothing', async () => {
        const [user] = await rows(`SELECT Id FROM User WHERE Username = 'rest.provisioning@acme.example'`)
        emulator.resetStats()
        await expect(
            updateOnBundle(config, String(user?.Id), [
                { op: 'Add', attribute: 'featureLicenses', value: 'UserPermissionsMarketingUsr' },
            ])
        ).rejects.toMatchObject({
            message: expect.stringMatching(
                /^Cannot read the feature licenses of user \w+, so nothing was changed: .*INVALID_FIELD.*UserPermissionsMarketingUsr/
            ),
        })
        expect(restWrites()).toEqual([])
    })

    it('grants on create once the user exists, and refuses before creating anyone what the org cannot give', async () => {
        /** Creates a Standard User under `userName`, with the access beyond SCIM given. */
        const create = (userName: string, familyName: string, access: Record<string, unknown>) =>
            runOnBundle(
                'std:account:create',
                {
                    attributes: {
                        userName,
                        email: userName,
                        familyName,
                        profile: SEED.profiles.standardUser,
                        ...access,
                    },
                },
                config
            )
        const created = await create('create.rest@acme.example', 'Create', {
            queues: [SEED.groups.supportQueue],
            permissionSetLicenses: [SEED.permissionSetLicenses.fieldServiceScheduling],
        })
        expect(firstAccount(created).attributes).toMatchObject({
            queues: [SEED.groups.supportQueue],
            permissionSetLicenses: [SEED.permissionSetLicenses.fieldServiceScheduling],
        })

        const failing = create('create.noseat@acme.example', 'Noseat', {
            queues: [SEED.groups.escalationsQueue],
            permissionSetLicenses: [SEED.permissionSetLicenses.salesCloudEinstein],
        })
        await expect(failing).rejects.toMatchObject({
            name: 'LicenseLimitError',
            message: expect.stringMatching(
                `^Nothing was created: the permission set license ${SEED.permissionSetLicenses.salesCloudEinstein} has no free seat \\(2 of 2 in use\\)`
            ),
        })
        expect(await rows(`SELECT Id FROM User WHERE Username = 'create.noseat@acme.example'`)).toEqual([])

        // A permission set group id of the right form that the org does not have (deleted since the last aggregation).
        const goneGroup = toId18('0PGi00000000zzz')
        await expect(
            create('create.nogroup@acme.example', 'Nogroup', { permissionSetGroups: [goneGroup] })
        ).rejects.toMatchObject({
            name: 'MissingEntitlementError',
            message: expect.stringContaining(
                `permission set group ${goneGroup} (not a PermissionSetGroup of this org)`
            ),
        })
        expect(await rows(`SELECT Id FROM User WHERE Username = 'create.nogroup@acme.example'`)).toEqual([])
    })
})
