import { FIXED_ACCOUNT_ATTRIBUTES, iscTypeOf, toAccountSchema } from '../../src/mapping/account-schema'
import { ACCOUNT_ATTRIBUTES, ENTITLEMENT_ATTRIBUTE, ENTITLEMENT_TYPES } from '../../src/schema'
import schemas from '../fixtures/handlers/scim/schemas.json'

describe('the fixed account attributes', () => {
    it('are ACCOUNT_ATTRIBUTES, in order', () => {
        expect(FIXED_ACCOUNT_ATTRIBUTES.map((attribute) => attribute.name)).toEqual([...ACCOUNT_ATTRIBUTES])
    })

    it.each(ENTITLEMENT_TYPES.map((type) => [ENTITLEMENT_ATTRIBUTE[type], type]))(
        'mark %s as a managed entitlement of type %s',
        (name, type) => {
            const attribute = FIXED_ACCOUNT_ATTRIBUTES.find((a) => a.name === name)
            expect(attribute).toMatchObject({ entitlement: true, managed: true, schemaObjectType: type })
            // Every entitlement attribute but the profile and the role (one each per user) is multi-valued.
            expect(attribute?.multi).toBe(name !== 'profile' && name !== 'role')
        }
    )
})

describe('iscTypeOf', () => {
    it.each([
        ['boolean', 'boolean'],
        ['integer', 'int'],
        ['string', 'string'],
        ['decimal', 'string'],
        ['dateTime', 'string'],
        [undefined, 'string'],
    ])('maps SCIM %s to %s', (scim, isc) => {
        expect(iscTypeOf(scim)).toBe(isc)
    })
})

describe('toAccountSchema', () => {
    const schema = toAccountSchema(schemas)

    it('keys accounts by id, shows userName and groups by groups', () => {
        expect(schema).toMatchObject({
            identityAttribute: 'id',
            displayAttribute: 'userName',
            groupAttribute: 'groups',
        })
    })

    it('adds the scalar custom fields of the org extension with their ISC types, after the fixed attributes', () => {
        expect(schema.attributes.slice(FIXED_ACCOUNT_ATTRIBUTES.length)).toEqual([
            { name: 'Cost_Center__c', type: 'string', description: 'Cost center' },
            { name: 'Badge_Number__c', type: 'int', description: 'Badge_Number__c' },
            { name: 'Is_Contractor__c', type: 'boolean', description: 'Contractor flag' },
        ])
    })

    it('has only the fixed attributes when the org has no custom-field extension', () => {
        expect(toAccountSchema([]).attributes.map((a) => a.name)).toEqual([...ACCOUNT_ATTRIBUTES])
    })
})
