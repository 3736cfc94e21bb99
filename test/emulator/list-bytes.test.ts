import { SEED } from '../../emulator'
import { at, f, list, patchBody, useOrg } from './helpers'

const U = SEED.users

/** A listed user is answered from bytes kept until the org changes: every change must show on the next list. */
describe('emulator GET /Users after changes', () => {
    const org = useOrg()
    const listed = async (query: string, headers: Record<string, string> = {}): Promise<unknown> => {
        const res = await org.scim(`/Users?${query}`, { headers })
        expect(res.status).toBe(200)
        return list(res.body, 'Resources').find((u) => at(u, 'id') === U.salesManagerWest)
    }
    const query = `${f(`id ge "${U.salesManagerWest}"`)}&count=5`

    it('shows a PATCH of the user on the next page asked for', async () => {
        expect(at(await listed(query), 'title')).not.toBe('Head of West Sales')
        const res = await org.scim(`/Users/${U.salesManagerWest}`, {
            method: 'PATCH',
            body: patchBody({ op: 'replace', value: { title: 'Head of West Sales' } }),
        })
        expect(res.status).toBe(200)
        expect(at(await listed(query), 'title')).toBe('Head of West Sales')
    })

    it('shows a group membership removed through /Groups in the user’s groups', async () => {
        const groupId = String(at(list(await listed(query), 'groups')[0], 'value'))
        const res = await org.scim(`/Groups/${groupId}`, {
            method: 'PATCH',
            body: patchBody({ op: 'remove', path: 'members', value: { members: [{ value: U.salesManagerWest }] } }),
        })
        expect(res.status).toBeLessThan(300)
        const after = await listed(query)
        expect(list(after, 'groups').map((g) => at(g, 'value'))).not.toContain(groupId)
    })

    it('projects each request its own way and pretty-prints when asked', async () => {
        const only = await listed(`${query}&attributes=userName`)
        expect(Object.keys(only as object).sort()).toEqual(['id', 'meta', 'schemas', 'userName'])
        const full = await listed(query)
        expect(at(full, 'title')).toBe('Head of West Sales')
        const pretty = await org.scim(`/Users?${query}&attributes=userName`, { headers: { 'X-PrettyPrint': '1' } })
        expect(pretty.text).toContain('\n  "totalResults"')
        const compact = await org.scim(`/Users?${query}&attributes=userName`)
        expect(JSON.parse(pretty.text)).toEqual(JSON.parse(compact.text))
        expect(compact.text).toBe(JSON.stringify(JSON.parse(compact.text)))
    })
})
