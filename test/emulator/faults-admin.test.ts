import { request } from 'http'
import { SEED } from '../../emulator'
import { NO_FAULTS } from '../../emulator/faults'
import { at, http, patchBody, SCIM, startOrg, TestOrg, token, useOrg } from './helpers'

const U = SEED.users
const LIMIT_BODY = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]

interface RawAnswer {
    readonly status: number
    readonly contentLength: number | undefined
    /** The body bytes that arrived, whole or not. */
    readonly body: Buffer
    /** Milliseconds from the request to the first body byte. */
    readonly firstByteMs: number
    /** Set when the connection dropped before the body was whole. */
    readonly error?: NodeJS.ErrnoException
}

/** A SCIM GET over node:http, keeping whatever part of the body arrives and how the connection ended. */
function rawGet(org: TestOrg, path: string): Promise<RawAnswer> {
    const started = performance.now()
    return new Promise((resolve, reject) => {
        const req = request(`${org.url}${SCIM}${path}`, { headers: { Authorization: `Bearer ${org.accessToken}` } })
        req.on('error', reject)
        req.on('response', (res) => {
            const parts: Buffer[] = []
            let firstByteMs = Number.NaN
            const answer = (error?: NodeJS.ErrnoException): RawAnswer => ({
                status: res.statusCode ?? 0,
                contentLength:
                    res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']),
                body: Buffer.concat(parts),
                firstByteMs,
                ...(error !== undefined ? { error } : {}),
            })
            res.on('data', (chunk: Buffer) => {
                if (parts.length === 0) firstByteMs = performance.now() - started
                parts.push(chunk)
            })
            res.on('end', () => resolve(answer()))
            res.on('error', (error: NodeJS.ErrnoException) => resolve(answer(error)))
        })
        req.end()
    })
}

function isJson(bytes: Buffer): boolean {
    try {
        JSON.parse(bytes.toString('utf8'))
        return true
    } catch {
        return false
    }
}

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

    it('cuts a user list off half-way through its body and then drops the connection', async () => {
        const whole = await rawGet(org, '/Users?count=200')
        expect(whole.error).toBeUndefined()
        expect(whole.body.length).toBe(whole.contentLength)
        org.emulator.setFaults({ cutListRate: 1 })
        const before = org.emulator.stats()

        const cut = await rawGet(org, '/Users?count=200')

        expect(cut.status).toBe(200)
        expect(cut.contentLength).toBe(whole.body.length)
        expect(cut.error?.code).toBe('ECONNRESET')
        expect(cut.error?.message).toBe('aborted')
        // The first 40-60% of the very same body, ending inside a resource rather than after one.
        expect(cut.body.length).toBeGreaterThanOrEqual(Math.floor(whole.body.length * 0.4))
        expect(cut.body.length).toBeLessThan(Math.ceil(whole.body.length * 0.6) + 10)
        expect(cut.body.equals(whole.body.subarray(0, cut.body.length))).toBe(true)
        expect(cut.body.toString('utf8')).toContain('"Resources":[{')
        expect(cut.body.toString('utf8')).not.toMatch(/[},]$/)
        expect(isJson(cut.body)).toBe(false)
        const after = org.emulator.stats()
        expect(after.faultsInjected).toBe(before.faultsInjected + 1)
        expect(after.faultsByOption.cutListRate).toBe((before.faultsByOption.cutListRate ?? 0) + 1)
    })

    it('cuts empty user lists too, but never single users, /Me, other resources or errors', async () => {
        org.emulator.setFaults({ cutListRate: 1 })
        const empty = await rawGet(org, `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`)
        expect(empty.error?.code).toBe('ECONNRESET')
        const before = org.emulator.stats().faultsInjected

        for (const path of [`/Users/${U.vpSales}`, `/Users/${U.vpSales}/`, '/Me', '/Groups?count=200', '/Roles']) {
            const res = await rawGet(org, path)
            expect({ path, status: res.status, error: res.error, json: isJson(res.body) }).toEqual({
                path,
                status: 200,
                error: undefined,
                json: true,
            })
        }
        const refused = await rawGet(org, '/Users?count=201')
        expect(refused.status).toBe(400)
        expect(refused.error).toBeUndefined()
        expect(JSON.parse(refused.body.toString('utf8'))).toMatchObject({ detail: 'Illegal count value : 201' })
        expect(org.emulator.stats().faultsInjected).toBe(before)
    })

    it('sends the first half of a cut list only after the configured latency', async () => {
        org.emulator.setFaults({ cutListRate: 1, latencyMs: 250 })
        const cut = await rawGet(org, '/Users?count=200')
        expect(cut.error?.code).toBe('ECONNRESET')
        expect(cut.body.length).toBeGreaterThan(0)
        expect(cut.firstByteMs).toBeGreaterThanOrEqual(240)
    })

    it('cuts roughly the configured fraction of user lists', async () => {
        org.emulator.setFaults({ cutListRate: 0.5 })
        const answers = []
        for (let i = 0; i < 40; i++) answers.push(await rawGet(org, '/Users?count=20'))
        const cut = answers.filter((a) => a.error !== undefined)
        expect(cut.length).toBeGreaterThan(8)
        expect(cut.length).toBeLessThan(32)
        expect(answers.filter((a) => a.error === undefined).every((a) => isJson(a.body))).toBe(true)
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
        expect(res.body).toMatchObject({ status: 'ok', url: org.url, users: 28 })
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

    it('cuts user lists while cutListRate is set over HTTP, and stops when it is cleared', async () => {
        const initial = await http(`${org.url}/__emulator/faults`)
        expect(at(initial.body, 'cutListRate')).toBe(0)
        const put = await http(`${org.url}/__emulator/faults`, { method: 'PUT', body: { cutListRate: 1 } })
        expect(put.status).toBe(200)
        expect(at(put.body, 'cutListRate')).toBe(1)
        const cut = await rawGet(org, '/Users?count=200')
        expect(cut.error?.code).toBe('ECONNRESET')
        expect(isJson(cut.body)).toBe(false)

        const cleared = await http(`${org.url}/__emulator/faults`, { method: 'PUT', body: { cutListRate: 0 } })
        expect(at(cleared.body, 'cutListRate')).toBe(0)
        const whole = await rawGet(org, '/Users?count=200')
        expect(whole.error).toBeUndefined()
        expect(at(JSON.parse(whole.body.toString('utf8')), 'totalResults')).toBe(26)
        // Out-of-range rates are clamped to 0..1 like the others.
        const clamped = await http(`${org.url}/__emulator/faults`, { method: 'PUT', body: { cutListRate: 7 } })
        expect(at(clamped.body, 'cutListRate')).toBe(1)
        await http(`${org.url}/__emulator/faults`, { method: 'PUT', body: { cutListRate: 0 } })
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
        expect(users).toHaveLength(26)
        expect(users.map((u) => u.id)).not.toContain(U.automatedProcess)
        expect(users.filter((u) => !u.active).map((u) => u.userName)).toEqual(
            expect.arrayContaining(['carlos.mendes@acme-corp.example.com', 'fatima.zahra@acme-corp.example.com'])
        )
        const blocked = users.filter((u) => u.deactivationBlocker !== undefined).map((u) => u.id)
        expect(blocked.sort()).toEqual([U.itAdmin, U.salesManagerWest, U.serviceManagerEmea].sort())
    })
})
