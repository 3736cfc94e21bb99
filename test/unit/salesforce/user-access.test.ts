import { createSalesforceClients } from '../../../src/salesforce/create-client'
import { EntitlementCatalog } from '../../../src/salesforce/rest/catalog'
import { SObjectDescribe } from '../../../src/salesforce/rest/rest-client'
import {
    PageAccessRows,
    UserAccessReader,
    planUserAccess,
    readUserAccessPlan,
    usersSoql,
    usersWithAccessChangedSince,
    withPageAccess,
} from '../../../src/salesforce/rest/user-access'
import { soqlIdList } from '../../../src/salesforce/rest/soql'
import { featureLicenseFields } from '../../../src/salesforce/rest/user-writes'
import { fixture, planAnswer, recorder, rest, salesforce, testConfig, useLogCapture, useNock } from '../../helpers/nock'
import { IDS, USER } from '../../mapping/fixtures'
import {
    REST,
    compositeOf,
    compositeRefused,
    lookedUpProfiles,
    queriesOf,
    queryAnswer,
    sobjectRow,
} from '../../helpers/rest-bodies'

useNock()
const logs = useLogCapture()

const PROFILE_SOQL = 'SELECT Id, UserLicense.Name FROM Profile'
const PROFILES = fixture<{ records: Record<string, unknown>[] }>('rest/query.profiles')

function restClient() {
    return createSalesforceClients(testConfig('clientCredentials', { governBeyondScim: true })).rest
}

/** The subrequests of a recorded Composite body: each referenceId with its URL under the REST base path. */
function subrequestsOf(body: unknown): Record<string, string> {
    const requests = (body as { compositeRequest: { referenceId: string; method: string; url: string }[] })
        .compositeRequest
    return Object.fromEntries(requests.map((r) => [r.referenceId, `${r.method} ${r.url.split('?')[0] ?? ''}`]))
}

const DESCRIBE = fixture<SObjectDescribe>('rest/describe.user')

describe('planUserAccess', () => {
    it('takes the feature licenses from the User describe: its UserPermissions* booleans', () => {
        expect(planUserAccess(DESCRIBE, []).featureLicenseFields).toEqual([
            'UserPermissionsMarketingUser',
            'UserPermissionsOfflineUser',
            'UserPermissionsKnowledgeUser',
            'UserPermissionsSupportUser',
        ])
    })

    it('spells the Additional User Fields as the describe does, with their types', () => {
        expect(planUserAccess(DESCRIBE, ['hire_date__c', 'CompanyName']).additionalUserFieldDescriptions).toEqual([
            { name: 'Hire_Date__c', type: 'date', label: 'Hire Date' },
            { name: 'CompanyName', type: 'string', label: 'Company Name' },
        ])
    })

    it('refuses every field the User object does not have, naming each (INVALID_FIELD)', () => {
        expect(() => planUserAccess(DESCRIBE, ['Cost_Centre__c', 'Cost_Center__c', 'Nope'])).toThrow(
            expect.objectContaining({
                name: 'InvalidRequestError',
                errorCode: 'INVALID_FIELD',
                fields: ['Cost_Centre__c', 'Nope'],
                message: expect.stringContaining('has no field Cost_Centre__c, Nope (setting Additional User Fields)'),
            })
        )
    })

    it('selects a field once, whether the table or the admin names it', () => {
        const soql = usersSoql(
            planUserAccess(DESCRIBE, ['companyname', 'Cost_Center__c']),
            soqlIdList([IDS.user]),
            false
        )
        expect(soql.match(/CompanyName/gi)).toHaveLength(1)
        expect(soql).toContain('Cost_Center__c FROM User')
    })
})

describe('readUserAccessPlan', () => {
    it('reads the User describe and the org profiles in ONE Composite call, and the profiles alone while the describe is held', async () => {
        const composites = recorder()
        rest(salesforce())
            .plan({ match: composites.match })
            .composite(compositeOf({ userLicense: PROFILES }), composites.match)
        const client = restClient()

        const plan = await readUserAccessPlan(client, [])
        // The catalog and provisioning take the describe held for the org: no request of their own.
        const licenses = await new EntitlementCatalog(client).featureLicenses()
        expect(await featureLicenseFields(client)).toEqual(licenses.map((license) => license.field))
        const next = await readUserAccessPlan(client, [])

        expect(composites.bodies.map(subrequestsOf)).toEqual([
            { userLicense: `GET ${REST}/query`, describe: `GET ${REST}/sobjects/User/describe` },
            { userLicense: `GET ${REST}/query` },
        ])
        expect(queriesOf(composites.bodies[0]).userLicense).toBe(PROFILE_SOQL)
        expect(plan.featureLicenseFields).toEqual(licenses.map((license) => license.field))
        expect(plan.lookedUp).toEqual(lookedUpProfiles(PROFILES))
        expect(next.lookedUp).toEqual(plan.lookedUp)
    })

    it("follows the Profile query's nextRecordsUrl to the org's last profile", async () => {
        const [first, second] = PROFILES.records
        const batch = { totalSize: 2, done: false, nextRecordsUrl: `${REST}/query/01gRM000000Pro1-1`, records: [first] }
        rest(salesforce())
            .composite(compositeOf({ userLicense: batch, describe: fixture('rest/describe.user') }))
            .scope.get(`${REST}/query/01gRM000000Pro1-1`)
            .reply(200, queryAnswer([second]))

        const plan = await readUserAccessPlan(restClient(), [])

        expect(plan.lookedUp).toEqual(lookedUpProfiles(PROFILES))
    })

    it('leaves userLicense out with one warning naming the permission when Salesforce refuses the Profile query', async () => {
        const answer = planAnswer() as { compositeResponse: { referenceId: string }[] }
        const refused = {
            compositeResponse: answer.compositeResponse.map((response) =>
                response.referenceId === 'userLicense'
                    ? {
                          ...response,
                          httpStatusCode: 400,
                          body: [
                              { errorCode: 'INVALID_TYPE', message: "sObject type 'UserLicense' is not supported." },
                          ],
                      }
                    : response
            ),
        }
        rest(salesforce()).composite(refused)

        const plan = await readUserAccessPlan(restClient(), [])

        expect(plan.lookedUp).toEqual({})
        expect(plan.featureLicenseFields).toHaveLength(4)
        const warnings = logs.lines.filter((line) => line.includes('Leaving userLicense out of the accounts'))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toContain('View Setup and Configuration')
    })
})

describe('UserAccessReader', () => {
    it('looks up a profile the plan does not hold (made during the run) once, and keeps it for later pages', async () => {
        const NEW_PROFILE = '00eRM000001VtbpYAC'
        const page = compositeOf({
            user: queryAnswer([
                sobjectRow('User', USER.id, { ProfileId: NEW_PROFILE, PermissionSetAssignments: null }),
                sobjectRow('User', IDS.manager, { ProfileId: PROFILES.records[0]?.Id, PermissionSetAssignments: null }),
            ]),
            permissionSetLicenses: queryAnswer([]),
            packageLicenses: queryAnswer([]),
            queues: queryAnswer([]),
            logins: queryAnswer([]),
        })
        const newProfile = sobjectRow('Profile', NEW_PROFILE, {
            UserLicense: {
                attributes: { type: 'UserLicense', url: `${REST}/sobjects/UserLicense/100RM0000000abdYAA` },
                Name: 'Salesforce',
            },
        })
        const composites = recorder()
        rest(salesforce())
            .composite(page)
            .composite(compositeOf({ userLicense: queryAnswer([newProfile]) }), composites.match)
            .composite(page)
        const plan = planUserAccess(DESCRIBE, [], lookedUpProfiles(PROFILES))
        const reader = new UserAccessReader(restClient(), plan)

        await reader.read([USER.id, IDS.manager])
        await reader.read([USER.id, IDS.manager])

        expect(composites.bodies.map((body) => queriesOf(body))).toEqual([
            { userLicense: `${PROFILE_SOQL} WHERE Id IN ('${NEW_PROFILE}')` },
        ])
        expect(plan.lookedUp.userLicense?.get(NEW_PROFILE)).toEqual(newProfile)
    })

    it('reads in full the assignments of a user with more than the subquery batch holds, with one query of its own', async () => {
        const answer = fixture<{ compositeResponse: { referenceId: string; body: { records: object[] } }[] }>(
            'rest/composite.user-access'
        )
        const users = answer.compositeResponse.find((r) => r.referenceId === 'user')?.body.records as {
            Id: string
            PermissionSetAssignments: { records: object[] }
        }[]
        const many = users.find((u) => u.Id === USER.id) as (typeof users)[number]
        const all = many.PermissionSetAssignments.records
        // Salesforce answers the subquery with its first batch and the locator of the rest.
        many.PermissionSetAssignments = {
            totalSize: all.length,
            done: false,
            nextRecordsUrl: `${REST}/query/01gRM000000Abc1-1`,
            records: all.slice(0, 1),
        } as never
        const queries = recorder()
        salesforce()
            .post(`${REST}/composite`)
            .reply(200, answer)
            .get(`${REST}/query`)
            .query((q) => queries.match(q.q))
            .reply(200, { totalSize: all.length, done: true, records: all })

        const { rest } = createSalesforceClients(testConfig('clientCredentials', { governBeyondScim: true }))
        const reader = new UserAccessReader(rest, planUserAccess(DESCRIBE, []))
        const rows = await reader.read([USER.id, IDS.manager])

        expect(queries.bodies).toEqual([
            `SELECT Id, PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId = '${USER.id}' AND PermissionSet.IsOwnedByProfile = false ` +
                'AND (PermissionSetGroupId != null OR ExpirationDate != null)',
        ])
        const user = rows.user?.find((u) => u.Id === USER.id) as { PermissionSetAssignments: { records: object[] } }
        expect(user.PermissionSetAssignments.records).toEqual(all)
    })
})

describe('UserAccessReader when Salesforce refuses a part', () => {
    const OTHER_PARTS = { permissionSetLicenses: [], packageLicenses: [], queues: [], logins: [] }
    // What Salesforce answers a query of an object, or a child relationship, the user may not see.
    const NO_ASSIGNMENTS = {
        errorCode: 'INVALID_TYPE',
        message: "Didn't understand relationship 'PermissionSetAssignments' in FROM part of query call.",
    }
    const NO_USERS = { errorCode: 'INSUFFICIENT_ACCESS', message: 'insufficient access rights on object id' }
    const SERVER_DOWN = { errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred.' }

    it("leaves the users' own fields out, with a warning for each, when the query fails with and without the assignments", async () => {
        rest(salesforce())
            .composite(compositeRefused('user', NO_ASSIGNMENTS, 400, OTHER_PARTS))
            .composite(compositeRefused('user', NO_USERS, 403))
        const reader = new UserAccessReader(restClient(), planUserAccess(DESCRIBE, [], lookedUpProfiles(PROFILES)))

        const rows = await reader.read([USER.id])

        expect(rows).toEqual(OTHER_PARTS)
        expect(logs.lines.filter((line) => line.includes('Leaving '))).toEqual([
            expect.stringContaining('Leaving permission set groups and assignment expiry dates out of the accounts'),
            expect.stringMatching(/Leaving lastLoginDate, userLicense, featureLicenses.* out of the accounts/),
        ])
    })

    it('fails the command when the users query, read again without the assignments, fails for another reason', async () => {
        rest(salesforce())
            .composite(compositeRefused('user', NO_ASSIGNMENTS, 400, OTHER_PARTS))
            .composite(compositeRefused('user', SERVER_DOWN, 500))
        const reader = new UserAccessReader(restClient(), planUserAccess(DESCRIBE, [], lookedUpProfiles(PROFILES)))

        await expect(reader.read([USER.id])).rejects.toThrow(/An unexpected error occurred/)
    })

    it.each([
        ['refused: the license is left out with one warning', NO_USERS, 403, undefined],
        ['failed otherwise: the command fails', SERVER_DOWN, 500, /An unexpected error occurred/],
    ])('the look-up of a profile the plan does not hold, %s', async (_case, error, status, failure) => {
        const NEW_PROFILE = '00eRM000001VtbpYAC'
        const page = compositeOf({
            user: queryAnswer([
                sobjectRow('User', USER.id, { ProfileId: NEW_PROFILE, PermissionSetAssignments: null }),
            ]),
            ...Object.fromEntries(Object.keys(OTHER_PARTS).map((part) => [part, queryAnswer([])])),
        })
        rest(salesforce())
            .composite(page)
            .composite(compositeRefused('userLicense', error, status))
        const plan = planUserAccess(DESCRIBE, [], lookedUpProfiles(PROFILES))
        const reader = new UserAccessReader(restClient(), plan)

        if (failure !== undefined) {
            await expect(reader.read([USER.id])).rejects.toThrow(failure)
            return
        }
        const rows = await reader.read([USER.id])
        expect(rows.user).toHaveLength(1)
        expect(plan.lookedUp.userLicense?.has(NEW_PROFILE)).toBe(false)
        expect(logs.lines.filter((line) => line.includes('Leaving userLicense out'))).toHaveLength(1)
    })
})

describe('usersWithAccessChangedSince', () => {
    it('skips an object Salesforce refuses, with a warning naming it, and reads the others', async () => {
        const scope = salesforce()
        // In ACCESS_CHANGE_MARKERS order: assignments (refused), licenses, package licenses, members, logins.
        scope
            .get(`${REST}/queryAll`)
            .query(true)
            .reply(400, [
                { errorCode: 'INVALID_TYPE', message: "sObject type 'PermissionSetAssignment' is not supported." },
            ])
        scope
            .get(`${REST}/queryAll`)
            .query(true)
            .reply(
                200,
                queryAnswer([sobjectRow('PermissionSetLicenseAssign', '2LARM0000000AbcYAE', { AssigneeId: USER.id })])
            )
        scope.get(`${REST}/queryAll`).query(true).reply(200, queryAnswer([]))
        // A public group among a group's members is no user.
        scope
            .get(`${REST}/queryAll`)
            .query(true)
            .reply(
                200,
                queryAnswer([
                    sobjectRow('GroupMember', '011RM0000000Gm1YAE', { UserOrGroupId: '00G4W000006IKBnUAO' }),
                    sobjectRow('GroupMember', '011RM0000000Gm2YAE', { UserOrGroupId: IDS.manager }),
                ])
            )
        scope.get(`${REST}/query`).query(true).reply(200, queryAnswer([]))

        const changed = await usersWithAccessChangedSince(restClient(), '2026-11-30T00:00:00Z')

        expect([...changed].sort()).toEqual([IDS.manager, USER.id].sort())
        expect(logs.lines.filter((line) => line.includes('Delta aggregation cannot see changes'))).toEqual([
            expect.stringContaining('Delta aggregation cannot see changes to PermissionSetAssignment rows'),
        ])
    })
})

describe('withPageAccess', () => {
    type Page = { resources: { id: string }[]; streams?: number }
    const page = (id: string, streams?: number): Page => ({
        resources: [{ id }],
        ...(streams !== undefined ? { streams } : {}),
    })

    async function run(pages: readonly Page[]): Promise<{ events: string[]; order: string[] }> {
        const events: string[] = []
        async function* source(): AsyncGenerator<Page> {
            for (const p of pages) {
                events.push(`page ${p.resources[0]?.id}`)
                yield p
            }
        }
        const read = (ids: readonly string[]): Promise<PageAccessRows> => {
            events.push(`read ${ids.join()}`)
            return new Promise((resolve) => setTimeout(() => resolve({}), 5))
        }
        const order: string[] = []
        for await (const { page: p } of withPageAccess(source(), read, () => events.push('check'))) {
            events.push(`sent ${p.resources[0]?.id}`)
            order.push(p.resources[0]?.id as string)
        }
        return { events, order }
    }

    it('reads page after page with two Composite calls in flight, in order, the check before each page', async () => {
        const { events, order } = await run([page('a'), page('b'), page('c'), page('d')])
        expect(order).toEqual(['a', 'b', 'c', 'd'])
        // The rows of b are asked for before a is sent, and c is asked for at once (it may come while a is
        // mapped); the rows of d only once a has gone: three pages in hand at most, one of them just come.
        expect(events.indexOf('read b')).toBeLessThan(events.indexOf('sent a'))
        expect(events.indexOf('page c')).toBeLessThan(events.indexOf('sent a'))
        expect(events.indexOf('read d')).toBeGreaterThan(events.indexOf('sent a'))
        // Before each page is asked for (five asks, the last finding none) and before each is handed on.
        expect(events.filter((e) => e === 'check')).toHaveLength(9)
        expect(events[0]).toBe('check')
        expect(events.indexOf('page b')).toBeGreaterThan(events.indexOf('check', 1))
        expect(events[events.indexOf('sent a') - 1]).toBe('check')
    })

    it('lets one page more wait for its rows than SCIM streams read side by side, in the order they came', async () => {
        const { events, order } = await run([page('a', 2), page('b', 2), page('c', 2), page('d', 2), page('e', 2)])
        expect(order).toEqual(['a', 'b', 'c', 'd', 'e'])
        expect(events.indexOf('read c')).toBeLessThan(events.indexOf('sent a'))
        expect(events.indexOf('read e')).toBeGreaterThan(events.indexOf('sent a'))
    })
})
