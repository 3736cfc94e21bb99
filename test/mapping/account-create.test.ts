import { describeChanges, missingAfterCreate, toCreatePlan } from '../../src/mapping/account-create'
import { InvalidRequestError } from '../../src/errors'
import { IDS, INACTIVE_USER, USER, withUser } from './fixtures'
import { MINIMAL_CREATE as MINIMAL } from '../helpers/account-inputs'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

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
            'urn:salesforce:schemas:extension:2.0': { alias: 'astone' },
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
        ['a userName given as a number', { ...MINIMAL, userName: 12345 }, /userName: expected text, got number 12345/],
        [
            'a userName not in email form',
            { ...MINIMAL, userName: 'avery stone@acme.example' },
            /userName: .* is not in email form/,
        ],
        ['a userName without a dotted domain', { ...MINIMAL, userName: 'avery@acme' }, /not in email form/],
        [
            'a userName with a control character',
            { ...MINIMAL, userName: 'avery\u0007@acme.example' },
            /control character/,
        ],
        [
            'a userName over 80 characters',
            { ...MINIMAL, userName: `${'a'.repeat(70)}@acme.example` },
            /userName: at most 80 characters in Salesforce, got 83/,
        ],
        ['a nickName over 40 characters', { ...MINIMAL, nickName: 'n'.repeat(41) }, /nickName: at most 40 characters/],
    ])('refuses %s, saying what is wrong', (_label, attributes, message) => {
        expect(() => toCreatePlan(attributes)).toThrow(InvalidRequestError)
        expect(() => toCreatePlan(attributes)).toThrow(message)
    })

    it('sends a 15-character profile, permission set and group id in its 18-character form', () => {
        const plan = toCreatePlan({
            ...MINIMAL,
            profile: '00eRM000001Vtbm',
            permissionSets: '0PSRM0000004aBe',
            groups: '00G4W000006IKBn',
        })
        expect(plan.user.entitlements).toEqual([{ value: '00eRM000001VtbmYAC' }, { value: '0PSRM0000004aBe4AI' }])
        expect(plan.user.groups).toEqual([{ value: '00G4W000006IKBnUAO' }])
    })

    it('takes the Default Profile ID when the create profile sets no profile (issue 17)', () => {
        for (const profile of [undefined, null, '', []]) {
            const plan = toCreatePlan({ ...MINIMAL, profile }, { defaultProfileId: '00eRM000001Vtbm' })
            expect(plan.profileId).toBe(IDS.standardProfile)
            expect(plan.user.entitlements).toEqual([{ value: IDS.standardProfile }])
        }
        expect(toCreatePlan(MINIMAL, { defaultProfileId: IDS.adminProfile }).profileId).toBe(IDS.standardProfile)
    })

    it('refuses a create with no profile anywhere, naming both places to set one', () => {
        expect(() => toCreatePlan({ ...MINIMAL, profile: '' }, {})).toThrow(
            /no profile: .*set `profile` in the create profile, or Default Profile ID in the source configuration/
        )
    })

    it('sets a nickName of 40 characters for a userName longer than that, as Salesforce holds no more (R12)', () => {
        const userName = `${'avery.stone.contractor'}@subsidiary.acme-corporation.example`
        expect(userName.length).toBeGreaterThan(40)
        const plan = toCreatePlan({ ...MINIMAL, userName })
        expect(plan.user.nickName).toBe(userName.slice(0, 40))
        expect(toCreatePlan({ ...MINIMAL, userName, nickName: 'astone' }).user.nickName).toBe('astone')
        expect(toCreatePlan({ ...MINIMAL, userName: 'a'.repeat(27) + '@acme.example' }).user).not.toHaveProperty(
            'nickName'
        )
    })

    it('sends the alias under both extension URNs Salesforce reads it from on create (R10)', () => {
        const plan = toCreatePlan({ ...MINIMAL, alias: 'astone' })
        expect(plan.user).toMatchObject({
            'urn:salesforce:schemas:extension:1.0': { alias: 'astone' },
            'urn:salesforce:schemas:extension:2.0': { alias: 'astone' },
        })
        expect(plan.user.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User'])
        expect(toCreatePlan(MINIMAL).user).not.toHaveProperty(['urn:salesforce:schemas:extension:2.0'])
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

    it('counts what Salesforce applied whichever id length the create profile used', () => {
        const short = toCreatePlan({
            ...MINIMAL,
            permissionSets: IDS.salesCloud.slice(0, 15),
            groups: IDS.westGroup.slice(0, 15),
            role: IDS.ceoRole.slice(0, 15),
        })
        expect(missingAfterCreate(short, USER)).toEqual([])
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
