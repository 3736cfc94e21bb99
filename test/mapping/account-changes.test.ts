import { parseChanges, planAccountChanges } from '../../src/mapping/account-changes'
import { InvalidRequestError } from '../../src/errors'
import { ScimUser } from '../../src/salesforce/types'
import { IDS, INACTIVE_USER, USER, withUser } from './fixtures'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const CUSTOM = `urn:salesforce:schemas:extension:${IDS.org}`

/** USER with two permission sets (Sales Cloud, API Enabled), the admin profile, the CEO role and the West group. */
const TWO_SETS = withUser(USER, {
    entitlements: [
        { value: IDS.adminProfile, type: 'Profile', primary: true },
        { value: IDS.salesCloud, type: 'Permission Set' },
        { value: IDS.apiEnabled, type: 'Permission Set' },
    ],
})

function plan(user: ScimUser, changes: unknown, defaultProfileId?: string) {
    return planAccountChanges(user, parseChanges(changes), defaultProfileId ? { defaultProfileId } : {})
}

function operationsOf(user: ScimUser, changes: unknown, defaultProfileId?: string) {
    return plan(user, changes, defaultProfileId).operations
}

describe('permission set changes', () => {
    it.each([
        [
            'Add sends only the permission set not yet assigned, leaving the others',
            [{ op: 'Add', attribute: 'permissionSets', value: [IDS.salesCloud, IDS.reports] }],
            [{ op: 'add', value: { entitlements: [{ value: IDS.reports }] } }],
        ],
        [
            'Add of an assigned permission set sends nothing',
            [{ op: 'Add', attribute: 'permissionSets', value: IDS.apiEnabled }],
            [],
        ],
        [
            'Remove replaces with the profile and the permission sets that remain',
            [{ op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud }],
            [{ op: 'replace', value: { entitlements: [{ value: IDS.adminProfile }, { value: IDS.apiEnabled }] } }],
        ],
        [
            'Remove of every permission set clears them with an empty replace',
            [{ op: 'Remove', attribute: 'permissionSets', value: [IDS.salesCloud, IDS.apiEnabled] }],
            [{ op: 'replace', value: { entitlements: [] } }],
        ],
        [
            'Remove without a value clears them all',
            [{ op: 'Remove', attribute: 'permissionSets' }],
            [{ op: 'replace', value: { entitlements: [] } }],
        ],
        [
            'Remove of a permission set the user lacks sends nothing',
            [{ op: 'Remove', attribute: 'permissionSets', value: IDS.reports }],
            [],
        ],
        [
            'Set replaces with the profile and exactly the listed permission sets',
            [{ op: 'Set', attribute: 'permissionSets', value: [IDS.apiEnabled, IDS.reports] }],
            [
                {
                    op: 'replace',
                    value: {
                        entitlements: [{ value: IDS.adminProfile }, { value: IDS.apiEnabled }, { value: IDS.reports }],
                    },
                },
            ],
        ],
        [
            'Set to a superset only adds',
            [{ op: 'Set', attribute: 'permissionSets', value: [IDS.salesCloud, IDS.apiEnabled, IDS.reports] }],
            [{ op: 'add', value: { entitlements: [{ value: IDS.reports }] } }],
        ],
        [
            'Add then Remove in one request nets out to one replace',
            [
                { op: 'Add', attribute: 'permissionSets', value: IDS.reports },
                { op: 'Remove', attribute: 'permissionSets', value: IDS.salesCloud },
            ],
            [
                {
                    op: 'replace',
                    value: {
                        entitlements: [{ value: IDS.adminProfile }, { value: IDS.apiEnabled }, { value: IDS.reports }],
                    },
                },
            ],
        ],
    ])('%s', (_label, changes, expected) => {
        expect(operationsOf(TWO_SETS, changes)).toEqual(expected)
    })
})

describe('profile changes', () => {
    it.each([
        [
            'Set swaps the profile with a replace that lists only the profile',
            [{ op: 'Set', attribute: 'profile', value: IDS.standardProfile }],
            undefined,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } }],
        ],
        [
            'Add with a one-element list swaps it too',
            [{ op: 'Add', attribute: 'profile', value: [IDS.standardProfile] }],
            undefined,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } }],
        ],
        [
            'Set to the current profile sends nothing',
            [{ op: 'Set', attribute: 'profile', value: IDS.adminProfile }],
            undefined,
            [],
        ],
        [
            'Remove moves the user to the Default Profile',
            [{ op: 'Remove', attribute: 'profile', value: IDS.adminProfile }],
            IDS.standardProfile,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } }],
        ],
        [
            'Remove without a value moves the user to the Default Profile',
            [{ op: 'Remove', attribute: 'profile' }],
            IDS.standardProfile,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } }],
        ],
        [
            'Remove of the profile and Add of another in one request swaps without a Default Profile',
            [
                { op: 'Remove', attribute: 'profile', value: IDS.adminProfile },
                { op: 'Add', attribute: 'profile', value: IDS.standardProfile },
            ],
            undefined,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } }],
        ],
        [
            'Set to nothing moves the user to the Default Profile',
            [{ op: 'Set', attribute: 'profile', value: null }],
            IDS.standardProfile,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } }],
        ],
        [
            'Remove of a profile the user does not have sends nothing',
            [{ op: 'Remove', attribute: 'profile', value: IDS.standardProfile }],
            undefined,
            [],
        ],
        [
            'a profile swap with a permission set removal lists the new profile and the remaining sets',
            [
                { op: 'Set', attribute: 'profile', value: IDS.standardProfile },
                { op: 'Remove', attribute: 'permissionSets', value: IDS.apiEnabled },
            ],
            undefined,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }, { value: IDS.salesCloud }] } }],
        ],
        [
            'a profile swap that also clears every permission set sends the clear, then the swap',
            [
                { op: 'Set', attribute: 'profile', value: IDS.standardProfile },
                { op: 'Set', attribute: 'permissionSets', value: [] },
            ],
            undefined,
            [
                { op: 'replace', value: { entitlements: [] } },
                { op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } },
            ],
        ],
        [
            'a profile swap with a permission set add swaps and then adds',
            [
                { op: 'Set', attribute: 'profile', value: IDS.standardProfile },
                { op: 'Add', attribute: 'permissionSets', value: IDS.reports },
            ],
            undefined,
            [
                { op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } },
                { op: 'add', value: { entitlements: [{ value: IDS.reports }] } },
            ],
        ],
    ])('%s', (_label, changes, defaultProfileId, expected) => {
        expect(operationsOf(TWO_SETS, changes, defaultProfileId)).toEqual(expected)
    })

    it.each([
        [
            'Remove without a Default Profile, saying a profile is required and how to fix it',
            [{ op: 'Remove', attribute: 'profile', value: IDS.adminProfile }],
            undefined,
            /must keep a profile.*Default Profile.*Set another profile/,
        ],
        [
            'Remove of the Default Profile itself',
            [{ op: 'Remove', attribute: 'profile', value: IDS.adminProfile }],
            IDS.adminProfile,
            /Default Profile.*must keep a profile/,
        ],
    ])('refuses %s', (_label, changes, defaultProfileId, message) => {
        expect(() => plan(TWO_SETS, changes, defaultProfileId)).toThrow(InvalidRequestError)
        expect(() => plan(TWO_SETS, changes, defaultProfileId)).toThrow(message)
    })
})

describe('group and role changes', () => {
    it.each([
        [
            'Add joins only groups the user is not in',
            [{ op: 'Add', attribute: 'groups', value: [IDS.westGroup, IDS.eastGroup] }],
            [IDS.eastGroup],
            [],
        ],
        ['Remove leaves the group', [{ op: 'Remove', attribute: 'groups', value: IDS.westGroup }], [], [IDS.westGroup]],
        [
            'Set joins and leaves by difference',
            [{ op: 'Set', attribute: 'groups', value: [IDS.eastGroup] }],
            [IDS.eastGroup],
            [IDS.westGroup],
        ],
        ['Set to the same groups changes nothing', [{ op: 'Set', attribute: 'groups', value: IDS.westGroup }], [], []],
    ])('%s', (_label, changes, addToGroups, removeFromGroups) => {
        expect(plan(USER, changes)).toEqual({ operations: [], addToGroups, removeFromGroups })
    })

    it.each([
        [
            'Set replaces the role',
            USER,
            [{ op: 'Set', attribute: 'role', value: IDS.vpRole }],
            [{ op: 'replace', value: { roles: [{ value: IDS.vpRole }] } }],
        ],
        [
            'Add on a user without a role sets it',
            INACTIVE_USER,
            [{ op: 'Add', attribute: 'role', value: [IDS.vpRole] }],
            [{ op: 'replace', value: { roles: [{ value: IDS.vpRole }] } }],
        ],
        [
            'Remove clears the role with a remove path',
            USER,
            [{ op: 'Remove', attribute: 'role', value: IDS.ceoRole }],
            [{ op: 'remove', path: 'roles' }],
        ],
        [
            'Remove without a value clears the role',
            USER,
            [{ op: 'Remove', attribute: 'role' }],
            [{ op: 'remove', path: 'roles' }],
        ],
        [
            'Set to nothing clears the role',
            USER,
            [{ op: 'Set', attribute: 'role', value: null }],
            [{ op: 'remove', path: 'roles' }],
        ],
        ['Remove of another role sends nothing', USER, [{ op: 'Remove', attribute: 'role', value: IDS.vpRole }], []],
        ['Set to the current role sends nothing', USER, [{ op: 'Set', attribute: 'role', value: IDS.ceoRole }], []],
        ['Remove on a user without a role sends nothing', INACTIVE_USER, [{ op: 'Remove', attribute: 'role' }], []],
    ])('%s', (_label, user, changes, expected) => {
        expect(operationsOf(user, changes)).toEqual(expected)
    })
})

describe('plain attribute changes', () => {
    it.each([
        ['title', 'Set', 'CTO', { op: 'replace', value: { title: 'CTO' } }],
        ['givenName', 'Set', 'Ursula', { op: 'replace', value: { name: { givenName: 'Ursula' } } }],
        [
            'email',
            'Set',
            'u@x.example',
            { op: 'replace', value: { emails: [{ type: 'work', primary: true, value: 'u@x.example' }] } },
        ],
        [
            'alias',
            'Set',
            'ursc',
            { op: 'replace', value: { 'urn:salesforce:schemas:extension:1.0': { alias: 'ursc' } } },
        ],
        ['department', 'Set', 'R&D', { op: 'replace', value: { [ENTERPRISE]: { department: 'R&D' } } }],
        [
            'manager',
            'Set',
            IDS.manager,
            { op: 'replace', value: { [ENTERPRISE]: { manager: { value: IDS.manager } } } },
        ],
        ['federationIdentifier', 'Set', 'fed-1', { op: 'replace', value: { externalId: 'fed-1' } }],
        [
            'phone',
            'Set',
            '+33 1 23 45 67 89',
            { op: 'replace', value: { phoneNumbers: [{ type: 'work', value: '+33 1 23 45 67 89' }] } },
        ],
        ['locale', 'Set', 'fr_FR', { op: 'replace', value: { locale: 'fr_FR' } }],
        ['employeeNumber', 'Set', 4242, { op: 'replace', value: { [ENTERPRISE]: { employeeNumber: '4242' } } }],
        ['active', 'Set', false, { op: 'replace', value: { active: false } }],
        ['active', 'Set', 'true', { op: 'replace', value: { active: true } }],
        ['active', 'Remove', undefined, { op: 'replace', value: { active: false } }],
        ['Cost_Center__c', 'Set', 'CC-200', { op: 'replace', value: { [CUSTOM]: { Cost_Center__c: 'CC-200' } } }],
        ['Is_Contractor__c', 'Set', true, { op: 'replace', value: { [CUSTOM]: { Is_Contractor__c: true } } }],
        ['title', 'Remove', undefined, { op: 'remove', path: 'title' }],
        ['givenName', 'Remove', undefined, { op: 'remove', path: 'givenName' }],
        ['manager', 'Remove', undefined, { op: 'remove', path: 'manager' }],
        ['nickName', 'Set', null, { op: 'remove', path: 'nickName' }],
        ['department', 'Remove', 'Sales', { op: 'replace', value: { [ENTERPRISE]: { department: '' } } }],
        ['Cost_Center__c', 'Remove', undefined, { op: 'remove', path: `${CUSTOM}:Cost_Center__c` }],
    ])('%s %s %j becomes %j', (attribute, op, value, expected) => {
        expect(operationsOf(USER, [{ op, attribute, value }])).toEqual([expected])
    })

    it.each([
        ['title', 'Remove', 'Some other title'],
        ['department', 'Remove', 'Marketing'],
        ['Cost_Center__c', 'Remove', 'CC-999'],
    ])('%s %s of a value the user does not have sends nothing', (attribute, op, value) => {
        expect(operationsOf(USER, [{ op, attribute, value }])).toEqual([])
    })

    it('merges every attribute change into one replace, then role, entitlements and removals in one PATCH', () => {
        const operations = operationsOf(TWO_SETS, [
            { op: 'Set', attribute: 'givenName', value: 'Ursula' },
            { op: 'Set', attribute: 'familyName', value: 'Scimmer' },
            { op: 'Set', attribute: 'department', value: 'R&D' },
            { op: 'Set', attribute: 'division', value: 'EMEA' },
            { op: 'Set', attribute: 'phone', value: '1' },
            { op: 'Set', attribute: 'mobilePhone', value: '2' },
            { op: 'Remove', attribute: 'title' },
            { op: 'Set', attribute: 'role', value: IDS.vpRole },
            { op: 'Add', attribute: 'permissionSets', value: IDS.reports },
        ])
        expect(operations).toEqual([
            {
                op: 'replace',
                value: {
                    name: { givenName: 'Ursula', familyName: 'Scimmer' },
                    [ENTERPRISE]: { department: 'R&D', division: 'EMEA' },
                    phoneNumbers: [
                        { type: 'work', value: '1' },
                        { type: 'mobile', value: '2' },
                    ],
                },
            },
            { op: 'replace', value: { roles: [{ value: IDS.vpRole }] } },
            { op: 'add', value: { entitlements: [{ value: IDS.reports }] } },
            { op: 'remove', path: 'title' },
        ])
    })

    it('keeps the last change of an attribute changed twice', () => {
        expect(
            operationsOf(USER, [
                { op: 'Set', attribute: 'title', value: 'A' },
                { op: 'Remove', attribute: 'title' },
                { op: 'Set', attribute: 'title', value: 'B' },
            ])
        ).toEqual([{ op: 'replace', value: { title: 'B' } }])
    })

    it.each([
        ['email', /must have an email/],
        ['familyName', /must have a last name/],
        ['userName', /must have a username/],
        ['alias', /must have an alias/],
        ['preferredLanguage', /must have a language/],
    ])('refuses to remove %s, which every Salesforce user must have', (attribute, message) => {
        expect(() => plan(USER, [{ op: 'Remove', attribute }])).toThrow(message)
    })

    it('refuses a custom field when Salesforce did not report the org', () => {
        const user = withUser(INACTIVE_USER, { [ENTERPRISE]: undefined })
        expect(() => plan(user, [{ op: 'Set', attribute: 'Cost_Center__c', value: 'x' }])).toThrow(/organization/)
    })
})

describe('parseChanges refuses, before any request,', () => {
    it.each([
        ['changes that are not a list', 'Set title', /must be a list/],
        ['no changes at all', undefined, /must be a list/],
        ['a change without an attribute', [{ op: 'Set', value: 'x' }], /Malformed attribute change/],
        ['an unknown operation', [{ op: 'Delete', attribute: 'title', value: 'x' }], /unknown operation "Delete"/],
        [
            'a password, which goes through change password',
            [{ op: 'Set', attribute: 'password', value: 'Hunter2hunter2' }],
            /change password/,
        ],
        [
            'a permission set Id that is not one',
            [{ op: 'Add', attribute: 'permissionSets', value: '0PS") or (id pr' }],
            /not a Salesforce permission set id/,
        ],
        ['a group path', [{ op: 'Add', attribute: 'groups', value: '../Users' }], /not a Salesforce public group id/],
        [
            'a profile Id of another kind',
            [{ op: 'Set', attribute: 'profile', value: IDS.salesCloud }],
            /not a Salesforce profile id/,
        ],
        [
            'two profiles',
            [{ op: 'Set', attribute: 'profile', value: [IDS.adminProfile, IDS.standardProfile] }],
            /2 profiles.*exactly one profile per user/,
        ],
        [
            'a role given as an object',
            [{ op: 'Set', attribute: 'role', value: { value: IDS.ceoRole } }],
            /expected text, got an object/,
        ],
        ['two roles', [{ op: 'Set', attribute: 'role', value: [IDS.ceoRole, IDS.vpRole] }], /takes one value, got 2/],
        [
            'a title longer than Salesforce holds',
            [{ op: 'Set', attribute: 'title', value: 'x'.repeat(100_000) }],
            /at most 80 characters/,
        ],
        [
            'an alias longer than 8 characters',
            [{ op: 'Set', attribute: 'alias', value: 'ninechars' }],
            /at most 8 characters/,
        ],
        [
            'a manager that is not a user Id',
            [{ op: 'Set', attribute: 'manager', value: IDS.ceoRole }],
            /not a Salesforce user id/,
        ],
        [
            'an attribute the account does not have',
            [{ op: 'Set', attribute: 'noSuchAttribute', value: 'x' }],
            /no attribute named noSuchAttribute/,
        ],
        ['a read-only attribute', [{ op: 'Set', attribute: 'displayName', value: 'x' }], /computed by Salesforce/],
        ['a non-boolean active', [{ op: 'Set', attribute: 'active', value: 'yes' }], /expected true or false/],
    ])('%s', (_label, changes, message) => {
        expect(() => parseChanges(changes)).toThrow(InvalidRequestError)
        expect(() => parseChanges(changes)).toThrow(message)
    })

    it('Set active with no value', () => {
        expect(() => plan(USER, [{ op: 'Set', attribute: 'active', value: null }])).toThrow(/a value is required/)
    })
})
