import { RawResponse, ResponseType } from '@sailpoint/connector-sdk'
import type Nock from 'nock'
import { scopeOf } from '../../src/mapping/delta-state'
import { runCommand, onlyAccount } from '../helpers/run-command'
import { INACTIVE_USER, USER, IDS, withUser } from '../mapping/fixtures'
import {
    CONFIG,
    INSTANCE_URL,
    SCIM,
    fixture,
    noMembersAnywhere,
    nock,
    recorder,
    rest,
    salesforce,
    userAccessAnswer,
    useLogCapture,
    useNock,
} from '../helpers/nock'
import { listQuery, listResponse } from '../helpers/scim-bodies'
import { REST, limitInfo } from '../helpers/rest-bodies'

const REST_CONFIG = { ...CONFIG, governBeyondScim: true }

/** A user Salesforce lists with a role, so the first page needs no look at the member lists. */
const IN_A_ROLE = withUser(INACTIVE_USER, { roles: [{ value: IDS.vpRole }] })

useNock()
const logs = useLogCapture()

interface CompositeBody {
    allOrNone: boolean
    compositeRequest: { method: string; url: string; referenceId: string }[]
}

/** The plan of the command (the User describe and the org's profiles, one Composite call), sent with `used`. */
function plan(scope: Nock.Scope, used = 1000): Nock.Scope {
    return rest(scope).plan({ headers: limitInfo(used) }).scope
}

/** The SOQL of each query of each Composite call the connector made. */
function queriesOf(bodies: readonly unknown[]): Record<string, string>[] {
    return (bodies as CompositeBody[]).map((body) =>
        Object.fromEntries(
            body.compositeRequest.map((request) => {
                expect(request.method).toBe('GET')
                const url = new URL(request.url, 'https://x')
                expect(url.pathname).toBe(`${REST}/query`)
                return [request.referenceId, url.searchParams.get('q') as string]
            })
        )
    )
}

describe('std:account:list with Govern Access Beyond SCIM', () => {
    it('gives each account what only the REST API shows, with ONE Composite call of five queries per page', async () => {
        const composites = recorder()
        plan(salesforce())
            .get(`${SCIM}/Users`)
            .query(listQuery())
            .reply(200, listResponse([INACTIVE_USER, USER]))
            .post(`${REST}/composite`, composites.match)
            .reply(200, userAccessAnswer(), limitInfo(1002))

        const result = await runCommand('std:account:list', {}, REST_CONFIG)

        expect(composites.bodies).toHaveLength(1)
        const [queries] = queriesOf(composites.bodies)
        const ids = `('${INACTIVE_USER.id}','${USER.id}')`
        expect(queries).toEqual({
            user:
                'SELECT Id, Street, City, State, PostalCode, Country, CompanyName, EmailEncodingKey, ' +
                'ProfileId, LastLoginDate, UserPermissionsMarketingUser, UserPermissionsOfflineUser, ' +
                'UserPermissionsKnowledgeUser, UserPermissionsSupportUser, (SELECT Id, PermissionSetId, ' +
                'PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignments WHERE PermissionSet.IsOwnedByProfile = false ' +
                'AND (PermissionSetGroupId != null OR ExpirationDate != null)) ' +
                `FROM User WHERE Id IN ${ids}`,
            permissionSetLicenses:
                'SELECT Id, AssigneeId, PermissionSetLicenseId, SystemModstamp FROM PermissionSetLicenseAssign ' +
                `WHERE AssigneeId IN ${ids}`,
            packageLicenses: `SELECT Id, UserId, PackageLicenseId, SystemModstamp FROM UserPackageLicense WHERE UserId IN ${ids}`,
            queues:
                'SELECT Id, UserOrGroupId, GroupId, SystemModstamp FROM GroupMember ' +
                `WHERE UserOrGroupId IN ${ids} AND Group.Type = 'Queue'`,
            logins:
                'SELECT Id, UserId, IsFrozen, IsPasswordLocked, LastModifiedDate FROM UserLogin ' +
                `WHERE UserId IN ${ids} AND (IsFrozen = true OR IsPasswordLocked = true)`,
        })
        expect(result.outputs.map((o) => [o.identity, o.locked])).toEqual([
            [INACTIVE_USER.id, false],
            [USER.id, true],
        ])
        expect(result.outputs[1]?.attributes).toMatchObject({
            permissionSets: [IDS.salesCloud],
            permissionSetGroups: ['0PGRM0000000abcEAA', '0PGRM0000000abdEAA'],
            permissionSetExpirations: [`${IDS.salesCloud}=2026-12-31T00:00:00Z`],
            permissionSetLicenses: ['0PLRM0000000abcAAA'],
            packageLicenses: ['050RM0000000abcAAA'],
            queues: ['00GRM0000000qu1AAA'],
            featureLicenses: ['UserPermissionsMarketingUser', 'UserPermissionsKnowledgeUser'],
            userLicense: 'Salesforce',
            lastLoginDate: '2026-11-30T08:15:02Z',
            frozen: false,
            locked: true,
            companyName: 'My Company',
            city: 'San Francisco',
        })
        expect(result.outputs[0]?.attributes).toMatchObject({ frozen: true, userLicense: 'Salesforce Platform' })
        // The progress line tells the org's API usage.
        expect(logs.lines.join('\n')).toContain(
            'Listed 2 accounts; the org has used 1002 of 100000 daily API requests (1%)'
        )
    })

    it('starts each page’s Composite call before the next SCIM page is answered, and one call per page', async () => {
        const events: string[] = []
        const composites = recorder()
        const config = { ...REST_CONFIG, pageSize: 1, parallelStreams: 1 }
        plan(salesforce())
            .get(`${SCIM}/Users`)
            .query(listQuery(undefined, 1))
            .reply(200, () => {
                events.push('scim 1')
                return listResponse([IN_A_ROLE], 2)
            })
            .get(`${SCIM}/Users`)
            .query(listQuery(`(id gt "${IN_A_ROLE.id}")`, 1))
            .reply(200, () => {
                events.push('scim 2 asked')
                return new Promise((resolve) =>
                    setTimeout(() => {
                        events.push('scim 2 answered')
                        resolve(listResponse([USER], 1))
                    }, 300)
                )
            })
            .post(`${REST}/composite`, composites.match)
            .times(2)
            .reply(200, () => {
                events.push(`composite ${composites.bodies.length}`)
                return userAccessAnswer()
            })

        const result = await runCommand('std:account:list', {}, config)

        expect(result.outputs.map((o) => o.identity)).toEqual([IN_A_ROLE.id, USER.id])
        expect(composites.bodies).toHaveLength(2)
        // The first page's REST data was answered while the second SCIM page was still on its way.
        expect(events).toEqual(['scim 1', 'scim 2 asked', 'composite 1', 'scim 2 answered', 'composite 2'])
        expect(queriesOf(composites.bodies).map((q) => q.logins)).toEqual([
            `SELECT Id, UserId, IsFrozen, IsPasswordLocked, LastModifiedDate FROM UserLogin WHERE UserId IN ('${INACTIVE_USER.id}') AND (IsFrozen = true OR IsPasswordLocked = true)`,
            `SELECT Id, UserId, IsFrozen, IsPasswordLocked, LastModifiedDate FROM UserLogin WHERE UserId IN ('${USER.id}') AND (IsFrozen = true OR IsPasswordLocked = true)`,
        ])
    })

    it('leaves out only the attributes of a query Salesforce refuses, with one warning naming the permission', async () => {
        const refused = { packageLicenses: fixture('rest/error.invalid-type-user-package-license') }
        plan(noMembersAnywhere(salesforce()))
            .get(`${SCIM}/Users`)
            .query(listQuery(undefined, 1))
            .reply(200, listResponse([INACTIVE_USER], 2))
            .get(`${SCIM}/Users`)
            .query(listQuery(`(id gt "${INACTIVE_USER.id}")`, 1))
            .reply(200, listResponse([USER], 1))
            .post(`${REST}/composite`)
            .times(2)
            .reply(200, userAccessAnswer(refused))

        const result = await runCommand('std:account:list', {}, { ...REST_CONFIG, pageSize: 1 })

        expect(result.outputs).toHaveLength(2)
        for (const output of result.outputs) {
            expect(output.attributes).not.toHaveProperty('packageLicenses')
            expect(output.attributes).toHaveProperty('permissionSetLicenses')
        }
        const warnings = logs.lines.filter((line) => line.includes('Leaving packageLicenses out of the accounts'))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toContain('Manage Package Licenses')
        expect(warnings[0]).toContain("sObject type 'UserPackageLicense' is not supported")
    })

    it('reads the page again without the assignment subquery when Salesforce refuses it, once per command', async () => {
        const composites = recorder()
        const refusedSubquery = { user: fixture('rest/error.invalid-type-permission-set-assignments') }
        const plainUsers = userAccessAnswer().compositeResponse.find((r) => r.referenceId === 'user')
        plan(salesforce())
            .get(`${SCIM}/Users`)
            .query(listQuery())
            .reply(200, listResponse([INACTIVE_USER, USER]))
            .post(`${REST}/composite`, composites.match)
            .reply(200, userAccessAnswer(refusedSubquery))
            .post(`${REST}/composite`, composites.match)
            .reply(200, { compositeResponse: [plainUsers] })

        const result = await runCommand('std:account:list', {}, REST_CONFIG)

        const [first, again] = queriesOf(composites.bodies)
        expect(first?.user).toContain('FROM PermissionSetAssignments')
        expect(Object.keys(again ?? {})).toEqual(['user'])
        expect(again?.user).not.toContain('PermissionSetAssignments')
        // The fixture's rows still hold the subquery: the attributes come from them as Salesforce sent them.
        expect(result.outputs[1]?.attributes).toMatchObject({ lastLoginDate: '2026-11-30T08:15:02Z', locked: true })
        expect(
            logs.lines.filter((line) => line.includes('permission set groups and assignment expiry dates'))
        ).toHaveLength(1)
    })

    it('fails before any account for an Additional User Field the User object does not have', async () => {
        // The describe is read while the first SCIM page is on its way; no account leaves.
        plan(salesforce())
            .get(`${SCIM}/Users`)
            .query(true)
            .optionally()
            .reply(200, listResponse([USER]))
        const config = { ...REST_CONFIG, additionalUserFields: ['Cost_Center__c', 'Cost_Centre__c'] }
        await expect(runCommand('std:account:list', {}, config)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            errorCode: 'INVALID_FIELD',
            message: expect.stringContaining('no field Cost_Centre__c (setting Additional User Fields)'),
        })
    })

    it('stops before a page that would take the org past the API usage limit, naming the setting and the figures', async () => {
        const chunks: RawResponse[] = []
        plan(noMembersAnywhere(salesforce()), 89_000)
            .get(`${SCIM}/Users`)
            .query(listQuery(undefined, 1))
            .reply(200, listResponse([INACTIVE_USER], 2))
            // Requested ahead while the first page waits for its rows; the stop comes before any account is sent.
            .get(`${SCIM}/Users`)
            .query(listQuery(`(id gt "${INACTIVE_USER.id}")`, 1))
            .optionally()
            .reply(200, listResponse([USER], 1))
            .post(`${REST}/composite`)
            .reply(200, userAccessAnswer(), limitInfo(89_999))
            // The second page's rows are asked for while the first waits for its own, before its usage is known.
            .post(`${REST}/composite`)
            .optionally()
            .reply(200, userAccessAnswer(), limitInfo(90_000))

        await expect(
            runCommand('std:account:list', {}, { ...REST_CONFIG, pageSize: 1, apiUsageLimitPercent: 90 }, chunks)
        ).rejects.toMatchObject({
            name: 'RateLimitError',
            message: expect.stringMatching(
                /^Stopped after 0 accounts: the org has used 89999 of 100000 daily API requests \(89%\), and the pages in flight and the next one \(14 requests\) would take it past 90% \(90000 requests\), the setting API Usage Limit \(%\)/
            ),
        })
        // The first page's rows told the usage: its accounts are not sent either.
        expect(chunks.filter((c) => c.type === ResponseType.Output)).toHaveLength(0)
    })

    describe('as a delta', () => {
        const SINCE = '2024-05-06T07:03:09Z'
        const SAVED = { version: '1', lastModified: '2024-05-06T07:08:09Z', scope: scopeOf(undefined, []) }
        const DELTA = { ...REST_CONFIG, spConnEnableStatefulCommands: true, deltaOverlapMinutes: 5 }

        function changesSince(scope: Nock.Scope, rows: Readonly<Record<string, readonly object[]>>): Nock.Scope {
            const markers = [
                ['queryAll', 'AssigneeId', 'PermissionSetAssignment', 'SystemModstamp'],
                ['queryAll', 'AssigneeId', 'PermissionSetLicenseAssign', 'SystemModstamp'],
                ['queryAll', 'UserId', 'UserPackageLicense', 'SystemModstamp'],
                ['queryAll', 'UserOrGroupId', 'GroupMember', 'SystemModstamp'],
                ['query', 'UserId', 'UserLogin', 'LastModifiedDate'],
            ] as const
            for (const [resource, field, object, stamp] of markers) {
                const records = rows[object] ?? []
                scope
                    .get(`${REST}/${resource}`)
                    .query({ q: `SELECT ${field} FROM ${object} WHERE ${stamp} > ${SINCE}` })
                    .reply(200, { totalSize: records.length, done: true, records })
            }
            return scope
        }

        it('also lists the users whose assignments or login state changed though the user did not', async () => {
            const composites = recorder()
            const scope = plan(salesforce())
                .get(`${SCIM}/Users`)
                .query(listQuery(`(meta.lastModified gt "${SINCE}")`))
                .reply(200, listResponse([USER]))
            changesSince(scope, {
                // A deleted row (queryAll shows it) of a user SCIM's delta listed already, and a new one of another.
                PermissionSetLicenseAssign: [
                    { attributes: { type: 'PermissionSetLicenseAssign' }, AssigneeId: USER.id },
                    { attributes: { type: 'PermissionSetLicenseAssign' }, AssigneeId: INACTIVE_USER.id },
                ],
                // A group nested in a queue is no user.
                GroupMember: [{ attributes: { type: 'GroupMember' }, UserOrGroupId: '00G4W000006IKBoUAO' }],
            })
                .get(`${SCIM}/Users`)
                .query(listQuery(`(id eq "${INACTIVE_USER.id}")`))
                .reply(200, listResponse([INACTIVE_USER]))
                .post(`${REST}/composite`, composites.match)
                .times(2)
                .reply(200, userAccessAnswer())

            const result = await runCommand('std:account:list', { stateful: true, state: SAVED }, DELTA)

            expect(result.outputs.map((o) => o.identity)).toEqual([USER.id, INACTIVE_USER.id])
            expect(result.outputs[1]?.attributes).toMatchObject({ frozen: true })
            expect(composites.bodies).toHaveLength(2)
            expect(result.states).toHaveLength(1)
            expect(result.states[0]).toMatchObject({ scope: scopeOf(undefined, []) })
        })

        it('reads the changed users within the account filter only', async () => {
            const filter = 'userType eq "Standard"'
            const state = { ...SAVED, scope: scopeOf(filter, []) }
            const scope = plan(salesforce())
                .get(`${SCIM}/Users`)
                .query(listQuery(`((${filter}) and (meta.lastModified gt "${SINCE}"))`))
                .reply(200, listResponse([]))
            changesSince(scope, { UserLogin: [{ attributes: { type: 'UserLogin' }, UserId: INACTIVE_USER.id }] })
                .get(`${SCIM}/Users`)
                .query(listQuery(`((${filter}) and (id eq "${INACTIVE_USER.id}"))`))
                .reply(200, listResponse([]))

            const result = await runCommand(
                'std:account:list',
                { stateful: true, state },
                { ...DELTA, accountFilter: filter }
            )
            expect(result.outputs).toEqual([])
        })

        it('lists everything when the state was saved without Govern Access Beyond SCIM', async () => {
            plan(salesforce())
                .get(`${SCIM}/Users`)
                .query(listQuery())
                .reply(200, listResponse([USER]))
                .post(`${REST}/composite`)
                .reply(200, userAccessAnswer())
            const result = await runCommand(
                'std:account:list',
                { stateful: true, state: { ...SAVED, scope: scopeOf(undefined) } },
                DELTA
            )
            expect(result.outputs.map((o) => o.identity)).toEqual([USER.id])
        })
    })
})

describe('std:account:read with Govern Access Beyond SCIM', () => {
    it('gives the same attributes as aggregation for that user', async () => {
        const composites = recorder()
        plan(salesforce())
            .get(`${SCIM}/Users`)
            .query(listQuery())
            .reply(200, listResponse([INACTIVE_USER, USER]))
            .post(`${REST}/composite`)
            .reply(200, userAccessAnswer())
        // The second command reuses the session of the first.
        rest(nock(INSTANCE_URL))
            .planWithDescribeHeld()
            .scope.get(`${SCIM}/Users/${USER.id}`)
            .reply(200, USER)
            .post(`${REST}/composite`, composites.match)
            .reply(200, userAccessAnswer())

        const listed = (await runCommand('std:account:list', {}, REST_CONFIG)).outputs[1]
        const read = onlyAccount(await runCommand('std:account:read', { identity: USER.id }, REST_CONFIG))

        expect(read).toEqual(listed)
        expect(queriesOf(composites.bodies)[0]?.user).toContain(`WHERE Id IN ('${USER.id}')`)
    })
})

describe('std:account:discover-schema with Govern Access Beyond SCIM', () => {
    it('offers the Additional User Fields with the types of the User describe', async () => {
        rest(salesforce())
            .describeUser()
            .scope.get(`${SCIM}/Schemas`)
            .reply(200, listResponse(fixture<unknown[]>('../handlers/scim/schemas')))
        const config = { ...REST_CONFIG, additionalUserFields: ['Hire_Date__c', 'is_contractor__c'] }
        const result = await runCommand('std:account:discover-schema', undefined, config)
        const schema = result.outputs[0] as { attributes: { name: string; type: string; description: string }[] }
        // Is_Contractor__c is a custom field SCIM shows already: it keeps that entry.
        expect(schema.attributes.filter((a) => a.name.endsWith('__c')).map((a) => [a.name, a.type])).toEqual([
            ['Cost_Center__c', 'string'],
            ['Badge_Number__c', 'int'],
            ['Is_Contractor__c', 'boolean'],
            ['Hire_Date__c', 'string'],
        ])
    })
})
