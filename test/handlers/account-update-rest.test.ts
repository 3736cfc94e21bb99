/**
 * Provisioning beyond SCIM (Govern Access Beyond SCIM on): the REST-only entitlements of an update and a create,
 * and permission sets removed row by row, at the HTTP boundary with Salesforce's REST payloads.
 */
import { runCommand, onlyAccount } from '../helpers/run-command'
import { IDS, INACTIVE_USER, USER } from '../mapping/fixtures'
import { CONFIG, fixture, recorder, rest, SCIM, salesforce, unmatched, useNock } from '../helpers/nock'
import {
    patchOp,
    permissionSetEntitlement as permissionSet,
    profileEntitlement as profile,
    replaceEntitlements,
    userWith,
} from '../helpers/scim-bodies'
import {
    compositeAnswer,
    compositeRefused,
    created,
    queriesOf,
    REST,
    REST_IDS,
    SObjectRow as Row,
    queryAnswer,
    sobjectRow as row,
} from '../helpers/rest-bodies'
import { MINIMAL_CREATE } from '../helpers/account-inputs'
import { ScimUser } from '../../src/salesforce/types'

useNock()

const REST_CONFIG = { ...CONFIG, governBeyondScim: true }
const KEY = { simple: { id: IDS.user } }

const {
    queue: QUEUE,
    otherQueue: OTHER_QUEUE,
    permissionSetLicense: PSL,
    packageLicense: PACKAGE,
    permissionSetGroup: PSG,
    otherPermissionSetGroup: OTHER_PSG,
} = REST_IDS
/** The org's queues, as the SCIM /Groups list shows them. */
const LISTED_QUEUES = [{ id: QUEUE, displayName: 'Support', type: 'Queue' }]

const BEFORE = userWith(USER, {
    entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud), permissionSet(IDS.apiEnabled)],
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
/** The assignment row of the Sales Cloud permission set, directly assigned. */
const SALES_CLOUD_ROW_ID = '0PaRM0000001AaAAAU'
const SALES_CLOUD_ROW = psaRow(SALES_CLOUD_ROW_ID, IDS.salesCloud, null)

interface UpdateRun {
    /** What SCIM shows of the user first (BEFORE unless given). */
    readonly before?: ScimUser
    /** The Composite answer to the read of the user's rows; none when the update stops before it. */
    readonly access?: unknown
    /** The Composite answer to the rows read back after the writes; none when the update stops before it. */
    readonly readBack?: unknown
    /** What SCIM shows of the user at the end; none when the update stops before reading it again. */
    readonly after?: ScimUser
    readonly listedGroups?: readonly object[]
    /** Records the body of each Composite. */
    readonly composites?: ReturnType<typeof recorder>
    /**
     * The update succeeds and returns the account as aggregation lists it: one more describe and Composite, whose
     * rows are those of the last read (the read-back, else the first read).
     */
    readonly returned?: true
}

/** The rows of a provisioning read as the account read's Composite parts. */
function accountRowsOf(answer: unknown, userId: string = IDS.user): Parameters<ReturnType<typeof rest>['account']>[0] {
    const responses = (answer as { compositeResponse: { referenceId: string; body: { records?: Row[] } }[] })
        .compositeResponse
    const records = (ref: string): Row[] => responses.find((r) => r.referenceId === ref)?.body.records ?? []
    const flags = records('featureLicenses')[0] ?? {}
    const assignments = records('permissionSetAssignments')
    const user = row('User', userId, {
        ...Object.fromEntries(Object.entries(flags).filter(([field]) => field.startsWith('UserPermissions'))),
        PermissionSetAssignments: assignments.length > 0 ? queryAnswer(assignments) : null,
    })
    return {
        user: [user],
        permissionSetLicenses: records('permissionSetLicense'),
        packageLicenses: records('packageLicense'),
        queues: records('queue'),
    }
}

/**
 * Stubs an update beyond SCIM as it runs: the user read through SCIM, their rows read in one Composite, the rows
 * read back in another, the user read again. Returns the REST stubs, for the writes in between.
 */
function stubUpdate(run: UpdateRun): ReturnType<typeof rest> {
    const stubs = rest(salesforce(run.listedGroups !== undefined ? { listedGroups: run.listedGroups } : {}))
    stubs.scope.get(`${SCIM}/Users/${IDS.user}`).reply(200, run.before ?? BEFORE)
    if (run.access !== undefined) stubs.composite(run.access, run.composites?.match)
    if (run.readBack !== undefined) stubs.composite(run.readBack, run.composites?.match)
    if (run.after !== undefined) stubs.scope.get(`${SCIM}/Users/${IDS.user}`).reply(200, run.after)
    if (run.returned === true) stubs.account(accountRowsOf(run.readBack ?? run.access))
    return stubs
}

async function update(changes: unknown[], config: Record<string, unknown> = REST_CONFIG) {
    return onlyAccount(await runCommand('std:account:update', { key: KEY, identity: IDS.user, changes }, config))
}

describe('std:account:update beyond SCIM', () => {
    it('grants a permission set license and a queue by creating their rows, license first, and reads them back', async () => {
        const composites = recorder()
        const posts = recorder()
        stubUpdate({
            returned: true,
            listedGroups: LISTED_QUEUES,
            composites,
            access: compositeAnswer({ permissionSetLicense: [], queue: [] }),
            readBack: compositeAnswer({
                permissionSetLicense: [pslRow('2LARM0000000AbcYAE', PSL)],
                queue: [queueRow('011RM0000000Gm1YAE', QUEUE)],
            }),
            after: BEFORE,
        })
            .create('PermissionSetLicenseAssign', fixture('rest/provisioning.create'), posts.match)
            .create('GroupMember', created('011RM0000000Gm1YAE'), posts.match)

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
        const kept = psaRow('0PaRM0000001Ab2YAE', '0PSRM0000009zZ2', OTHER_PSG, '2027-01-31T00:00:00.000+0000')
        stubUpdate({
            returned: true,
            access: compositeAnswer({
                permissionSetAssignments: [psaRow('0PaRM0000001Ab1YAE', '0PSRM0000009zZ1', PSG), kept],
            }),
            readBack: compositeAnswer({ permissionSetAssignments: [kept] }),
            after: BEFORE,
        }).remove('PermissionSetAssignment', '0PaRM0000001Ab1YAE')

        const account = await update([{ op: 'Set', attribute: 'permissionSetGroups', value: [OTHER_PSG] }])
        expect(account.attributes.permissionSetGroups).toEqual([OTHER_PSG])
    })

    it('writes nothing for an Add of what the user holds and a Remove of what they do not hold', async () => {
        stubUpdate({
            returned: true,
            listedGroups: LISTED_QUEUES,
            access: compositeAnswer({ queue: [queueRow('011RM0000000Gm1YAE', QUEUE)] }),
        })

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
        stubUpdate({
            returned: true,
            access: compositeAnswer({ featureLicenses: [flags(false, true)] }),
            readBack: compositeAnswer({ featureLicenses: [flags(true, false)] }),
            after: BEFORE,
        }).update('User', IDS.user, patches.match)

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
        const readBack = compositeAnswer({ featureLicenses: [flags(false, false, true)] })
        const stubs = stubUpdate({
            composites,
            access: compositeAnswer({ featureLicenses: [flags(false, true, true)] }),
            readBack,
            after: BEFORE,
        }).update('User', IDS.user, patches.match)
        // The describe a Set plans from comes before the account's own reads.
        stubs.scope.get(`${REST}/sobjects/User/describe`).reply(200, fixture('rest/provisioning.describe.user'))
        stubs.account(accountRowsOf(readBack))

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
        stubUpdate({
            returned: true,
            composites,
            access,
            readBack: compositeAnswer({ permissionSetAssignments: kept }),
            after,
        }).remove('PermissionSetAssignment', SALES_CLOUD_ROW_ID)

        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(queriesOf(composites.bodies[0])).toEqual({
            permissionSetAssignments: `SELECT Id, PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId IN ('${IDS.user}') AND PermissionSet.IsOwnedByProfile = false`,
        })
        expect(unmatched).toEqual([])
        expect(account.attributes.permissionSets).toEqual([IDS.apiEnabled])
    })

    it('removes the last permission set by deleting its row, with no SCIM write', async () => {
        stubUpdate({
            returned: true,
            before: userWith(BEFORE, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.salesCloud)] }),
            access: compositeAnswer({ permissionSetAssignments: [SALES_CLOUD_ROW] }),
            readBack: compositeAnswer({ permissionSetAssignments: [] }),
            after: userWith(BEFORE, { entitlements: [profile(IDS.adminProfile)] }),
        }).remove('PermissionSetAssignment', SALES_CLOUD_ROW_ID)

        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(account.attributes.permissionSets).toEqual([])
    })

    it('still adds permission sets through SCIM while it removes another row by row', async () => {
        const patches = recorder()
        stubUpdate({
            returned: true,
            access: compositeAnswer({ permissionSetAssignments: [SALES_CLOUD_ROW] }),
            readBack: compositeAnswer({ permissionSetAssignments: [] }),
            after: userWith(BEFORE, {
                entitlements: [profile(IDS.adminProfile), permissionSet(IDS.apiEnabled), permissionSet(IDS.reports)],
            }),
        })
            .remove('PermissionSetAssignment', SALES_CLOUD_ROW_ID)
            .scope.patch(`${SCIM}/Users/${IDS.user}`, patches.match)
            .reply(200, BEFORE)

        await update([{ op: 'Set', attribute: 'permissionSets', value: [IDS.apiEnabled, IDS.reports] }])
        expect(patches.bodies).toEqual([patchOp({ op: 'add', value: { entitlements: [{ value: IDS.reports }] } })])
    })

    it('fails when Salesforce still lists a permission set whose row it deleted', async () => {
        stubUpdate({
            access: compositeAnswer({ permissionSetAssignments: [SALES_CLOUD_ROW] }),
            readBack: compositeAnswer({ permissionSetAssignments: [] }),
            after: BEFORE,
        }).remove('PermissionSetAssignment', SALES_CLOUD_ROW_ID)

        await expect(
            update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        ).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringContaining(`Salesforce still assigns permission set ${IDS.salesCloud}`),
        })
    })

    it('removes permission sets through SCIM, as before, when their rows cannot be read', async () => {
        const patches = recorder()
        const after = userWith(BEFORE, { entitlements: [profile(IDS.adminProfile), permissionSet(IDS.apiEnabled)] })
        stubUpdate({
            returned: true,
            access: compositeRefused('permissionSetAssignments', {
                errorCode: 'INVALID_TYPE',
                message: "sObject type 'PermissionSetAssignment' is not supported.",
            }),
            after,
        })
            .scope.patch(`${SCIM}/Users/${IDS.user}`, patches.match)
            .reply(200, after)

        const account = await update([{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }])
        expect(patches.bodies).toEqual([patchOp(replaceEntitlements(IDS.adminProfile, IDS.apiEnabled))])
        expect(account.attributes.permissionSets).toEqual([IDS.apiEnabled])
    })

    it('refuses an id of the wrong kind, naming the attribute, before any request', async () => {
        await expect(update([{ op: 'Add', attribute: 'queues', value: IDS.salesCloud }])).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(/^Add queues: "0PSRM0000004aBcDEF" is not a Salesforce queue id/),
        })
    })

    it('refuses a public group among queues: GroupMember would make the user a member of the group', async () => {
        stubUpdate({ listedGroups: LISTED_QUEUES })
        await expect(update([{ op: 'Add', attribute: 'queues', value: IDS.westGroup }])).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringContaining(`queues: ${IDS.westGroup} is not a queue of this org`),
        })
    })

    it('refuses REST-only entitlements when Govern Access Beyond SCIM is off, naming the setting', async () => {
        await expect(
            update([{ op: 'Add', attribute: 'packageLicenses', value: PACKAGE }], CONFIG)
        ).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringContaining('turn on Govern Access Beyond SCIM (governBeyondScim)'),
        })
    })

    it('names the license and what was not tried when no seat is free', async () => {
        stubUpdate({
            listedGroups: LISTED_QUEUES,
            access: compositeAnswer({ permissionSetLicense: [], queue: [] }),
        }).create('PermissionSetLicenseAssign', fixture('rest/provisioning.license-limit-exceeded'), undefined, 400)

        const failure = update([
            { op: 'Add', attribute: 'permissionSetLicenses', value: PSL },
            { op: 'Add', attribute: 'queues', value: QUEUE },
        ])
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
        stubUpdate({
            returned: true,
            access: compositeAnswer({ permissionSetAssignments: [] }),
            readBack: compositeAnswer({
                permissionSetAssignments: [psaRow('0PaRM0000001Ab1YAE', '0PSRM0000009zZ1', PSG)],
            }),
            after: BEFORE,
        }).create(
            'PermissionSetAssignment',
            fixture('rest/provisioning.duplicate-assignment'),
            { AssigneeId: IDS.user, PermissionSetGroupId: PSG },
            400
        )

        const account = await update([{ op: 'Add', attribute: 'permissionSetGroups', value: PSG }])
        expect(account.attributes.permissionSetGroups).toEqual([PSG])
    })

    it('takes a row already deleted (ENTITY_IS_DELETED) as removed when the read-back no longer shows it', async () => {
        stubUpdate({
            returned: true,
            access: compositeAnswer({ queue: [queueRow('011RM0000000Gm1YAE', QUEUE)] }),
            readBack: compositeAnswer({ queue: [] }),
            after: BEFORE,
        }).remove('GroupMember', '011RM0000000Gm1YAE', 404, fixture('rest/provisioning.entity-is-deleted'))

        const account = await update([{ op: 'Remove', attribute: 'queues', value: QUEUE }])
        expect(account.attributes.queues).toEqual([])
    })

    it('reports a write Salesforce accepted but its rows do not show, and nothing as done', async () => {
        stubUpdate({
            access: compositeAnswer({ packageLicense: [] }),
            readBack: compositeAnswer({ packageLicense: [] }),
        }).create('UserPackageLicense', created('051RM0000000Up1YAE'))

        await expect(update([{ op: 'Add', attribute: 'packageLicenses', value: PACKAGE }])).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringContaining(
                `do not show the grant of package license ${PACKAGE}: that access was NOT changed`
            ),
        })
    })

    it('names the Salesforce permission when it cannot read the rows it would change, and writes nothing', async () => {
        stubUpdate({
            access: compositeRefused('packageLicense', {
                errorCode: 'INVALID_TYPE',
                message: "sObject type 'UserPackageLicense' is not supported.",
            }),
        })

        await expect(update([{ op: 'Add', attribute: 'packageLicenses', value: PACKAGE }])).rejects.toMatchObject({
            message: expect.stringContaining(
                `Cannot read the package licenses of user ${IDS.user}, so nothing was changed (the integration user needs "Manage Package Licenses")`
            ),
        })
    })
})

describe('std:account:create beyond SCIM', () => {
    const NEW_ID = '005RM000002GAbcYAO'
    const ATTRIBUTES = { ...MINIMAL_CREATE, permissionSetLicenses: [PSL], packageLicenses: PACKAGE }
    const newUser = userWith(INACTIVE_USER, {
        id: NEW_ID,
        userName: MINIMAL_CREATE.userName,
        active: true,
        entitlements: [profile(IDS.standardProfile)],
    })

    /** The licenses' catalog rows the create checks its grants against before the user exists. */
    function licenseRows(seats: { readonly psl?: [number, number]; readonly pkg?: [number, number] } = {}) {
        const [pslUsed, pslTotal] = seats.psl ?? [3, 10]
        const [pkgUsed, pkgAllowed] = seats.pkg ?? [3, 4]
        return {
            permissionSetLicense: [
                row('PermissionSetLicense', PSL, {
                    DeveloperName: 'SalesCloudEinstein',
                    MasterLabel: 'Sales Cloud Einstein',
                    Status: 'Active',
                    TotalLicenses: pslTotal,
                    UsedLicenses: pslUsed,
                    ExpirationDate: null,
                }),
            ],
            packageLicense: [
                row('PackageLicense', PACKAGE, {
                    NamespacePrefix: 'dsfs',
                    Status: 'Active',
                    AllowedLicenses: pkgAllowed,
                    UsedLicenses: pkgUsed,
                    ExpirationDate: null,
                }),
            ],
        }
    }

    /**
     * Stubs the check of the grants (a seat free of each), the SCIM create and the read of the new user's rows (none
     * yet); returns the REST stubs that follow.
     */
    function stubCreate(): ReturnType<typeof rest> {
        const stubs = rest().composite(compositeAnswer(licenseRows()))
        stubs.scope.post(`${SCIM}/Users`).reply(201, newUser)
        return stubs.composite(compositeAnswer({ permissionSetLicense: [], packageLicense: [] }))
    }

    it.each([
        [
            'the permission set license',
            { psl: [10, 10] as [number, number] },
            `permission set license ${PSL} has no free seat \\(10 of 10 in use\\)`,
        ],
        [
            'the package license',
            { pkg: [4, 4] as [number, number] },
            `package license ${PACKAGE} has no free seat \\(4 of 4 in use\\)`,
        ],
        [
            'the site-wide package',
            { pkg: [0, -1] as [number, number] },
            `package license ${PACKAGE} is licensed site-wide`,
        ],
    ])('refuses before creating anyone when %s has no seat to give', async (_case, seats, reason) => {
        const checks = recorder()
        // Only the check is stubbed: a create of the user would find no answer.
        rest().composite(compositeAnswer(licenseRows(seats)), checks.match)
        await expect(runCommand('std:account:create', { attributes: ATTRIBUTES }, REST_CONFIG)).rejects.toMatchObject({
            name: 'LicenseLimitError',
            message: expect.stringMatching(new RegExp(`^Nothing was created: the ${reason}.*Free a seat`)),
        })
        expect(queriesOf(checks.bodies[0])).toEqual({
            permissionSetLicense: expect.stringMatching(
                new RegExp(`FROM PermissionSetLicense WHERE Id IN \\('${PSL}'\\)`)
            ),
            packageLicense: expect.stringMatching(new RegExp(`FROM PackageLicense WHERE Id IN \\('${PACKAGE}'\\)`)),
        })
    })

    it('refuses before creating anyone a license the org no longer has', async () => {
        rest().composite(compositeAnswer({ ...licenseRows(), permissionSetLicense: [] }))
        await expect(runCommand('std:account:create', { attributes: ATTRIBUTES }, REST_CONFIG)).rejects.toMatchObject({
            name: 'MissingEntitlementError',
            message: expect.stringMatching(
                new RegExp(
                    `^Nothing was created: permission set license ${PSL} \\(not a PermissionSetLicense of this org\\)`
                )
            ),
        })
    })

    it('creates the user when the integration user may not read a license, leaving the grant to decide', async () => {
        const readBack = compositeAnswer({
            permissionSetLicense: [],
            packageLicense: [
                row('UserPackageLicense', '051RM0000000Up1YAE', { UserId: NEW_ID, PackageLicenseId: PACKAGE }),
            ],
        })
        const stubs = rest().composite(
            compositeRefused('packageLicense', {
                errorCode: 'INVALID_TYPE',
                message: "sObject type 'PackageLicense' is not supported.",
            })
        )
        stubs.scope.post(`${SCIM}/Users`).reply(201, newUser)
        stubs
            .composite(compositeAnswer({ packageLicense: [] }))
            .create('UserPackageLicense', created('051RM0000000Up1YAE'))
            .composite(readBack)
        stubs.scope.get(`${SCIM}/Users/${NEW_ID}`).reply(200, newUser)
        stubs.account(accountRowsOf(readBack))

        const account = onlyAccount(
            await runCommand(
                'std:account:create',
                { attributes: { ...MINIMAL_CREATE, packageLicenses: PACKAGE } },
                REST_CONFIG
            )
        )
        expect(account.attributes).toMatchObject({ packageLicenses: [PACKAGE] })
    })

    it('grants the REST-only entitlements once the user exists and returns them read back', async () => {
        const posts = recorder()
        const readBack = compositeAnswer({
            permissionSetLicense: [
                row('PermissionSetLicenseAssign', '2LARM0000000AbcYAE', {
                    AssigneeId: NEW_ID,
                    PermissionSetLicenseId: PSL,
                }),
            ],
            packageLicense: [
                row('UserPackageLicense', '051RM0000000Up1YAE', { UserId: NEW_ID, PackageLicenseId: PACKAGE }),
            ],
        })
        const stubs = stubCreate()
            .create('PermissionSetLicenseAssign', created('2LARM0000000AbcYAE'), posts.match)
            .create('UserPackageLicense', created('051RM0000000Up1YAE'), posts.match)
            .composite(readBack)
        stubs.scope.get(`${SCIM}/Users/${NEW_ID}`).reply(200, newUser)
        // The account it returns, as aggregation lists it.
        stubs.account(accountRowsOf(readBack))

        const account = onlyAccount(await runCommand('std:account:create', { attributes: ATTRIBUTES }, REST_CONFIG))
        expect(posts.bodies).toEqual([
            { AssigneeId: NEW_ID, PermissionSetLicenseId: PSL },
            { UserId: NEW_ID, PackageLicenseId: PACKAGE },
        ])
        expect(account.attributes).toMatchObject({ permissionSetLicenses: [PSL], packageLicenses: [PACKAGE] })
    })

    it('takes back what it granted when a later grant fails, and names the user and the cause', async () => {
        stubCreate()
            .create('PermissionSetLicenseAssign', created('2LARM0000000AbcYAE'))
            .create(
                'UserPackageLicense',
                [
                    {
                        message: 'License Limit Exceeded',
                        errorCode: 'LICENSE_LIMIT_EXCEEDED',
                        fields: ['PackageLicenseId'],
                    },
                ],
                undefined,
                400
            )
            .remove('PermissionSetLicenseAssign', '2LARM0000000AbcYAE')

        await expect(runCommand('std:account:create', { attributes: ATTRIBUTES }, REST_CONFIG)).rejects.toMatchObject({
            name: 'LicenseLimitError',
            message: expect.stringMatching(
                new RegExp(
                    `^Created Salesforce user ${NEW_ID} \\(avery@acme.example\\) but could not apply permissionSetLicenses ${PSL}, packageLicenses ${PACKAGE}: Could not grant package license ${PACKAGE} for user ${NEW_ID}: No free seats of the package license.* The user holds none of the access beyond SCIM this create asked for\\.`
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
