import {
    entitlementKindOf,
    fromScimEntitlement,
    fromScimGroup,
    fromScimRole,
    requireEntitlementType,
} from '../../src/mapping/entitlement'
import { InvalidRequestError } from '../../src/errors'

describe('entitlementKindOf', () => {
    it.each([
        ['00eRM000001VtbnYAC', undefined, 'profile'],
        ['0PSRM0000004aBcDEF', undefined, 'permissionSet'],
        ['00eRM000001VtbnYAC', 'Permission Set', 'profile'],
        ['X00000000000000AAA', 'Profile', 'profile'],
        ['X00000000000000AAA', 'Permission Set', 'permissionSet'],
        ['X00000000000000AAA', 'PermissionSet', 'permissionSet'],
        ['00ERM000000abcdEAA', undefined, undefined],
        ['X00000000000000AAA', 'Something', undefined],
    ])('classes %s (type %s) as %s', (id, type, kind) => {
        expect(entitlementKindOf(id, type)).toBe(kind)
    })
})

describe('requireEntitlementType', () => {
    it.each(['profile', 'permissionSet', 'role', 'group'])('accepts %s', (type) => {
        expect(requireEntitlementType(type)).toBe(type)
    })

    it.each(['superuser', 'Profile', '', 42, undefined])('refuses %p, naming the valid types', (type) => {
        expect(() => requireEntitlementType(type)).toThrow(InvalidRequestError)
        expect(() => requireEntitlementType(type)).toThrow(/profile, permissionSet, role, group/)
    })

    it.each([undefined, null, ''])('says `type` is required when it is %p, not "Unknown entitlement type"', (type) => {
        expect(() => requireEntitlementType(type)).toThrow(
            'The entitlement type is required: set `type` to one of profile, permissionSet, role, group'
        )
    })
})

describe('entitlement outputs', () => {
    const meta = { lastModified: '2020-10-25T09:27:40Z' }

    it.each([
        [
            'a profile',
            fromScimEntitlement('profile', {
                id: '00eRM000001VtbnYAC',
                displayName: 'System Administrator',
                type: 'Profile',
                meta,
            }),
            {
                type: 'profile',
                attributes: {
                    id: '00eRM000001VtbnYAC',
                    name: 'System Administrator',
                    type: 'Profile',
                    lastModified: meta.lastModified,
                },
            },
        ],
        [
            'a permission set without a type',
            fromScimEntitlement('permissionSet', { id: '0PSRM0000004aBcDEF', displayName: 'Sales Cloud User' }),
            {
                type: 'permissionSet',
                attributes: {
                    id: '0PSRM0000004aBcDEF',
                    name: 'Sales Cloud User',
                    type: 'Permission Set',
                    lastModified: null,
                },
            },
        ],
        [
            'a role',
            fromScimRole({ id: '00ERM000000abcdEAA', displayName: 'CEO', meta }),
            { type: 'role', attributes: { id: '00ERM000000abcdEAA', name: 'CEO', lastModified: meta.lastModified } },
        ],
        [
            'a public group',
            fromScimGroup({ id: '00G4W000006IKBnUAO', displayName: 'mycompany-West', type: 'Regular', meta }),
            {
                type: 'group',
                attributes: {
                    id: '00G4W000006IKBnUAO',
                    name: 'mycompany-West',
                    groupType: 'Regular',
                    lastModified: meta.lastModified,
                },
            },
        ],
    ])('maps %s, keyed by its Id', (_label, output, expected) => {
        expect(output).toEqual({
            ...expected,
            key: { simple: { id: expected.attributes.id } },
            identity: expected.attributes.id,
        })
    })
})
