import { execFile } from 'child_process'
import { CREATE_COMMIT_DELAY_MS, DEFAULT_VARIANTS, ORG_ID, SEED, VARIANT_VALUES, Variants } from '../../emulator'
import { at, f, http, list, newUserBody, patchBody, startOrg, TestOrg, useOrg } from './helpers'

const P = SEED.profiles
const PS = SEED.permissionSets
const G = SEED.groups
const U = SEED.users
const CUSTOM = `urn:salesforce:schemas:extension:${ORG_ID}`
const ALIAS_10 = 'urn:salesforce:schemas:extension:1.0'
const ALIAS_20 = 'urn:salesforce:schemas:extension:2.0'
/** Users /Users serves from the seed org. */
const VISIBLE_SEED_USERS = 30

const entitlementValues = (user: unknown): unknown[] => list(user, 'entitlements').map((e) => at(e, 'value'))
const groupValues = (user: unknown): unknown[] => {
    const groups = at(user, 'groups')
    return Array.isArray(groups) ? groups.map((g) => at(g, 'value')) : []
}
const rawUser = async (org: TestOrg, id: string): Promise<unknown> =>
    at((await http(`${org.url}/__emulator/users?id=${id}`)).body, 'users', 0)

/** Walks /Users with `id gt` keyset paging, `count` at a time, and returns the ids in the order they came. */
async function keysetWalk(org: TestOrg, count: number): Promise<string[]> {
    const seen: string[] = []
    for (let guard = 0; guard < 100; guard++) {
        const last = seen[seen.length - 1]
        const filter = last === undefined ? '' : `&${f(`id gt "${last}"`)}`
        const res = await org.scim(`/Users?count=${count}${filter}`)
        const resources = at(res.body, 'Resources')
        if (!Array.isArray(resources) || resources.length === 0) break
        seen.push(...resources.map((u) => String(at(u, 'id'))))
    }
    return seen
}

describe('emulator variants: the registry', () => {
    const org = useOrg()
    afterEach(() => {
        org.emulator.setVariants(DEFAULT_VARIANTS)
    })

    it('has a default for every variant, each default the first of its values', () => {
        expect(Object.keys(DEFAULT_VARIANTS).sort()).toEqual(Object.keys(VARIANT_VALUES).sort())
        for (const name of Object.keys(VARIANT_VALUES) as (keyof Variants)[]) {
            expect(VARIANT_VALUES[name][0]).toBe(DEFAULT_VARIANTS[name])
            expect(new Set(VARIANT_VALUES[name]).size).toBeGreaterThanOrEqual(2)
        }
        expect(org.emulator.variants()).toEqual(DEFAULT_VARIANTS)
    })

    it('reads and switches variants over the admin endpoint, and refuses unknown names and values', async () => {
        expect((await http(`${org.url}/__emulator/variants`)).body).toEqual(DEFAULT_VARIANTS)
        const put = await http(`${org.url}/__emulator/variants`, { method: 'PUT', body: { queues: 'hidden' } })
        expect(put.status).toBe(200)
        expect(put.body).toEqual({ ...DEFAULT_VARIANTS, queues: 'hidden' })
        expect(org.emulator.variants().queues).toBe('hidden')

        const badValue = await http(`${org.url}/__emulator/variants`, { method: 'PUT', body: { queues: 'maybe' } })
        expect(badValue.status).toBe(400)
        expect(at(badValue.body, 'error')).toBe('variant queues cannot be "maybe"; it is one of listed, hidden')
        const badName = await http(`${org.url}/__emulator/variants`, { method: 'PUT', body: { queueing: 'listed' } })
        expect(badName.status).toBe(400)
        expect(String(at(badName.body, 'error'))).toMatch(
            /^unknown variant "queueing"; variants are emptyEntitlementsReplace, /
        )
        expect(org.emulator.variants().queues).toBe('hidden')
    })

    it('takes variants at start', async () => {
        const other = await startOrg({ variants: { photos: 'refused' } })
        try {
            expect(other.emulator.variants()).toEqual({ ...DEFAULT_VARIANTS, photos: 'refused' })
        } finally {
            await other.close()
        }
    })
})

describe('emulator variants: /Users lists', () => {
    const org = useOrg({ users: 200 })
    afterEach(() => {
        org.emulator.setVariants(DEFAULT_VARIANTS)
    })
    const total = VISIBLE_SEED_USERS + 200

    it('R2 binary (default): ORDER BY Id and id gt agree, so keyset paging reads every user once', async () => {
        const ids = await keysetWalk(org, 7)
        expect(ids).toHaveLength(total)
        expect(new Set(ids).size).toBe(total)
        expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids)
    })

    it.each(['orderByCaseInsensitive', 'gtCaseInsensitive'] as const)(
        'R2 %s: ORDER BY and id gt disagree, and keyset paging silently misses users',
        async (idCollation) => {
            org.emulator.setVariants({ idCollation })
            const ids = await keysetWalk(org, 7)
            expect(new Set(ids).size).toBeLessThan(total)
        }
    )

    it('R2 orderByCaseInsensitive: a page is ordered without regard to case', async () => {
        org.emulator.setVariants({ idCollation: 'orderByCaseInsensitive' })
        const ids = list((await org.scim('/Users?count=200')).body, 'Resources').map((u) => String(at(u, 'id')))
        const ci = [...ids].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
        expect(ids).toEqual(ci)
        expect([...ids].sort((a, b) => (a < b ? -1 : 1))).not.toEqual(ids)
    })

    it.each([
        ['remaining', total, total - 5],
        ['filterTotal', total, total],
        ['pageSize', 5, 5],
    ] as const)('R4 totalResults %s: first page %d, the page past the 5th id %d', async (meaning, first, second) => {
        org.emulator.setVariants({ totalResults: meaning })
        const page1 = await org.scim('/Users?count=5')
        expect(at(page1.body, 'totalResults')).toBe(first)
        const fifth = String(at(list(page1.body, 'Resources')[4], 'id'))
        const page2 = await org.scim(`/Users?count=5&${f(`id gt "${fifth}"`)}`)
        expect(at(page2.body, 'totalResults')).toBe(second)
    })

    it.each([
        ['none', 200],
        ['clamp100', 100],
    ] as const)('R5 countClamp %s: count=200 serves %d users without a word', async (countClamp, served) => {
        org.emulator.setVariants({ countClamp })
        const res = await org.scim('/Users?count=200')
        expect(res.status).toBe(200)
        expect(list(res.body, 'Resources')).toHaveLength(served)
        expect(at(res.body, 'itemsPerPage')).toBe(served)
    })

    it('R6 appended (default): a top-level or is refused, a bracketed one works', async () => {
        const bare = await org.scim(`/Users?${f('active eq "false" or userType eq "PowerPartner"')}`)
        expect(bare.status).toBe(400)
        expect(at(bare.body, 'detail')).toBe("unexpected token: 'AND'")
        const bracketed = await org.scim(`/Users?count=200&${f('(active eq "false" or userType eq "PowerPartner")')}`)
        expect(bracketed.status).toBe(200)
        expect(list(bracketed.body, 'Resources').length).toBeGreaterThan(2)
        const anded = await org.scim(`/Users?${f('active eq "false" and userType eq "Standard"')}`)
        expect(anded.status).toBe(200)
    })

    it('R6 none: a top-level or is read as written', async () => {
        org.emulator.setVariants({ userFilterClause: 'none' })
        const bare = await org.scim(`/Users?count=200&${f('active eq "false" or userType eq "PowerPartner"')}`)
        expect(bare.status).toBe(200)
        expect(list(bare.body, 'Resources').length).toBeGreaterThan(2)
    })

    it.each([
        ['accepted', 200],
        ['refused', 400],
    ] as const)('R13 photos %s: excludedAttributes=photos answers %d', async (photos, status) => {
        org.emulator.setVariants({ photos })
        const res = await org.scim('/Users?count=1&excludedAttributes=photos')
        expect(res.status).toBe(status)
        if (photos === 'refused') {
            expect(at(res.body, 'detail')).toBe('Unsupported attribute: photos')
            expect((await org.scim(`/Users/${U.ceo}`)).body).not.toHaveProperty('photos')
        } else {
            expect(list(res.body, 'Resources')[0]).not.toHaveProperty('photos')
            expect(list((await org.scim(`/Users/${U.ceo}`)).body, 'photos')).toHaveLength(2)
        }
    })
})

describe('emulator variants: /Entitlements 200 cap (R3), 1,000 extra permission sets', () => {
    const org = useOrg({ permissionSets: 1000 })
    afterEach(() => {
        org.emulator.setVariants(DEFAULT_VARIANTS)
    })
    const ENTITLEMENTS = 8 + 9 + 1000

    const page = (startIndex: number) => org.scim(`/Entitlements?startIndex=${startIndex}&count=200&attributes=id`)

    /** Reads every entitlement with `id gt` from the first request, ending on a short page. */
    async function keysetAll(): Promise<string[]> {
        const ids: string[] = []
        for (let guard = 0; guard < 20; guard++) {
            const last = ids[ids.length - 1]
            const filter = last === undefined ? `${f('id pr')}` : f(`id gt "${last}"`)
            const res = await org.scim(`/Entitlements?count=200&attributes=id&${filter}`)
            const resources = res.text === '' ? [] : list(res.body, 'Resources')
            ids.push(...resources.map((e) => String(at(e, 'id'))))
            if (resources.length < 200) break
        }
        return ids
    }

    it.each(VARIANT_VALUES.entitlementsCap)('%s: filtered id gt reads past the cap whole', async (entitlementsCap) => {
        org.emulator.setVariants({ entitlementsCap })
        const ids = await keysetAll()
        expect(ids).toHaveLength(ENTITLEMENTS)
        expect(new Set(ids).size).toBe(ENTITLEMENTS)
    })

    it('emptyBody (default): the first 200 with the true total, then 200 with an empty HTTP body', async () => {
        const first = await page(1)
        expect(list(first.body, 'Resources')).toHaveLength(200)
        expect(at(first.body, 'totalResults')).toBe(ENTITLEMENTS)
        const past = await page(201)
        expect(past.status).toBe(200)
        expect(past.text).toBe('')
        // Any empty page is an empty body, as in the pilot: a filter that matches nothing too.
        const none = await org.scim(`/Entitlements?${f('displayName eq "no such thing"')}`)
        expect(none.status).toBe(200)
        expect(none.text).toBe('')
    })

    it('cappedTotal: totalResults says 200 and nothing is served past it', async () => {
        org.emulator.setVariants({ entitlementsCap: 'cappedTotal' })
        const first = await page(1)
        expect(at(first.body, 'totalResults')).toBe(200)
        const straddling = await page(101)
        expect(list(straddling.body, 'Resources')).toHaveLength(100)
        expect(list((await page(201)).body, 'Resources')).toHaveLength(0)
    })

    it('emptyPage: the true total, and empty pages past 200', async () => {
        org.emulator.setVariants({ entitlementsCap: 'emptyPage' })
        expect(at((await page(1)).body, 'totalResults')).toBe(ENTITLEMENTS)
        const past = await page(201)
        expect(past.status).toBe(200)
        expect(list(past.body, 'Resources')).toHaveLength(0)
    })

    it('badRequest: a startIndex past 200 is refused', async () => {
        org.emulator.setVariants({ entitlementsCap: 'badRequest' })
        expect((await page(200)).status).toBe(200)
        const past = await page(201)
        expect(past.status).toBe(400)
        expect(at(past.body, 'detail')).toMatch(/maximum of 200 records/)
    })

    it('none: startIndex paging reads on past 200', async () => {
        org.emulator.setVariants({ entitlementsCap: 'none' })
        expect(list((await page(201)).body, 'Resources')).toHaveLength(200)
        expect(list((await page(1001)).body, 'Resources')).toHaveLength(ENTITLEMENTS - 1000)
    })
})

describe('emulator variants: user writes', () => {
    const org = useOrg({ extraLicenses: 20 })
    afterEach(() => {
        org.emulator.setVariants(DEFAULT_VARIANTS)
    })
    let created = 0
    /** A new Standard User holding the given permission sets. */
    async function newUser(permissionSets: string[] = [], extra: Record<string, unknown> = {}): Promise<string> {
        created++
        const res = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody(`variant.user${created}@acme-corp.example.com`, P.standardUser, {
                entitlements: [{ value: P.standardUser }, ...permissionSets.map((value) => ({ value }))],
                ...extra,
            }),
        })
        expect(res.status).toBe(201)
        return String(at(res.body, 'id'))
    }
    const patch = (id: string, ...ops: Record<string, unknown>[]) =>
        org.scim(`/Users/${id}`, { method: 'PATCH', body: patchBody(...ops) })

    it.each([
        ['ignored', [P.standardUser, PS.salesCloudUser]],
        ['clears', [P.standardUser]],
    ] as const)('R1 emptyEntitlementsReplace %s: replace with [] leaves %j', async (emptyEntitlementsReplace, left) => {
        org.emulator.setVariants({ emptyEntitlementsReplace })
        const id = await newUser([PS.salesCloudUser])
        const res = await patch(id, { op: 'replace', value: { entitlements: [] } })
        expect(res.status).toBe(200)
        expect(entitlementValues(res.body)).toEqual(left)
        expect(entitlementValues((await org.scim(`/Users/${id}`)).body)).toEqual(left)
    })

    it('R9 patchExtensionKeys: flat (default) reads "<urn>:<field>" keys and ignores nested blocks', async () => {
        const id = await newUser()
        const custom = CUSTOM
        const nested = await patch(id, {
            op: 'replace',
            value: { [custom]: { Cost_Center__c: 'CC-NESTED' }, [ALIAS_10]: { alias: 'nested' } },
        })
        expect(nested.status).toBe(200)
        expect(at(nested.body, custom, 'Cost_Center__c')).toBeUndefined()
        expect(at(nested.body, ALIAS_10, 'alias')).not.toBe('nested')
        const flat = await patch(id, {
            op: 'replace',
            value: { [`${custom}:Cost_Center__c`]: 'CC-FLAT', [`${ALIAS_10}:alias`]: 'flat' },
        })
        expect(at(flat.body, custom, 'Cost_Center__c')).toBe('CC-FLAT')
        expect(at(flat.body, ALIAS_10, 'alias')).toBe('flat')
    })

    it.each([
        ['nested', false, true],
        ['both', true, true],
    ] as const)(
        'R9 patchExtensionKeys %s: flat applied %s, nested applied %s',
        async (keys, flatApplied, nestedApplied) => {
            org.emulator.setVariants({ patchExtensionKeys: keys })
            const id = await newUser()
            const custom = CUSTOM
            const flat = await patch(id, { op: 'replace', value: { [`${custom}:Cost_Center__c`]: 'CC-FLAT' } })
            expect(at(flat.body, custom, 'Cost_Center__c') === 'CC-FLAT').toBe(flatApplied)
            const nested = await patch(id, { op: 'replace', value: { [custom]: { Cost_Center__c: 'CC-NESTED' } } })
            expect(at(nested.body, custom, 'Cost_Center__c') === 'CC-NESTED').toBe(nestedApplied)
            const alias = await patch(id, { op: 'replace', value: { [ALIAS_10]: { alias: 'nestal' } } })
            expect(at(alias.body, ALIAS_10, 'alias') === 'nestal').toBe(nestedApplied)
        }
    )

    it.each([
        ['ignored', false],
        ['applied', true],
    ] as const)(
        'R9 patchIdentityFields %s: userName, externalId and phoneNumbers applied: %s',
        async (mode, applied) => {
            org.emulator.setVariants({ patchIdentityFields: mode })
            const id = await newUser()
            const before = (await org.scim(`/Users/${id}`)).body
            const res = await patch(id, {
                op: 'replace',
                value: {
                    userName: `renamed.${mode}@acme-corp.example.com`,
                    externalId: `fed-${mode}`,
                    phoneNumbers: [{ type: 'work', value: '+1 555 0199' }],
                    title: 'Applied either way',
                },
            })
            expect(res.status).toBe(200)
            expect(at(res.body, 'title')).toBe('Applied either way')
            if (applied) {
                expect(at(res.body, 'userName')).toBe(`renamed.${mode}@acme-corp.example.com`)
                expect(at(res.body, 'externalId')).toBe(`fed-${mode}`)
                expect(at(res.body, 'phoneNumbers', 0, 'value')).toBe('+1 555 0199')
            } else {
                expect(at(res.body, 'userName')).toBe(at(before, 'userName'))
                expect(res.body).not.toHaveProperty('externalId')
                expect(res.body).not.toHaveProperty('phoneNumbers')
            }
        }
    )

    it.each([
        ['2.0', 'ttest'],
        ['both', 'given10'],
    ] as const)('R10 createAliasUrn %s: an alias sent under 1.0 gives alias %s', async (createAliasUrn, alias) => {
        org.emulator.setVariants({ createAliasUrn })
        const id = await newUser([], { [ALIAS_10]: { alias: 'given10' } })
        expect(at((await org.scim(`/Users/${id}`)).body, ALIAS_10, 'alias')).toBe(alias)
        const under20 = await newUser([], { [ALIAS_20]: { alias: 'given20' } })
        expect(at((await org.scim(`/Users/${under20}`)).body, ALIAS_10, 'alias')).toBe('given20')
    })

    it('R11 emailChange held (default): the old email stays until confirmed, and each write mails again', async () => {
        const id = await newUser()
        const mails = org.emulator.stats().emailConfirmationsSent
        const write = () =>
            patch(id, { op: 'replace', value: { emails: [{ type: 'work', primary: true, value: 'new@example.com' }] } })
        expect(at((await write()).body, 'emails', 0, 'value')).toBe('terry.tester@example.com')
        await write()
        expect(org.emulator.stats().emailConfirmationsSent).toBe(mails + 2)
        expect(at(await rawUser(org, id), 'pendingEmail')).toBe('new@example.com')
        const confirm = await http(`${org.url}/__emulator/confirm-email?id=${id}`, { method: 'POST' })
        expect(confirm.status).toBe(204)
        expect(at((await org.scim(`/Users/${id}`)).body, 'emails', 0, 'value')).toBe('new@example.com')
        expect((await http(`${org.url}/__emulator/confirm-email?id=${id}`, { method: 'POST' })).status).toBe(404)
    })

    it('R11 emailChange immediate: the email changes at once', async () => {
        org.emulator.setVariants({ emailChange: 'immediate' })
        const id = await newUser()
        const res = await patch(id, { op: 'replace', value: { emails: [{ value: 'at.once@example.com' }] } })
        expect(at(res.body, 'emails', 0, 'value')).toBe('at.once@example.com')
    })

    it.each([
        ['userName', 409],
        ['cut40', 201],
    ] as const)('R12 defaultNickName %s: a 45-character userName without nickName answers %d', async (mode, status) => {
        org.emulator.setVariants({ defaultNickName: mode })
        const userName = `a.very.long.username.${mode}`.padEnd(33, 'x') + '@example.com'
        expect(userName.length).toBeGreaterThan(40)
        const res = await org.scim('/Users', { method: 'POST', body: newUserBody(userName, P.standardUser) })
        expect(res.status).toBe(status)
        if (status === 409) expect(at(res.body, 'detail')).toMatch(/^STRING_TOO_LONG:Nickname: data value too large/)
        else expect(at(res.body, 'nickName')).toBe(userName.slice(0, 40))
    })
})

describe('emulator variants: hidden assignments (R7)', () => {
    it.each([
        ['deletes', [], {}],
        ['keeps', [SEED.permissionSetGroups.salesLeadership], { [PS.salesCloudUser]: '2027-06-30T00:00:00.000Z' }],
    ] as const)('%s: a permission set replace leaves groups %j and expiry %j', async (mode, groups, expiry) => {
        const org = await startOrg({ variants: { replaceHiddenAssignments: mode } })
        try {
            const before = await rawUser(org, U.vpSales)
            expect(at(before, 'permissionSetGroupIds')).toEqual([SEED.permissionSetGroups.salesLeadership])
            expect(at(before, 'permissionSetExpiry')).toEqual({ [PS.salesCloudUser]: '2027-06-30T00:00:00.000Z' })
            // Remove CRM Analytics Plus the documented way: replace with the permission sets to keep.
            const res = await org.scim(`/Users/${U.vpSales}`, {
                method: 'PATCH',
                body: patchBody({ op: 'replace', value: { entitlements: [{ value: PS.salesCloudUser }] } }),
            })
            expect(res.status).toBe(200)
            expect(entitlementValues(res.body)).toEqual([P.standardUser, PS.salesCloudUser])
            const after = await rawUser(org, U.vpSales)
            expect(at(after, 'permissionSetGroupIds')).toEqual(groups)
            expect(at(after, 'permissionSetExpiry')).toEqual(expiry)
        } finally {
            await org.close()
        }
    })
})

describe('emulator variants: groups and queues', () => {
    const org = useOrg()
    afterEach(() => {
        org.emulator.setVariants(DEFAULT_VARIANTS)
    })
    const queueMember = SEED.queueMembers[0]

    it('R14 listed (default): queues among a user groups and in /Groups, while the queue itself answers 404', async () => {
        expect(groupValues((await org.scim(`/Users/${queueMember}`)).body)).toContain(G.supportQueue)
        const listed = list((await org.scim('/Groups')).body, 'Resources').map((g) => at(g, 'id'))
        expect(listed).toContain(G.supportQueue)
        expect((await org.scim(`/Groups/${G.supportQueue}`)).status).toBe(404)
        const add = await org.scim(`/Groups/${G.supportQueue}`, {
            method: 'PATCH',
            body: patchBody({ op: 'add', path: 'members', value: { members: [{ value: U.ceo }] } }),
        })
        expect(add.status).toBe(404)
        // The user's other writes still work with the queue among their groups.
        const write = await org.scim(`/Users/${queueMember}`, {
            method: 'PATCH',
            body: patchBody({ op: 'replace', value: { title: 'Queue member' } }),
        })
        expect(write.status).toBe(200)
        expect(groupValues(write.body)).toContain(G.supportQueue)
    })

    it('R14 hidden: queues show nowhere', async () => {
        org.emulator.setVariants({ queues: 'hidden' })
        const user = (await org.scim(`/Users/${queueMember}`)).body
        expect(groupValues(user)).not.toContain(G.supportQueue)
        expect(groupValues(user)).toContain(G.serviceTeam)
        const listed = list((await org.scim('/Groups')).body, 'Resources').map((g) => at(g, 'id'))
        expect(listed).not.toContain(G.supportQueue)
    })

    it.each([
        ['present', true],
        ['omitted', false],
    ] as const)('R8 userGroupsAndRoles %s: arrays shown %s', async (mode, shown) => {
        org.emulator.setVariants({ userGroupsAndRoles: mode })
        const ceo = (await org.scim(`/Users/${U.ceo}`)).body
        expect(ceo !== null && typeof ceo === 'object' && 'groups' in ceo).toBe(shown)
        expect(ceo !== null && typeof ceo === 'object' && 'roles' in ceo).toBe(shown)
        const listed = list((await org.scim(`/Users?${f(`id eq "${U.ceo}"`)}`)).body, 'Resources')[0]
        expect(listed !== null && typeof listed === 'object' && 'groups' in listed).toBe(shown)
    })

    it.each([
        ['error500', 500],
        ['ok', 200],
    ] as const)('E12 groupRemoveNonMember %s: removing a non-member answers %d', async (mode, status) => {
        org.emulator.setVariants({ groupRemoveNonMember: mode })
        const members = (op: string) =>
            org.scim(`/Groups/${G.marketing}`, {
                method: 'PATCH',
                body: patchBody({ op, path: 'members', value: { members: [{ value: U.ceo }] } }),
            })
        expect((await members('add')).status).toBe(200)
        // A member is removed either way.
        expect((await members('remove')).status).toBe(200)
        const again = await members('remove')
        expect(again.status).toBe(status)
        if (status === 500) {
            expect(at(again.body, 0, 'errorCode')).toBe('APEX_ERROR')
            expect(String(at(again.body, 0, 'message'))).toMatch(/^System\.QueryException: List has no rows/)
        }
    })
})

describe('emulator variants: a create that is still committing (R15) and the clock', () => {
    let now = Date.UTC(2026, 5, 1, 12, 0, 0)
    const org = useOrg({ clock: () => now, extraLicenses: 5 })
    afterEach(() => {
        org.emulator.setVariants(DEFAULT_VARIANTS)
    })
    const lookup = (userName: string) => org.scim(`/Users?${f(`userName eq "${userName}"`)}`)

    it('immediate (default): a lookup right after the create finds the user', async () => {
        const res = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody('at.once@example.com', P.standardUser),
        })
        expect(res.status).toBe(201)
        expect(at((await lookup('at.once@example.com')).body, 'totalResults')).toBe(1)
    })

    it('delayed: the user is invisible until the commit delay is over, its username taken at once', async () => {
        org.emulator.setVariants({ createVisibility: 'delayed' })
        const res = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody('slow.commit@example.com', P.standardUser),
        })
        expect(res.status).toBe(201)
        const id = String(at(res.body, 'id'))
        expect(at((await lookup('slow.commit@example.com')).body, 'totalResults')).toBe(0)
        expect((await org.scim(`/Users/${id}`)).status).toBe(404)
        const again = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody('slow.commit@example.com', P.standardUser),
        })
        expect(again.status).toBe(409)
        expect(String(at(again.body, 'detail'))).toMatch(/^DUPLICATE_USERNAME/)
        now += CREATE_COMMIT_DELAY_MS
        expect(at((await lookup('slow.commit@example.com')).body, 'totalResults')).toBe(1)
        expect((await org.scim(`/Users/${id}`)).status).toBe(200)
    })

    it("sends Salesforce's clock as the Date header of every answer, the clock meta.lastModified follows", async () => {
        now = Date.UTC(2026, 5, 2, 8, 30, 15)
        const res = await org.scim(`/Users/${U.ceo}`, {
            method: 'PATCH',
            body: patchBody({ op: 'replace', value: { title: 'Chief Executive' } }),
        })
        expect(res.headers.get('date')).toBe('Tue, 02 Jun 2026 08:30:15 GMT')
        expect(at(res.body, 'meta', 'lastModified')).toBe('2026-06-02T08:30:15Z')
        expect((await http(`${org.url}/__emulator/health`)).headers.get('date')).toBe('Tue, 02 Jun 2026 08:30:15 GMT')
        const token = await http(`${org.url}/services/oauth2/token`, { method: 'POST', form: {} })
        expect(token.headers.get('date')).toBe('Tue, 02 Jun 2026 08:30:15 GMT')

        const skew = await http(`${org.url}/__emulator/clock`, { method: 'PUT', body: { skewMs: 90_000 } })
        expect(skew.status).toBe(200)
        const later = await org.scim(`/Users/${U.ceo}`, {
            method: 'PATCH',
            body: patchBody({ op: 'replace', value: { title: 'Chief Executive Officer' } }),
        })
        expect(later.headers.get('date')).toBe('Tue, 02 Jun 2026 08:31:45 GMT')
        expect(at(later.body, 'meta', 'lastModified')).toBe('2026-06-02T08:31:45Z')
        org.emulator.setClockSkew(0)
    })
})

describe('emulator variants: the command line', () => {
    const cli = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
        new Promise((resolve) => {
            execFile(
                process.execPath,
                [require.resolve('tsx/cli'), 'emulator/cli.ts', ...args],
                { timeout: 60_000 },
                (error, stdout, stderr) => {
                    const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0
                    resolve({ code, stdout, stderr })
                }
            )
        })

    it('lists every variant with its values and default, and refuses an unknown value', async () => {
        const listed = await cli('--variants')
        expect(listed.code).toBe(0)
        for (const name of Object.keys(VARIANT_VALUES) as (keyof Variants)[])
            expect(listed.stdout).toContain(
                `${name.padEnd(26)} ${VARIANT_VALUES[name].join(' | ')}  (default ${DEFAULT_VARIANTS[name]})`
            )
        const refused = await cli('--variant', 'idCollation=caseless')
        expect(refused.code).toBe(2)
        expect(refused.stderr).toContain(
            'variant idCollation cannot be "caseless"; it is one of binary, orderByCaseInsensitive, gtCaseInsensitive'
        )
    }, 120_000)
})
