import { SEED } from '../../emulator'
import { NO_FAULTS } from '../../emulator/faults'
import { at, http, patchBody, startOrg, token, useOrg } from './helpers'

const U = SEED.users
const LIMIT_BODY = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]

describe('emulator API request limit', () => {
    const org = useOrg({ apiDailyLimit: 5 })

    it('answers 403 REQUEST_LIMIT_EXCEEDED once the rolling daily allocation is used up', async () => {
        for (let i = 1; i <= 5; i++) {
            const res = await org.scim('/Me')
            expect(res.status).toBe(200)
            expect(res.headers.get('sforce-limit-info')).toBe(`api-usage=${i}/5`)
        }
        const refused = await org.scim('/Me')
        expect(refused.status).toBe(403)
        expect(refused.body).toEqual(LIMIT_BODY)
        // Token requests are not API calls and still work.
        expect(typeof (await token(org.url))).toBe('string')
    })
})

describe('emulator fault injection', () => {
    const org = useOrg()
    afterEach(() => {
        org.emulator.setFaults(NO_FAULTS)
    })
    const title = (): string | null | undefined => org.emulator.store.getUser(U.vpSales)?.title
    const setTitle = (t: string) =>
        org.scim(`/Users/${U.vpSales}`, { method: 'PATCH', body: patchBody({ op: 'replace', value: { title: t } }) })

    it('answers 500 then 503 with Retry-After before changing anything', async () => {
        org.emulator.setFaults({ errorRate: 1 })
        const before = org.emulator.stats().faultsInjected
        const first = await setTitle('Chief Revenue Officer')
        expect(first.status).toBe(500)
        expect(at(first.body, 0, 'errorCode')).toBe('UNKNOWN_EXCEPTION')
        const second = await setTitle('Chief Revenue Officer')
        expect(second.status).toBe(503)
        expect(second.headers.get('retry-after')).toBe('1')
        expect(title()).toBe('VP Sales')
        expect(org.emulator.stats().faultsInjected).toBe(before + 2)
    })

    it('drops connections before changing anything', async () => {
        org.emulator.setFaults({ dropRate: 1 })
        await expect(setTitle('Dropped')).rejects.toThrow()
        expect(title()).toBe('VP Sales')
    })

    it('applies writes and then loses their answers', async () => {
        org.emulator.setFaults({ writeDropRate: 1 })
        await expect(setTitle('Applied But Lost')).rejects.toThrow()
        expect(title()).toBe('Applied But Lost')
        // Reads are not affected.
        expect((await org.scim(`/Users/${U.vpSales}`)).status).toBe(200)
    })

    it('revokes every session once after the given number of SCIM requests', async () => {
        org.emulator.setFaults({ revokeSessionsAfterRequests: 3 })
        for (let i = 0; i < 3; i++) expect((await org.scim('/Me')).status).toBe(200)
        const revoked = await org.scim('/Me')
        expect(revoked.status).toBe(401)
        expect(revoked.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
        org.accessToken = await token(org.url)
        for (let i = 0; i < 5; i++) expect((await org.scim('/Me')).status).toBe(200)
        const faults = await http(`${org.url}/__emulator/faults`)
        expect(at(faults.body, 'revokeSessionsAfterRequests')).toBe(0)
    })

    it('answers every SCIM request 403 while apiLimitReached is set', async () => {
        org.emulator.setFaults({ apiLimitReached: true })
        const res = await org.scim('/Users')
        expect(res.status).toBe(403)
        expect(res.body).toEqual(LIMIT_BODY)
    })

    it('adds latency to every /services request', async () => {
        org.emulator.setFaults({ latencyMs: 250 })
        const started = Date.now()
        expect((await org.scim('/Me')).status).toBe(200)
        expect(Date.now() - started).toBeGreaterThanOrEqual(240)
    })

    it('takes faults at start time too', async () => {
        const other = await startOrg({ faults: { apiLimitReached: true } })
        try {
            expect((await other.scim('/Me')).status).toBe(403)
        } finally {
            await other.close()
        }
    })
})

describe('emulator admin endpoints and stats', () => {
    const org = useOrg()

    it('reports health', async () => {
        const res = await http(`${org.url}/__emulator/health`)
        expect(res.status).toBe(200)
        expect(res.body).toMatchObject({ status: 'ok', url: org.url, users: 32 })
    })

    it('counts requests by route, tokens and created users, and resets', async () => {
        org.emulator.resetStats()
        await org.scim('/Users')
        await org.scim(`/Users/${U.ceo}`)
        await org.scim(`/Users/${U.ceo}`, {
            method: 'PATCH',
            body: patchBody({ op: 'replace', value: { title: 'CEO' } }),
        })
        await org.scim('/Groups')
        await org.scim(`/Groups/${SEED.groups.executives}`, { method: 'PATCH', body: patchBody() })
        await org.scim('/Entitlements')
        await org.scim('/Roles')
        await token(org.url)
        const stats = org.emulator.stats()
        expect(stats).toMatchObject({
            requests: 8,
            tokenRequests: 1,
            usersCreated: 0,
            byRoute: {
                'GET /Users': 1,
                'GET /Users/:id': 1,
                'PATCH /Users/:id': 1,
                'GET /Groups': 1,
                'PATCH /Groups/:id': 1,
                'GET /Entitlements': 1,
                'GET /Roles': 1,
                'POST /token': 1,
            },
        })
        // Admin calls are not API requests.
        const viaHttp = await http(`${org.url}/__emulator/stats`)
        expect(at(viaHttp.body, 'requests')).toBe(8)
        const reset = await http(`${org.url}/__emulator/reset-stats`, { method: 'POST' })
        expect(at(reset.body, 'requests')).toBe(0)
        expect(org.emulator.stats().requests).toBe(0)
    })

    it('sets faults and revokes sessions over HTTP', async () => {
        const put = await http(`${org.url}/__emulator/faults`, { method: 'PUT', body: { apiLimitReached: true } })
        expect(put.status).toBe(200)
        expect(at(put.body, 'apiLimitReached')).toBe(true)
        expect((await org.scim('/Me')).status).toBe(403)
        await http(`${org.url}/__emulator/faults`, { method: 'PUT', body: { apiLimitReached: false } })
        expect((await org.scim('/Me')).status).toBe(200)
        const revoke = await http(`${org.url}/__emulator/revoke-sessions`, { method: 'POST' })
        expect(revoke.status).toBe(204)
        expect((await org.scim('/Me')).status).toBe(401)
        org.accessToken = await token(org.url)
    })

    it('looks users up raw by userName', async () => {
        const res = await http(`${org.url}/__emulator/users?userName=OLIVIA.BENNETT@acme-corp.example.com`)
        expect(at(res.body, 'totalResults')).toBe(1)
        expect(at(res.body, 'users', 0, 'id')).toBe(U.ceo)
        expect(at(res.body, 'users', 0, 'license')).toBe('Salesforce')
        const none = await http(`${org.url}/__emulator/users?userName=nobody@example.com`)
        expect(at(none.body, 'totalResults')).toBe(0)
    })

    it('lists the users /Users serves, with why deactivation would be refused', () => {
        const users = org.emulator.store.listUsers()
        expect(users).toHaveLength(30)
        expect(users.map((u) => u.id)).not.toContain(U.automatedProcess)
        expect(users.filter((u) => !u.active).map((u) => u.userName)).toEqual(
            expect.arrayContaining(['carlos.mendes@acme-corp.example.com', 'fatima.zahra@acme-corp.example.com'])
        )
        const blocked = users.filter((u) => u.deactivationBlocker !== undefined).map((u) => u.id)
        expect(blocked.sort()).toEqual([U.itAdmin, U.salesManagerWest, U.serviceManagerEmea].sort())
    })
})
