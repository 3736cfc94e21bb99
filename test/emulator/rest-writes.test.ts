import { SEED } from '../../emulator'
import { at, list, patchBody, startOrg, TestOrg, useOrg } from './helpers'
import { rest, restError, soql } from './rest-helpers'

const entitlementValuesOf = (user: unknown): unknown[] => list(user, 'entitlements').map((e) => at(e, 'value'))

const U = SEED.users
const PS = SEED.permissionSets
const PSG = SEED.permissionSetGroups
const PSL = SEED.permissionSetLicenses
const PKG = SEED.packageLicenses
const G = SEED.groups

const create = (org: TestOrg, type: string, body: Record<string, unknown>) =>
    rest(org, `/sobjects/${type}`, { method: 'POST', body })
const update = (org: TestOrg, type: string, id: string, body: Record<string, unknown>) =>
    rest(org, `/sobjects/${type}/${id}`, { method: 'PATCH', body })
const remove = (org: TestOrg, type: string, id: string) => rest(org, `/sobjects/${type}/${id}`, { method: 'DELETE' })
/** A SCIM PATCH of one resource, e.g. `/Users/<id>`, with these operations. */
const scimPatch = (org: TestOrg, path: string, ...operations: Record<string, unknown>[]) =>
    org.scim(path, { method: 'PATCH', body: patchBody(...operations) })

async function loginOf(org: TestOrg, userId: string): Promise<Record<string, unknown>> {
    const [row] = await soql(
        org,
        `SELECT Id, IsFrozen, IsPasswordLocked, LastModifiedDate FROM UserLogin WHERE UserId = '${userId}'`
    )
    if (!row) throw new Error(`no UserLogin for ${userId}`)
    return row
}

describe('emulator REST writes: PermissionSetAssignment', () => {
    const org = useOrg()

    it('creates a permission set assignment (201), SCIM shows it, and deleting it (204) takes it away', async () => {
        const res = await create(org, 'PermissionSetAssignment', { AssigneeId: U.ceo, PermissionSetId: PS.flowBuilder })
        expect(res.status).toBe(201)
        expect(res.body).toEqual({ id: expect.stringMatching(/^0Pa[A-Za-z0-9]{15}$/), success: true, errors: [] })
        const id = String(at(res.body, 'id'))
        expect(entitlementValuesOf((await org.scim(`/Users/${U.ceo}`)).body)).toContain(PS.flowBuilder)
        const [row] = await soql(org, `SELECT SystemModstamp FROM PermissionSetAssignment WHERE Id = '${id}'`)
        expect(Date.parse(String(row?.SystemModstamp).replace('+0000', 'Z'))).toBeGreaterThan(Date.now() - 60_000)
        expect((await remove(org, 'PermissionSetAssignment', id)).status).toBe(204)
        expect(entitlementValuesOf((await org.scim(`/Users/${U.ceo}`)).body)).not.toContain(PS.flowBuilder)
        expect(await soql(org, `SELECT Id FROM PermissionSetAssignment WHERE Id = '${id}'`)).toEqual([])
    })

    it('refuses a duplicate, both or neither of PermissionSetId and PermissionSetGroupId, and a profile’s set', async () => {
        const dup = await create(org, 'PermissionSetAssignment', {
            AssigneeId: U.vpSales,
            PermissionSetId: PS.salesCloudUser,
        })
        expect(dup.status).toBe(400)
        expect(restError(dup).errorCode).toBe('DUPLICATE_VALUE')
        const both = await create(org, 'PermissionSetAssignment', {
            AssigneeId: U.ceo,
            PermissionSetId: PS.flowBuilder,
            PermissionSetGroupId: PSG.adminTools,
        })
        expect(restError(both).errorCode).toBe('FIELD_INTEGRITY_EXCEPTION')
        const neither = await create(org, 'PermissionSetAssignment', { AssigneeId: U.ceo })
        expect(restError(neither).errorCode).toBe('FIELD_INTEGRITY_EXCEPTION')
        const [owned] = await soql(org, `SELECT Id FROM PermissionSet WHERE IsOwnedByProfile = true LIMIT 1`)
        const profile = await create(org, 'PermissionSetAssignment', { AssigneeId: U.ceo, PermissionSetId: owned?.Id })
        expect(restError(profile)).toMatchObject({
            errorCode: 'FIELD_INTEGRITY_EXCEPTION',
            message: "You can't assign or unassign this permission set because it's associated with a profile.",
        })
        const missing = await create(org, 'PermissionSetAssignment', { PermissionSetId: PS.flowBuilder })
        expect(restError(missing)).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['AssigneeId'] })
    })

    it('refuses a permission set whose license the user lacks: user license, or permission set license', async () => {
        const chatter = await create(org, 'PermissionSetAssignment', {
            AssigneeId: U.chatterFreeUser,
            PermissionSetId: PS.crmAnalyticsPlus,
        })
        expect(restError(chatter).errorCode).toBe('FIELD_INTEGRITY_EXCEPTION')
        expect(String(restError(chatter).message)).toMatch(/The user license doesn't allow the permission/)
        const noPsl = await create(org, 'PermissionSetAssignment', {
            AssigneeId: U.salesManagerEast,
            PermissionSetId: PS.crmAnalyticsPlus,
        })
        expect(String(restError(noPsl).message)).toMatch(/permission set license CRM Analytics Plus/)
        // SCIM refuses it alike.
        const scim = await scimPatch(org, `/Users/${U.salesManagerEast}`, {
            op: 'add',
            value: { entitlements: [{ value: PS.crmAnalyticsPlus }] },
        })
        expect(scim.status).toBe(400)
        // With the license, it goes through; and the license cannot go while the set needs it.
        const psla = await create(org, 'PermissionSetLicenseAssign', {
            AssigneeId: U.salesManagerEast,
            PermissionSetLicenseId: PSL.crmAnalyticsPlus,
        })
        expect(psla.status).toBe(201)
        const ok = await create(org, 'PermissionSetAssignment', {
            AssigneeId: U.salesManagerEast,
            PermissionSetId: PS.crmAnalyticsPlus,
        })
        expect(ok.status).toBe(201)
        const blocked = await remove(org, 'PermissionSetLicenseAssign', String(at(psla.body, 'id')))
        expect(blocked.status).toBe(400)
        expect(restError(blocked).errorCode).toBe('DELETE_FAILED')
        expect(String(restError(blocked).message)).toMatch(/CRM Analytics Plus/)
        expect((await remove(org, 'PermissionSetAssignment', String(at(ok.body, 'id')))).status).toBe(204)
        expect((await remove(org, 'PermissionSetLicenseAssign', String(at(psla.body, 'id')))).status).toBe(204)
    })

    it('assigns a permission set group through its aggregate set; only ExpirationDate can be updated', async () => {
        const res = await create(org, 'PermissionSetAssignment', {
            AssigneeId: U.vpService,
            PermissionSetGroupId: PSG.serviceAgentBundle,
            ExpirationDate: '2027-01-31T00:00:00.000+0000',
        })
        expect(res.status).toBe(201)
        const id = String(at(res.body, 'id'))
        const [row] = await soql(
            org,
            `SELECT PermissionSetId, PermissionSet.Type, ExpirationDate, SystemModstamp FROM PermissionSetAssignment WHERE Id = '${id}'`
        )
        expect(row).toMatchObject({ PermissionSet: { Type: 'Group' }, ExpirationDate: '2027-01-31T00:00:00.000+0000' })
        // SCIM does not show group assignments.
        expect(entitlementValuesOf((await org.scim(`/Users/${U.vpService}`)).body)).not.toContain(row?.PermissionSetId)
        org.emulator.setClockSkew(5_000)
        try {
            expect((await update(org, 'PermissionSetAssignment', id, { ExpirationDate: null })).status).toBe(204)
        } finally {
            org.emulator.setClockSkew(0)
        }
        const [after] = await soql(
            org,
            `SELECT ExpirationDate, SystemModstamp FROM PermissionSetAssignment WHERE Id = '${id}'`
        )
        expect(after?.ExpirationDate).toBeNull()
        expect(String(after?.SystemModstamp) > String(row?.SystemModstamp)).toBe(true)
        const move = await update(org, 'PermissionSetAssignment', id, { AssigneeId: U.ceo })
        expect(restError(move)).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['AssigneeId'] })
    })
})

describe('emulator REST writes: licenses and group members', () => {
    const org = useOrg()

    it('refuses a permission set license with no seat left (LICENSE_LIMIT_EXCEEDED); seats follow the rows', async () => {
        const full = await create(org, 'PermissionSetLicenseAssign', {
            AssigneeId: U.ceo,
            PermissionSetLicenseId: PSL.salesCloudEinstein,
        })
        expect(full.status).toBe(400)
        expect(restError(full).errorCode).toBe('LICENSE_LIMIT_EXCEEDED')
        const [held] = await soql(
            org,
            `SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '${U.salesManagerWest}' AND PermissionSetLicenseId = '${PSL.salesCloudEinstein}'`
        )
        expect((await remove(org, 'PermissionSetLicenseAssign', String(held?.Id))).status).toBe(204)
        const [psl] = await soql(
            org,
            `SELECT UsedLicenses FROM PermissionSetLicense WHERE Id = '${PSL.salesCloudEinstein}'`
        )
        expect(psl?.UsedLicenses).toBe(1)
        const now = await create(org, 'PermissionSetLicenseAssign', {
            AssigneeId: U.ceo,
            PermissionSetLicenseId: PSL.salesCloudEinstein,
        })
        expect(now.status).toBe(201)
        expect(String(at(now.body, 'id'))).toMatch(/^2LA/)
    })

    it('package licenses: the last seat, then LICENSE_LIMIT_EXCEEDED; a site-wide license takes no assignments', async () => {
        const last = await create(org, 'UserPackageLicense', { UserId: U.vpService, PackageLicenseId: PKG.docuSign })
        expect(last.status).toBe(201)
        expect(String(at(last.body, 'id'))).toMatch(/^051/)
        const over = await create(org, 'UserPackageLicense', {
            UserId: U.serviceManagerEmea,
            PackageLicenseId: PKG.docuSign,
        })
        expect(restError(over).errorCode).toBe('LICENSE_LIMIT_EXCEEDED')
        const siteWide = await create(org, 'UserPackageLicense', { UserId: U.vpService, PackageLicenseId: PKG.conga })
        expect(restError(siteWide).errorCode).toBe('FIELD_INTEGRITY_EXCEPTION')
        expect((await remove(org, 'UserPackageLicense', String(at(last.body, 'id')))).status).toBe(204)
        const [pkg] = await soql(org, `SELECT UsedLicenses FROM PackageLicense WHERE Id = '${PKG.docuSign}'`)
        expect(pkg?.UsedLicenses).toBe(3)
    })

    it('a GroupMember created by REST is a member in SCIM; creating it again returns the same row', async () => {
        const res = await create(org, 'GroupMember', { GroupId: G.executives, UserOrGroupId: U.itAdmin })
        expect(res.status).toBe(201)
        const id = String(at(res.body, 'id'))
        expect(id).toMatch(/^011/)
        const members = list((await org.scim(`/Groups/${G.executives}`)).body, 'members').map((m) => at(m, 'value'))
        expect(members).toContain(U.itAdmin)
        const again = await create(org, 'GroupMember', { GroupId: G.executives, UserOrGroupId: U.itAdmin })
        expect(at(again.body, 'id')).toBe(id)
        // Queues take members too; GroupMember has no update.
        const queue = await create(org, 'GroupMember', { GroupId: G.escalationsQueue, UserOrGroupId: U.ceo })
        expect(queue.status).toBe(201)
        const patch = await update(org, 'GroupMember', id, { GroupId: G.marketing })
        expect(patch.status).toBe(405)
        expect((await remove(org, 'GroupMember', id)).status).toBe(204)
        expect(org.emulator.store.isGroupMember(U.itAdmin, G.executives)).toBe(false)
        const bad = await create(org, 'GroupMember', { GroupId: G.executives, UserOrGroupId: '005000000000000AAA' })
        expect(restError(bad)).toMatchObject({ errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['UserOrGroupId'] })
    })

    it('a membership and a permission set assigned by SCIM are rows in SOQL', async () => {
        const add = await scimPatch(org, `/Groups/${G.marketing}`, {
            op: 'add',
            path: 'members',
            value: { members: [{ value: U.platformUser }] },
        })
        expect(add.status).toBeLessThan(300)
        const rows = await soql(
            org,
            `SELECT Id, SystemModstamp FROM GroupMember WHERE GroupId = '${G.marketing}' AND UserOrGroupId = '${U.platformUser}'`
        )
        expect(rows).toHaveLength(1)
        const ps = await scimPatch(org, `/Users/${U.platformUser}`, {
            op: 'add',
            value: { entitlements: [{ value: PS.apiEnabled }] },
        })
        expect(ps.status).toBe(200)
        const psa = await soql(
            org,
            `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${U.platformUser}' AND PermissionSetId = '${PS.apiEnabled}'`
        )
        expect(psa).toHaveLength(1)
    })
})

describe('emulator REST writes: UserLogin and User', () => {
    const org = useOrg()

    it('UserLogin is query, retrieve and update only', async () => {
        const login = await loginOf(org, U.ceo)
        expect((await create(org, 'UserLogin', { UserId: U.ceo })).status).toBe(405)
        expect((await remove(org, 'UserLogin', String(login.Id))).status).toBe(405)
        const got = await rest(org, `/sobjects/UserLogin/${String(login.Id)}`)
        expect(got.body).toMatchObject({ UserId: U.ceo, IsFrozen: false })
    })

    it('freezes a user (LastModifiedDate bumps); SCIM still shows the user active', async () => {
        const login = await loginOf(org, U.ceo)
        org.emulator.setClockSkew(3_000)
        try {
            expect((await update(org, 'UserLogin', String(login.Id), { IsFrozen: true })).status).toBe(204)
        } finally {
            org.emulator.setClockSkew(0)
        }
        const after = await loginOf(org, U.ceo)
        expect(after.IsFrozen).toBe(true)
        expect(String(after.LastModifiedDate) > String(login.LastModifiedDate)).toBe(true)
        expect(at((await org.scim(`/Users/${U.ceo}`)).body, 'active')).toBe(true)
    })

    it('unlocks a locked user; never locks one; a lockout until an admin resets stays after a 204', async () => {
        const locked = await loginOf(org, U.locked)
        expect(locked.IsPasswordLocked).toBe(true)
        expect((await update(org, 'UserLogin', String(locked.Id), { IsPasswordLocked: false })).status).toBe(204)
        expect((await loginOf(org, U.locked)).IsPasswordLocked).toBe(false)
        const lock = await update(org, 'UserLogin', String(locked.Id), { IsPasswordLocked: true })
        expect(lock.status).toBe(400)
        expect(restError(lock).errorCode).toBe('FIELD_INTEGRITY_EXCEPTION')
        const forever = await loginOf(org, U.lockedUntilAdminReset)
        expect((await update(org, 'UserLogin', String(forever.Id), { IsPasswordLocked: false })).status).toBe(204)
        expect((await loginOf(org, U.lockedUntilAdminReset)).IsPasswordLocked).toBe(true)
    })

    it('updates User fields, feature licenses and CompanyName; SCIM shows the SCIM ones', async () => {
        const res = await update(org, 'User', U.salesManagerEast, {
            Title: 'Head of Sales, East',
            CompanyName: 'Acme East',
            UserPermissionsKnowledgeUser: true,
            Cost_Center__c: 'CC-9999',
        })
        expect(res.status).toBe(204)
        const [row] = await soql(
            org,
            `SELECT Title, CompanyName, UserPermissionsKnowledgeUser, Cost_Center__c FROM User WHERE Id = '${U.salesManagerEast}'`
        )
        expect(row).toMatchObject({
            Title: 'Head of Sales, East',
            CompanyName: 'Acme East',
            UserPermissionsKnowledgeUser: true,
            Cost_Center__c: 'CC-9999',
        })
        expect(at((await org.scim(`/Users/${U.salesManagerEast}`)).body, 'title')).toBe('Head of Sales, East')
    })

    it('refuses a feature license the user’s license does not allow, unknown and read-only fields', async () => {
        const flag = await update(org, 'User', U.chatterFreeUser, { UserPermissionsMarketingUser: true })
        expect(restError(flag)).toMatchObject({
            errorCode: 'FIELD_INTEGRITY_EXCEPTION',
            fields: ['UserPermissionsMarketingUser'],
        })
        expect(restError(await update(org, 'User', U.ceo, { Nope__c: 1 })).errorCode).toBe('INVALID_FIELD')
        const readOnly = await update(org, 'User', U.ceo, { LastLoginDate: '2025-01-01T00:00:00.000+0000' })
        expect(restError(readOnly).errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE')
        const typed = await update(org, 'User', U.ceo, { IsActive: 'no' })
        expect(restError(typed).errorCode).toBe('JSON_PARSER_ERROR')
    })

    it('refuses to deactivate a user Salesforce cannot deactivate, with the blocker’s words', async () => {
        const res = await update(org, 'User', U.salesManagerWest, { IsActive: false })
        expect(res.status).toBe(400)
        expect(restError(res)).toMatchObject({
            errorCode: 'FIELD_INTEGRITY_EXCEPTION',
            message: 'Cannot inactivate user that is the default lead creator for Web-to-Lead',
        })
        expect((await update(org, 'User', U.inactiveStandard, { IsActive: false })).status).toBe(204)
    })
})

describe('emulator: hidden assignments are rows', () => {
    it.each([
        ['deletes', 0],
        ['keeps', 1],
    ] as const)('R7 %s: a SCIM permission-set replace leaves %i permission set group rows', async (mode, left) => {
        const org = await startOrg({ variants: { replaceHiddenAssignments: mode } })
        try {
            // The rows behind the user's permission set group.
            const groupRows = () =>
                soql(
                    org,
                    `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${U.vpSales}' AND PermissionSetGroupId != null`
                )
            const before = await groupRows()
            expect(before).toHaveLength(1)
            const res = await scimPatch(org, `/Users/${U.vpSales}`, {
                op: 'replace',
                value: { entitlements: [{ value: PS.salesCloudUser }] },
            })
            expect(res.status).toBe(200)
            const after = await groupRows()
            expect(after).toHaveLength(left)
            const [ps] = await soql(
                org,
                `SELECT ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId = '${U.vpSales}' AND PermissionSetId = '${PS.salesCloudUser}'`
            )
            expect(ps?.ExpirationDate).toBe(mode === 'keeps' ? '2027-06-30T00:00:00.000+0000' : null)
        } finally {
            await org.close()
        }
    })

    it.each([
        ['gone', 0],
        ['queryAll', 1],
    ] as const)('variant deletedJunctionRows %s: queryAll shows %i deleted GroupMember rows', async (mode, shown) => {
        const org = await startOrg({ variants: { deletedJunctionRows: mode } })
        try {
            const [row] = await soql(org, `SELECT Id FROM GroupMember WHERE UserOrGroupId = '${U.ceo}' LIMIT 1`)
            const id = String(row?.Id)
            expect((await remove(org, 'GroupMember', id)).status).toBe(204)
            expect(await soql(org, `SELECT Id FROM GroupMember WHERE Id = '${id}'`)).toEqual([])
            const all = await soql(org, `SELECT Id, IsDeleted FROM GroupMember WHERE Id = '${id}'`, { all: true })
            expect(all).toHaveLength(shown)
            if (shown) expect(all[0]?.IsDeleted).toBe(true)
        } finally {
            await org.close()
        }
    })
})
