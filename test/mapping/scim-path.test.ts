import { scimPath } from '../../src/mapping/scim-path'
import { toAccountAttributes } from '../../src/mapping/account'
import { PLAIN_ATTRIBUTES } from '../../src/mapping/account-changes'
import { ACCOUNT_ATTRIBUTE_TABLE, ACCOUNT_ATTRIBUTES, attributeSpec, isRestAttribute } from '../../src/schema'
import { USER } from './fixtures'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

describe('scimPath', () => {
    it.each([
        ['title', { title: 'v' }],
        ['name.givenName', { name: { givenName: 'v' } }],
        [`${ENTERPRISE}:manager.value`, { [ENTERPRISE]: { manager: { value: 'v' } } }],
        ['urn:salesforce:schemas:extension:1.0:alias', { 'urn:salesforce:schemas:extension:1.0': { alias: 'v' } }],
        ['phoneNumbers[type eq "work"].value', { phoneNumbers: [{ type: 'work', value: 'v' }] }],
        ['emails[type eq "work" and primary eq true].value', { emails: [{ type: 'work', primary: true, value: 'v' }] }],
    ])('writes %s as %j, and reads back what it wrote', (path, written) => {
        expect(scimPath(path).write('v')).toEqual(written)
        expect(scimPath(path).read(written)).toBe('v')
    })

    it('reads a filtered item whatever the case of its members, and nothing where there is none', () => {
        const phone = scimPath('phoneNumbers[type eq "mobile"].value')
        expect(
            phone.read({
                phoneNumbers: [
                    { type: 'work', value: '1' },
                    { type: 'Mobile', value: '2' },
                ],
            })
        ).toBe('2')
        expect(phone.read({ phoneNumbers: [{ type: 'work', value: '1' }] })).toBeUndefined()
        expect(phone.read({})).toBeUndefined()
        expect(scimPath('emails[primary eq true].value').read({ emails: [{ value: 'a', primary: 'true' }] })).toBe('a')
    })

    it.each(['a..b', 'emails[type co "w"].value', 'emails[type eq "work"]', 'a b'])('refuses the path %s', (path) => {
        expect(() => scimPath(path)).toThrow(/SCIM path/)
    })
})

describe('the attribute table', () => {
    it('reads every attribute of a user at its SCIM path, except those whose reading says more', () => {
        const attributes = toAccountAttributes(USER)
        const special = ['id', 'userName', 'email', 'active', 'profile', 'permissionSets', 'role', 'groups']
        for (const name of ACCOUNT_ATTRIBUTES.filter((n) => !special.includes(n))) {
            const spec = attributeSpec(name)
            if (isRestAttribute(spec)) continue
            expect([name, scimPath(spec.scim).read(USER) ?? null]).toEqual([name, attributes[name]])
        }
    })

    it('writes each text attribute at the path it is read from', () => {
        for (const [name, plain] of Object.entries(PLAIN_ATTRIBUTES)) {
            const spec = attributeSpec(name as keyof typeof ACCOUNT_ATTRIBUTE_TABLE)
            if (isRestAttribute(spec)) throw new Error(`${name} is read through REST, not SCIM`)
            const path = scimPath(spec.scim)
            expect([name, path.read(plain.set('x'))]).toEqual([name, 'x'])
        }
    })

    it('has a text write for every attribute an update can set, and none for entitlements or computed ones', () => {
        expect(Object.keys(PLAIN_ATTRIBUTES).sort()).toEqual(
            ACCOUNT_ATTRIBUTES.filter((name) => attributeSpec(name).write.kind === 'text').sort()
        )
        for (const name of ACCOUNT_ATTRIBUTES) {
            const { write, entitlement } = attributeSpec(name)
            const entitlementWrite = write.kind === 'entitlement' || write.kind === 'restEntitlement'
            expect([name, entitlementWrite]).toEqual([name, entitlement !== undefined])
        }
    })
})
