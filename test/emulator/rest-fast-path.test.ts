import { isDeepStrictEqual } from 'util'
import { SEED } from '../../emulator'
import { RollingDailyCounter } from '../../emulator/limits'
import { OrgSchema } from '../../emulator/rest/objects'
import { PermissionSwitch } from '../../emulator/rest/permissions'
import { dispatch, QueryCursors, RestDeps } from '../../emulator/rest/routes'
import * as soql from '../../emulator/rest/soql'
import * as soqlParse from '../../emulator/rest/soql-parse'
import { VariantSwitch } from '../../emulator/variants'
import { at, list, patchBody, TestOrg, useOrg } from './helpers'
import { API, rest } from './rest-helpers'

/**
 * The REST API answers from parsed query shapes, a schema kept while the org is unchanged, and the kept bytes of a
 * query already answered. Its answers must be byte for byte those of a plain parse and a schema built for the
 * request alone, also after writes through SCIM and REST, after a change of the integration user's permissions,
 * and batch by batch under `restBatchSize: small`.
 */

const U = SEED.users
const G = SEED.groups

/** The same org answered the plain way: the query parsed as it is, a schema of its own for each request. */
function referenceDeps(org: TestOrg): RestDeps {
    const { store } = org.emulator
    return {
        store,
        permissions: new PermissionSwitch(org.emulator.setIntegrationPermissions({})),
        variants: new VariantSwitch(org.emulator.variants()),
        limit: new RollingDailyCounter(5_000_000),
        cursors: new QueryCursors(store),
        schemas: { for: (options) => new OrgSchema(store, options) },
    }
}

/** The JSON text the reference answers a call with (the emulator sends compact JSON). */
function referenceText(
    org: TestOrg,
    call: { method: string; path: string; query?: Record<string, string>; body?: unknown }
) {
    const parse = jest.spyOn(soqlParse, 'parseSoql').mockImplementation(soqlParse.parseSoqlUncached)
    try {
        return referenceAnswer(referenceDeps(org), call)
    } finally {
        parse.mockRestore()
    }
}

function referenceAnswer(
    deps: RestDeps,
    call: { method: string; path: string; query?: Record<string, string>; body?: unknown }
): { status: number; text: string } {
    try {
        const answer = dispatch(deps, {
            method: call.method,
            path: call.path,
            query: call.query ?? {},
            body: call.body,
            version: '62.0',
            sessionUserId: U.integration,
            queryOptions: undefined,
        })
        return { status: answer.status, text: JSON.stringify(answer.body) }
    } catch (e) {
        const error = e as { status: number; body(): unknown }
        return { status: error.status, text: JSON.stringify(error.body()) }
    }
}

/** Query locators are ids taken as queries open them: the same place in the answer, not the same id. */
const sameLocators = (text: string): string => text.replace(/\/query\/01g[A-Za-z0-9]{15}-/g, '/query/<locator>-')

const idList = (ids: readonly string[]): string => `(${ids.map((id) => `'${id}'`).join(',')})`

/** A page's five queries as the connector sends them, and other shapes of the subset. */
function queries(ids: readonly string[]): string[] {
    const inIds = idList(ids)
    return [
        `SELECT Id, LastLoginDate, Profile.UserLicense.Name, CompanyName, Title, UserPermissionsMarketingUser, ` +
            `(SELECT Id, PermissionSetId, PermissionSetGroupId, ExpirationDate, PermissionSet.IsOwnedByProfile ` +
            `FROM PermissionSetAssignments) FROM User WHERE Id IN ${inIds}`,
        `SELECT Id, AssigneeId, PermissionSetLicenseId, SystemModstamp FROM PermissionSetLicenseAssign WHERE AssigneeId IN ${inIds}`,
        `SELECT Id, UserId, PackageLicenseId, SystemModstamp FROM UserPackageLicense WHERE UserId IN ${inIds}`,
        `SELECT Id, UserOrGroupId, GroupId, SystemModstamp FROM GroupMember WHERE UserOrGroupId IN ${inIds} AND Group.Type = 'Queue'`,
        `SELECT Id, UserId, IsFrozen, IsPasswordLocked, LastModifiedDate FROM UserLogin WHERE UserId IN ${inIds}`,
        `SELECT Id, GroupId, Group.Name FROM GroupMember WHERE UserOrGroupId IN ${inIds} ORDER BY GroupId, Id`,
        `SELECT Id, Name FROM User WHERE LastName LIKE 'O\\'%' OR Title = 'a#0' ORDER BY Name DESC NULLS LAST LIMIT 3`,
        `SELECT Id FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Sales') AND IsActive = true`,
        `SELECT COUNT() FROM GroupMember WHERE GroupId = '${G.supportQueue}'`,
        `SELECT Id FROM User WHERE Id = '${ids[0] ?? ''}' AND Id != '${(ids[0] ?? '').slice(0, 15)}'`,
        // Refused ones: the error names the same token, the same id, the same field.
        `SELECT Id FROM User WHERE Name = 'x' 'y'`,
        `SELECT Id FROM User WHERE Id IN ('005', '${ids[1] ?? ''}')`,
        `SELECT Id, Nope__c FROM User WHERE Id = '${ids[1] ?? ''}'`,
        `SELECT Id FROM User WHERE Name = 'unterminated`,
        `SELECT Id FROM User WHERE Name = 'line\nbreak'`,
    ]
}

/** Every query, through the emulator's HTTP API and the reference, twice (the second time from kept shapes). */
async function expectSameAnswers(org: TestOrg, ids: readonly string[]): Promise<string[]> {
    const texts: string[] = []
    for (let round = 0; round < 2; round++) {
        for (const q of queries(ids)) {
            const res = await rest(org, `/query?q=${encodeURIComponent(q)}`)
            const expected = referenceText(org, { method: 'GET', path: '/query', query: { q } })
            expect({ q, status: res.status, text: sameLocators(res.text) }).toEqual({
                q,
                status: expected.status,
                text: sameLocators(expected.text),
            })
            texts.push(res.text)
        }
        const body = {
            allOrNone: false,
            compositeRequest: queries(ids)
                .slice(0, 5)
                .map((q, i) => ({
                    method: 'GET',
                    referenceId: `q${i}`,
                    url: `${API}/query?q=${encodeURIComponent(q)}`,
                })),
        }
        const res = await rest(org, '/composite', { method: 'POST', body })
        expect(res.status).toBe(200)
        expect(sameLocators(res.text)).toBe(
            sameLocators(referenceText(org, { method: 'POST', path: '/composite', body }).text)
        )
    }
    return texts
}

describe('emulator REST answers from kept query shapes and schemas', () => {
    const org = useOrg({ users: 600 })
    const pageIds = (): string[] =>
        [
            U.salesManagerWest,
            U.serviceManagerEmea,
            U.messyQueue,
            ...SEED.queueMembers,
            ...org.emulator.store.listUsers().map((u) => u.id),
        ]
            .filter((id, i, all) => all.indexOf(id) === i)
            .slice(0, 200)

    it('answers the page queries, other shapes and refusals with the bytes of a plain parse and a new schema', async () => {
        await expectSameAnswers(org, pageIds())
    })

    it('shows a write through SCIM at once, as the reference does', async () => {
        const before = await expectSameAnswers(org, pageIds())
        const title = await org.scim(`/Users/${U.salesManagerWest}`, {
            method: 'PATCH',
            body: patchBody({ op: 'replace', value: { title: 'Head of West Sales (fast path)' } }),
        })
        expect(title.status).toBe(200)
        const group = await org.scim(`/Groups/${G.marketing}`, {
            method: 'PATCH',
            body: patchBody(
                { op: 'add', path: 'members', value: { members: [{ value: U.salesManagerWest }] } },
                { op: 'replace', value: { displayName: 'Marketing Fast Path' } }
            ),
        })
        expect(group.status).toBeLessThan(300)
        const after = await expectSameAnswers(org, pageIds())
        expect(after[5]).toContain('Marketing Fast Path')
        expect(after[0]).toContain('Head of West Sales (fast path)')
        expect(after[5]).not.toBe(before[5])
    })

    it('shows a write through REST at once, as the reference does', async () => {
        const before = await expectSameAnswers(org, pageIds())
        const user = await rest(org, `/sobjects/User/${U.salesManagerWest}`, {
            method: 'PATCH',
            body: { CompanyName: 'Fast Path Ltd', UserPermissionsMarketingUser: true },
        })
        expect(user.status).toBe(204)
        const member = await rest(org, '/sobjects/GroupMember', {
            method: 'POST',
            body: { GroupId: G.escalationsQueue, UserOrGroupId: U.serviceManagerEmea },
        })
        expect(member.status).toBe(201)
        const after = await expectSameAnswers(org, pageIds())
        expect(after[0]).toContain('Fast Path Ltd')
        expect(after[3]).not.toBe(before[3])
    })

    it('answers a query asked again from its kept bytes, and evaluates it again once the org or the permissions change', async () => {
        // Asked here first: the earlier tests have kept the page queries.
        const q = `${queries(pageIds())[1] as string} ORDER BY Id`
        const run = jest.spyOn(soql, 'runSoql')
        try {
            const first = await rest(org, `/query?q=${encodeURIComponent(q)}`)
            const again = await rest(org, `/query?q=${encodeURIComponent(q)}`)
            expect(again.text).toBe(first.text)
            expect(run).toHaveBeenCalledTimes(1)

            org.emulator.setIntegrationPermissions({ ViewSetup: false, AssignPermissionSets: false })
            const refused = await rest(org, `/query?q=${encodeURIComponent(q)}`)
            expect(refused.status).toBe(400)
            expect(refused.text).toBe(referenceText(org, { method: 'GET', path: '/query', query: { q } }).text)
            org.emulator.setIntegrationPermissions({ ViewSetup: true, AssignPermissionSets: true })
            expect((await rest(org, `/query?q=${encodeURIComponent(q)}`)).text).toBe(first.text)

            const license = list(first.body, 'records')[0]
            expect(license).toBeDefined()
            const removed = await rest(org, `/sobjects/PermissionSetLicenseAssign/${String(at(license, 'Id'))}`, {
                method: 'DELETE',
            })
            expect(removed.status).toBe(204)
            const after = await rest(org, `/query?q=${encodeURIComponent(q)}`)
            expect(after.text).toBe(referenceText(org, { method: 'GET', path: '/query', query: { q } }).text)
            expect(after.text).not.toContain(String(at(license, 'Id')))
        } finally {
            run.mockRestore()
        }
    })

    it('indents a kept answer when X-PrettyPrint asks, alone and inside a Composite', async () => {
        const q = queries(pageIds())[0] as string
        const compact = await rest(org, `/query?q=${encodeURIComponent(q)}`)
        const pretty = await rest(org, `/query?q=${encodeURIComponent(q)}`, { headers: { 'X-PrettyPrint': '1' } })
        expect(pretty.text).toBe(JSON.stringify(JSON.parse(compact.text), null, 2))
        const body = {
            compositeRequest: [{ method: 'GET', referenceId: 'user', url: `${API}/query?q=${encodeURIComponent(q)}` }],
        }
        const composite = await rest(org, '/composite', { method: 'POST', body, headers: { 'X-PrettyPrint': '1' } })
        const reference = referenceText(org, { method: 'POST', path: '/composite', body }).text
        expect(composite.text).toBe(JSON.stringify(JSON.parse(reference), null, 2))
    })

    it('pages the same batches under restBatchSize small', async () => {
        org.emulator.setVariants({ restBatchSize: 'small' })
        try {
            const q = `SELECT Id, Name, Profile.Name, LastModifiedDate FROM User WHERE Id IN ${idList(pageIds())} OR IsActive = true ORDER BY Id`
            let res = await rest(org, `/query?q=${encodeURIComponent(q)}`)
            const reference = referenceDeps(org)
            const parse = jest.spyOn(soqlParse, 'parseSoql').mockImplementation(soqlParse.parseSoqlUncached)
            let expected: { status: number; text: string }
            try {
                expected = referenceAnswer(reference, { method: 'GET', path: '/query', query: { q } })
            } finally {
                parse.mockRestore()
            }
            let batches = 0
            for (;;) {
                expect(sameLocators(res.text)).toBe(sameLocators(expected.text))
                batches++
                if (at(res.body, 'done') === true) break
                const next = String(at(res.body, 'nextRecordsUrl'))
                const referenceNext = String(at(JSON.parse(expected.text), 'nextRecordsUrl'))
                res = await rest(org, next)
                expected = referenceAnswer(reference, { method: 'GET', path: referenceNext.slice(API.length) })
            }
            expect(batches).toBeGreaterThan(2)
            expect(list(res.body, 'records').length).toBeGreaterThan(0)
        } finally {
            org.emulator.setVariants({ restBatchSize: 'asked' })
        }
    })
})

describe('parseSoql', () => {
    const ids = Array.from({ length: 3 }, (_, i) => `'005i0000000000${i}AAA'`).join(', ')
    it.each([
        `SELECT Id FROM User WHERE Id IN (${ids})`,
        `SELECT Id FROM User WHERE Name = 'O\\'Brien' AND (Title LIKE '%\\_%' OR Title = 'a#0')`,
        `SELECT Id, (SELECT Id FROM PermissionSetAssignments WHERE PermissionSet.Name != 'x') FROM User`,
        `SELECT Id FROM User WHERE CreatedDate > 2024-01-01T00:00:00Z AND Alias = '' LIMIT 10`,
        `SELECT Id FROM Group WHERE Name IN ('#1', '#0') OR DeveloperName = '\\\\'`,
    ])('gives the tree of a plain parse: %s', (q) => {
        expect(isDeepStrictEqual(soqlParse.parseSoql(q), soqlParse.parseSoqlUncached(q))).toBe(true)
        // Again, from the kept shape.
        expect(isDeepStrictEqual(soqlParse.parseSoql(q), soqlParse.parseSoqlUncached(q))).toBe(true)
    })

    it.each([`SELECT Id FROM User WHERE Name = 'x' 'y'`, `SELECT Id FROM User WHERE Name = 'open`, `SELECT FROM`])(
        'refuses as a plain parse does: %s',
        (q) => {
            const refusal = (parse: (soql: string) => unknown): unknown => {
                try {
                    parse(q)
                    return undefined
                } catch (e) {
                    return { name: (e as Error).name, message: (e as Error).message }
                }
            }
            expect(refusal(soqlParse.parseSoql)).toEqual(refusal(soqlParse.parseSoqlUncached))
            expect(refusal(soqlParse.parseSoqlUncached)).toBeDefined()
        }
    )
})
