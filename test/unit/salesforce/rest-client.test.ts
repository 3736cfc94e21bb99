/**
 * The REST client at the HTTP boundary, against Salesforce's documented payloads: query paging by
 * `nextRecordsUrl`, `/queryAll`, Composite outcomes one by one, the sObject calls, and what the shared pipeline
 * does for REST as for SCIM (API usage, session refresh, redacting trace).
 */
import { SalesforceConfig } from '../../../src/config'
import { createSalesforceClients } from '../../../src/salesforce/create-client'
import { REST_BASE_PATH, SObjectRecord } from '../../../src/salesforce/rest/rest-client'
import {
    INSTANCE_URL,
    LOGIN_URL,
    SCIM,
    SECRETS,
    SeenRequest,
    TOKEN_PATH,
    fakeTiming,
    fixture,
    nock,
    recordingReply,
    stubToken,
    testConfig,
    useLogCapture,
    useNock,
} from '../../helpers/nock'

useNock()
const logs = useLogCapture()

const BASE = REST_BASE_PATH
const LIMIT_INFO = { 'Sforce-Limit-Info': 'api-usage=10018/100000' }
const SOQL =
    'SELECT Id, AssigneeId, PermissionSetGroupId FROM PermissionSetAssignment WHERE PermissionSetGroupId != null'

function clients(config: SalesforceConfig = testConfig('jwtBearer', { governBeyondScim: true })) {
    return createSalesforceClients(config, fakeTiming())
}

const batch = (n: 1 | 2 | 3): { nextRecordsUrl?: string; records: SObjectRecord[] } =>
    fixture(`rest/query.permission-set-assignments.batch${n}`)

async function collect<T>(pages: AsyncGenerator<readonly T[]>): Promise<T[][]> {
    const out: T[][] = []
    for await (const page of pages) out.push([...page])
    return out
}

describe('queryPages', () => {
    it('reads three batches by following nextRecordsUrl (Query More), never OFFSET', async () => {
        stubToken()
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${BASE}/query`)
            .query({ q: SOQL })
            .reply(200, batch(1))
            .get(`${BASE}/query/01gRM000000lW3SYAU-2`)
            .reply(recordingReply(seen, () => [200, batch(2)]))
            .get(`${BASE}/query/01gRM000000lW3SYAU-4`)
            .reply(200, batch(3))
        const pages = await collect(clients().rest.queryPages(SOQL))
        expect(pages.map((p) => p.map((r) => r.Id))).toEqual([
            ['0PaRM0000000001AAA', '0PaRM0000000002AAA'],
            ['0PaRM0000000003AAA', '0PaRM0000000004AAA'],
            ['0PaRM0000000005AAA'],
        ])
        expect(seen[0]?.path).toBe(`${BASE}/query/01gRM000000lW3SYAU-2`)
    })

    it('reads /queryAll for includeDeleted, with the deleted rows Salesforce still keeps', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/queryAll`)
            .query({ q: 'SELECT Id, GroupId, UserOrGroupId, IsDeleted FROM GroupMember' })
            .reply(200, fixture('rest/queryAll.group-members.deleted'))
        const rows = await clients().rest.query('SELECT Id, GroupId, UserOrGroupId, IsDeleted FROM GroupMember', {
            includeDeleted: true,
        })
        expect(rows.map((r) => [r.Id, r.IsDeleted])).toEqual([
            ['011RM0000000001AAA', false],
            ['011RM0000000002AAA', true],
        ])
    })

    it('refuses a next-batch address outside the REST base path, and sends nothing there', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/query`)
            .query(true)
            .reply(200, { ...batch(1), nextRecordsUrl: '/services/scim/v2/Users' })
        const pages = clients().rest.queryPages(SOQL)
        await expect(collect(pages)).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringContaining('outside /services/data/v62.0'),
        })
    })

    it.each([
        ['a path that climbs out of the base path', '/services/data/v62.0/../../scim/v2/Users'],
        ['another host', 'https://evil.example.com/services/data/v62.0/query/01g-2'],
        ['a path with a query of its own', '/services/data/v62.0/query/01gRM000000lW3SYAU-2?q=SELECT+Id+FROM+User'],
    ])('refuses a next-batch address that is %s', async (_label, nextRecordsUrl) => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/query`)
            .query(true)
            .reply(200, { ...batch(1), nextRecordsUrl })
        await expect(collect(clients().rest.queryPages(SOQL))).rejects.toMatchObject({
            name: 'InvalidResponseError',
        })
    })

    it('refuses a batch that says more follow but gives no next-batch address, rather than stop short', async () => {
        stubToken()
        const { nextRecordsUrl: _next, ...cut } = batch(1)
        nock(INSTANCE_URL).get(`${BASE}/query`).query(true).reply(200, cut)
        await expect(clients().rest.query(SOQL)).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringContaining('done false'),
        })
    })

    it('refuses an answer without a records list', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${BASE}/query`).query(true).reply(200, { totalSize: 0, done: true })
        await expect(clients().rest.query(SOQL)).rejects.toMatchObject({ name: 'InvalidResponseError' })
    })

    it('refreshes an expired session once mid-paging and reads on from the same batch', async () => {
        const tokens = [
            'token-A-00DRM000000TEST!AQ4abcdefghijklmnopqrstuvwxyz',
            'token-B-00DRM000000TEST!AQ4abcdefghij',
        ]
        let issued = 0
        nock(LOGIN_URL)
            .post(TOKEN_PATH)
            .times(2)
            .reply(() => [
                200,
                {
                    ...fixture<object>('oauth/token.jwt-bearer'),
                    access_token: tokens[issued++],
                    instance_url: INSTANCE_URL,
                },
            ])
        const seen: SeenRequest[] = []
        nock(INSTANCE_URL)
            .get(`${BASE}/query`)
            .query(true)
            .reply(200, batch(1))
            .get(`${BASE}/query/01gRM000000lW3SYAU-2`)
            .times(2)
            .reply(
                recordingReply(seen, (r) =>
                    r.headers.authorization === `Bearer ${tokens[0]}`
                        ? [401, fixture('rest/error.invalid-session-id')]
                        : [200, batch(2)]
                )
            )
            .get(`${BASE}/query/01gRM000000lW3SYAU-4`)
            .reply(200, batch(3))
        const rows = await clients().rest.query(SOQL)
        expect(rows).toHaveLength(5)
        expect(issued).toBe(2)
        expect(seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`])
    })

    it('maps a refused query by the error table (INVALID_FIELD is InvalidRequestError)', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/query`)
            .query(true)
            .reply(400, fixture('rest/error.invalid-field-no-such-column'))
        await expect(clients().rest.query('SELECT PermissionsFreezeUsers FROM PermissionSet')).rejects.toMatchObject({
            name: 'InvalidRequestError',
            errorCode: 'INVALID_FIELD',
            status: 400,
            message: expect.stringContaining("No such column 'PermissionsFreezeUsers'"),
        })
    })
})

interface CompositeBody {
    readonly allOrNone: boolean
    readonly compositeRequest: readonly { referenceId: string; method: string; url: string; body?: unknown }[]
}

describe('queries (several in one Composite call)', () => {
    it('gives each query its own outcome: a refused one (INVALID_TYPE) does not fail the others', async () => {
        stubToken()
        const bodies: CompositeBody[] = []
        nock(INSTANCE_URL)
            .post(`${BASE}/composite`, (body: CompositeBody) => bodies.push(body) > 0)
            .reply(200, fixture('rest/composite.access-probes'))
        const outcomes = await clients().rest.queries({
            permissionSetGroups: 'SELECT Id FROM PermissionSetGroup LIMIT 1',
            permissionSetLicenses: 'SELECT Id FROM PermissionSetLicenseAssign LIMIT 1',
            packageLicenses: 'SELECT Id FROM UserPackageLicense LIMIT 1',
            queues: "SELECT Id FROM GroupMember WHERE Group.Type = 'Queue' LIMIT 1",
            loginState: 'SELECT Id FROM UserLogin LIMIT 1',
        })
        expect(outcomes.permissionSetGroups).toEqual({
            ok: true,
            records: [expect.objectContaining({ Id: '0PGRM0000004C1aYAE' })],
        })
        expect(outcomes.loginState).toMatchObject({ ok: true, records: [{ Id: '0YwRM000000j4nvYAA' }] })
        expect(outcomes.packageLicenses).toMatchObject({
            ok: false,
            error: {
                name: 'InvalidRequestError',
                errorCode: 'INVALID_TYPE',
                status: 400,
                message: expect.stringContaining("sObject type 'UserPackageLicense' is not supported"),
            },
        })
        expect(bodies[0]?.allOrNone).toBe(false)
        expect(bodies[0]?.compositeRequest.map((r) => [r.referenceId, r.method])).toEqual([
            ['permissionSetGroups', 'GET'],
            ['permissionSetLicenses', 'GET'],
            ['packageLicenses', 'GET'],
            ['queues', 'GET'],
            ['loginState', 'GET'],
        ])
        expect(decodeURIComponent(bodies[0]?.compositeRequest[3]?.url ?? '')).toBe(
            `${BASE}/query?q=SELECT Id FROM GroupMember WHERE Group.Type = 'Queue' LIMIT 1`
        )
    })

    it('follows a subquery’s nextRecordsUrl to its last batch', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .post(`${BASE}/composite`)
            .reply(200, {
                compositeResponse: [{ body: batch(1), httpHeaders: {}, httpStatusCode: 200, referenceId: 'rows' }],
            })
            .get(`${BASE}/query/01gRM000000lW3SYAU-2`)
            .reply(200, batch(2))
            .get(`${BASE}/query/01gRM000000lW3SYAU-4`)
            .reply(200, batch(3))
        const outcomes = await clients().rest.queries({ rows: SOQL })
        expect(outcomes.rows?.ok === true ? outcomes.rows.records.length : undefined).toBe(5)
    })

    it('refuses more than five queries before sending anything', async () => {
        const six = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`q${n}`, 'SELECT Id FROM User LIMIT 1']))
        await expect(clients().rest.queries(six)).rejects.toThrow(/at most 5 queries/)
    })
})

describe('composite', () => {
    it('applies the error table to a refused subrequest and keeps the others’ results', async () => {
        stubToken()
        nock(INSTANCE_URL).post(`${BASE}/composite`).reply(200, fixture('rest/composite.writes.one-refused'))
        const outcomes = await clients().rest.composite([
            {
                referenceId: 'grantLicense',
                method: 'POST',
                url: '/sobjects/PermissionSetLicenseAssign',
                body: { AssigneeId: '005RM000002FZAlYAO', PermissionSetLicenseId: '0PLRM0000004C1aYAE' },
            },
            {
                referenceId: 'grantPackage',
                method: 'POST',
                url: '/sobjects/UserPackageLicense',
                body: { UserId: '005RM000002FZAlYAO', PackageLicenseId: '050RM000000Ai1GYAS' },
            },
            { referenceId: 'removeMember', method: 'DELETE', url: '/sobjects/GroupMember/011RM00000Ci3NkYAJ' },
        ])
        expect(outcomes[0]).toEqual({ ok: true, body: { id: '2LARM0000008OTBYA2', success: true, errors: [] } })
        expect(outcomes[1]).toMatchObject({
            ok: false,
            error: {
                name: 'LicenseLimitError',
                errorCode: 'LICENSE_LIMIT_EXCEEDED',
                status: 400,
                message: expect.stringContaining('POST /sobjects/UserPackageLicense'),
            },
        })
        expect(outcomes[2]).toEqual({ ok: true, body: null })
    })

    it('refuses an answer that lacks the result of one subrequest', async () => {
        stubToken()
        const answer = fixture<{ compositeResponse: { referenceId: string }[] }>('rest/composite.writes.one-refused')
        nock(INSTANCE_URL)
            .post(`${BASE}/composite`)
            .reply(200, { compositeResponse: answer.compositeResponse.filter((r) => r.referenceId !== 'removeMember') })
        await expect(
            clients().rest.composite([
                { referenceId: 'grantLicense', method: 'POST', url: '/sobjects/PermissionSetLicenseAssign', body: {} },
                { referenceId: 'removeMember', method: 'DELETE', url: '/sobjects/GroupMember/011RM00000Ci3NkYAJ' },
            ])
        ).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: 'Salesforce answered POST /composite without the result of removeMember',
        })
    })

    it('refuses an answer without a compositeResponse list', async () => {
        stubToken()
        nock(INSTANCE_URL).post(`${BASE}/composite`).reply(200, {})
        await expect(
            clients().rest.composite([{ referenceId: 'a', method: 'GET', url: '/limits' }])
        ).rejects.toMatchObject({ name: 'InvalidResponseError' })
    })
})

describe('sObject calls', () => {
    it('creates a row and returns its id', async () => {
        stubToken()
        const bodies: unknown[] = []
        nock(INSTANCE_URL)
            .post(`${BASE}/sobjects/PermissionSetAssignment`, (body) => bodies.push(body) > 0)
            .reply(201, fixture('rest/sobjects.create.response'))
        const fields = { AssigneeId: '005RM000002FZAlYAO', PermissionSetGroupId: '0PGRM0000004C1aYAE' }
        await expect(clients().rest.create('PermissionSetAssignment', fields)).resolves.toBe('0PaRM000000XyZ1AAK')
        expect(bodies).toEqual([fields])
    })

    it('refuses a create answer without the new id', async () => {
        stubToken()
        nock(INSTANCE_URL).post(`${BASE}/sobjects/GroupMember`).reply(201, { success: false, errors: [] })
        await expect(clients().rest.create('GroupMember', {})).rejects.toMatchObject({ name: 'InvalidResponseError' })
    })

    it('updates a row (204, no body) and deletes one (204)', async () => {
        stubToken()
        const bodies: unknown[] = []
        nock(INSTANCE_URL)
            .patch(`${BASE}/sobjects/UserLogin/0YwRM000000j4nvYAA`, (body) => bodies.push(body) > 0)
            .reply(204)
            .delete(`${BASE}/sobjects/GroupMember/011RM00000Ci3NkYAJ`)
            .reply(204)
        const { rest } = clients()
        await rest.update('UserLogin', '0YwRM000000j4nvYAA', { IsFrozen: true })
        await rest.delete('GroupMember', '011RM00000Ci3NkYAJ')
        expect(bodies).toEqual([{ IsFrozen: true }])
    })

    it('reports a row deleted already as NotFound', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .delete(`${BASE}/sobjects/GroupMember/011RM00000Ci3NkYAJ`)
            .reply(404, [{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }])
        await expect(clients().rest.delete('GroupMember', '011RM00000Ci3NkYAJ')).rejects.toMatchObject({
            status: 404,
        })
    })

    it('retrieves a row with the fields asked for, and describes an object', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/sobjects/UserLogin/0YwRM000000j4nvYAA`)
            .query({ fields: 'Id,IsFrozen,IsPasswordLocked' })
            .reply(200, {
                attributes: { type: 'UserLogin', url: `${BASE}/sobjects/UserLogin/0YwRM000000j4nvYAA` },
                Id: '0YwRM000000j4nvYAA',
                IsFrozen: false,
                IsPasswordLocked: true,
            })
            .get(`${BASE}/sobjects/User/describe`)
            .reply(200, fixture('rest/sobjects.user.describe'))
        const { rest } = clients()
        await expect(
            rest.retrieve('UserLogin', '0YwRM000000j4nvYAA', ['Id', 'IsFrozen', 'IsPasswordLocked'])
        ).resolves.toMatchObject({ IsPasswordLocked: true })
        const describe = await rest.describe('User')
        expect(describe.fields.filter((f) => f.name.startsWith('UserPermissions')).map((f) => f.name)).toEqual([
            'UserPermissionsMarketingUser',
            'UserPermissionsKnowledgeUser',
        ])
    })

    it('reads /limits', async () => {
        stubToken()
        nock(INSTANCE_URL).get(`${BASE}/limits`).reply(200, fixture('rest/limits'))
        const limits = await clients().rest.limits()
        expect(limits.DailyApiRequests).toMatchObject({ Max: 100000, Remaining: 89982 })
    })
})

describe('API usage (Sforce-Limit-Info)', () => {
    it('records the reading of a REST answer and of a SCIM answer, the newest last', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/limits`)
            .reply(200, fixture('rest/limits'), LIMIT_INFO)
            .get(`${SCIM}/Users/005RM000002FZAlYAO`)
            .reply(200, fixture('scim/user.create.response'), { 'Sforce-Limit-Info': 'api-usage=10019/100000' })
        const { rest, client, apiUsage } = clients()
        await rest.limits()
        expect(apiUsage.latest()).toEqual({ used: 10018, max: 100000 })
        await client.getUser('005RM000002FZAlYAO')
        expect(apiUsage.latest()).toEqual({ used: 10019, max: 100000 })
    })

    it('records the reading of a Composite answer and of a refused request', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .post(`${BASE}/composite`)
            .reply(200, fixture('rest/composite.access-probes'), { 'Sforce-Limit-Info': 'api-usage=52/15000' })
            .get(`${BASE}/limits`)
            .reply(403, fixture('rest/error.insufficient-access'), { 'Sforce-Limit-Info': 'api-usage=53/15000' })
        const { rest, apiUsage } = clients()
        await rest.queries({ permissionSetGroups: 'SELECT Id FROM PermissionSetGroup LIMIT 1' })
        expect(apiUsage.latest()).toEqual({ used: 52, max: 15000 })
        await expect(rest.limits()).rejects.toMatchObject({ status: 403 })
        expect(apiUsage.latest()).toEqual({ used: 53, max: 15000 })
    })

    it('ignores a malformed header and keeps the last good reading', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/limits`)
            .reply(200, fixture('rest/limits'), LIMIT_INFO)
            .get(`${BASE}/limits`)
            .reply(200, fixture('rest/limits'), { 'Sforce-Limit-Info': 'api-usage=lots/100000' })
        const { rest, apiUsage } = clients()
        await rest.limits()
        await rest.limits()
        expect(apiUsage.latest()).toEqual({ used: 10018, max: 100000 })
    })
})

describe('tracing', () => {
    it('traces REST requests and answers with the access token redacted', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(`${BASE}/query`)
            .query(true)
            .reply(200, { ...batch(3), echoed: SECRETS.accessToken })
        const config = testConfig('jwtBearer', { governBeyondScim: true, traceHttp: true })
        await clients(config).rest.query(SOQL)
        const traces = logs.lines.map(
            (l) => JSON.parse(l) as { salesforceHttp?: { path?: string; responseBody?: Record<string, unknown> } }
        )
        const query = traces.find((t) => t.salesforceHttp?.path?.startsWith(`${BASE}/query`))
        expect(query?.salesforceHttp?.responseBody).toMatchObject({ echoed: '[REDACTED]', done: true })
        expect(logs.lines.join('\n')).not.toContain(SECRETS.accessToken)
    })
})
