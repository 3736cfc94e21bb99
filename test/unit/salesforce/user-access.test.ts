import { createSalesforceClients } from '../../../src/salesforce/create-client'
import { SObjectDescribe } from '../../../src/salesforce/rest/rest-client'
import {
    PageAccessRows,
    UserAccessReader,
    planUserAccess,
    usersSoql,
    withPageAccess,
} from '../../../src/salesforce/rest/user-access'
import { fixture, recorder, salesforce, testConfig, useNock } from '../../helpers/nock'
import { IDS, USER } from '../../mapping/fixtures'
import { REST } from '../../helpers/rest-bodies'

useNock()

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
        const soql = usersSoql(planUserAccess(DESCRIBE, ['companyname', 'Cost_Center__c']), [IDS.user], false)
        expect(soql.match(/CompanyName/gi)).toHaveLength(1)
        expect(soql).toContain('Cost_Center__c FROM User')
    })
})

describe('UserAccessReader', () => {
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
            `SELECT Id, PermissionSetId, PermissionSetGroupId, ExpirationDate FROM PermissionSetAssignment WHERE AssigneeId = '${USER.id}' AND PermissionSet.IsOwnedByProfile = false`,
        ])
        const user = rows.user?.find((u) => u.Id === USER.id) as { PermissionSetAssignments: { records: object[] } }
        expect(user.PermissionSetAssignments.records).toEqual(all)
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
        const { events, order } = await run([page('a'), page('b'), page('c')])
        expect(order).toEqual(['a', 'b', 'c'])
        // The rows of b are asked for before a is sent; those of c only once a has gone: two pages in hand at most.
        expect(events.indexOf('read b')).toBeLessThan(events.indexOf('sent a'))
        expect(events.indexOf('read c')).toBeGreaterThan(events.indexOf('sent a'))
        expect(events.filter((e) => e === 'check')).toHaveLength(4)
        expect(events[0]).toBe('check')
        expect(events.indexOf('page b')).toBeGreaterThan(events.indexOf('check', 1))
    })

    it('lets one page more wait for its rows than SCIM streams read side by side, in the order they came', async () => {
        const { events, order } = await run([page('a', 2), page('b', 2), page('c', 2), page('d', 2)])
        expect(order).toEqual(['a', 'b', 'c', 'd'])
        expect(events.indexOf('read c')).toBeLessThan(events.indexOf('sent a'))
        expect(events.indexOf('read d')).toBeGreaterThan(events.indexOf('sent a'))
    })
})
