/**
 * Disable by each Disable Action, enable undoing it, unlock, and a leaver's freed seats, through the built bundle
 * against the emulator: what Salesforce then holds is read back over its REST API, as an admin's query would.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { firstAccount, runOnBundle } from '../helpers/bundle'
import { token } from '../emulator/helpers'
import { soql } from '../emulator/rest-helpers'
import type { TestOrg } from '../emulator/helpers'

let emulator: RunningEmulator
let org: TestOrg

beforeAll(async () => {
    emulator = await startEmulator({ port: 0 })
    // soql() needs only the address and a session of the org.
    org = { url: emulator.url, accessToken: await token(emulator.url) } as TestOrg
})

afterAll(async () => {
    await emulator.close()
})

const U = SEED.users
const key = (id: string) => ({ key: { simple: { id } } })
const config = (overrides: Record<string, unknown> = {}) => emulatorConfig(emulator.url, overrides)

async function loginState(userId: string): Promise<{ frozen: unknown; locked: unknown }> {
    const [row] = await soql(org, `SELECT IsFrozen, IsPasswordLocked FROM UserLogin WHERE UserId = '${userId}'`)
    return { frozen: row?.IsFrozen, locked: row?.IsPasswordLocked }
}

async function isActive(userId: string): Promise<unknown> {
    const [row] = await soql(org, `SELECT IsActive FROM User WHERE Id = '${userId}'`)
    return row?.IsActive
}

function resultMessages(output: Record<string, unknown> | undefined): string[] {
    const results = (output?.results ?? []) as { messages: { message: string }[] }[]
    return results.flatMap((result) => result.messages.map((m) => m.message))
}

describe('std:account:disable and std:account:enable by Disable Action', () => {
    it('deactivates with Disable Action deactivate, and enable activates again', async () => {
        const disabled = firstAccount(await runOnBundle('std:account:disable', key(U.salesManagerEast), config()))
        expect(disabled).toMatchObject({ disabled: true, attributes: { active: false, frozen: false } })
        expect(await isActive(U.salesManagerEast)).toBe(false)
        const enabled = firstAccount(await runOnBundle('std:account:enable', key(U.salesManagerEast), config()))
        expect(enabled).toMatchObject({ disabled: false, attributes: { active: true, frozen: false } })
        expect(await isActive(U.salesManagerEast)).toBe(true)
    })

    it('freezes with Disable Action freeze, leaving the user active, and enable unfreezes', async () => {
        const settings = config({ disableAction: 'freeze' })
        const disabled = firstAccount(await runOnBundle('std:account:disable', key(U.vpService), settings))
        expect(disabled).toMatchObject({ disabled: true, attributes: { active: true, frozen: true } })
        expect(await loginState(U.vpService)).toMatchObject({ frozen: true })
        expect(await isActive(U.vpService)).toBe(true)
        const enabled = firstAccount(await runOnBundle('std:account:enable', key(U.vpService), settings))
        expect(enabled).toMatchObject({ disabled: false, attributes: { active: true, frozen: false } })
        expect(await loginState(U.vpService)).toMatchObject({ frozen: false })
    })

    it.each([
        ['the Web-to-Lead default lead creator', U.salesManagerWest, /default lead creator for Web-to-Lead/],
        ['the default case owner', U.serviceManagerEmea, /default case owner/],
        ['the value of a hierarchy field', U.itAdmin, /hierarchy field/],
    ])(
        'freezes %s, whom Salesforce refuses to deactivate, says why, and enable unfreezes',
        async (_label, userId, reason) => {
            const settings = config({ disableAction: 'deactivateOrFreeze' })
            const result = await runOnBundle('std:account:disable', key(userId), settings)
            expect(firstAccount(result)).toMatchObject({ disabled: true, attributes: { active: true, frozen: true } })
            const [message] = resultMessages(result.outputs[0])
            expect(message).toMatch(/^Frozen rather than deactivated: .*Salesforce's reason: /)
            expect(message).toMatch(reason)
            expect(await loginState(userId)).toMatchObject({ frozen: true })
            expect(await isActive(userId)).toBe(true)

            const enabled = firstAccount(await runOnBundle('std:account:enable', key(userId), settings))
            expect(enabled).toMatchObject({ disabled: false, attributes: { frozen: false } })
            expect(await loginState(userId)).toMatchObject({ frozen: false })
        }
    )

    it('deactivates, and freezes nothing, with Disable Action deactivateOrFreeze when Salesforce allows it', async () => {
        const settings = config({ disableAction: 'deactivateOrFreeze' })
        const result = await runOnBundle('std:account:disable', key(U.serviceManagerAmericas), settings)
        expect(firstAccount(result)).toMatchObject({ disabled: true, attributes: { active: false, frozen: false } })
        expect(resultMessages(result.outputs[0])).toEqual([])
        expect(await loginState(U.serviceManagerAmericas)).toMatchObject({ frozen: false })
        await runOnBundle('std:account:enable', key(U.serviceManagerAmericas), settings)
        expect(await isActive(U.serviceManagerAmericas)).toBe(true)
    })

    it('unfreezes the seeded frozen user on enable', async () => {
        const enabled = firstAccount(
            await runOnBundle('std:account:enable', key(U.frozen), config({ disableAction: 'freeze' }))
        )
        expect(enabled).toMatchObject({ disabled: false, attributes: { frozen: false } })
        expect(await loginState(U.frozen)).toMatchObject({ frozen: false })
    })

    it('names the setting when a freeze is asked of a source without Govern Access Beyond SCIM', async () => {
        await expect(
            runOnBundle(
                'std:account:disable',
                key(U.salesManagerEast),
                config({ governBeyondScim: false, disableAction: 'freeze' })
            )
        ).rejects.toThrow(/Govern Access Beyond SCIM/)
    })

    it('names the permissions when the integration user may not freeze', async () => {
        emulator.setIntegrationPermissions({ ManageUsers: false, FreezeUsers: false })
        try {
            await expect(
                runOnBundle('std:account:disable', key(U.salesManagerEast), config({ disableAction: 'freeze' }))
            ).rejects.toThrow(
                /^The integration user may not see users' login state: .*needs Freeze Users \(or Manage Users\)/
            )
        } finally {
            emulator.setIntegrationPermissions({ ManageUsers: true, FreezeUsers: true })
        }
        expect(await loginState(U.salesManagerEast)).toMatchObject({ frozen: false })
    })
})

describe('the integration user', () => {
    it.each([
        ['std:account:disable', { disableAction: 'freeze' }],
        ['std:account:disable', { disableAction: 'deactivate' }],
        ['std:account:delete', {}],
    ])('%s (%j) is refused: the user the source signs in as stays active and unfrozen', async (command, settings) => {
        await expect(
            runOnBundle(command, { ...key(U.integration), identity: U.integration }, config(settings))
        ).rejects.toThrow(/is the integration user this source signs in as: .*nothing was changed/)
        expect(await isActive(U.integration)).toBe(true)
        expect(await loginState(U.integration)).toMatchObject({ frozen: false })
    })
})

describe('std:account:unlock', () => {
    it('names the permission when the integration user may freeze but not unlock', async () => {
        emulator.setIntegrationPermissions({ ManageUsers: false, FreezeUsers: true })
        try {
            await expect(runOnBundle('std:account:unlock', key(U.lockedUntilAdminReset), config())).rejects.toThrow(
                /^The integration user may not change users' login state: INSUFFICIENT_ACCESS_OR_READONLY.*unlocking needs Reset User Passwords and Unlock Users/
            )
        } finally {
            emulator.setIntegrationPermissions({ ManageUsers: true })
        }
    })

    it('clears the seeded lockout', async () => {
        expect(await loginState(U.locked)).toMatchObject({ locked: true })
        const unlocked = firstAccount(await runOnBundle('std:account:unlock', key(U.locked), config()))
        expect(unlocked).toMatchObject({ locked: false, attributes: { locked: false } })
        expect(await loginState(U.locked)).toMatchObject({ locked: false })
    })

    it('returns a user who is not locked out as they are', async () => {
        const account = firstAccount(await runOnBundle('std:account:unlock', key(U.salesManagerEast), config()))
        expect(account).toMatchObject({ locked: false, disabled: false })
    })

    it('refuses plainly a lockout that lasts until an administrator resets the password', async () => {
        await expect(runOnBundle('std:account:unlock', key(U.lockedUntilAdminReset), config())).rejects.toThrow(
            /locked out: the org's lockout lasts until an administrator resets the password.*Reset the user's password/
        )
        expect(await loginState(U.lockedUntilAdminReset)).toMatchObject({ locked: true })
    })
})

describe('Free License Seats on Disable', () => {
    const PSL = SEED.permissionSetLicenses
    const PKG = SEED.packageLicenses

    async function usedSeats(): Promise<Record<string, unknown>> {
        const licenses = await soql(
            org,
            `SELECT Id, UsedLicenses FROM PermissionSetLicense WHERE Id IN ('${PSL.crmAnalyticsPlus}', '${PSL.salesCloudEinstein}')`
        )
        const packages = await soql(org, `SELECT Id, UsedLicenses FROM PackageLicense WHERE Id = '${PKG.docuSign}'`)
        return Object.fromEntries([...licenses, ...packages].map((row) => [row.Id, row.UsedLicenses]))
    }

    it("frees a leaver's seats, keeps the one permission sets depend on and says why, and enable gives none back", async () => {
        const before = await usedSeats()
        const result = await runOnBundle('std:account:disable', key(U.vpSales), config({ freeLicensesOnDisable: true }))
        const account = firstAccount(result)
        expect(account).toMatchObject({
            disabled: true,
            attributes: { packageLicenses: [], permissionSetLicenses: [PSL.crmAnalyticsPlus] },
        })
        const messages = resultMessages(result.outputs[0])
        expect(messages).toEqual(
            expect.arrayContaining([
                `Freed permission set license seats: Sales Cloud Einstein (${PSL.salesCloudEinstein})`,
                `Freed package license seats: dsfs (${PKG.docuSign})`,
                expect.stringMatching(
                    /^Salesforce kept the permission set license CRM Analytics Plus .*DELETE_FAILED: .*permission sets that require it/
                ),
            ])
        )
        const after = await usedSeats()
        expect(after).toEqual({
            [PSL.crmAnalyticsPlus]: before[PSL.crmAnalyticsPlus],
            [PSL.salesCloudEinstein]: Number(before[PSL.salesCloudEinstein]) - 1,
            [PKG.docuSign]: Number(before[PKG.docuSign]) - 1,
        })

        await runOnBundle('std:account:enable', key(U.vpSales), config({ freeLicensesOnDisable: true }))
        expect(await usedSeats()).toEqual(after)
        const left = await soql(org, `SELECT Id FROM UserPackageLicense WHERE UserId = '${U.vpSales}'`)
        expect(left).toHaveLength(0)
        expect(await isActive(U.vpSales)).toBe(true)
    })
})
