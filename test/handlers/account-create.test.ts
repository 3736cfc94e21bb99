import { runCommand, onlyAccount } from '../helpers/run-command'
import { IDS, INACTIVE_USER } from '../mapping/fixtures'
import { CONFIG, recorder, SCIM, salesforce, unmatched, useNock } from '../helpers/nock'
import { listResponse, patchOp, scimError, userWith } from '../helpers/scim-bodies'

useNock()

const NEW_ID = '005RM000002GAbcYAO'
const ATTRIBUTES = {
    userName: 'Avery.Stone@acme.example',
    email: 'avery.stone@acme.example',
    givenName: 'Avery',
    familyName: 'Stone',
    profile: IDS.standardProfile,
    permissionSets: IDS.salesCloud,
}

/** What Salesforce answers a create with: the user as saved, userName lower-cased. */
function created(changes: Record<string, unknown> = {}) {
    return userWith(INACTIVE_USER, {
        id: NEW_ID,
        userName: 'avery.stone@acme.example',
        name: { formatted: 'Avery Stone', familyName: 'Stone', givenName: 'Avery' },
        emails: [{ type: 'work', primary: true, value: 'avery.stone@acme.example' }],
        active: true,
        entitlements: [
            { value: IDS.standardProfile, type: 'Profile', primary: true },
            { value: IDS.salesCloud, type: 'Permission Set', primary: false },
        ],
        ...changes,
    })
}

describe('std:account:create', () => {
    it('creates the user with its profile and permission set in one POST and returns the account', async () => {
        const posts = recorder()
        salesforce().post(`${SCIM}/Users`, posts.match).reply(201, created())

        const account = onlyAccount(await runCommand('std:account:create', { attributes: ATTRIBUTES }, CONFIG))

        expect(posts.bodies).toEqual([
            {
                schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
                userName: 'Avery.Stone@acme.example',
                emails: [{ type: 'work', primary: true, value: 'avery.stone@acme.example' }],
                name: { givenName: 'Avery', familyName: 'Stone' },
                entitlements: [{ value: IDS.standardProfile }, { value: IDS.salesCloud }],
                active: true,
            },
        ])
        expect(account).toMatchObject({
            identity: NEW_ID,
            key: { simple: { id: NEW_ID } },
            disabled: false,
            attributes: {
                userName: 'avery.stone@acme.example',
                profile: IDS.standardProfile,
                permissionSets: [IDS.salesCloud],
            },
        })
    })

    it('adds a permission set and a group Salesforce did not apply, then returns the user as it now is', async () => {
        const patches = recorder()
        const groupPatches = recorder()
        const complete = created({ groups: [{ value: IDS.westGroup }] })
        salesforce()
            .post(`${SCIM}/Users`)
            .reply(201, created({ entitlements: [{ value: IDS.standardProfile, type: 'Profile', primary: true }] }))
            .patch(`${SCIM}/Users/${NEW_ID}`, patches.match)
            .reply(200, complete)
            .patch(`${SCIM}/Groups/${IDS.westGroup}`, groupPatches.match)
            .reply(200, { id: IDS.westGroup, displayName: 'West' })
            .get(`${SCIM}/Users/${NEW_ID}`)
            .reply(200, complete)

        const account = onlyAccount(
            await runCommand('std:account:create', { attributes: { ...ATTRIBUTES, groups: [IDS.westGroup] } }, CONFIG)
        )

        expect(patches.bodies).toEqual([patchOp({ op: 'add', value: { entitlements: [{ value: IDS.salesCloud }] } })])
        expect(groupPatches.bodies).toEqual([
            patchOp({ op: 'add', path: 'members', value: { members: [{ value: NEW_ID }] } }),
        ])
        expect(account.attributes).toMatchObject({ permissionSets: [IDS.salesCloud], groups: [IDS.westGroup] })
    })

    it('names the created user and what was not applied when adding a missing permission set fails', async () => {
        salesforce()
            .post(`${SCIM}/Users`)
            .reply(201, created({ entitlements: [{ value: IDS.standardProfile, type: 'Profile', primary: true }] }))
            .patch(`${SCIM}/Users/${NEW_ID}`)
            .reply(400, scimError(400, 'INVALID:Permission set license required;'))

        await expect(runCommand('std:account:create', { attributes: ATTRIBUTES }, CONFIG)).rejects.toThrow(
            new RegExp(
                `Created Salesforce user ${NEW_ID} \\(avery.stone@acme.example\\) but could not apply permission sets ${IDS.salesCloud}`
            )
        )
    })

    describe('when the answer to the create is lost', () => {
        const lost = scimError(500, 'UNKNOWN_EXCEPTION:An unexpected error occurred;')
        const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

        it('adopts the user Salesforce created after the request, then adds what the create did not', async () => {
            const patches = recorder()
            const own = created({
                entitlements: [{ value: IDS.standardProfile, type: 'Profile', primary: true }],
                meta: { created: isoSeconds(Date.now()), lastModified: isoSeconds(Date.now()) },
            })
            salesforce()
                .post(`${SCIM}/Users`)
                .reply(500, lost)
                .get(`${SCIM}/Users`)
                .query({ filter: 'userName eq "Avery.Stone@acme.example"', startIndex: 1, count: 2 })
                .reply(200, () => listResponse([own]), { Date: new Date().toUTCString() })
                .patch(`${SCIM}/Users/${NEW_ID}`, patches.match)
                .reply(200, created())
                .get(`${SCIM}/Users/${NEW_ID}`)
                .reply(200, created())
            const account = onlyAccount(await runCommand('std:account:create', { attributes: ATTRIBUTES }, CONFIG))
            expect(patches.bodies).toEqual([
                patchOp({ op: 'add', value: { entitlements: [{ value: IDS.salesCloud }] } }),
            ])
            expect(account).toMatchObject({ identity: NEW_ID, attributes: { permissionSets: [IDS.salesCloud] } })
        })

        it('refuses a username an older user holds, and assigns that user nothing', async () => {
            const formerEmployee = userWith(INACTIVE_USER, {
                userName: 'avery.stone@acme.example',
                meta: { created: '2019-03-04T05:06:07Z', lastModified: '2023-01-01T00:00:00Z' },
            })
            // No PATCH is stubbed: a permission set or group added to that user would be an unexpected request.
            salesforce()
                .post(`${SCIM}/Users`)
                .reply(500, lost)
                .get(`${SCIM}/Users`)
                .query(true)
                .reply(200, listResponse([formerEmployee]), { Date: new Date().toUTCString() })
            await expect(
                runCommand('std:account:create', { attributes: { ...ATTRIBUTES, groups: [IDS.westGroup] } }, CONFIG)
            ).rejects.toMatchObject({
                name: 'ObjectAlreadyExistsError',
                message: expect.stringContaining(
                    `Salesforce username Avery.Stone@acme.example is taken by an existing user, ${INACTIVE_USER.id}, ` +
                        'created at 2019-03-04T05:06:07Z, before this create was sent: choose another username.'
                ),
            })
        })
    })

    it('passes on Salesforce’s refusal of the create (nothing was created)', async () => {
        salesforce()
            .post(`${SCIM}/Users`)
            .reply(
                409,
                scimError(409, 'REQUIRED_FIELD_MISSING:user_must_have_one_entitlement_which_must_be_a_profileid;')
            )
        await expect(runCommand('std:account:create', { attributes: ATTRIBUTES }, CONFIG)).rejects.toThrow(
            /REQUIRED_FIELD_MISSING/
        )
    })

    it('creates with the Default Profile ID when the create profile sets no profile (issue 17)', async () => {
        const posts = recorder()
        salesforce().post(`${SCIM}/Users`, posts.match).reply(201, created())
        const account = onlyAccount(
            await runCommand(
                'std:account:create',
                { attributes: { ...ATTRIBUTES, profile: '' } },
                { ...CONFIG, defaultProfileId: IDS.standardProfile.slice(0, 15) }
            )
        )
        expect(posts.bodies).toMatchObject([
            { entitlements: [{ value: IDS.standardProfile }, { value: IDS.salesCloud }] },
        ])
        expect(account.attributes.profile).toBe(IDS.standardProfile)
    })

    it('sends a nickName that fits 40 characters for a long userName, and the alias under both URNs', async () => {
        const posts = recorder()
        const userName = 'avery.stone.contractor@subsidiary.acme-corporation.example'
        salesforce()
            .post(`${SCIM}/Users`, posts.match)
            .reply(201, created({ userName, nickName: userName.slice(0, 40) }))
        await runCommand('std:account:create', { attributes: { ...ATTRIBUTES, userName, alias: 'astone' } }, CONFIG)
        expect(posts.bodies).toMatchObject([
            {
                userName,
                nickName: 'avery.stone.contractor@subsidiary.acme-c',
                'urn:salesforce:schemas:extension:1.0': { alias: 'astone' },
                'urn:salesforce:schemas:extension:2.0': { alias: 'astone' },
            },
        ])
    })

    it.each([
        [
            'no profile',
            { ...ATTRIBUTES, profile: undefined },
            /no profile: Salesforce requires exactly one profile per user: set `profile` in the create profile, or Default Profile ID in the source configuration/,
        ],
        [
            'two profiles',
            { ...ATTRIBUTES, profile: [IDS.standardProfile, IDS.adminProfile] },
            /2 profiles .*exactly one profile per user/,
        ],
        ['no userName, email or familyName', { profile: IDS.standardProfile }, /missing userName, email, familyName/],
        ['a malformed permission set', { ...ATTRIBUTES, permissionSets: ['0PS") or (id pr'] }, /permission set id/],
        ['a userName given as a number', { ...ATTRIBUTES, userName: 12345 }, /userName: expected text, got number/],
        ['a userName not in email form', { ...ATTRIBUTES, userName: 'avery.stone' }, /is not in email form/],
    ])('refuses a create with %s without any HTTP call', async (_label, attributes, message) => {
        await expect(runCommand('std:account:create', { attributes }, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(message),
        })
        expect(unmatched).toEqual([])
    })
})
