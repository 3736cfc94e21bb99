import {
    checkPermissionSetsRemoved,
    parseChanges,
    permissionSetsStillHeld,
    planAccountChanges,
    removalOperations,
} from '../../src/mapping/account-changes'
import { InvalidRequestError } from '../../src/errors'
import { ScimUser } from '../../src/salesforce/types'
import { IDS, INACTIVE_USER, USER, withUser } from './fixtures'

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const CUSTOM = `urn:salesforce:schemas:extension:${IDS.org}`
/** A user who is not USER's manager. */
const OTHER_MANAGER = '0054W00000CVREmQAP'

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

    it.each([
        [
            'Remove of every permission set',
            [{ op: 'Remove', attribute: 'permissionSets', value: [IDS.salesCloud, IDS.apiEnabled] }],
        ],
        ['Remove without a value', [{ op: 'Remove', attribute: 'permissionSets' }]],
        ['Set to no permission set', [{ op: 'Set', attribute: 'permissionSets', value: [] }]],
    ])(
        '%s removes the last ones by the RFC 7644 remove of each, then an empty replace, checked as it goes',
        (_label, changes) => {
            expect(plan(TWO_SETS, changes)).toEqual({
                operations: [],
                addToGroups: [],
                removeFromGroups: [],
                permissionSetRemoval: {
                    ids: [IDS.salesCloud, IDS.apiEnabled],
                    forms: ['filteredRemove', 'emptyReplace'],
                },
            })
        }
    )

    it('removes some by a replace with those kept, then the RFC 7644 remove of any Salesforce still lists', () => {
        expect(plan(TWO_SETS, [{ op: 'Remove', attribute: 'permissionSets', value: IDS.apiEnabled }])).toMatchObject({
            operations: [
                { op: 'replace', value: { entitlements: [{ value: IDS.adminProfile }, { value: IDS.salesCloud }] } },
            ],
            permissionSetRemoval: { ids: [IDS.apiEnabled], forms: ['filteredRemove'] },
        })
    })

    it('builds each removal form for the permission sets still listed', () => {
        expect(removalOperations('filteredRemove', [IDS.salesCloud, IDS.apiEnabled])).toEqual([
            { op: 'remove', path: `entitlements[value eq "${IDS.salesCloud}"]` },
            { op: 'remove', path: `entitlements[value eq "${IDS.apiEnabled}"]` },
        ])
        expect(removalOperations('emptyReplace', [IDS.salesCloud])).toEqual([
            { op: 'replace', value: { entitlements: [] } },
        ])
    })

    it('finds a removed permission set Salesforce still lists, and fails naming it, the user and what to do', () => {
        const removal = plan(TWO_SETS, [{ op: 'Remove', attribute: 'permissionSets', value: IDS.apiEnabled }])
        expect(permissionSetsStillHeld(TWO_SETS, [IDS.apiEnabled.slice(0, 15)])).toEqual([IDS.apiEnabled])
        expect(() => checkPermissionSetsRemoved(removal, TWO_SETS)).toThrow(
            new RegExp(
                `Salesforce still assigns permission set ${IDS.apiEnabled} to user ${IDS.user} \\(scimuser@mycompany.com\\)` +
                    '.*NOT revoked.*Remove the assignment in Salesforce Setup'
            )
        )
        const after = withUser(TWO_SETS, { entitlements: TWO_SETS.entitlements?.slice(0, 2) })
        expect(() => checkPermissionSetsRemoved(removal, after)).not.toThrow()
    })
})

describe('ids of either length (B4)', () => {
    const id15 = (id: string) => id.slice(0, 15)

    it.each([
        [
            'Add of a held permission set by its 15-character id sends nothing',
            [{ op: 'Add', attribute: 'permissionSets', value: id15(IDS.salesCloud) }],
            [],
        ],
        [
            'Remove of a held permission set by its 15-character id removes it',
            [{ op: 'Remove', attribute: 'permissionSets', value: id15(IDS.apiEnabled) }],
            [{ op: 'replace', value: { entitlements: [{ value: IDS.adminProfile }, { value: IDS.salesCloud }] } }],
        ],
        [
            'Remove of a permission set the user lacks, by its 15-character id, sends nothing',
            [{ op: 'Remove', attribute: 'permissionSets', value: id15(IDS.reports) }],
            [],
        ],
        [
            'Set of the held permission sets by 15-character ids sends nothing',
            [{ op: 'Set', attribute: 'permissionSets', value: [id15(IDS.salesCloud), id15(IDS.apiEnabled)] }],
            [],
        ],
        [
            'Set of the current profile by its 15-character id sends nothing',
            [{ op: 'Set', attribute: 'profile', value: id15(IDS.adminProfile) }],
            [],
        ],
        [
            'Set of the current role by its 15-character id sends nothing',
            [{ op: 'Set', attribute: 'role', value: id15(IDS.ceoRole) }],
            [],
        ],
        [
            'Remove of the current role by its 15-character id removes it',
            [{ op: 'Remove', attribute: 'role', value: id15(IDS.ceoRole) }],
            [{ op: 'remove', path: 'roles' }],
        ],
        [
            'Set of the current manager by a 15-character id sends nothing',
            [{ op: 'Set', attribute: 'manager', value: id15(IDS.manager) }],
            [],
        ],
        [
            'Add of a new permission set by its 15-character id sends the 18-character id',
            [{ op: 'Add', attribute: 'permissionSets', value: '0PSRM0000004aBe' }],
            [{ op: 'add', value: { entitlements: [{ value: '0PSRM0000004aBe4AI' }] } }],
        ],
    ])('%s', (_label, changes, expected) => {
        expect(operationsOf(TWO_SETS, changes)).toEqual(expected)
    })

    it.each([
        [
            'Add of a held group by its 15-character id joins nothing',
            [{ op: 'Add', attribute: 'groups', value: id15(IDS.westGroup) }],
            [],
            [],
        ],
        [
            'Remove of a held group by its 15-character id leaves it',
            [{ op: 'Remove', attribute: 'groups', value: id15(IDS.westGroup) }],
            [],
            [IDS.westGroup],
        ],
        [
            'Set of the held group by its 15-character id changes nothing',
            [{ op: 'Set', attribute: 'groups', value: [id15(IDS.westGroup)] }],
            [],
            [],
        ],
    ])('%s', (_label, changes, addToGroups, removeFromGroups) => {
        expect(plan(USER, changes)).toEqual({ operations: [], addToGroups, removeFromGroups })
    })

    it('moves a revoked profile to a Default Profile given by its 15-character id, sent with 18', () => {
        expect(
            operationsOf(
                TWO_SETS,
                [{ op: 'Remove', attribute: 'profile', value: id15(IDS.adminProfile) }],
                '00eRM000001Vtbm'
            )
        ).toEqual([{ op: 'replace', value: { entitlements: [{ value: '00eRM000001VtbmYAC' }] } }])
    })

    it('refuses to remove the profile that is the Default Profile, whichever length each is given in', () => {
        expect(() => plan(TWO_SETS, [{ op: 'Remove', attribute: 'profile' }], id15(IDS.adminProfile))).toThrow(
            /Default Profile/
        )
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
            'a profile swap that also clears every permission set swaps, leaving the removal to the forms after it',
            [
                { op: 'Set', attribute: 'profile', value: IDS.standardProfile },
                { op: 'Set', attribute: 'permissionSets', value: [] },
            ],
            undefined,
            [{ op: 'replace', value: { entitlements: [{ value: IDS.standardProfile }] } }],
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
            // Salesforce's own extensions go out nested and as flat `<urn>:<attribute>` keys (R9).
            {
                op: 'replace',
                value: {
                    'urn:salesforce:schemas:extension:1.0': { alias: 'ursc' },
                    'urn:salesforce:schemas:extension:1.0:alias': 'ursc',
                },
            },
        ],
        ['department', 'Set', 'R&D', { op: 'replace', value: { [ENTERPRISE]: { department: 'R&D' } } }],
        [
            'manager',
            'Set',
            OTHER_MANAGER,
            { op: 'replace', value: { [ENTERPRISE]: { manager: { value: OTHER_MANAGER } } } },
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
        [
            'Cost_Center__c',
            'Set',
            'CC-200',
            {
                op: 'replace',
                value: { [CUSTOM]: { Cost_Center__c: 'CC-200' }, [`${CUSTOM}:Cost_Center__c`]: 'CC-200' },
            },
        ],
        [
            'Is_Contractor__c',
            'Set',
            true,
            { op: 'replace', value: { [CUSTOM]: { Is_Contractor__c: true }, [`${CUSTOM}:Is_Contractor__c`]: true } },
        ],
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

    it.each([
        ['title', 'Set', 'A', withUser(USER, { title: 'A' })],
        ['email', 'Set', 'USER@MyCompany.com', USER],
        ['userName', 'Set', 'ScimUser@MyCompany.com', USER],
        ['department', 'Set', 'Sales', USER],
        ['phone', 'Set', '+1 415 555 0100', USER],
        ['Cost_Center__c', 'Set', 'CC-100', USER],
        ['Badge_Number__c', 'Set', '4711', USER],
    ])('%s %s to the value the user has (%j) writes nothing (B9)', (attribute, op, value, user) => {
        expect(plan(user, [{ op, attribute, value }])).toEqual({
            operations: [],
            addToGroups: [],
            removeFromGroups: [],
        })
    })

    it('writes nothing for a change undone later in the same request', () => {
        expect(
            operationsOf(USER, [
                { op: 'Set', attribute: 'department', value: 'R&D' },
                { op: 'Set', attribute: 'department', value: 'Sales' },
            ])
        ).toEqual([])
    })

    it('writes an email that differs only in case from a different one, never a case change alone', () => {
        expect(operationsOf(USER, [{ op: 'Set', attribute: 'email', value: 'Other@MyCompany.com' }])).toEqual([
            { op: 'replace', value: { emails: [{ type: 'work', primary: true, value: 'Other@MyCompany.com' }] } },
        ])
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
        [
            'a userName given as a number',
            [{ op: 'Set', attribute: 'userName', value: 12345 }],
            /userName: expected text, got number 12345/,
        ],
        [
            'a userName not in email form',
            [{ op: 'Set', attribute: 'userName', value: 'avery' }],
            /userName: "avery" is not in email form/,
        ],
        [
            'a userName with a control character',
            [{ op: 'Set', attribute: 'userName', value: 'a\u0000b@x.example' }],
            /userName: .* contains a control character/,
        ],
        [
            'a userName over 80 characters',
            [{ op: 'Set', attribute: 'userName', value: `${'a'.repeat(75)}@x.example` }],
            /userName: at most 80 characters in Salesforce, got 85/,
        ],
        ['a non-boolean active', [{ op: 'Set', attribute: 'active', value: 'yes' }], /expected true or false/],
    ])('%s', (_label, changes, message) => {
        expect(() => parseChanges(changes)).toThrow(InvalidRequestError)
        expect(() => parseChanges(changes)).toThrow(message)
    })

    it('Set active with no value', () => {
        expect(() => plan(USER, [{ op: 'Set', attribute: 'active', value: null }])).toThrow(/a value is required/)
    })
})
