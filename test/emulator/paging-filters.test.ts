import { ORG_ID, SEED } from '../../emulator'
import { at, ERROR_URN, f, list, useOrg } from './helpers'

/** Seeded users /Users returns: 30 of the 32 seeded users (Automated Process and the site guest are internal). */
const VISIBLE_SEED_USERS = 30

describe('emulator /Users paging', () => {
    const org = useOrg({ users: 3000 - VISIBLE_SEED_USERS })

    it('serves 10 users by default and reports the total', async () => {
        const res = await org.scim('/Users')
        expect(res.status).toBe(200)
        expect(at(res.body, 'totalResults')).toBe(3000)
        expect(list(res.body, 'Resources')).toHaveLength(10)
        expect(at(res.body, 'itemsPerPage')).toBe(10)
        expect(res.body).not.toHaveProperty('startIndex')
        expect(at(res.body, 'schemas')).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse'])
    })

    it('echoes startIndex and orders by id', async () => {
        const res = await org.scim('/Users?startIndex=11&count=5')
        expect(at(res.body, 'startIndex')).toBe(11)
        const ids = list(res.body, 'Resources').map((u) => String(at(u, 'id')))
        expect(ids).toEqual([...ids].sort())
        const first = await org.scim('/Users?count=15')
        expect(ids).toEqual(
            list(first.body, 'Resources')
                .slice(10)
                .map((u) => at(u, 'id'))
        )
    })

    it('refuses count above 200 and below 1 with the stringified-schemas SCIM error', async () => {
        const res = await org.scim('/Users?count=201')
        expect(res.status).toBe(400)
        expect(res.body).toEqual({
            schemas: JSON.stringify([ERROR_URN]),
            detail: 'Illegal count value : 201',
            status: 400,
        })
        expect(at((await org.scim('/Users?count=0')).body, 'detail')).toBe('Illegal count value : 0')
        expect((await org.scim('/Users?count=200')).status).toBe(200)
    })

    it('refuses startIndex past 2001 with the exact Salesforce text', async () => {
        const res = await org.scim('/Users?startIndex=2002&count=200')
        expect(res.status).toBe(400)
        expect(at(res.body, 'detail')).toBe(
            'Start index too big. Consider filtering down your result set, e.g. id gt "(the last id in the result set)"'
        )
        expect((await org.scim('/Users?startIndex=2001&count=200')).status).toBe(200)
    })

    it('answers a page past the end with zeros and no Resources key', async () => {
        const res = await org.scim(`/Users?${f('userName eq "nobody@nowhere.example.com"')}`)
        expect(res.status).toBe(200)
        expect(res.body).toEqual({
            totalResults: 0,
            itemsPerPage: 0,
            startIndex: 0,
            schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        })
    })

    it('walks all 3,000 users exactly once with id gt keyset paging', async () => {
        const seen = new Set<string>()
        let last: string | undefined
        let pages = 0
        let duplicates = 0
        for (;;) {
            const filter = last ? `&${f(`id gt "${last}"`)}` : ''
            const res = await org.scim(`/Users?count=200${filter}`)
            expect(res.status).toBe(200)
            if (pages === 0) expect(at(res.body, 'totalResults')).toBe(3000)
            if (!Array.isArray(at(res.body, 'Resources'))) break
            const ids = list(res.body, 'Resources').map((u) => String(at(u, 'id')))
            if (last !== undefined) {
                expect(at(res.body, 'totalResults')).toBe(3000 - seen.size)
                expect(ids.every((id) => id > (last as string))).toBe(true)
            }
            for (const id of ids) {
                if (seen.has(id)) duplicates++
                seen.add(id)
            }
            last = ids[ids.length - 1]
            pages++
        }
        expect(duplicates).toBe(0)
        expect(seen.size).toBe(3000)
        expect(pages).toBe(15)
    })
})

describe('emulator filters', () => {
    const org = useOrg({ users: 200 })

    const userNames = async (filter: string): Promise<string[]> => {
        const res = await org.scim(`/Users?count=200&${f(filter)}`)
        expect(res.status).toBe(200)
        const resources = at(res.body, 'Resources')
        return Array.isArray(resources) ? resources.map((u) => String(at(u, 'userName'))) : []
    }

    it('matches userName eq case-insensitively', async () => {
        expect(await userNames('userName eq "OLIVIA.Bennett@ACME-corp.example.com"')).toEqual([
            'olivia.bennett@acme-corp.example.com',
        ])
    })

    it('supports and / or with parentheses, sw, co, ew and pr', async () => {
        const both = await userNames(
            '(userName eq "olivia.bennett@acme-corp.example.com" or userName eq "marcus.reid@acme-corp.example.com") and active eq "true"'
        )
        expect(both.sort()).toEqual(['marcus.reid@acme-corp.example.com', 'olivia.bennett@acme-corp.example.com'])
        expect(await userNames('userName sw "hiroshi.tan"')).toEqual(['hiroshi.tanaka@acme-corp.example.com'])
        expect(await userNames('name.familyName co "CONNOR"')).toEqual(['liam.oconnor@acme-corp.example.com'])
        expect(await userNames('userName ew "@nordic-partners.example.com"')).toEqual([
            'peter.lindqvist@nordic-partners.example.com',
        ])
        const withExternalId = await userNames('externalId pr and userName sw "raj"')
        expect(withExternalId).toEqual(['raj.patel@acme-corp.example.com'])
    })

    it('filters on active with a quoted boolean and refuses an unquoted one', async () => {
        const inactive = await userNames('active eq "false" and userName ew "@acme-corp.example.com" and title pr')
        expect(inactive).toContain('carlos.mendes@acme-corp.example.com')
        expect(inactive).toContain('fatima.zahra@acme-corp.example.com')
        const res = await org.scim(`/Users?${f('active eq true')}`)
        expect(res.status).toBe(400)
        expect(at(res.body, 'detail')).toBe('Argument has to be a quoted string literal : true')
    })

    it('refuses unknown and complex attributes, unbalanced brackets and mixed and/or', async () => {
        expect(at((await org.scim(`/Users?${f('favoriteColor eq "blue"')}`)).body, 'detail')).toBe(
            'Unsupported attribute : favoriteColor'
        )
        // Attribute names are case-sensitive.
        expect(at((await org.scim(`/Users?${f('username eq "x"')}`)).body, 'detail')).toBe(
            'Unsupported attribute : username'
        )
        expect(at((await org.scim(`/Users?${f('name eq "x"')}`)).body, 'detail')).toBe(
            'Complex attribute name. Please specify subattribute.'
        )
        expect(at((await org.scim(`/Users?${f('(userName eq "x"')}`)).body, 'detail')).toBe(
            'Unbalanced brackets, check your filter'
        )
        const mixed = await org.scim(`/Users?${f('userName eq "a" or userName eq "b" and active eq "true"')}`)
        expect(mixed.status).toBe(400)
    })

    it('compares meta.lastModified as a datetime', async () => {
        const all = await org.scim(`/Users?count=200&${f('meta.lastModified gt "2000-01-01T00:00:00Z"')}`)
        const total = Number(at(all.body, 'totalResults'))
        const later = await org.scim(`/Users?count=200&${f('meta.lastModified gt "2025-06-01T00:00:00Z"')}`)
        const laterTotal = Number(at(later.body, 'totalResults'))
        expect(laterTotal).toBeGreaterThan(0)
        expect(laterTotal).toBeLessThan(total)
        for (const u of list(later.body, 'Resources'))
            expect(Date.parse(String(at(u, 'meta', 'lastModified')))).toBeGreaterThan(
                Date.parse('2025-06-01T00:00:00Z')
            )
        const bad = await org.scim(`/Users?${f('meta.lastModified gt "yesterday"')}`)
        expect(bad.status).toBe(400)
    })

    it('combines a scope filter with id gt and keeps totalResults to the remaining matches', async () => {
        const scope = `entitlements eq "${SEED.permissionSets.salesCloudUser}"`
        const first = await org.scim(`/Users?count=3&${f(scope)}`)
        const total = Number(at(first.body, 'totalResults'))
        const ids = list(first.body, 'Resources').map((u) => String(at(u, 'id')))
        const next = await org.scim(`/Users?count=3&${f(`(${scope}) and id gt "${ids[2]}"`)}`)
        expect(at(next.body, 'totalResults')).toBe(total - 3)
        for (const u of list(next.body, 'Resources')) {
            expect(String(at(u, 'id')) > String(ids[2])).toBe(true)
            expect(list(u, 'entitlements').map((e) => at(e, 'value'))).toContain(SEED.permissionSets.salesCloudUser)
        }
    })

    it('supports membership filters on profiles, permission sets, groups and roles', async () => {
        const admins = await userNames(
            `entitlements eq "${SEED.profiles.systemAdministrator}" and userName ew "acme-corp.example.com" and title ne "IT Specialist"`
        )
        expect(admins).toEqual(
            expect.arrayContaining(['scim.integration@acme-corp.example.com', 'raj.patel@acme-corp.example.com'])
        )
        const execs = await userNames(`groups eq "${SEED.groups.executives}"`)
        expect(execs.sort()).toEqual([
            'marcus.reid@acme-corp.example.com',
            'olivia.bennett@acme-corp.example.com',
            'priya.natarajan@acme-corp.example.com',
        ])
        expect(await userNames(`roles eq "${SEED.roles.ceo}"`)).toEqual(['olivia.bennett@acme-corp.example.com'])
        const two = await org.scim(
            `/Users?${f(`groups eq "${SEED.groups.executives}" and roles eq "${SEED.roles.ceo}"`)}`
        )
        expect(at(two.body, 'detail')).toBe('Only one membership criteria allowed in filter.')
    })

    it('filters on custom fields and enterprise attributes by their full URN', async () => {
        const custom = `urn:salesforce:schemas:extension:${ORG_ID}`
        expect(await userNames(`${custom}:Cost_Center__c eq "CC-1000"`)).toEqual([
            'olivia.bennett@acme-corp.example.com',
        ])
        const sales = await userNames(
            `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales" and userName ew "@acme-corp.example.com" and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division eq "East" and title eq "Regional Sales Manager, East"`
        )
        expect(sales).toEqual(['sofia.alvarez@acme-corp.example.com'])
    })

    it('filters groups, entitlements and roles by displayName and id gt', async () => {
        const groups = await org.scim(`/Groups?${f('displayName eq "executives"')}`)
        expect(list(groups.body, 'Resources').map((g) => at(g, 'id'))).toEqual([SEED.groups.executives])
        const ents = await org.scim(`/Entitlements?${f(`id gt "${SEED.profiles.identityUser}"`)}`)
        const entIds = list(ents.body, 'Resources').map((e) => String(at(e, 'id')))
        expect(entIds.every((id) => id > SEED.profiles.identityUser)).toBe(true)
        expect(entIds).toContain(SEED.permissionSets.crmAnalyticsPlus)
        const roles = await org.scim(`/Roles?${f('displayName sw "VP"')}`)
        expect(
            list(roles.body, 'Resources')
                .map((r) => at(r, 'displayName'))
                .sort()
        ).toEqual(['VP, Customer Service', 'VP, Marketing', 'VP, Sales'])
    })
})
