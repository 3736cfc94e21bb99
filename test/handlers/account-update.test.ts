import { runCommand, onlyAccount } from '../helpers/run-command'
import { IDS, USER } from '../mapping/fixtures'
import { CONFIG, recorder, SCIM, salesforce, useNock } from '../helpers/nock'
import {
    patchOp,
    permissionSetEntitlement as permissionSet,
    profileEntitlement as profile,
    replaceEntitlements,
    scimError,
    userWith,
} from '../helpers/scim-bodies'

useNock()

const KEY = { simple: { id: IDS.user } }
/** The fixture user with two permission sets. */
const BEFORE = userWith(USER, {
    entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud), permissionSet(IDS.apiEnabled)],
})

type Recorder = ReturnType<typeof recorder>

/** The answers of the groups' member PATCHes. */
const EAST = { id: IDS.eastGroup, displayName: 'East' }
const WEST = { id: IDS.westGroup, displayName: 'West' }

/**
 * The requests an update of USER makes, stubbed in the order it makes them: reads of the user (before the change,
 * and back after it), PATCHes of the user (their bodies kept in `patches`), reads of a group's or role's members,
 * and PATCHes of a group's members.
 */
function updateOf(patches: Recorder = recorder()) {
    const scope = salesforce()
    return {
        read(user: unknown, status = 200) {
            scope.get(`${SCIM}/Users/${IDS.user}`).reply(status, user)
            return this
        },
        patch(answer: unknown, status = 200) {
            scope.patch(`${SCIM}/Users/${IDS.user}`, patches.match).reply(status, answer)
            return this
        },
        readMembers(resource: 'Groups' | 'Roles', id: string, answer: unknown) {
            scope.get(`${SCIM}/${resource}/${id}`).reply(200, answer)
            return this
        },
        patchGroup(
            id: string,
            answer: unknown,
            options: { readonly status?: number; readonly record?: Recorder } = {}
        ) {
            scope
                .patch(`${SCIM}/Groups/${id}`, options.record?.match ?? (() => true))
                .reply(options.status ?? 200, answer)
            return this
        },
    }
}

/** Stubs read → PATCH /Users → read, the way an update runs, and returns the PATCH bodies. */
function userUpdate(after: typeof USER, before: typeof USER = BEFORE): unknown[] {
    const patches = recorder()
    updateOf(patches).read(before).patch(after).read(after)
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
        expect(bodies).toEqual([patchOp(replaceEntitlements(IDS.adminProfile, IDS.apiEnabled))])
        expect(account.attributes.permissionSets).toEqual([IDS.apiEnabled])
    })

    it('swaps the profile with a replace that lists only the new profile', async () => {
        const after = userWith(BEFORE, {
            entitlements: [profile(IDS.standardProfile), permissionSet(IDS.salesCloud), permissionSet(IDS.apiEnabled)],
        })
        const bodies = userUpdate(after)
        const account = await update([{ op: 'Set', attribute: 'profile', value: IDS.standardProfile }])
        expect(bodies).toEqual([patchOp(replaceEntitlements(IDS.standardProfile))])
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
        expect(bodies).toEqual([patchOp(replaceEntitlements(IDS.standardProfile))])
    })

    it('refuses to revoke the profile without a Default Profile, writing nothing', async () => {
        updateOf().read(BEFORE)
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
        updateOf()
            .read(BEFORE)
            .patchGroup(IDS.eastGroup, EAST, { record: joins })
            .patchGroup(IDS.westGroup, WEST, { record: leaves })
            .read(after)

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
            // Salesforce answers the PATCH with the user as it now is; the connector checks the value is there.
            userWith(BEFORE, { title: 'CFO' }),
        ],
        ['removes a plain attribute', { op: 'Remove', attribute: 'title' }, { op: 'remove', path: 'title' }],
        [
            'sets a custom field',
            { op: 'Set', attribute: 'Cost_Center__c', value: 'CC-7' },
            {
                op: 'replace',
                // Nested and as a flat `<urn>:<field>` key: Salesforce's SCIM pilot reads only the flat one (R9).
                value: {
                    'urn:salesforce:schemas:extension:00DRM000000abcdEAA': { Cost_Center__c: 'CC-7' },
                    'urn:salesforce:schemas:extension:00DRM000000abcdEAA:Cost_Center__c': 'CC-7',
                },
            },
            userWith(BEFORE, { 'urn:salesforce:schemas:extension:00DRM000000abcdEAA': { Cost_Center__c: 'CC-7' } }),
        ],
    ])('%s', async (_label, change, operation, after: typeof USER = BEFORE) => {
        const bodies = userUpdate(after)
        await update([change])
        expect(bodies).toEqual([patchOp(operation)])
    })

    it('puts every user-level change in one PATCH and group changes after it', async () => {
        const patches = recorder()
        const joins = recorder()
        updateOf(patches)
            .read(BEFORE)
            .patch(userWith(BEFORE, { title: 'CFO', active: false }))
            .patchGroup(IDS.eastGroup, EAST, { record: joins })
            .read(BEFORE)

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
        updateOf().read(BEFORE)
        const account = await update([{ op: 'Add', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(account.identity).toBe(IDS.user)
    })

    it('reports a user that does not exist as notFound, so ISC can create it', async () => {
        updateOf().read(scimError(404, 'No such resource'), 404)
        await expect(
            runCommand(
                'std:account:update',
                { key: KEY, changes: [{ op: 'Set', attribute: 'title', value: 'x' }] },
                CONFIG
            )
        ).rejects.toMatchObject({ type: 'notFound' })
    })

    it('names the groups it could not change, after applying the rest', async () => {
        updateOf()
            .read(BEFORE)
            .patchGroup(
                IDS.eastGroup,
                scimError(400, 'FIELD_INTEGRITY_EXCEPTION:attempted assignment to wrong User license;'),
                { status: 400 }
            )
            .patchGroup(IDS.westGroup, WEST)
        await expect(update([{ op: 'Set', attribute: 'groups', value: [IDS.eastGroup] }])).rejects.toThrow(
            new RegExp(`Could not join ${IDS.eastGroup} for user ${IDS.user}: .*FIELD_INTEGRITY_EXCEPTION`)
        )
    })

    describe('removing the last permission set (R1: no documented request does it)', () => {
        /** USER holds one permission set, Sales Cloud. */
        const ONE_SET = userWith(USER, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud)] })
        const NONE = userWith(USER, { entitlements: [profile(IDS.adminProfile)] })
        const removeSalesCloud = [{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }]
        const filteredRemove = patchOp({ op: 'remove', path: `entitlements[value eq "${IDS.salesCloud}"]` })
        const emptyReplace = patchOp(replaceEntitlements())

        it('sends the RFC 7644 remove of that value and, once Salesforce no longer lists it, reports it gone', async () => {
            const bodies = userUpdate(NONE, ONE_SET)
            const account = await update(removeSalesCloud)
            expect(bodies).toEqual([filteredRemove])
            expect(account.attributes.permissionSets).toEqual([])
        })

        it('falls back to an empty replace when Salesforce ignores the RFC remove', async () => {
            const patches = recorder()
            updateOf(patches).read(ONE_SET).patch(ONE_SET).patch(NONE).read(NONE)
            const account = await update(removeSalesCloud)
            expect(patches.bodies).toEqual([filteredRemove, emptyReplace])
            expect(account.attributes.permissionSets).toEqual([])
        })

        it('falls back to an empty replace when Salesforce refuses the RFC remove', async () => {
            const patches = recorder()
            updateOf(patches)
                .read(ONE_SET)
                .patch(scimError(400, 'INVALID_PATH:entitlements[value eq "0PS"];'), 400)
                .patch(NONE)
                .read(NONE)
            const account = await update(removeSalesCloud)
            expect(patches.bodies).toEqual([filteredRemove, emptyReplace])
            expect(account.attributes.permissionSets).toEqual([])
        })

        it('fails naming the permission set, the user and what to do when Salesforce ignores every form', async () => {
            const patches = recorder()
            updateOf(patches).read(ONE_SET).patch(ONE_SET).patch(ONE_SET)
            const result = update(removeSalesCloud)
            await expect(result).rejects.toMatchObject({
                name: 'InvalidResponseError',
                message: expect.stringMatching(
                    new RegExp(
                        `^Salesforce still assigns permission set ${IDS.salesCloud} to user ${IDS.user} \\(scimuser@mycompany.com\\) ` +
                            'after the request to remove it: the access was NOT revoked\\. Remove the assignment in Salesforce Setup'
                    )
                ),
            })
            expect(patches.bodies).toEqual([filteredRemove, emptyReplace])
        })

        it('says what Salesforce refused when no form took', async () => {
            updateOf().read(ONE_SET).patch(scimError(400, 'INVALID_PATH:unsupported path;'), 400).patch(ONE_SET)
            await expect(update(removeSalesCloud)).rejects.toThrow(
                /NOT revoked\. Salesforce's answer: Salesforce refused the request: INVALID_PATH: unsupported path .*Remove the assignment in Salesforce Setup/
            )
        })

        it('fails when the user read back still holds it, whatever the PATCH answered', async () => {
            updateOf().read(ONE_SET).patch(NONE).read(ONE_SET)
            await expect(update(removeSalesCloud)).rejects.toThrow(
                new RegExp(`still assigns permission set ${IDS.salesCloud} to user ${IDS.user}.*NOT revoked`)
            )
        })
    })

    it('falls back to the RFC remove when a replace with the kept permission sets leaves the removed one', async () => {
        const patches = recorder()
        const after = userWith(BEFORE, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.apiEnabled)] })
        updateOf(patches).read(BEFORE).patch(BEFORE).patch(after).read(after)
        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(patches.bodies).toEqual([
            patchOp(replaceEntitlements(IDS.adminProfile, IDS.apiEnabled)),
            patchOp({ op: 'remove', path: `entitlements[value eq "${IDS.salesCloud}"]` }),
        ])
        expect(account.attributes.permissionSets).toEqual([IDS.apiEnabled])
    })

    describe('ids of either length (B4)', () => {
        const short = (id: string) => id.slice(0, 15)

        it('reads the account of a 15-character key by its 18-character id', async () => {
            updateOf().read(BEFORE)
            const account = onlyAccount(
                await runCommand(
                    'std:account:update',
                    {
                        key: { simple: { id: short(IDS.user) } },
                        changes: [{ op: 'Set', attribute: 'department', value: 'Sales' }],
                    },
                    CONFIG
                )
            )
            expect(account.identity).toBe(IDS.user)
        })

        it('writes nothing for an Add of a held permission set and group given by 15-character ids', async () => {
            updateOf().read(BEFORE)
            const account = await update([
                { op: 'Add', attribute: 'permissionSets', value: short(IDS.apiEnabled) },
                { op: 'Add', attribute: 'groups', value: short(IDS.westGroup) },
                { op: 'Remove', attribute: 'permissionSets', value: short(IDS.reports) },
            ])
            expect(account.attributes.permissionSets).toEqual([IDS.salesCloud, IDS.apiEnabled])
        })

        it('removes a permission set and leaves a group given by 15-character ids', async () => {
            const patches = recorder()
            const leaves = recorder()
            const after = userWith(BEFORE, {
                entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud)],
                groups: [],
            })
            updateOf(patches).read(BEFORE).patch(after).patchGroup(IDS.westGroup, WEST, { record: leaves }).read(after)
            await update([
                { op: 'Remove', attribute: 'permissionSets', value: short(IDS.apiEnabled) },
                { op: 'Remove', attribute: 'groups', value: short(IDS.westGroup) },
            ])
            expect(patches.bodies).toEqual([patchOp(replaceEntitlements(IDS.adminProfile, IDS.salesCloud))])
            expect(leaves.bodies).toHaveLength(1)
        })
    })

    it.each([
        ['an email that differs only in case', { op: 'Set', attribute: 'email', value: 'User@MyCompany.com' }],
        ['the same department', { op: 'Set', attribute: 'department', value: 'Sales' }],
        ['the same manager by a 15-character id', { op: 'Set', attribute: 'manager', value: IDS.manager.slice(0, 15) }],
    ])('writes nothing for a Set to %s (B9)', async (_label, change) => {
        updateOf().read(BEFORE)
        const account = await update([change])
        expect(account.identity).toBe(IDS.user)
    })

    it.each([
        [
            'a password',
            [{ op: 'Set', attribute: 'password', value: 'Hunter2hunter2' }],
            /^Set password: an account update cannot set a password; use change password/,
        ],
        ['changes that are not a list', 'Set title', /^Account update: `changes` must be a list of attribute changes/],
        [
            'an unknown attribute',
            [{ op: 'Set', attribute: 'noSuchAttribute', value: 'x' }],
            /^Set noSuchAttribute: the Salesforce account has no attribute named noSuchAttribute/,
        ],
    ])('refuses %s before any request', async (_label, changes, message) => {
        await expect(runCommand('std:account:update', { key: KEY, changes }, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(message),
        })
    })
})

describe('std:account:update for a user Salesforce lists without groups and role (R8)', () => {
    /** The fixture user as Salesforce may send it: no `groups` or `roles` member at all. */
    const UNLISTED = userWith(BEFORE, { groups: undefined, roles: undefined })
    const member = (value: string) => ({ value, type: 'User' })
    const others = (n: number) =>
        Array.from({ length: n }, (_, i) => member(`005RM00000${String(i).padStart(5, '0')}AAA`))

    it('reads the group before a Remove and leaves it through its members when the user is one', async () => {
        const leaves = recorder()
        updateOf()
            .read(UNLISTED)
            .readMembers('Groups', IDS.westGroup, {
                id: IDS.westGroup,
                displayName: 'West',
                members: [member(IDS.user)],
            })
            .patchGroup(IDS.westGroup, WEST, { record: leaves })
            .read(UNLISTED)

        await update([{ op: 'Remove', attribute: 'groups', value: [IDS.westGroup] }])

        expect(leaves.bodies).toEqual([
            patchOp({ op: 'remove', path: 'members', value: { members: [{ value: IDS.user }] } }),
        ])
    })

    it('writes nothing for a Remove of a group whose members do not include the user', async () => {
        updateOf()
            .read(UNLISTED)
            .readMembers('Groups', IDS.westGroup, { id: IDS.westGroup, displayName: 'West', members: others(3) })

        const account = await update([{ op: 'Remove', attribute: 'groups', value: [IDS.westGroup] }])

        expect(account.identity).toBe(IDS.user)
    })

    it('sends the role removal when the role lists the user among its members', async () => {
        const bodies = recorder()
        updateOf(bodies)
            .read(UNLISTED)
            .readMembers('Roles', IDS.ceoRole, { id: IDS.ceoRole, displayName: 'CEO', members: [member(IDS.user)] })
            .patch(UNLISTED)
            .read(UNLISTED)

        await update([{ op: 'Remove', attribute: 'role', value: IDS.ceoRole }])

        expect(bodies.bodies).toEqual([patchOp({ op: 'remove', path: 'roles' })])
    })

    it('refuses a role Remove it cannot decide: a full window of members without the user', async () => {
        updateOf()
            .read(UNLISTED)
            .readMembers('Roles', IDS.ceoRole, { id: IDS.ceoRole, displayName: 'CEO', members: others(200) })

        await expect(update([{ op: 'Remove', attribute: 'role', value: IDS.ceoRole }])).rejects.toThrow(
            `Remove role ${IDS.ceoRole}: Salesforce does not list the role of user ${IDS.user}`
        )
    })
})

describe('std:account:update checks what Salesforce applied (R9, R11)', () => {
    it('fails naming the attribute Salesforce accepted but did not apply', async () => {
        // The PATCH answer still shows the title from before: Salesforce took the request and ignored the change.
        updateOf().read(BEFORE).patch(BEFORE)
        await expect(update([{ op: 'Set', attribute: 'title', value: 'CFO' }])).rejects.toThrow(
            `Salesforce accepted the update of user ${IDS.user} (${USER.userName}) but did not apply title`
        )
    })

    it('takes an email change Salesforce holds until the user confirms it as done, keeping the old address', async () => {
        userUpdate(BEFORE)
        const account = await update([{ op: 'Set', attribute: 'email', value: 'new.address@mycompany.com' }])
        expect(account.attributes.email).toBe('user@mycompany.com')
    })
})
