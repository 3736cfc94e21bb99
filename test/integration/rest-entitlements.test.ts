/**
 * The entitlement types beyond SCIM through the built bundle against the emulator's REST API: each listed and read
 * back from the seed org (seats, components, queues, feature licenses), permission sets without the ones no list
 * shows, a missing permission and Govern Access Beyond SCIM off each refused with a message saying what to do.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { FEATURE_LICENSES } from '../../emulator/model'
import { emulatorConfig } from '../../scripts/local-config'
import { runOnBundle } from '../helpers/bundle'

const PSG = SEED.permissionSetGroups
const PSL = SEED.permissionSetLicenses
const PKG = SEED.packageLicenses
const PS = SEED.permissionSets

describe('entitlement types beyond SCIM, on the seed org', () => {
    let emulator: RunningEmulator
    let config: Record<string, unknown>

    beforeAll(async () => {
        emulator = await startEmulator({ port: 0 })
        config = emulatorConfig(emulator.url)
    })
    afterAll(async () => {
        await emulator.close()
    })

    const list = async (type: string) => (await runOnBundle('std:entitlement:list', { type }, config)).outputs
    const byId = (outputs: readonly Record<string, unknown>[]) =>
        new Map(outputs.map((o) => [String(o.identity), o.attributes as Record<string, unknown>]))

    it.each(['permissionSetGroup', 'permissionSetLicense', 'packageLicense', 'queue', 'featureLicense'])(
        'lists %s entitlements, each read back exactly as listed',
        async (type) => {
            const listed = await list(type)
            expect(listed.length).toBeGreaterThan(0)
            for (const entitlement of listed) {
                expect(entitlement).toMatchObject({ type, key: { simple: { id: entitlement.identity } } })
                const read = await runOnBundle('std:entitlement:read', { type, key: entitlement.key }, config)
                expect(read.outputs).toEqual([entitlement])
            }
        }
    )

    it('lists the permission set groups with the permission sets each contains', async () => {
        const groups = byId(await list('permissionSetGroup'))
        expect([...groups.keys()].sort()).toEqual(Object.values(PSG).sort())
        expect(groups.get(PSG.salesLeadership)).toEqual({
            id: PSG.salesLeadership,
            name: 'Sales Leadership',
            developerName: 'Sales_Leadership',
            description: null,
            type: 'Permission Set Group',
            status: 'Updated',
            permissionSets: [PS.salesCloudUser, PS.crmAnalyticsPlus].sort(),
        })
        expect(groups.get(PSG.adminTools)).toMatchObject({
            status: 'Outdated',
            permissionSets: [PS.flowBuilder, PS.modifyAllDataAuditor, PS.apiEnabled].sort(),
        })
    })

    it('lists permission set licenses with their seats, a full one without a free seat', async () => {
        const licenses = byId(await list('permissionSetLicense'))
        expect([...licenses.keys()].sort()).toEqual(Object.values(PSL).sort())
        expect(licenses.get(PSL.crmAnalyticsPlus)).toEqual({
            id: PSL.crmAnalyticsPlus,
            name: 'CRM Analytics Plus',
            developerName: 'EinsteinAnalyticsPlusPsl',
            type: 'Permission Set License',
            status: 'Active',
            seatsTotal: 5,
            seatsUsed: emulator.store.usedPermissionSetLicenses(PSL.crmAnalyticsPlus),
            seatsFree: 5 - emulator.store.usedPermissionSetLicenses(PSL.crmAnalyticsPlus),
            expirationDate: '2027-01-31',
        })
        expect(licenses.get(PSL.salesCloudEinstein)).toMatchObject({ seatsTotal: 2, seatsUsed: 2, seatsFree: 0 })
        expect(licenses.get(PSL.fieldServiceScheduling)).toMatchObject({ expirationDate: null })
    })

    it('lists managed package licenses: seats, a site-wide one, an expired one', async () => {
        const packages = byId(await list('packageLicense'))
        expect([...packages.keys()].sort()).toEqual(Object.values(PKG).sort())
        expect(packages.get(PKG.docuSign)).toEqual({
            id: PKG.docuSign,
            name: 'dsfs',
            namespace: 'dsfs',
            type: 'Package License',
            status: 'Active',
            siteWide: false,
            seatsTotal: 4,
            seatsUsed: 3,
            seatsFree: 1,
            expirationDate: expect.stringMatching(/^2026-06-30T00:00:00/),
        })
        expect(packages.get(PKG.conga)).toMatchObject({ siteWide: true, seatsTotal: null, seatsFree: null })
        expect(packages.get(PKG.pardot)).toMatchObject({ status: 'Expired' })
    })

    it('lists the queues as queues only, and keeps them out of the public groups', async () => {
        const queues = byId(await list('queue'))
        expect([...queues.keys()].sort()).toEqual([SEED.groups.supportQueue, SEED.groups.escalationsQueue].sort())
        expect(queues.get(SEED.groups.supportQueue)).toMatchObject({ type: 'Queue', email: null })
        const groups = (await list('group')).map((o) => o.identity)
        expect(groups).not.toContain(SEED.groups.supportQueue)
        expect(groups).toContain(SEED.groups.westRegion)
    })

    it('reports a public group read as a queue, and a queue read as a public group, as notFound', async () => {
        const read = (type: string, id: string) =>
            runOnBundle('std:entitlement:read', { type, key: { simple: { id } } }, config)
        await expect(read('queue', SEED.groups.westRegion)).rejects.toMatchObject({ type: 'notFound' })
        await expect(read('group', SEED.groups.supportQueue)).rejects.toMatchObject({ type: 'notFound' })
        await expect(read('permissionSetLicense', PKG.docuSign)).rejects.toMatchObject({ type: 'notFound' })
        await expect(read('featureLicense', 'UserPermissionsNoSuchFeature')).rejects.toMatchObject({
            type: 'notFound',
        })
    })

    it("lists the feature licenses the org's User describe shows, by field name and label", async () => {
        const licenses = byId(await list('featureLicense'))
        expect([...licenses.keys()].sort()).toEqual(
            Object.keys(FEATURE_LICENSES)
                .map((flag) => `UserPermissions${flag}`)
                .sort()
        )
        expect(licenses.get('UserPermissionsMarketingUser')).toEqual({
            id: 'UserPermissionsMarketingUser',
            name: expect.stringMatching(/Marketing User/),
            type: 'Feature License',
        })
    })

    it('lists permission sets without the profile-owned ones and the aggregate sets of permission set groups', async () => {
        const listed = (await list('permissionSet')).map((o) => String(o.identity))
        expect(listed.sort()).toEqual(Object.values(PS).sort())
        for (const hidden of emulator.store.ownedPermissionSets.keys()) expect(listed).not.toContain(hidden)
    })
})

describe('entitlement types beyond SCIM, refused', () => {
    let emulator: RunningEmulator

    beforeAll(async () => {
        emulator = await startEmulator({
            port: 0,
            integrationPermissions: { ViewSetup: false, AssignPermissionSets: false, ManagePackageLicenses: false },
        })
    })
    afterAll(async () => {
        await emulator.close()
    })

    it.each([
        ['permissionSetGroup', '"View Setup and Configuration" or "Assign Permission Sets"'],
        ['permissionSetLicense', '"View Setup and Configuration" or "Assign Permission Sets"'],
        ['packageLicense', '"Manage Package Licenses" or "View Setup and Configuration"'],
    ])('fails a %s list without the permission to read it, naming the permission', async (type, permissions) => {
        await expect(runOnBundle('std:entitlement:list', { type }, emulatorConfig(emulator.url))).rejects.toMatchObject(
            {
                name: 'InsufficientPermissionError',
                message: expect.stringContaining(`give it ${permissions}`),
            }
        )
    })

    it('fails a permission set group read without the permission, naming it', async () => {
        await expect(
            runOnBundle(
                'std:entitlement:read',
                { type: 'permissionSetGroup', key: { simple: { id: PSG.salesLeadership } } },
                emulatorConfig(emulator.url)
            )
        ).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
            message: expect.stringContaining('"View Setup and Configuration"'),
        })
    })

    it.each(['permissionSetGroup', 'permissionSetLicense', 'packageLicense', 'queue', 'featureLicense'])(
        'refuses a %s list with Govern Access Beyond SCIM off, naming the setting',
        async (type) => {
            await expect(
                runOnBundle('std:entitlement:list', { type }, emulatorConfig(emulator.url, { governBeyondScim: false }))
            ).rejects.toMatchObject({
                name: 'InvalidRequestError',
                message: expect.stringContaining('turn on "Govern Access Beyond SCIM"'),
            })
        }
    )
})
