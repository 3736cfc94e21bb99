/**
 * Provisioning beyond SCIM (Govern Access Beyond SCIM on): the REST-only entitlements of an update and a create,
 * and permission sets removed row by row, at the HTTP boundary with Salesforce's REST payloads.
 */
import { runCommand, onlyAccount } from '../helpers/run-command'
import { IDS, INACTIVE_USER, USER } from '../mapping/fixtures'
import { CONFIG, fixture, recorder, SCIM, salesforce, unmatched, useNock } from '../helpers/nock'
import { patchOp, userWith } from '../helpers/scim-bodies'
import { toId18 } from '../../src/salesforce/ids'

useNock()

const REST = '/services/data/v62.0'
const REST_CONFIG = { ...CONFIG, governBeyondScim: true }
const KEY = { simple: { id: IDS.user } }

const QUEUE = toId18('00GRM000000Qu01')
const OTHER_QUEUE = toId18('00GRM000000Qu02')
const PSL = toId18('0PLRM000000Ps01')
const PACKAGE = toId18('050RM000000Pk01')
const PSG = toId18('0PGRM0000000AbC')
const OTHER_PSG = toId18('0PGRM0000000AbD')

const profile = (value: string) => ({ value, type: 'Profile', primary: true })
const permissionSet = (value: string) => ({ value, type: 'Permission Set', primary: false })
const BEFORE = userWith(USER, {
    entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud), permissionSet(IDS.apiEnabled)],
})

type Row = Record<string, unknown>
const row = (type: string, id: string, fields: Row): Row => ({
    attributes: { type, url: `${REST}/sobjects/${type}/${id}` },
    Id: id,
    ...fields,
})
const queueRow = (id: string, groupId: string): Row =>
    row('GroupMember', id, {
        UserOrGroupId: IDS.user,
        GroupId: groupId,
        SystemModstamp: '2026-11-02T10:00:00.000+0000',
    })
const pslRow = (id: string, licenseId: string): Row =>
    row('PermissionSetLicenseAssign', id, {
        AssigneeId: IDS.user,
        PermissionSetLicenseId: licenseId,
        SystemModstamp: '2026-11-02T10:00:00.000+0000',
    })
const psaRow = (id: string, permissionSetId: string, groupId: string | null, expiry: string | null = null): Row =>
    row('PermissionSetAssignment', id, {
        PermissionSetId: permissionSetId,
        PermissionSetGroupId: groupId,
        ExpirationDate: expiry,
    })

/** Salesforce's answer to a Composite of queries: one result per query, in order. */
function compositeAnswer(results: Record<string, readonly Row[]>): Record<string, unknown> {
    return {
        compositeResponse: Object.entries(results).map(([referenceId, records]) => ({
            body: { totalSize: records.length, done: true, records },
            httpHeaders: {},
            httpStatusCode: 200,
            referenceId,
        })),
    }
}

/** The SOQL of each subrequest of a recorded Composite body, by referenceId. */
function queriesOf(body: unknown): Record<string, string> {
    const requests = (body as { compositeRequest: { referenceId: string; url: string }[] }).compositeRequest
    return Object.fromEntries(
        requests.map((r) => [r.referenceId, new URL(`https://x${r.url}`).searchParams.get('q') ?? ''])
    )
}

const created = (id: string) => ({ id, success: true, errors: [] })

async function update(changes: unknown[], config: Record<string, unknown> = REST_CONFIG) {
    return onlyAccount(await runCommand('std:account:update', { key: KEY, identity: IDS.user, changes }, config))
}

describe('std:account:update beyond SCIM', () => {
    it('grants a permission set license and a queue by creating their rows, license first, and reads them back', async () => {
        const composites = recorder()
        const posts = recorder()
        salesforce({ listedGroups: [{ id: QUEUE, displayName: 'Support', type: 'Queue' }] })
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`, composites.match)
            .reply(200, compositeAnswer({ permissionSetLicense: [], queue: [] }))
            .post(`${REST}/sobjects/PermissionSetLicenseAssign`, posts.match)
            .reply(201, fixture('rest/provisioning.create'))
            .post(`${REST}/sobjects/GroupMember`, posts.match)
            .reply(201, created('011RM0000000Gm1YAE'))
            .post(`${REST}/composite`, composites.match)
            .reply(
                200,
                compositeAnswer({
                    permissionSetLicense: [pslRow('2LARM0000000AbcYAE', PSL)],
                    queue: [queueRow('011RM0000000Gm1YAE', QUEUE)],
                })
            )
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        const account = await update([
            { op: 'Add', attribute: 'queues', value: QUEUE.slice(0, 15) },
            { op: 'Add', attribute: 'permissionSetLicenses', value: [PSL] },
        ])

        expect(posts.bodies).toEqual([
            { AssigneeId: IDS.user, PermissionSetLicenseId: PSL },
            { UserOrGroupId: IDS.user, GroupId: QUEUE },
        ])
        expect(queriesOf(composites.bodies[0])).toEqual({
            permissionSetLicense: `SELECT Id, AssigneeId, PermissionSetLicenseId, SystemModstamp FROM PermissionSetLicenseAssign WHERE AssigneeId IN ('${IDS.user}')`,
            queue: `SELECT Id, UserOrGroupId, GroupId, SystemModstamp FROM GroupMember WHERE UserOrGroupId IN ('${IDS.user}') AND Group.Type = 'Queue'`,
        })
        expect(account.attributes).toMatchObject({ queues: [QUEUE], permissionSetLicenses: [PSL] })
    })

    it('applies a Set of permission set groups by deleting exactly the row of the one not listed', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(
                200,
                compositeAnswer({
                    permissionSetAssignments: [
                        psaRow('0PaRM0000001Ab1YAE', '0PSRM0000009zZ1', PSG),
                        psaRow('0PaRM0000001Ab2YAE', '0PSRM0000009zZ2', OTHER_PSG, '2027-01-31T00:00:00.000+0000'),
                    ],
                })
            )
            .delete(`${REST}/sobjects/PermissionSetAssignment/0PaRM0000001Ab1YAE`)
            .reply(204)
            .post(`${REST}/composite`)
            .reply(
                200,
                compositeAnswer({
                    permissionSetAssignments: [
                        psaRow('0PaRM0000001Ab2YAE', '0PSRM0000009zZ2', OTHER_PSG, '2027-01-31T00:00:00.000+0000'),
                    ],
                })
            )
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        const account = await update([{ op: 'Set', attribute: 'permissionSetGroups', value: [OTHER_PSG] }])
        expect(account.attributes.permissionSetGroups).toEqual([OTHER_PSG])
    })

    it('writes nothing for an Add of what the user holds and a Remove of what they do not hold', async () => {
        salesforce({ listedGroups: [{ id: QUEUE, displayName: 'Support', type: 'Queue' }] })
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ queue: [queueRow('011RM0000000Gm1YAE', QUEUE)] }))

        const account = await update([
            { op: 'Add', attribute: 'queues', value: QUEUE },
            { op: 'Remove', attribute: 'queues', value: OTHER_QUEUE },
        ])
        expect(unmatched).toEqual([])
        expect(account.attributes.queues).toEqual([QUEUE])
    })

    it('sets every feature license of the command in one PATCH of the user', async () => {
        const patches = recorder()
        const flags = (marketing: boolean, offline: boolean): Row =>
            row('User', IDS.user, { UserPermissionsMarketingUser: marketing, UserPermissionsOfflineUser: offline })
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ featureLicenses: [flags(false, true)] }))
            .patch(`${REST}/sobjects/User/${IDS.user}`, patches.match)
            .reply(204)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ featureLicenses: [flags(true, false)] }))
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        const account = await update([
            { op: 'Add', attribute: 'featureLicenses', value: 'UserPermissionsMarketingUser' },
            { op: 'Remove', attribute: 'featureLicenses', value: 'UserPermissionsOfflineUser' },
        ])
        expect(patches.bodies).toEqual([{ UserPermissionsMarketingUser: true, UserPermissionsOfflineUser: false }])
        expect(account.attributes.featureLicenses).toEqual(['UserPermissionsMarketingUser'])
    })

    it("clears on a Set of feature licenses the flags not listed, as the org's User describe shows them", async () => {
        const patches = recorder()
        const composites = recorder()
        const flags = (marketing: boolean, offline: boolean, knowledge: boolean): Row =>
            row('User', IDS.user, {
                UserPermissionsMarketingUser: marketing,
                UserPermissionsOfflineUser: offline,
                UserPermissionsKnowledgeUser: knowledge,
            })
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .get(`${REST}/sobjects/User/describe`)
            .reply(200, fixture('rest/provisioning.describe.user'))
            .post(`${REST}/composite`, composites.match)
            .reply(200, compositeAnswer({ featureLicenses: [flags(false, true, true)] }))
            .patch(`${REST}/sobjects/User/${IDS.user}`, patches.match)
            .reply(204)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ featureLicenses: [flags(false, false, true)] }))
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        await update([{ op: 'Set', attribute: 'featureLicenses', value: ['UserPermissionsKnowledgeUser'] }])
        expect(queriesOf(composites.bodies[0]).featureLicenses).toBe(
            `SELECT Id, UserPermissionsKnowledgeUser, UserPermissionsMarketingUser, UserPermissionsOfflineUser FROM User WHERE Id IN ('${IDS.user}')`
        )
        expect(patches.bodies).toEqual([{ UserPermissionsOfflineUser: false }])
    })

    it('removes a permission set by deleting its own assignment row, leaving the others and their expiry dates', async () => {
        const composites = recorder()
        const after = userWith(BEFORE, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.apiEnabled)] })
        const access = fixture<{ compositeResponse: { body: { records: Row[] } }[] }>(
            'rest/provisioning.composite.user-access'
        )
        const kept = access.compositeResponse[0]?.body.records.slice(1) ?? []
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`, composites.match)
            .reply(200, access)
            .delete(`${REST}/sobjects/PermissionSetAssignment/0PaRM0000001AaAAAU`)
            .reply(204)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetAssignments: kept }))
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, after)

        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(queriesOf(composites.bodies[0])).toEqual({
            permissionSetAssignments: `SELECT Id, PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId IN ('${IDS.user}') AND PermissionSet.IsOwnedByProfile = false`,
        })
        expect(unmatched).toEqual([])
        expect(account.attributes.permissionSets).toEqual([IDS.apiEnabled])
    })

    it('removes the last permission set by deleting its row, with no SCIM write', async () => {
        const only = userWith(BEFORE, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud)] })
        const after = userWith(BEFORE, { entitlements: [profile(IDS.adminProfile)] })
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, only)
            .post(`${REST}/composite`)
            .reply(
                200,
                compositeAnswer({ permissionSetAssignments: [psaRow('0PaRM0000001AaAAAU', IDS.salesCloud, null)] })
            )
            .delete(`${REST}/sobjects/PermissionSetAssignment/0PaRM0000001AaAAAU`)
            .reply(204)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetAssignments: [] }))
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, after)

        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(account.attributes.permissionSets).toEqual([])
    })

    it('still adds permission sets through SCIM while it removes another row by row', async () => {
        const patches = recorder()
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(
                200,
                compositeAnswer({ permissionSetAssignments: [psaRow('0PaRM0000001AaAAAU', IDS.salesCloud, null)] })
            )
            .patch(`${SCIM}/Users/${IDS.user}`, patches.match)
            .reply(200, BEFORE)
            .delete(`${REST}/sobjects/PermissionSetAssignment/0PaRM0000001AaAAAU`)
            .reply(204)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetAssignments: [] }))
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(
                200,
                userWith(BEFORE, {
                    entitlements: [
                        profile(IDS.adminProfile),
                        permissionSet(IDS.apiEnabled),
                        permissionSet(IDS.reports),
                    ],
                })
            )

        await update([{ op: 'Set', attribute: 'permissionSets', value: [IDS.apiEnabled, IDS.reports] }])
        expect(patches.bodies).toEqual([patchOp({ op: 'add', value: { entitlements: [{ value: IDS.reports }] } })])
    })

    it('fails when Salesforce still lists a permission set whose row it deleted', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(
                200,
                compositeAnswer({ permissionSetAssignments: [psaRow('0PaRM0000001AaAAAU', IDS.salesCloud, null)] })
            )
            .delete(`${REST}/sobjects/PermissionSetAssignment/0PaRM0000001AaAAAU`)
            .reply(204)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetAssignments: [] }))
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }] },
                REST_CONFIG
            )
        ).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringContaining(`Salesforce still assigns permission set ${IDS.salesCloud}`),
        })
    })

    it('removes permission sets through SCIM, as before, when their rows cannot be read', async () => {
        const patches = recorder()
        const after = userWith(BEFORE, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.apiEnabled)] })
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, {
                compositeResponse: [
                    {
                        body: [
                            {
                                message: "sObject type 'PermissionSetAssignment' is not supported.",
                                errorCode: 'INVALID_TYPE',
                            },
                        ],
                        httpHeaders: {},
                        httpStatusCode: 400,
                        referenceId: 'permissionSetAssignments',
                    },
                ],
            })
            .patch(`${SCIM}/Users/${IDS.user}`, patches.match)
            .reply(200, after)
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, after)

        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(patches.bodies).toEqual([
            patchOp({
                op: 'replace',
                value: { entitlements: [{ value: IDS.adminProfile }, { value: IDS.apiEnabled }] },
            }),
        ])
        expect(account.attributes.permissionSets).toEqual([IDS.apiEnabled])
    })

    it('refuses an id of the wrong kind, naming the attribute, before any request', async () => {
        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Add', attribute: 'queues', value: IDS.salesCloud }] },
                REST_CONFIG
            )
        ).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(/^Add queues: "0PSRM0000004aBcDEF" is not a Salesforce queue id/),
        })
    })

    it('refuses a public group among queues: GroupMember would make the user a member of the group', async () => {
        salesforce({ listedGroups: [{ id: QUEUE, displayName: 'Support', type: 'Queue' }] })
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Add', attribute: 'queues', value: IDS.westGroup }] },
                REST_CONFIG
            )
        ).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringContaining(`queues: ${IDS.westGroup} is not a queue of this org`),
        })
    })

    it('refuses REST-only entitlements when Govern Access Beyond SCIM is off, naming the setting', async () => {
        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Add', attribute: 'packageLicenses', value: PACKAGE }] },
                CONFIG
            )
        ).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringContaining('turn on Govern Access Beyond SCIM (governBeyondScim)'),
        })
    })

    it('names the license and what was not tried when no seat is free', async () => {
        salesforce({ listedGroups: [{ id: QUEUE, displayName: 'Support', type: 'Queue' }] })
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetLicense: [], queue: [] }))
            .post(`${REST}/sobjects/PermissionSetLicenseAssign`)
            .reply(400, fixture('rest/provisioning.license-limit-exceeded'))

        const failure = runCommand(
            'std:account:update',
            {
                key: KEY,
                changes: [
                    { op: 'Add', attribute: 'permissionSetLicenses', value: PSL },
                    { op: 'Add', attribute: 'queues', value: QUEUE },
                ],
            },
            REST_CONFIG
        )
        const error = (await failure.catch((err: unknown) => err)) as Error
        expect(error.name).toBe('LicenseLimitError')
        expect(error.message).toMatch(
            new RegExp(
                `^Could not grant permission set license ${PSL} for user ${IDS.user}: No free seats of the permission set license: LICENSE_LIMIT_EXCEEDED`
            )
        )
        expect(error.message).toContain(
            'Free a seat (remove the license from a user who no longer needs it) or buy more'
        )
        expect(error.message).toContain(`(not tried: grant queue ${QUEUE})`)
    })

    it('takes DUPLICATE_VALUE on a group assignment as done when the read-back shows it', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetAssignments: [] }))
            .post(`${REST}/sobjects/PermissionSetAssignment`, { AssigneeId: IDS.user, PermissionSetGroupId: PSG })
            .reply(400, fixture('rest/provisioning.duplicate-assignment'))
            .post(`${REST}/composite`)
            .reply(
                200,
                compositeAnswer({ permissionSetAssignments: [psaRow('0PaRM0000001Ab1YAE', '0PSRM0000009zZ1', PSG)] })
            )
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        const account = await update([{ op: 'Add', attribute: 'permissionSetGroups', value: PSG }])
        expect(account.attributes.permissionSetGroups).toEqual([PSG])
    })

    it('takes a row already deleted (ENTITY_IS_DELETED) as removed when the read-back no longer shows it', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ queue: [queueRow('011RM0000000Gm1YAE', QUEUE)] }))
            .delete(`${REST}/sobjects/GroupMember/011RM0000000Gm1YAE`)
            .reply(404, fixture('rest/provisioning.entity-is-deleted'))
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ queue: [] }))
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        const account = await update([{ op: 'Remove', attribute: 'queues', value: QUEUE }])
        expect(account.attributes.queues).toEqual([])
    })

    it('reports a write Salesforce accepted but its rows do not show, and nothing as done', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ packageLicense: [] }))
            .post(`${REST}/sobjects/UserPackageLicense`)
            .reply(201, created('051RM0000000Up1YAE'))
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ packageLicense: [] }))

        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Add', attribute: 'packageLicenses', value: PACKAGE }] },
                REST_CONFIG
            )
        ).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringContaining(
                `do not show the grant of package license ${PACKAGE}: that access was NOT changed`
            ),
        })
    })

    it('names the Salesforce permission when it cannot read the rows it would change, and writes nothing', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .post(`${REST}/composite`)
            .reply(200, {
                compositeResponse: [
                    {
                        body: [
                            {
                                message: "sObject type 'UserPackageLicense' is not supported.",
                                errorCode: 'INVALID_TYPE',
                            },
                        ],
                        httpHeaders: {},
                        httpStatusCode: 400,
                        referenceId: 'packageLicense',
                    },
                ],
            })

        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Add', attribute: 'packageLicenses', value: PACKAGE }] },
                REST_CONFIG
            )
        ).rejects.toMatchObject({
            message: expect.stringContaining(
                `Cannot read the package licenses of user ${IDS.user}, so nothing was changed (the integration user needs "Manage Package Licenses")`
            ),
        })
    })
})

describe('std:account:create beyond SCIM', () => {
    const NEW_ID = '005RM000002GAbcYAO'
    const ATTRIBUTES = {
        userName: 'avery.stone@acme.example',
        email: 'avery.stone@acme.example',
        familyName: 'Stone',
        profile: IDS.standardProfile,
        permissionSetLicenses: [PSL],
        packageLicenses: PACKAGE,
    }
    const newUser = userWith(INACTIVE_USER, {
        id: NEW_ID,
        userName: 'avery.stone@acme.example',
        active: true,
        entitlements: [profile(IDS.standardProfile)],
    })

    it('grants the REST-only entitlements once the user exists and returns them read back', async () => {
        const posts = recorder()
        salesforce()
            .post(`${SCIM}/Users`)
            .reply(201, newUser)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetLicense: [], packageLicense: [] }))
            .post(`${REST}/sobjects/PermissionSetLicenseAssign`, posts.match)
            .reply(201, created('2LARM0000000AbcYAE'))
            .post(`${REST}/sobjects/UserPackageLicense`, posts.match)
            .reply(201, created('051RM0000000Up1YAE'))
            .post(`${REST}/composite`)
            .reply(
                200,
                compositeAnswer({
                    permissionSetLicense: [pslRow('2LARM0000000AbcYAE', PSL)],
                    packageLicense: [
                        row('UserPackageLicense', '051RM0000000Up1YAE', { UserId: NEW_ID, PackageLicenseId: PACKAGE }),
                    ],
                })
            )
            .get(`${SCIM}/Users/${NEW_ID}`)
            .reply(200, newUser)

        const account = onlyAccount(await runCommand('std:account:create', { attributes: ATTRIBUTES }, REST_CONFIG))
        expect(posts.bodies).toEqual([
            { AssigneeId: NEW_ID, PermissionSetLicenseId: PSL },
            { UserId: NEW_ID, PackageLicenseId: PACKAGE },
        ])
        expect(account.attributes).toMatchObject({ permissionSetLicenses: [PSL], packageLicenses: [PACKAGE] })
    })

    it('takes back what it granted when a later grant fails, and names the user and the cause', async () => {
        salesforce()
            .post(`${SCIM}/Users`)
            .reply(201, newUser)
            .post(`${REST}/composite`)
            .reply(200, compositeAnswer({ permissionSetLicense: [], packageLicense: [] }))
            .post(`${REST}/sobjects/PermissionSetLicenseAssign`)
            .reply(201, created('2LARM0000000AbcYAE'))
            .post(`${REST}/sobjects/UserPackageLicense`)
            .reply(400, [
                {
                    message: 'License Limit Exceeded',
                    errorCode: 'LICENSE_LIMIT_EXCEEDED',
                    fields: ['PackageLicenseId'],
                },
            ])
            .delete(`${REST}/sobjects/PermissionSetLicenseAssign/2LARM0000000AbcYAE`)
            .reply(204)

        await expect(runCommand('std:account:create', { attributes: ATTRIBUTES }, REST_CONFIG)).rejects.toMatchObject({
            name: 'LicenseLimitError',
            message: expect.stringMatching(
                new RegExp(
                    `^Created Salesforce user ${NEW_ID} \\(avery.stone@acme.example\\) but could not apply permissionSetLicenses ${PSL}, packageLicenses ${PACKAGE}: Could not grant package license ${PACKAGE} for user ${NEW_ID}: No free seats of the package license.* The user holds none of the access beyond SCIM this create asked for\\.`
                )
            ),
        })
    })

    it('refuses REST-only entitlements without Govern Access Beyond SCIM before creating anyone', async () => {
        await expect(runCommand('std:account:create', { attributes: ATTRIBUTES }, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringContaining('permissionSetLicenses, packageLicenses: these entitlements are written'),
        })
    })
})
