import {
    parseChange,
    planRestChanges,
    restAccessNeeded,
    restWritesNotApplied,
    RestPlan,
} from '../../src/mapping/account-changes'
import { toId18 } from '../../src/salesforce/ids'
import { UserAccess } from '../../src/salesforce/rest/user-writes'
import { REST_IDS } from '../helpers/rest-bodies'

const {
    queue: QUEUE_A,
    otherQueue: QUEUE_B,
    thirdQueue: QUEUE_C,
    permissionSetLicense: PSL,
    packageLicense: PACKAGE,
    permissionSetGroup: PSG,
} = REST_IDS
const PS = toId18('0PSRM0000004aBc')
const OTHER_PS = toId18('0PSRM0000004aBd')

const queues = (...ids: string[]): UserAccess => ({
    rows: { queue: ids.map((id, index) => ({ rowId: `011RM0000000Gm${index}`, entitlementId: id })) },
})
const change = (op: string, attribute: string, value: unknown) => parseChange({ op, attribute, value })

describe('parsing changes of the REST-only entitlements', () => {
    it.each([
        ['permissionSetGroups', PSG.slice(0, 15), PSG],
        ['permissionSetLicenses', PSL.slice(0, 15), PSL],
        ['packageLicenses', PACKAGE.slice(0, 15), PACKAGE],
        ['queues', QUEUE_A.slice(0, 15), QUEUE_A],
    ])('takes %s ids of either length, as 18 characters', (attribute, id, id18) => {
        expect(change('Add', attribute, [id])).toEqual({
            kind: 'restEntitlement',
            type: expect.any(String),
            attribute,
            op: 'Add',
            ids: [id18],
        })
    })

    it.each([
        [
            'permissionSetGroups',
            PS,
            /^Add permissionSetGroups: "0PSRM0000004aBc\w+" is not a Salesforce permission set group id/,
        ],
        ['permissionSetLicenses', PSG, /^Add permissionSetLicenses: .* is not a Salesforce permission set license id/],
        ['packageLicenses', QUEUE_A, /^Add packageLicenses: .* is not a Salesforce package license id/],
        ['queues', PS, /^Add queues: .* is not a Salesforce queue id/],
        ['featureLicenses', 'MarketingUser', /^Add featureLicenses: "MarketingUser" is not a feature license/],
    ])('refuses a value of the wrong kind among %s, naming the attribute', (attribute, value, message) => {
        expect(() => change('Add', attribute, value)).toThrow(message)
    })

    it('keeps feature licenses by their exact API name, each once', () => {
        expect(
            change('Set', 'featureLicenses', [
                'UserPermissionsMarketingUser',
                'UserPermissionsMobileUser',
                'UserPermissionsMarketingUser',
            ])
        ).toMatchObject({ ids: ['UserPermissionsMarketingUser', 'UserPermissionsMobileUser'] })
    })
})

describe('planning the REST writes', () => {
    const plan = (access: UserAccess, ...changes: [string, string, unknown][]): RestPlan =>
        planRestChanges(
            access,
            changes.map(([op, attribute, value]) => change(op, attribute, value))
        )

    it('writes nothing for an Add of what the user holds or a Remove of what they do not hold', () => {
        expect(plan(queues(QUEUE_A), ['Add', 'queues', QUEUE_A.slice(0, 15)], ['Remove', 'queues', QUEUE_B])).toEqual({
            grants: [],
            revokes: [],
            featureLicenses: {},
        })
    })

    it('writes only the difference for a Set', () => {
        expect(plan(queues(QUEUE_A, QUEUE_B), ['Set', 'queues', [QUEUE_B, QUEUE_C]])).toEqual({
            grants: [{ type: 'queue', entitlementId: QUEUE_C }],
            revokes: [{ kind: 'queue', rowId: '011RM0000000Gm0', entitlementId: QUEUE_A }],
            featureLicenses: {},
        })
    })

    it('clears every row of the type for a Remove without a value', () => {
        expect(plan(queues(QUEUE_A, QUEUE_B), ['Remove', 'queues', null]).revokes).toHaveLength(2)
    })

    it('applies changes in order: an Add undone by a Remove writes nothing', () => {
        expect(plan(queues(), ['Add', 'queues', QUEUE_A], ['Remove', 'queues', QUEUE_A]).grants).toEqual([])
    })

    it('deletes the row of a removed permission set only, never a group row or another permission set', () => {
        const access: UserAccess = {
            rows: {
                permissionSet: [
                    { rowId: '0PaRM0000001Aa1', entitlementId: PS },
                    {
                        rowId: '0PaRM0000001Aa2',
                        entitlementId: OTHER_PS,
                        expirationDate: '2027-03-31T00:00:00.000+0000',
                    },
                ],
            },
        }
        expect(planRestChanges(access, [], [PS.slice(0, 15)]).revokes).toEqual([
            { kind: 'permissionSet', rowId: '0PaRM0000001Aa1', entitlementId: PS },
        ])
    })

    it('sets and clears feature-license flags from what the user holds', () => {
        const access: UserAccess = {
            rows: {},
            featureLicenses: {
                UserPermissionsMarketingUser: false,
                UserPermissionsOfflineUser: true,
                UserPermissionsKnowledgeUser: true,
            },
        }
        expect(
            plan(access, ['Set', 'featureLicenses', ['UserPermissionsMarketingUser', 'UserPermissionsKnowledgeUser']])
                .featureLicenses
        ).toEqual({ UserPermissionsMarketingUser: true, UserPermissionsOfflineUser: false })
    })

    it('reads every flag the org has only for a Set or a clearing Remove of feature licenses', () => {
        expect(restAccessNeeded([change('Add', 'featureLicenses', 'UserPermissionsMarketingUser')])).toEqual({
            query: { kinds: [], featureLicenseFields: ['UserPermissionsMarketingUser'] },
            allFeatureLicenses: false,
        })
        expect(restAccessNeeded([change('Remove', 'featureLicenses', [])])?.allFeatureLicenses).toBe(true)
        expect(restAccessNeeded([change('Set', 'title', 'CEO')])).toBeUndefined()
    })
})

describe('checking the REST writes against the rows read back', () => {
    it('names each write the rows do not show', () => {
        const plan: RestPlan = {
            grants: [{ type: 'queue', entitlementId: QUEUE_A }],
            revokes: [{ kind: 'queue', rowId: '011RM0000000Gm1', entitlementId: QUEUE_B }],
            featureLicenses: { UserPermissionsMarketingUser: true },
        }
        expect(
            restWritesNotApplied(plan, { ...queues(QUEUE_B), featureLicenses: { UserPermissionsMarketingUser: false } })
        ).toEqual([
            `grant of queue ${QUEUE_A}`,
            `removal of queue ${QUEUE_B}`,
            'grant of feature license UserPermissionsMarketingUser',
        ])
        expect(
            restWritesNotApplied(plan, { ...queues(QUEUE_A), featureLicenses: { UserPermissionsMarketingUser: true } })
        ).toEqual([])
    })
})
