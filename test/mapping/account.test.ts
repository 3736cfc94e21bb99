import { toAccount, toAccountAttributes, orgIdOf, userEntitlements } from '../../src/mapping/account'
import { ACCOUNT_ATTRIBUTES, AccountAttribute, attributeSpec, isRestAttribute } from '../../src/schema'
import { IDS, INACTIVE_USER, USER, withUser } from './fixtures'

describe('toAccountAttributes', () => {
    const attributes = toAccountAttributes(USER)

    it.each([
        ['id', IDS.user],
        ['userName', 'scimuser@mycompany.com'],
        ['email', 'user@mycompany.com'],
        ['givenName', 'User'],
        ['familyName', 'Scim'],
        ['displayName', 'User Scim'],
        ['nickName', 'scimUser@mycompany.com'],
        ['alias', 'uscim'],
        ['title', null],
        ['department', 'Sales'],
        ['division', 'Americas'],
        ['employeeNumber', 'E-1042'],
        ['active', true],
        ['profile', IDS.adminProfile],
        ['permissionSets', [IDS.salesCloud]],
        ['role', IDS.ceoRole],
        ['groups', [IDS.westGroup]],
        ['manager', IDS.manager],
        ['managerName', 'Mona Manager'],
        ['federationIdentifier', 'scimUser'],
        ['userType', 'Standard'],
        ['locale', 'en_US'],
        ['timezone', 'America/Los_Angeles'],
        ['preferredLanguage', 'en_US'],
        ['phone', '+1 415 555 0100'],
        ['mobilePhone', '+1 415 555 0199'],
        ['created', '2020-10-25T09:27:40Z'],
        ['lastModified', '2020-10-25T09:27:40Z'],
    ])('maps %s from the Salesforce user', (name, expected) => {
        expect(attributes[name]).toEqual(expected)
    })

    it.each([
        ['Cost_Center__c', 'CC-100'],
        ['Badge_Number__c', 4711],
        ['Is_Contractor__c', false],
    ])('adds the org custom field %s under its own name', (name, expected) => {
        expect(attributes[name]).toEqual(expected)
    })

    it('emits every account attribute of the schema read from SCIM, and only custom fields besides', () => {
        const extra = Object.keys(attributes).filter(
            (name) => !(ACCOUNT_ATTRIBUTES as readonly string[]).includes(name)
        )
        expect(extra.sort()).toEqual(['Badge_Number__c', 'Cost_Center__c', 'Is_Contractor__c'])
        // The attributes only the REST API reads come from the REST mapping (rest-account.test.ts).
        const scimAttributes = ACCOUNT_ATTRIBUTES.filter((name) => !isRestAttribute(attributeSpec(name)))
        for (const name of scimAttributes) expect(attributes).toHaveProperty(name)
        for (const name of ACCOUNT_ATTRIBUTES)
            if (!scimAttributes.includes(name)) expect(attributes).not.toHaveProperty(name)
    })

    it('never emits a nested object', () => {
        for (const value of Object.values(attributes)) {
            expect(
                value === null || ['string', 'boolean', 'number'].includes(typeof value) || Array.isArray(value)
            ).toBe(true)
        }
    })

    it.each([
        ['a primary email given as the string "true"', INACTIVE_USER, 'mona@mycompany.com'],
        [
            'the first email when none is primary',
            withUser(USER, { emails: [{ value: 'a@x.example' }, { value: 'b@x.example' }] }),
            'a@x.example',
        ],
        ['null when the user has no email', withUser(USER, { emails: undefined }), null],
    ])('picks %s', (_label, user, expected) => {
        expect(toAccountAttributes(user).email).toBe(expected)
    })

    it.each([
        [
            'no role, groups or permission sets as null and empty lists',
            INACTIVE_USER,
            { role: null, groups: [], permissionSets: [] },
        ],
        [
            'entitlements by Id prefix even when their type is missing',
            withUser(USER, { entitlements: [{ value: IDS.salesCloud }, { value: IDS.standardProfile }] }),
            { profile: IDS.standardProfile, permissionSets: [IDS.salesCloud] },
        ],
        [
            'entitlements by type when the Id prefix says nothing',
            withUser(USER, { entitlements: [{ value: 'X' + IDS.standardProfile.slice(1), type: 'Profile' }] }),
            { profile: 'X' + IDS.standardProfile.slice(1), permissionSets: [] },
        ],
    ])('maps %s', (_label, user, expected) => {
        expect(toAccountAttributes(user)).toMatchObject(expected)
    })

    it('lets no custom field shadow a fixed attribute', () => {
        const user = withUser(USER, {
            [`urn:salesforce:schemas:extension:${IDS.org}`]: { userName: 'evil', Nested__c: { a: 1 } },
        })
        const mapped = toAccountAttributes(user)
        expect(mapped.userName).toBe('scimuser@mycompany.com')
        expect(mapped).not.toHaveProperty('Nested__c')
    })

    it("gives each account exactly its own custom fields, in Salesforce's order, whatever the users before it had", () => {
        const withCustom = (fields: Record<string, unknown>) =>
            withUser(USER, { [`urn:salesforce:schemas:extension:${IDS.org}`]: fields })
        const fixed = ACCOUNT_ATTRIBUTES as readonly string[]
        const customKeys = (fields: Record<string, unknown>) =>
            Object.keys(toAccountAttributes(withCustom(fields))).filter((k) => !fixed.includes(k))
        const users: [Record<string, unknown>, Record<string, unknown>][] = [
            [
                { B__c: 'b', A__c: 1 },
                { B__c: 'b', A__c: 1 },
            ],
            [
                { A__c: 2, B__c: 'c' },
                { A__c: 2, B__c: 'c' },
            ],
            [{ B__c: 'd' }, { B__c: 'd' }],
            [
                { B__c: 'e', A__c: 1 },
                { B__c: 'e', A__c: 1 },
            ],
            [
                { C__c: 1.5, Nested__c: { a: 1 }, D__c: null },
                { C__c: '1.5', D__c: null },
            ],
            [{}, {}],
            [JSON.parse('{"__proto__":"x","E__c":true}') as Record<string, unknown>, { E__c: true }],
        ]
        for (const [fields, expected] of users) {
            const mapped = toAccountAttributes(withCustom(fields))
            expect(customKeys(fields)).toEqual(Object.keys(expected))
            expect(Object.fromEntries(Object.keys(expected).map((k) => [k, mapped[k]]))).toEqual(expected)
            // The SCIM attributes first, in the table's order; those only REST reads are not on a SCIM mapping.
            const scimFixed = fixed.filter((name) => !isRestAttribute(attributeSpec(name as AccountAttribute)))
            expect(Object.keys(mapped).slice(0, scimFixed.length)).toEqual(scimFixed)
        }
    })
})

describe('toAccount', () => {
    it.each([
        ['an active user as enabled', USER, false],
        ['an inactive user as disabled, never active', INACTIVE_USER, true],
    ])('reports %s', (_label, user, disabled) => {
        const account = toAccount(user)
        expect(account.disabled).toBe(disabled)
        expect(account.attributes.active).toBe(!disabled)
        expect(account.locked).toBe(false)
    })

    it('keys the account by the Salesforce user Id', () => {
        expect(toAccount(USER)).toMatchObject({ key: { simple: { id: IDS.user } }, identity: IDS.user })
    })
})

describe('orgIdOf and userEntitlements', () => {
    it.each([
        ['the enterprise organization', USER, IDS.org],
        [
            'the custom-field URN when the enterprise block has none',
            withUser(USER, { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {} }),
            IDS.org,
        ],
        [
            'nothing when neither is there',
            withUser(INACTIVE_USER, { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': undefined }),
            undefined,
        ],
    ])('finds the org Id from %s', (_label, user, expected) => {
        expect(orgIdOf(user)).toBe(expected)
    })

    it('keeps the first profile and each permission set once', () => {
        const user = withUser(USER, {
            entitlements: [
                { value: IDS.adminProfile },
                { value: IDS.salesCloud },
                { value: IDS.salesCloud },
                { value: IDS.standardProfile },
            ],
        })
        expect(userEntitlements(user)).toEqual({ profile: IDS.adminProfile, permissionSets: [IDS.salesCloud] })
    })
})
