import { SEED } from '../../emulator'
import { at, http, list, startOrg, token, useOrg } from './helpers'
import { rest, restError, soql } from './rest-helpers'

const U = SEED.users
const PS = SEED.permissionSets
const PSG = SEED.permissionSetGroups
const q = (s: string): string => `/query?q=${encodeURIComponent(s)}`

describe('emulator REST API: versions, sessions, limits and errors', () => {
    const org = useOrg()

    it('answers v29.0 to v66.0 and refuses other versions with NOT_FOUND', async () => {
        for (const v of ['v29.0', 'v56.0', 'v66.0'])
            expect((await rest(org, `/services/data/${v}/limits`)).status).toBe(200)
        for (const v of ['v28.0', 'v67.0', 'v62', 'latest']) {
            const res = await rest(org, `/services/data/${v}/limits`)
            expect(res.status).toBe(404)
            expect(restError(res).errorCode).toBe('NOT_FOUND')
        }
    })

    it('needs a session: 401 INVALID_SESSION_ID without one', async () => {
        const res = await http(`${org.url}/services/data/v62.0${q('SELECT Id FROM User')}`)
        expect(res.status).toBe(401)
        expect(restError(res).errorCode).toBe('INVALID_SESSION_ID')
    })

    it('counts every call against the daily allocation and says so in Sforce-Limit-Info; /limits agrees', async () => {
        const first = await rest(org, q('SELECT Id FROM Profile'))
        const used = Number(/api-usage=(\d+)\//.exec(first.headers.get('sforce-limit-info') ?? '')?.[1])
        expect(used).toBeGreaterThan(0)
        const limits = await rest(org, '/limits')
        expect(limits.headers.get('sforce-limit-info')).toBe(`api-usage=${used + 1}/5000000`)
        expect(at(limits.body, 'DailyApiRequests')).toEqual({ Max: 5_000_000, Remaining: 5_000_000 - used - 1 })
        expect(at(limits.body, 'DailyBulkV2QueryJobs', 'Max')).toBe(10_000)
    })

    it('answers an unknown resource with NOT_FOUND and a wrong method with METHOD_NOT_ALLOWED', async () => {
        expect(restError(await rest(org, '/nothing')).errorCode).toBe('NOT_FOUND')
        const res = await rest(org, '/limits', { method: 'POST', body: {} })
        expect(res.status).toBe(405)
        expect(restError(res).errorCode).toBe('METHOD_NOT_ALLOWED')
    })

    it('answers SOQL errors as Salesforce does: 400 with the engine code', async () => {
        const res = await rest(org, q('SELECT Nope FROM User'))
        expect(res.status).toBe(400)
        expect(restError(res).errorCode).toBe('INVALID_FIELD')
        const missing = await rest(org, '/query')
        expect(restError(missing)).toMatchObject({ errorCode: 'MALFORMED_QUERY' })
    })
})

describe('emulator REST API: query and Query More', () => {
    const org = useOrg({ users: 4_500 })

    it('pages 2,000 rows a batch by default with nextRecordsUrl, and queryMore follows it to the end', async () => {
        const res = await rest(org, q('SELECT Id FROM User'))
        expect(res.status).toBe(200)
        expect(at(res.body, 'done')).toBe(false)
        expect(list(res.body, 'records')).toHaveLength(2000)
        const total = Number(at(res.body, 'totalSize'))
        expect(total).toBe(org.emulator.store.userCount)
        expect(String(at(res.body, 'nextRecordsUrl'))).toMatch(
            /^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-2000$/
        )
        const all = await soql(org, 'SELECT Id FROM User')
        expect(new Set(all.map((r) => r.Id)).size).toBe(total)
    })

    it('honours Sforce-Query-Options batchSize between 200 and 2,000', async () => {
        const headers = { 'Sforce-Query-Options': 'batchSize=500' }
        const res = await rest(org, q('SELECT Id FROM User'), { headers })
        expect(list(res.body, 'records')).toHaveLength(500)
        expect(String(at(res.body, 'nextRecordsUrl'))).toMatch(/-500$/)
        const tiny = await rest(org, q('SELECT Id FROM User'), { headers: { 'Sforce-Query-Options': 'batchSize=5' } })
        expect(list(tiny.body, 'records')).toHaveLength(200)
    })

    it('variant restBatchSize small: 250 rows a batch whatever is asked', async () => {
        org.emulator.setVariants({ restBatchSize: 'small' })
        try {
            const res = await rest(org, q('SELECT Id FROM User'), {
                headers: { 'Sforce-Query-Options': 'batchSize=2000' },
            })
            expect(list(res.body, 'records')).toHaveLength(250)
        } finally {
            org.emulator.setVariants({ restBatchSize: 'asked' })
        }
    })

    it('refuses an unknown, malformed or expired locator with INVALID_QUERY_LOCATOR', async () => {
        for (const locator of ['01g000000000000AAA-2000', 'nonsense']) {
            const res = await rest(org, `/query/${locator}`)
            expect(res.status).toBe(400)
            expect(restError(res).errorCode).toBe('INVALID_QUERY_LOCATOR')
        }
        // Before v56.0 a cursor lived 15 minutes unused.
        const res = await rest(org, `/services/data/v55.0${q('SELECT Id FROM User')}`)
        const next = String(at(res.body, 'nextRecordsUrl'))
        expect(next).toMatch(/^\/services\/data\/v55\.0\/query\//)
        org.emulator.setClockSkew(16 * 60_000)
        try {
            expect(restError(await rest(org, next)).errorCode).toBe('INVALID_QUERY_LOCATOR')
        } finally {
            org.emulator.setClockSkew(0)
        }
    })

    it('reads relationships the connector uses, and a page of users by Id without scanning', async () => {
        const [marcus] = await soql(
            org,
            `SELECT Id, Profile.Name, Profile.UserLicense.Name, UserRole.Name, CompanyName, LastLoginDate,
               UserPermissionsOfflineUser, (SELECT PermissionSetId, PermissionSetGroupId, ExpirationDate,
               PermissionSet.IsOwnedByProfile FROM PermissionSetAssignments)
             FROM User WHERE Id IN ('${U.vpSales}', '${U.ceo.slice(0, 15)}') ORDER BY Id DESC LIMIT 1`
        )
        expect(marcus).toMatchObject({
            Id: U.vpSales,
            Profile: { Name: 'Standard User', UserLicense: { Name: 'Salesforce' } },
            UserRole: { Name: 'VP, Sales' },
            CompanyName: 'Acme Corp',
            UserPermissionsOfflineUser: true,
        })
        expect(String(marcus?.LastLoginDate)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/)
        const psas = list(marcus, 'PermissionSetAssignments', 'records')
        // The profile's own permission set, two permission sets (one expiring) and a permission set group.
        expect(psas.filter((r) => at(r, 'PermissionSet', 'IsOwnedByProfile') === true)).toHaveLength(1)
        expect(psas.find((r) => at(r, 'PermissionSetId') === PS.salesCloudUser)).toMatchObject({
            ExpirationDate: '2027-06-30T00:00:00.000+0000',
        })
        expect(psas.filter((r) => at(r, 'PermissionSetGroupId') === PSG.salesLeadership)).toHaveLength(1)
    })

    it('gives every user the assignment of their profile’s permission set; a group’s assignment names its aggregate set', async () => {
        const owned = await soql(org, 'SELECT Id, ProfileId FROM PermissionSet WHERE IsOwnedByProfile = true')
        expect(owned.length).toBe(org.emulator.store.profiles.size)
        const rows = await soql(
            org,
            `SELECT PermissionSetId, PermissionSet.Type, PermissionSet.PermissionSetGroupId FROM PermissionSetAssignment
             WHERE PermissionSetGroupId = '${PSG.salesLeadership}'`
        )
        expect(rows).toHaveLength(1)
        expect(rows[0]).toMatchObject({ PermissionSet: { Type: 'Group', PermissionSetGroupId: PSG.salesLeadership } })
        const [count] = [
            Number(
                at(
                    (
                        await rest(
                            org,
                            q(`SELECT COUNT() FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = true`)
                        )
                    ).body,
                    'totalSize'
                )
            ),
        ]
        expect(count).toBe(org.emulator.store.userCount)
    })

    it('serves the seed’s licenses, groups, queues and login states', async () => {
        const psl = await soql(org, 'SELECT DeveloperName, TotalLicenses, UsedLicenses FROM PermissionSetLicense')
        expect(psl.find((l) => l.DeveloperName === 'SalesCloudEinsteinPsl')).toMatchObject({
            TotalLicenses: 2,
            UsedLicenses: 2,
        })
        const pkg = await soql(org, 'SELECT NamespacePrefix, AllowedLicenses, UsedLicenses FROM PackageLicense')
        expect(pkg.find((p) => p.NamespacePrefix === 'APXTConga4')).toMatchObject({ AllowedLicenses: -1 })
        expect(pkg.find((p) => p.NamespacePrefix === 'dsfs')).toMatchObject({ AllowedLicenses: 4, UsedLicenses: 3 })
        const groups = await soql(org, 'SELECT Id, DeveloperName FROM PermissionSetGroup')
        expect(groups).toHaveLength(3)
        const components = await soql(org, 'SELECT PermissionSetId FROM PermissionSetGroupComponent')
        expect(components).toHaveLength(7)
        const queues = await soql(org, "SELECT Id FROM Group WHERE Type = 'Queue'")
        expect(queues).toHaveLength(2)
        const logins = await soql(org, 'SELECT UserId, IsFrozen, IsPasswordLocked FROM UserLogin WHERE IsFrozen = true')
        expect(logins.map((l) => l.UserId)).toEqual([U.frozen])
        const licenses = await soql(org, 'SELECT Name, TotalLicenses, UsedLicenses FROM UserLicense')
        const full = licenses.find((l) => l.Name === 'Salesforce')
        expect(Number(full?.TotalLicenses) - Number(full?.UsedLicenses)).toBe(3)
    })

    it('describes User with its feature-license flags and custom fields', async () => {
        const res = await rest(org, '/sobjects/User/describe')
        expect(res.status).toBe(200)
        const fields = list(res.body, 'fields') as Record<string, unknown>[]
        const names = fields.map((f) => f.name)
        for (const n of ['UserPermissionsMarketingUser', 'UserPermissionsSupportUser', 'UserPermissionsAvantgoUser'])
            expect(names).toContain(n)
        expect(fields.find((f) => f.name === 'Cost_Center__c')).toMatchObject({ custom: true, updateable: true })
        expect(fields.find((f) => f.name === 'UserPermissionsSupportUser')).toMatchObject({
            type: 'boolean',
            label: 'Service Cloud User',
            updateable: true,
        })
        expect(fields.find((f) => f.name === 'LastLoginDate')).toMatchObject({ type: 'datetime', updateable: false })
        const login = await rest(org, '/sobjects/UserLogin/describe')
        expect(login.body).toMatchObject({ createable: false, updateable: true, deletable: false, keyPrefix: '0Yw' })
    })

    it('reads one record, all fields or those asked, and answers NOT_FOUND for an id it does not hold', async () => {
        const res = await rest(org, `/sobjects/User/${U.vpSales}?fields=Username,IsActive`)
        expect(res.body).toEqual({
            attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${U.vpSales}` },
            Username: 'marcus.reid@acme-corp.example.com',
            IsActive: true,
        })
        const missing = await rest(org, '/sobjects/User/005000000000000AAA')
        expect(missing.status).toBe(404)
        expect(restError(missing).errorCode).toBe('NOT_FOUND')
        expect((await rest(org, '/sobjects/NoSuchThing/describe')).status).toBe(404)
    })
})

describe('emulator REST API: the integration user’s permissions', () => {
    it('hides objects it may not read (INVALID_TYPE), refuses writes (INSUFFICIENT_ACCESS_OR_READONLY) and /limits', async () => {
        const org = await startOrg({ integrationPermissions: { ViewSetup: false, ManagePackageLicenses: false } })
        try {
            const hidden = await rest(org, q('SELECT Id FROM PackageLicense'))
            expect(hidden.status).toBe(400)
            expect(restError(hidden).errorCode).toBe('INVALID_TYPE')
            expect(restError(await rest(org, q('SELECT Id FROM UserLicense'))).errorCode).toBe('INVALID_TYPE')
            // Assign Permission Sets still reads permission sets.
            expect((await rest(org, q('SELECT Id FROM PermissionSetAssignment'))).status).toBe(200)
            const limits = await rest(org, '/limits')
            expect(limits.status).toBe(403)
            expect(restError(limits).errorCode).toBe('INSUFFICIENT_ACCESS')

            org.emulator.setIntegrationPermissions({ ViewSetup: true, AssignPermissionSets: false, ManageUsers: false })
            const write = await rest(org, '/sobjects/PermissionSetAssignment', {
                method: 'POST',
                body: { AssigneeId: U.ceo, PermissionSetId: PS.flowBuilder },
            })
            expect(write.status).toBe(400)
            expect(restError(write).errorCode).toBe('INSUFFICIENT_ACCESS_OR_READONLY')
            expect(org.emulator.store.hasPermissionSet(U.ceo, PS.flowBuilder)).toBe(false)
            // SCIM writes need Manage Users too.
            const scim = await org.scim(`/Users/${U.ceo}`, {
                method: 'PATCH',
                body: {
                    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
                    Operations: [{ op: 'replace', value: { title: 'Chief' } }],
                },
            })
            expect(scim.status).toBe(403)
        } finally {
            await org.close()
        }
    })

    it('without View All Users sees only the integration user; permissions switch at run time over HTTP', async () => {
        const org = await startOrg()
        try {
            const put = await http(`${org.url}/__emulator/permissions`, {
                method: 'PUT',
                body: { ViewAllUsers: false },
            })
            expect(put.status).toBe(200)
            expect(at(put.body, 'ViewAllUsers')).toBe(false)
            const users = await soql(org, 'SELECT Id FROM User')
            expect(users.map((u) => u.Id)).toEqual([U.integration])
            const bad = await http(`${org.url}/__emulator/permissions`, { method: 'PUT', body: { Nope: true } })
            expect(bad.status).toBe(400)
        } finally {
            await org.close()
        }
    })
})

describe('emulator REST API: faults and Composite', () => {
    const org = useOrg()

    it('applies the fault switches to REST as to SCIM', async () => {
        org.emulator.setFaults({ apiLimitReached: true })
        try {
            const res = await rest(org, q('SELECT Id FROM User'))
            expect(res.status).toBe(403)
            expect(restError(res).errorCode).toBe('REQUEST_LIMIT_EXCEEDED')
        } finally {
            org.emulator.setFaults({ apiLimitReached: false })
        }
        org.emulator.setFaults({ errorRate: 1 })
        try {
            expect([500, 503]).toContain((await rest(org, '/limits')).status)
        } finally {
            org.emulator.setFaults({ errorRate: 0 })
        }
        org.emulator.setFaults({ latencyMs: 150 })
        try {
            const t = performance.now()
            await rest(org, '/limits')
            expect(performance.now() - t).toBeGreaterThanOrEqual(140)
        } finally {
            org.emulator.setFaults({ latencyMs: 0 })
        }
    })

    it('runs subrequests in order as ONE API call, references included; a failure leaves the others', async () => {
        const before = org.emulator.stats().requests
        const usedBefore = Number(
            /=(\d+)/.exec((await rest(org, '/limits')).headers.get('sforce-limit-info') ?? '')?.[1]
        )
        const res = await rest(org, '/composite', {
            method: 'POST',
            body: {
                compositeRequest: [
                    {
                        method: 'GET',
                        url: `/services/data/v62.0/query?q=${encodeURIComponent(`SELECT Id FROM User WHERE Id = '${U.ceo}'`)}`,
                        referenceId: 'ceo',
                    },
                    {
                        method: 'POST',
                        url: '/services/data/v62.0/sobjects/GroupMember',
                        referenceId: 'join',
                        body: { GroupId: SEED.groups.marketing, UserOrGroupId: '@{ceo.records[0].Id}' },
                    },
                    { method: 'GET', url: '/services/data/v62.0/sobjects/GroupMember/@{join.id}', referenceId: 'read' },
                    { method: 'GET', url: '/services/data/v62.0/sobjects/User/005000000000000AAA', referenceId: 'bad' },
                    { method: 'GET', url: '/services/data/v62.0/limits', referenceId: 'after' },
                ],
            },
        })
        expect(res.status).toBe(200)
        const answers = list(res.body, 'compositeResponse')
        expect(answers.map((a) => at(a, 'httpStatusCode'))).toEqual([200, 201, 200, 404, 200])
        expect(at(answers, 2, 'body', 'UserOrGroupId')).toBe(U.ceo)
        expect(org.emulator.store.isGroupMember(U.ceo, SEED.groups.marketing)).toBe(true)
        // The /limits call, the composite call, and nothing for the subrequests.
        expect(org.emulator.stats().requests - before).toBe(2)
        expect(at(answers, 4, 'body', 'DailyApiRequests', 'Remaining')).toBe(5_000_000 - usedBefore - 1)
    })

    it('with allOrNone rolls every subrequest back when one fails', async () => {
        const res = await rest(org, '/composite', {
            method: 'POST',
            body: {
                allOrNone: true,
                compositeRequest: [
                    {
                        method: 'POST',
                        url: '/services/data/v62.0/sobjects/PermissionSetAssignment',
                        referenceId: 'grant',
                        body: { AssigneeId: U.salesManagerEast, PermissionSetId: PS.knowledgeUser },
                    },
                    {
                        method: 'POST',
                        url: '/services/data/v62.0/sobjects/PermissionSetAssignment',
                        referenceId: 'again',
                        body: { AssigneeId: U.salesManagerEast, PermissionSetId: PS.knowledgeUser },
                    },
                ],
            },
        })
        const answers = list(res.body, 'compositeResponse')
        expect(answers.map((a) => at(a, 'httpStatusCode'))).toEqual([400, 400])
        expect(at(answers, 0, 'body', 0, 'errorCode')).toBe('PROCESSING_HALTED')
        expect(at(answers, 1, 'body', 0, 'errorCode')).toBe('DUPLICATE_VALUE')
        expect(org.emulator.store.hasPermissionSet(U.salesManagerEast, PS.knowledgeUser)).toBe(false)
    })

    it('refuses more than 25 subrequests, or more than 5 queries', async () => {
        const get = (i: number, url = '/services/data/v62.0/limits') => ({ method: 'GET', url, referenceId: `r${i}` })
        const many = await rest(org, '/composite', {
            method: 'POST',
            body: { compositeRequest: Array.from({ length: 26 }, (_, i) => get(i)) },
        })
        expect(many.status).toBe(400)
        const queries = await rest(org, '/composite', {
            method: 'POST',
            body: {
                compositeRequest: Array.from({ length: 6 }, (_, i) =>
                    get(i, `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Profile')}`)
                ),
            },
        })
        expect(queries.status).toBe(400)
    })
})

describe('emulator OAuth: frozen and locked users', () => {
    const org = useOrg()

    it('refuses a token to a frozen user, and gives one again once unfrozen', async () => {
        const [login] = await soql(org, `SELECT Id FROM UserLogin WHERE UserId = '${U.integration}'`)
        const freeze = await rest(org, `/sobjects/UserLogin/${String(login?.Id)}`, {
            method: 'PATCH',
            body: { IsFrozen: true },
        })
        expect(freeze.status).toBe(204)
        await expect(token(org.url)).rejects.toThrow(/user is frozen/)
        // Frozen, the user is still active: SCIM says so.
        expect(at((await org.scim(`/Users/${U.integration}`)).body, 'active')).toBe(true)
        await rest(org, `/sobjects/UserLogin/${String(login?.Id)}`, { method: 'PATCH', body: { IsFrozen: false } })
        await expect(token(org.url)).resolves.toEqual(expect.any(String))
    })
})
