import { runCommand, onlyAccount } from '../helpers/run-command'
import { IDS, USER } from '../mapping/fixtures'
import { CONFIG, patchOp, recorder, SCIM, salesforce, scimError, useSalesforceStubs, userWith } from './salesforce'

useSalesforceStubs()

const KEY = { simple: { id: IDS.user } }
const profile = (value: string) => ({ value, type: 'Profile', primary: true })
const permissionSet = (value: string) => ({ value, type: 'Permission Set', primary: false })
/** The fixture user with two permission sets. */
const BEFORE = userWith(USER, {
    entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud), permissionSet(IDS.apiEnabled)],
})

/** Stubs read → PATCH /Users (recorded) → read, the way an update runs, and returns the recorded bodies. */
function userUpdate(after: typeof USER, before: typeof USER = BEFORE): unknown[] {
    const patches = recorder()
    salesforce()
        .get(`${SCIM}/Users/${IDS.user}`)
        .reply(200, before)
        .patch(`${SCIM}/Users/${IDS.user}`, patches.match)
        .reply(200, after)
        .get(`${SCIM}/Users/${IDS.user}`)
        .reply(200, after)
    return patches.bodies
}

async function update(changes: unknown[], config: Record<string, unknown> = CONFIG) {
    return onlyAccount(await runCommand('std:account:update', { key: KEY, identity: IDS.user, changes }, config))
}

describe('std:account:update', () => {
    it('adds a permission set with an add of that one only, keeping the others', async () => {
        const after = userWith(BEFORE, {
            entitlements: [...(BEFORE.entitlements ?? []), permissionSet(IDS.reports)],
        })
        const bodies = userUpdate(after)
        const account = await update([{ op: 'Add', attribute: 'permissionSets', value: [IDS.salesCloud, IDS.reports] }])
        expect(bodies).toEqual([patchOp({ op: 'add', value: { entitlements: [{ value: IDS.reports }] } })])
        expect(account.attributes.permissionSets).toEqual([IDS.salesCloud, IDS.apiEnabled, IDS.reports])
    })

    it('removes a permission set by replacing with the profile and the permission sets that remain', async () => {
        const after = userWith(BEFORE, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.apiEnabled)] })
        const bodies = userUpdate(after)
        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(bodies).toEqual([
            patchOp({
                op: 'replace',
                value: { entitlements: [{ value: IDS.adminProfile }, { value: IDS.apiEnabled }] },
            }),
        ])
        expect(account.attributes.permissionSets).toEqual([IDS.apiEnabled])
    })

    it('swaps the profile with a replace that lists only the new profile', async () => {
        const after = userWith(BEFORE, {
            entitlements: [profile(IDS.standardProfile), permissionSet(IDS.salesCloud), permissionSet(IDS.apiEnabled)],
        })
        const bodies = userUpdate(after)
        const account = await update([{ op: 'Set', attribute: 'profile', value: IDS.standardProfile }])
        expect(bodies).toEqual([patchOp({ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } })])
        expect(account.attributes.profile).toBe(IDS.standardProfile)
    })

    it('moves a user whose profile is revoked to the Default Profile', async () => {
        const after = userWith(BEFORE, {
            entitlements: [profile(IDS.standardProfile), permissionSet(IDS.salesCloud), permissionSet(IDS.apiEnabled)],
        })
        const bodies = userUpdate(after)
        await update([{ op: 'Remove', attribute: 'profile', value: IDS.adminProfile }], {
            ...CONFIG,
            defaultProfileId: IDS.standardProfile,
        })
        expect(bodies).toEqual([patchOp({ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } })])
    })

    it('refuses to revoke the profile without a Default Profile, writing nothing', async () => {
        salesforce().get(`${SCIM}/Users/${IDS.user}`).reply(200, BEFORE)
        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Remove', attribute: 'profile', value: IDS.adminProfile }] },
                CONFIG
            )
        ).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(
                /Salesforce users must keep a profile; set Default Profile in the source configuration, or Set another profile/
            ),
        })
    })

    it('joins and leaves public groups through the groups’ members, then reads the user back', async () => {
        const joins = recorder()
        const leaves = recorder()
        const after = userWith(BEFORE, { groups: [{ value: IDS.eastGroup }] })
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .patch(`${SCIM}/Groups/${IDS.eastGroup}`, joins.match)
            .reply(200, { id: IDS.eastGroup, displayName: 'East' })
            .patch(`${SCIM}/Groups/${IDS.westGroup}`, leaves.match)
            .reply(200, { id: IDS.westGroup, displayName: 'West' })
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, after)

        const account = await update([{ op: 'Set', attribute: 'groups', value: [IDS.eastGroup] }])

        expect(joins.bodies).toEqual([
            patchOp({ op: 'add', path: 'members', value: { members: [{ value: IDS.user }] } }),
        ])
        expect(leaves.bodies).toEqual([
            patchOp({ op: 'remove', path: 'members', value: { members: [{ value: IDS.user }] } }),
        ])
        expect(account.attributes.groups).toEqual([IDS.eastGroup])
    })

    it.each([
        [
            'sets the role',
            { op: 'Set', attribute: 'role', value: IDS.vpRole },
            { op: 'replace', value: { roles: [{ value: IDS.vpRole }] } },
        ],
        ['removes the role', { op: 'Remove', attribute: 'role', value: IDS.ceoRole }, { op: 'remove', path: 'roles' }],
        [
            'sets a plain attribute',
            { op: 'Set', attribute: 'title', value: 'CFO' },
            { op: 'replace', value: { title: 'CFO' } },
        ],
        ['removes a plain attribute', { op: 'Remove', attribute: 'title' }, { op: 'remove', path: 'title' }],
        [
            'sets a custom field',
            { op: 'Set', attribute: 'Cost_Center__c', value: 'CC-7' },
            {
                op: 'replace',
                value: { 'urn:salesforce:schemas:extension:00DRM000000abcdEAA': { Cost_Center__c: 'CC-7' } },
            },
        ],
    ])('%s', async (_label, change, operation) => {
        const bodies = userUpdate(BEFORE)
        await update([change])
        expect(bodies).toEqual([patchOp(operation)])
    })

    it('puts every user-level change in one PATCH and group changes after it', async () => {
        const patches = recorder()
        const joins = recorder()
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .patch(`${SCIM}/Users/${IDS.user}`, patches.match)
            .reply(200, BEFORE)
            .patch(`${SCIM}/Groups/${IDS.eastGroup}`, joins.match)
            .reply(200, { id: IDS.eastGroup, displayName: 'East' })
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)

        await update([
            { op: 'Set', attribute: 'title', value: 'CFO' },
            { op: 'Set', attribute: 'active', value: false },
            { op: 'Set', attribute: 'role', value: IDS.vpRole },
            { op: 'Add', attribute: 'permissionSets', value: IDS.reports },
            { op: 'Add', attribute: 'groups', value: IDS.eastGroup },
        ])

        expect(patches.bodies).toEqual([
            patchOp(
                { op: 'replace', value: { title: 'CFO', active: false } },
                { op: 'replace', value: { roles: [{ value: IDS.vpRole }] } },
                { op: 'add', value: { entitlements: [{ value: IDS.reports }] } }
            ),
        ])
        expect(joins.bodies).toHaveLength(1)
    })

    it('writes nothing when the changes leave the user as it is, and returns the account', async () => {
        salesforce().get(`${SCIM}/Users/${IDS.user}`).reply(200, BEFORE)
        const account = await update([{ op: 'Add', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(account.identity).toBe(IDS.user)
    })

    it('reports a user that does not exist as notFound, so ISC can create it', async () => {
        salesforce().get(`${SCIM}/Users/${IDS.user}`).reply(404, scimError(404, 'No such resource'))
        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Set', attribute: 'title', value: 'x' }] },
                CONFIG
            )
        ).rejects.toMatchObject({ type: 'notFound' })
    })

    it('names the groups it could not change, after applying the rest', async () => {
        salesforce()
            .get(`${SCIM}/Users/${IDS.user}`)
            .reply(200, BEFORE)
            .patch(`${SCIM}/Groups/${IDS.eastGroup}`)
            .reply(400, scimError(400, 'FIELD_INTEGRITY_EXCEPTION:attempted assignment to wrong User license;'))
            .patch(`${SCIM}/Groups/${IDS.westGroup}`)
            .reply(200, { id: IDS.westGroup, displayName: 'West' })
        await expect(update([{ op: 'Set', attribute: 'groups', value: [IDS.eastGroup] }])).rejects.toThrow(
            new RegExp(`Could not join ${IDS.eastGroup} for user ${IDS.user}: .*FIELD_INTEGRITY_EXCEPTION`)
        )
    })

    it.each([
        ['a password', [{ op: 'Set', attribute: 'password', value: 'Hunter2hunter2' }]],
        ['changes that are not a list', 'Set title'],
        ['an unknown attribute', [{ op: 'Set', attribute: 'noSuchAttribute', value: 'x' }]],
    ])('refuses %s before any request', async (_label, changes) => {
        await expect(runCommand('std:account:update', { key: KEY, changes }, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
        })
    })
})
