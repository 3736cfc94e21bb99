import { buildOrg, checksumSuffix, POD, SEED } from '../../emulator'
import { BASE62 } from '../../emulator/ids'
import { at, f, list, newUserBody, useOrg } from './helpers'

/** Salesforce's id order: base-62 numbers, i.e. plain byte order (`0-9 < A-Z < a-z`). */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const podOf = (id: string): string => id.slice(3, 5)
const counterOf = (id: string): number => [...id.slice(6, 15)].reduce((n, c) => n * 62 + BASE62.indexOf(c), 0)
const isUpper = (c: string): boolean => c >= 'A' && c <= 'Z'
const isLower = (c: string): boolean => c >= 'a' && c <= 'z'

describe('emulator ids', () => {
    const org = useOrg({ users: 2000, extraLicenses: 30 })
    const userIds = async (): Promise<string[]> => {
        const ids: string[] = []
        for (let start = 1; start <= 2001; start += 200) {
            const res = await org.scim(`/Users?count=200&startIndex=${start}&attributes=id`)
            const resources = at(res.body, 'Resources')
            if (!Array.isArray(resources)) break
            ids.push(...resources.map((u) => String(at(u, 'id'))))
        }
        return ids
    }

    it('computes the 18-character suffix from the case of the 15 characters', () => {
        // Salesforce's documented example: 001A0000006Vm9r is 001A0000006Vm9rIAC in 18 characters.
        expect(checksumSuffix('001A0000006Vm9r')).toBe('IAC')
        expect(checksumSuffix('000000000000000')).toBe('AAA')
        expect(checksumSuffix('ZZZZZZZZZZZZZZZ')).toBe('555')
    })

    it('gives every record an 18-character id whose suffix matches its first 15 characters', () => {
        const store = org.emulator.store
        const all = [
            ...[...store.allUsers()].map((u) => u.id),
            ...store.profiles.keys(),
            ...store.permissionSets.keys(),
            ...store.groups.keys(),
            ...store.roles.keys(),
            store.org.id,
        ]
        for (const id of all) {
            expect(id).toMatch(/^[0-9A-Za-z]{18}$/)
            expect(id.slice(15)).toBe(checksumSuffix(id.slice(0, 15)))
        }
    })

    it('serves users of two pods, the newer pod sorting below the older, in byte order', async () => {
        expect(byteOrder(POD.current, POD.legacy)).toBe(-1)
        const ids = await userIds()
        expect(ids).toHaveLength(2030)
        expect([...ids].sort(byteOrder)).toEqual(ids)
        const pods = ids.map(podOf)
        expect(new Set(pods)).toEqual(new Set([POD.current, POD.legacy]))
        // The current pod's users come first although the legacy pod's were created earlier.
        const firstLegacy = pods.indexOf(POD.legacy)
        expect(pods.slice(firstLegacy).every((p) => p === POD.legacy)).toBe(true)
        const store = org.emulator.store
        const created = (id: string): number => store.getUser(id)?.created ?? Number.NaN
        expect(created(ids[0] as string)).toBeGreaterThan(created(ids[firstLegacy] as string))
    })

    it('hands ids out in chunks with gaps, and consecutive ids flip case in the last character', async () => {
        const ids = (await userIds()).filter((id) => podOf(id) === POD.current)
        const steps = ids.slice(1).map((id, i) => counterOf(id) - counterOf(ids[i] as string))
        expect(steps.every((s) => s >= 1)).toBe(true)
        expect(steps.filter((s) => s === 1).length).toBeGreaterThan(steps.length * 0.9)
        expect(steps.filter((s) => s > 1).length).toBeGreaterThan(3)
        const flips = ids.slice(1).filter((id, i) => isUpper((ids[i] as string).charAt(14)) && isLower(id.charAt(14)))
        expect(flips.length).toBeGreaterThan(10)
        // The seed's legacy users straddle one too.
        const legacy = [SEED.users.salesManagerEast, SEED.users.serviceManagerEmea]
        expect(legacy.map((id) => id.charAt(14))).toEqual(['Z', 'a'])
    })

    it('creates new users on a third pod that sorts below every existing id, rising in chunks', async () => {
        const before = await userIds()
        const created: string[] = []
        for (let i = 0; i < 16; i++) {
            const res = await org.scim('/Users', {
                method: 'POST',
                body: newUserBody(`pod.three${i}@acme-corp.example.com`, SEED.profiles.standardUser),
            })
            expect(res.status).toBe(201)
            created.push(String(at(res.body, 'id')))
        }
        expect(created.every((id) => podOf(id) === POD.api)).toBe(true)
        expect(created.every((id) => byteOrder(id, before[0] as string) < 0)).toBe(true)
        expect([...created].sort(byteOrder)).toEqual(created)
        const steps = created.slice(1).map((id, i) => counterOf(id) - counterOf(created[i] as string))
        expect(steps.some((s) => s > 1)).toBe(true)
        const first = list((await org.scim('/Users?count=16&attributes=id')).body, 'Resources').map((u) => at(u, 'id'))
        expect(first).toEqual(created)
        // An aggregation already past them by `id gt` does not see them.
        const past = await org.scim(`/Users?count=1&${f(`id gt "${before[0] ?? ''}"`)}`)
        expect(at(past.body, 'totalResults')).toBe(before.length - 1)
    })

    it('is deterministic for a seed and quick to build at 100,000 users', () => {
        const a = buildOrg({ users: 500, randomSeed: 7 })
        const b = buildOrg({ users: 500, randomSeed: 7 })
        expect(a.listUsers().map((u) => u.id)).toEqual(b.listUsers().map((u) => u.id))
        const c = buildOrg({ users: 500, randomSeed: 8 })
        expect(c.listUsers().map((u) => u.id)).not.toEqual(a.listUsers().map((u) => u.id))
    })
})

describe('emulator seed: messy data', () => {
    const org = useOrg()
    const U = SEED.users

    it('serves names and titles with quotes, braces, backslashes, non-ASCII and emoji exactly', async () => {
        const zoe = (await org.scim(`/Users/${U.messyQuotes}`)).body
        expect(at(zoe, 'name')).toEqual({
            formatted: 'Zoë "Zee" D\'Àngelo-Ō\'Brien',
            familyName: "D'Àngelo-Ō'Brien",
            givenName: 'Zoë "Zee"',
        })
        expect(at(zoe, 'title')).toBe('Head of {Growth} \\ "APAC" 🚀')
        expect(at(zoe, `urn:salesforce:schemas:extension:${org.emulator.store.org.id}`, 'Cost_Center__c')).toBe(
            'CC-"2100"\\{W}'
        )
        const li = (await org.scim(`/Users/${U.messyCjk}`)).body
        expect(at(li, 'displayName')).toBe('李 小龙 (Bruce)')
        expect(at(li, 'title')).toBe('Ingeniero de Sistemas — Nivel "III" \\ 東京')
        const renee = (await org.scim(`/Users/${U.messyQueue}`)).body
        expect(at(renee, 'name', 'familyName')).toBe("O'Malley \\ Backslash")
        expect(at(renee, 'title')).toBe('Support {Tier 2} 😀 "Night" shift')
    })

    it('has a permission set and a public group with messy names', async () => {
        const ps = await org.scim(`/Entitlements/${SEED.permissionSets.reportsLite}`)
        expect(at(ps.body, 'displayName')).toBe('Reports "Lite" {β} \\ 📊')
        const group = await org.scim(`/Groups/${SEED.groups.nightShift}`)
        expect(at(group.body, 'displayName')).toBe('Night "Owls" {Shift} \\ 🌙')
    })

    it('puts users in a queue, and a permission set group with an expiring assignment on one user', () => {
        const store = org.emulator.store
        const queue = store.groups.get(SEED.groups.supportQueue)
        expect(queue?.type).toBe('Queue')
        expect([...(queue?.members ?? [])]).toEqual(SEED.queueMembers)
        const marcus = store.summarize(store.getUser(U.vpSales) ?? fail('no vpSales'))
        expect(marcus.permissionSetGroupIds).toEqual([SEED.permissionSetGroups.salesLeadership])
        expect(Object.keys(marcus.permissionSetExpiry)).toEqual([SEED.permissionSets.salesCloudUser])
    })
})
