import { describeChanges, missingAfterCreate, toCreatePlan } from '../../src/mapping/account-create'
import { InvalidRequestError } from '../../src/errors'
import { IDS, INACTIVE_USER, USER, withUser } from './fixtures'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const MINIMAL = {
    userName: 'avery@acme.example',
    email: 'avery@acme.example',
    familyName: 'Stone',
    profile: IDS.standardProfile,
}

describe('toCreatePlan', () => {
    it('builds one POST with the profile first, then permission sets, role, groups and defaults to active', () => {
        const plan = toCreatePlan({
            ...MINIMAL,
            givenName: 'Avery',
            alias: 'astone',
            title: 'Engineer',
            department: 'R&D',
            federationIdentifier: 'avery-fed',
            permissionSets: [IDS.salesCloud, IDS.apiEnabled],
            role: IDS.ceoRole,
            groups: IDS.westGroup,
            password: 'S3cret!pass',
        })
        expect(plan.user).toEqual({
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
            userName: 'avery@acme.example',
            emails: [{ type: 'work', primary: true, value: 'avery@acme.example' }],
            name: { familyName: 'Stone', givenName: 'Avery' },
            'urn:salesforce:schemas:extension:1.0': { alias: 'astone' },
            title: 'Engineer',
            [ENTERPRISE]: { department: 'R&D' },
            externalId: 'avery-fed',
            entitlements: [{ value: IDS.standardProfile }, { value: IDS.salesCloud }, { value: IDS.apiEnabled }],
            roles: [{ value: IDS.ceoRole }],
            groups: [{ value: IDS.westGroup }],
            active: true,
            password: 'S3cret!pass',
        })
        expect(plan).toMatchObject({
            profileId: IDS.standardProfile,
            permissionSetIds: [IDS.salesCloud, IDS.apiEnabled],
            groupIds: [IDS.westGroup],
            roleId: IDS.ceoRole,
        })
    })

    it.each([
        ['a profile given as a one-element list', { ...MINIMAL, profile: [IDS.standardProfile] }],
        ['a single permission set given as a string', { ...MINIMAL, permissionSets: IDS.salesCloud }],
        [
            'empty optional fields as null, empty text and empty lists',
            { ...MINIMAL, title: null, alias: '', groups: [], role: null },
        ],
        ['read-only attributes, which are ignored', { ...MINIMAL, displayName: 'Whatever', id: 'x' }],
    ])('accepts %s', (_label, attributes) => {
        const plan = toCreatePlan(attributes)
        expect(plan.profileId).toBe(IDS.standardProfile)
        expect(plan.user).not.toHaveProperty('title')
        expect(plan.user).not.toHaveProperty('displayName')
    })

    it.each([
        ['false', false],
        ['"false"', 'false'],
    ])('creates an inactive user when active is %s', (_label, active) => {
        expect(toCreatePlan({ ...MINIMAL, active }).user.active).toBe(false)
    })

    it('holds custom fields back for after the POST', () => {
        const plan = toCreatePlan({ ...MINIMAL, Cost_Center__c: 'CC-1', Is_Contractor__c: true })
        expect(plan.customFields).toEqual({ Cost_Center__c: 'CC-1', Is_Contractor__c: true })
        expect(JSON.stringify(plan.user)).not.toContain('Cost_Center__c')
    })

    it.each([
        [
            'nothing',
            {},
            /missing userName, email, familyName.*no profile: Salesforce requires exactly one profile per user: set `profile` in the create profile/,
        ],
        [
            'no profile',
            { ...MINIMAL, profile: undefined },
            /no profile: Salesforce requires exactly one profile per user: set `profile` in the create profile/,
        ],
        ['an empty profile', { ...MINIMAL, profile: '' }, /no profile/],
        [
            'two profiles',
            { ...MINIMAL, profile: [IDS.standardProfile, IDS.adminProfile] },
            /2 profiles \(00eRM000001VtbmYAC, 00eRM000001VtbnYAC\): Salesforce requires exactly one profile per user/,
        ],
        [
            'a permission set where the profile goes',
            { ...MINIMAL, profile: IDS.salesCloud },
            /profile: "0PSRM0000004aBcDEF" is not a Salesforce profile id.*starting with 00e/,
        ],
        [
            'a malformed permission set',
            { ...MINIMAL, permissionSets: ['0PS") or (id pr'] },
            /permissionSets: .* is not a Salesforce permission set id/,
        ],
        [
            'a malformed group',
            { ...MINIMAL, groups: '../Users' },
            /groups: "..\/Users" is not a Salesforce public group id/,
        ],
        ['two roles', { ...MINIMAL, role: [IDS.ceoRole, IDS.vpRole] }, /2 roles .* at most one role/],
        [
            'a manager that is not a user',
            { ...MINIMAL, manager: IDS.ceoRole },
            /manager: .* is not a Salesforce user id/,
        ],
        [
            'an unknown attribute',
            { ...MINIMAL, favouriteColour: 'blue' },
            /no attribute favouriteColour: remove it from the create profile/,
        ],
        ['an over-long last name', { ...MINIMAL, familyName: 'x'.repeat(81) }, /familyName: at most 80 characters/],
        [
            'a userName given as an object',
            { ...MINIMAL, userName: { value: 'x' } },
            /userName: expected text, got an object/,
        ],
        ['attributes that are not an object', 'userName=x', /`attributes` must be an object/],
    ])('refuses %s, saying what is wrong', (_label, attributes, message) => {
        expect(() => toCreatePlan(attributes)).toThrow(InvalidRequestError)
        expect(() => toCreatePlan(attributes)).toThrow(message)
    })

    it('names every problem at once', () => {
        expect(() => toCreatePlan({ userName: 'a@b.example', groups: 'bad' })).toThrow(
            /missing email, familyName .*; groups: "bad" is not a Salesforce public group id.*; no profile/
        )
    })
})

describe('missingAfterCreate', () => {
    const plan = toCreatePlan({
        ...MINIMAL,
        permissionSets: [IDS.salesCloud, IDS.reports],
        groups: [IDS.westGroup, IDS.eastGroup],
        role: IDS.vpRole,
        Cost_Center__c: 'CC-9',
    })

    it('lists what Salesforce did not apply, and nothing it did', () => {
        const missing = missingAfterCreate(plan, USER)
        expect(missing).toEqual([
            { kind: 'permissionSets', op: 'Add', ids: [IDS.reports] },
            { kind: 'groups', op: 'Add', ids: [IDS.eastGroup] },
            { kind: 'role', op: 'Set', id: IDS.vpRole },
            { kind: 'custom', op: 'Set', field: 'Cost_Center__c', value: 'CC-9' },
        ])
        expect(describeChanges(missing)).toBe(
            `permission sets ${IDS.reports}, groups ${IDS.eastGroup}, role ${IDS.vpRole}, field Cost_Center__c`
        )
    })

    it('finds nothing missing when the created user has everything', () => {
        const complete = withUser(INACTIVE_USER, {
            entitlements: [{ value: IDS.standardProfile }, { value: IDS.salesCloud }, { value: IDS.reports }],
            groups: [{ value: IDS.westGroup }, { value: IDS.eastGroup }],
            roles: [{ value: IDS.vpRole }],
        })
        expect(missingAfterCreate({ ...plan, customFields: {} }, complete)).toEqual([])
    })
})
