import { ORG_ID, SEED } from '../../emulator'
import { at, ERROR_URN, list, patchBody, useOrg } from './helpers'

const G = SEED.groups
const U = SEED.users

describe('emulator /Groups', () => {
    const org = useOrg({ users: 1000 })

    it('lists public groups and, as the pilot does, queues, with at most 200 member rows across the page', async () => {
        const res = await org.scim('/Groups')
        expect(res.status).toBe(200)
        const groups = list(res.body, 'Resources')
        expect(groups.map((g) => at(g, 'displayName'))).toEqual([
            'All Sales',
            'West Region',
            'East Region',
            'Service Team',
            'Marketing',
            'Executives',
            'Support Queue',
            'Night "Owls" {Shift} \\ 🌙',
            'Sales Escalations',
        ])
        expect(at(res.body, 'totalResults')).toBe(9)
        const rows = groups.reduce((n: number, g) => n + list(g, 'members').length, 0)
        expect(rows).toBe(200)
        expect(groups.map((g) => at(g, 'type'))).toEqual([
            ...Array<string>(6).fill('Regular'),
            'Queue',
            'Regular',
            'Queue',
        ])
    })

    it('pages the members of a large group with members.count and members.startIndex', async () => {
        const size = org.emulator.store.groups.get(G.allSales)?.members.size ?? 0
        expect(size).toBeGreaterThan(200)
        const first = await org.scim(`/Groups/${G.allSales}`)
        expect(list(first.body, 'members')).toHaveLength(200)
        const seen = new Set<string>()
        for (let start = 1; start <= size; start += 150) {
            const page = await org.scim(`/Groups/${G.allSales}?members.count=150&members.startIndex=${start}`)
            expect(page.status).toBe(200)
            for (const m of list(page.body, 'members')) seen.add(String(at(m, 'value')))
        }
        expect(seen.size).toBe(size)
        const member = list(first.body, 'members')[0]
        expect(member).toEqual({
            value: G.westRegion,
            type: 'Group',
            $ref: `${org.url}/services/scim/v2/Groups/${G.westRegion}`,
        })
        const tooMany = await org.scim(`/Groups/${G.allSales}?members.count=500`)
        expect(tooMany.status).toBe(400)
        expect(at(tooMany.body, 'detail')).toBe('Illegal count value : 500')
    })

    it("adds and removes members with Salesforce's wrapped PATCH value", async () => {
        const add = await org.scim(`/Groups/${G.executives}`, {
            method: 'PATCH',
            body: patchBody({
                op: 'add',
                path: 'members',
                value: { members: [{ value: U.itAdmin }, { value: U.vpService }] },
            }),
        })
        expect(add.status).toBe(200)
        const afterAdd = list(add.body, 'members').map((m) => at(m, 'value'))
        expect(afterAdd).toEqual([U.ceo, U.vpSales, U.vpService, U.itAdmin])
        expect(list(add.body, 'members')[3]).toEqual({
            value: U.itAdmin,
            type: 'User',
            $ref: `${org.url}/services/scim/v2/Users/${U.itAdmin}`,
        })
        const user = await org.scim(`/Users/${U.itAdmin}`)
        expect(list(user.body, 'groups').map((g) => at(g, 'value'))).toEqual([G.executives])

        const remove = await org.scim(`/Groups/${G.executives}`, {
            method: 'PATCH',
            body: patchBody({ op: 'remove', path: 'members', value: { members: [{ value: U.itAdmin }] } }),
        })
        expect(remove.status).toBe(200)
        expect(list(remove.body, 'members').map((m) => at(m, 'value'))).toEqual([U.ceo, U.vpSales, U.vpService])
        expect((await org.scim(`/Users/${U.itAdmin}`)).body).not.toHaveProperty('groups')
    })

    it('refuses the RFC array value, a wrong schema and unknown members', async () => {
        const rfc = await org.scim(`/Groups/${G.executives}`, {
            method: 'PATCH',
            body: patchBody({ op: 'add', path: 'members', value: [{ value: U.itAdmin }] }),
        })
        expect(rfc.status).toBe(400)
        expect(at(rfc.body, 'errorCode')).toBe('UNKNOWN_EXCEPTION')
        const schema = await org.scim(`/Groups/${G.executives}`, {
            method: 'PATCH',
            body: { schemas: ['x'], Operations: [] },
        })
        expect(at(schema.body, 'detail')).toBe('Improper Schema.')
        const unknown = await org.scim(`/Groups/${G.executives}`, {
            method: 'PATCH',
            body: patchBody({ op: 'add', path: 'members', value: { members: [{ value: '005Dn0000009999AAA' }] } }),
        })
        expect(unknown.status).toBe(400)
        expect(list((await org.scim(`/Groups/${G.executives}`)).body, 'members')).toHaveLength(3)
        const missing = await org.scim('/Groups/00GDn0000009999AAA', { method: 'PATCH', body: patchBody() })
        expect(missing.status).toBe(404)
    })

    it('does not serve queues', async () => {
        const res = await org.scim(`/Groups/${G.supportQueue}`)
        expect(res.status).toBe(404)
    })
})

describe('emulator /Entitlements, /Roles and discovery', () => {
    const org = useOrg()

    it('lists profiles first, then permission sets, without guest or automated-process profiles', async () => {
        const res = await org.scim('/Entitlements')
        expect(res.status).toBe(200)
        const items = list(res.body, 'Resources')
        const types = items.map((e) => at(e, 'type'))
        expect(types.slice(0, 8).every((t) => t === 'Profile')).toBe(true)
        expect(types.slice(8).every((t) => t === 'Permission Set')).toBe(true)
        expect(at(res.body, 'totalResults')).toBe(17)
        const ids = items.map((e) => at(e, 'id'))
        expect(ids).not.toContain(SEED.profiles.guestSite)
        expect(ids).not.toContain(SEED.profiles.automatedProcess)
        expect(items[0]).toMatchObject({
            schemas: ['urn:salesforce:schemas:extension:1.0:Entitlement'],
            id: SEED.profiles.systemAdministrator,
            displayName: 'System Administrator',
            type: 'Profile',
            meta: { resourceType: 'Entitlement' },
        })
    })

    it('serves one entitlement with active members only and refuses writes with 501', async () => {
        const res = await org.scim(`/Entitlements/${SEED.profiles.readOnly}`)
        expect(res.status).toBe(200)
        // Carlos Mendes, the only Read Only user, is inactive.
        expect(list(res.body, 'members')).toEqual([])
        const ps = await org.scim(`/Entitlements/${SEED.permissionSets.crmAnalyticsPlus}`)
        expect(
            list(ps.body, 'members')
                .map((m) => at(m, 'display'))
                .sort()
        ).toEqual(['Marcus Reid', 'Olivia Bennett'])
        const write = await org.scim('/Entitlements', { method: 'POST', body: {} })
        expect(write.status).toBe(501)
        expect(write.body).toEqual({
            schemas: JSON.stringify([ERROR_URN]),
            detail: 'Method not supported',
            status: 501,
        })
    })

    it('lists roles with members and without meta.created', async () => {
        const res = await org.scim('/Roles')
        const roles = list(res.body, 'Resources')
        expect(roles).toHaveLength(12)
        const ceo = roles.find((r) => at(r, 'id') === SEED.roles.ceo)
        expect(at(ceo, 'displayName')).toBe('CEO')
        expect(list(ceo, 'members').map((m) => at(m, 'value'))).toEqual([U.ceo])
        expect(at(ceo, 'meta')).not.toHaveProperty('created')
    })

    it('serves ServiceProviderConfigs (plural and singular), Schemas with the custom-field extension, and ResourceTypes', async () => {
        for (const path of ['/ServiceProviderConfigs', '/ServiceProviderConfig']) {
            const res = await org.scim(path)
            expect(res.body).toMatchObject({
                filter: { supported: true, maxResults: 200 },
                patch: { supported: true },
                etag: { supported: false },
            })
        }
        const schemas = await org.scim('/Schemas')
        const ids = list(schemas.body, 'Resources').map((s) => at(s, 'id'))
        expect(ids).toEqual(
            expect.arrayContaining([
                'urn:ietf:params:scim:schemas:core:2.0:User',
                'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
                'urn:salesforce:schemas:extension:1.0',
                `urn:salesforce:schemas:extension:${ORG_ID}`,
            ])
        )
        const custom = list(schemas.body, 'Resources').find(
            (s) => at(s, 'id') === `urn:salesforce:schemas:extension:${ORG_ID}`
        )
        expect(list(custom, 'attributes').map((a) => at(a, 'name'))).toEqual(
            expect.arrayContaining(['Cost_Center__c', 'Badge_Number__c'])
        )
        const types = await org.scim('/ResourceTypes')
        const user = list(types.body, 'Resources').find((r) => at(r, 'id') === 'User')
        expect(list(user, 'schemaExtensions')[0]).toEqual({
            schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
            required: 'false',
        })
    })

    it('answers unknown SCIM paths with the REST NOT_FOUND array', async () => {
        const res = await org.scim('/Individuals')
        expect(res.status).toBe(404)
        expect(res.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'Could not find a match for URL' }])
    })

    it('carries custom fields on the users that have them', async () => {
        const res = await org.scim(`/Users/${U.ceo}`)
        expect(at(res.body, `urn:salesforce:schemas:extension:${ORG_ID}`)).toEqual({
            Cost_Center__c: 'CC-1000',
            Badge_Number__c: 1001,
        })
        expect(list(res.body, 'schemas')).toContain(`urn:salesforce:schemas:extension:${ORG_ID}`)
        const integration = await org.scim(`/Users/${U.integration}`)
        expect(integration.body).not.toHaveProperty(`urn:salesforce:schemas:extension:${ORG_ID}`)
    })
})
