import { SEED } from '../../emulator'
import { at, f, list, startOrg, TestOrg } from './helpers'

const GENERATED = 100_000
const VISIBLE = GENERATED + 30

describe('emulator with 100,000 generated users', () => {
    let org: TestOrg
    let startMs = 0

    beforeAll(async () => {
        const started = Date.now()
        org = await startOrg({ users: GENERATED })
        startMs = Date.now() - started
        console.log(`emulator: generated ${GENERATED} users and started in ${startMs} ms`)
    }, 120_000)
    afterAll(async () => {
        await org.close()
    })

    it('is deterministic: the same seed gives the same users', async () => {
        const res = await org.scim(`/Users?count=1&startIndex=2001`)
        const again = await startOrg({ users: 2000 })
        try {
            const other = await again.scim(`/Users?count=1&startIndex=2001`)
            expect(at(list(other.body, 'Resources')[0], 'userName')).toBe(
                at(list(res.body, 'Resources')[0], 'userName')
            )
        } finally {
            await again.close()
        }
    })

    it('pages through every user with id gt keyset paging', async () => {
        const started = Date.now()
        let last: string | undefined
        let seen = 0
        let pages = 0
        let slowest = 0
        for (;;) {
            const t = Date.now()
            const res = await org.scim(`/Users?count=200${last ? `&${f(`id gt "${last}"`)}` : ''}`)
            slowest = Math.max(slowest, Date.now() - t)
            expect(res.status).toBe(200)
            expect(at(res.body, 'totalResults')).toBe(VISIBLE - seen)
            const resources = at(res.body, 'Resources')
            if (!Array.isArray(resources)) break
            seen += resources.length
            last = String(at(resources[resources.length - 1], 'id'))
            pages++
        }
        expect(seen).toBe(VISIBLE)
        console.log(
            `emulator: paged ${seen} users in ${pages} pages, ${Date.now() - started} ms (slowest page ${slowest} ms)`
        )
    }, 120_000)

    it('serves a scope filter combined with id gt, and a delta filter, with correct totals', async () => {
        const scope = `entitlements eq "${SEED.permissionSets.salesCloudUser}"`
        const first = await org.scim(`/Users?count=200&${f(scope)}`)
        const total = Number(at(first.body, 'totalResults'))
        expect(total).toBeGreaterThan(20_000)
        const lastId = String(at(list(first.body, 'Resources')[199], 'id'))
        const t = Date.now()
        const next = await org.scim(`/Users?count=200&${f(`(${scope}) and id gt "${lastId}"`)}`)
        console.log(`emulator: scope + id gt page in ${Date.now() - t} ms`)
        expect(at(next.body, 'totalResults')).toBe(total - 200)

        const delta = `meta.lastModified gt "2025-09-01T00:00:00Z"`
        const d1 = await org.scim(`/Users?count=200&${f(delta)}`)
        const deltaTotal = Number(at(d1.body, 'totalResults'))
        expect(deltaTotal).toBeGreaterThan(0)
        expect(deltaTotal).toBeLessThan(VISIBLE)
        const dLast = String(at(list(d1.body, 'Resources')[199], 'id'))
        const d2 = await org.scim(`/Users?count=200&${f(`${delta} and id gt "${dLast}"`)}`)
        expect(at(d2.body, 'totalResults')).toBe(deltaTotal - 200)
    })

    it('finds one user by userName quickly', async () => {
        const target = org.emulator.store.visibleUsers()[77_777]
        const t = Date.now()
        const res = await org.scim(`/Users?${f(`userName eq "${target?.userName.toUpperCase()}"`)}`)
        console.log(`emulator: userName lookup in ${Date.now() - t} ms`)
        expect(list(res.body, 'Resources').map((u) => at(u, 'id'))).toEqual([target?.id])
    })

    it('has a public group with more than 200 members', async () => {
        const res = await org.scim(`/Groups/${SEED.groups.allSales}?members.count=1`)
        expect(list(res.body, 'members')).toHaveLength(1)
        expect(org.emulator.store.groups.get(SEED.groups.allSales)?.members.size).toBeGreaterThan(200)
    })
})
