import { toAccount } from '../../src/mapping/account'
import { indexPageAccess, toRestAttributes, withRestAttributes } from '../../src/mapping/rest-account'
import { planUserAccess, PageAccessRows, UserAccessPart } from '../../src/salesforce/rest/user-access'
import { SObjectDescribe, SObjectRecord } from '../../src/salesforce/rest/rest-client'
import { ACCOUNT_ATTRIBUTES } from '../../src/schema'
import { fixture } from '../helpers/nock'
import { lookedUpProfiles } from '../helpers/rest-bodies'
import { IDS, USER, withUser } from './fixtures'

const DESCRIBE = fixture<SObjectDescribe>('rest/describe.user')
/** The org's profiles with their licenses, as the plan holds them (Salesforce's answer to its Profile query). */
const PROFILES = lookedUpProfiles(fixture('rest/query.profiles'))
const PLAN = planUserAccess(DESCRIBE, [], PROFILES)
const PLAN_WITH_FIELDS = planUserAccess(DESCRIBE, ['Cost_Center__c', 'badge_number__c'], PROFILES)

/** The page's rows as `UserAccessReader.read` hands them over, from Salesforce's Composite answer. */
function pageRows(except: readonly UserAccessPart[] = []): PageAccessRows {
    const answer = fixture<{
        compositeResponse: { referenceId: UserAccessPart; body: { records: SObjectRecord[] } }[]
    }>('rest/composite.user-access')
    return Object.fromEntries(
        answer.compositeResponse
            .filter((response) => !except.includes(response.referenceId))
            .map((response) => [response.referenceId, response.body.records])
    )
}

describe('the REST attributes of an account', () => {
    const rowsOf = indexPageAccess(pageRows())

    it('reads the login, license, inventory, feature license, assignment and login state attributes', () => {
        expect(toRestAttributes(rowsOf(IDS.user), PLAN)).toEqual({
            street: '1 Market St\nSuite 300',
            city: 'San Francisco',
            state: 'CA',
            postalCode: '94105',
            country: 'US',
            companyName: 'My Company',
            emailEncodingKey: 'UTF-8',
            lastLoginDate: '2026-11-30T08:15:02Z',
            userLicense: 'Salesforce',
            featureLicenses: ['UserPermissionsMarketingUser', 'UserPermissionsKnowledgeUser'],
            permissionSetGroups: ['0PGRM0000000abcEAA', '0PGRM0000000abdEAA'],
            permissionSetExpirations: [`${IDS.salesCloud}=2026-12-31T00:00:00Z`],
            permissionSetGroupExpirations: ['0PGRM0000000abcEAA=2027-03-01T17:30:00Z'],
            permissionSetLicenses: ['0PLRM0000000abcAAA'],
            packageLicenses: ['050RM0000000abcAAA'],
            queues: ['00GRM0000000qu1AAA'],
            frozen: false,
            locked: true,
        })
    })

    it('reads a user who holds nothing as holding nothing, and a frozen one as frozen', () => {
        expect(toRestAttributes(rowsOf(IDS.manager), PLAN)).toMatchObject({
            lastLoginDate: null,
            userLicense: 'Salesforce Platform',
            companyName: null,
            featureLicenses: [],
            permissionSetGroups: [],
            permissionSetExpirations: [],
            permissionSetGroupExpirations: [],
            permissionSetLicenses: [],
            packageLicenses: [],
            queues: [],
            frozen: true,
            locked: false,
        })
    })

    it('agrees with SCIM where SCIM carries the value too, and prefers SCIM where the two differ', () => {
        const scimUser = withUser(USER, {
            addresses: [
                {
                    type: 'work',
                    primary: true,
                    streetAddress: '1 Market St\nSuite 300',
                    locality: 'San Francisco',
                    region: 'CA',
                    postalCode: '94105',
                    country: 'US',
                    formatted: '1 Market St\nSuite 300\nSan Francisco, CA 94105 US',
                },
            ],
        })
        const fromRest = toRestAttributes(rowsOf(IDS.user), PLAN)
        expect(toRestAttributes(rowsOf(IDS.user), PLAN, scimUser)).toEqual(fromRest)
        expect(fromRest.emailEncodingKey).toBe(USER.emailEncodingKey)
        const moved = withUser(scimUser, { addresses: [{ type: 'work', locality: 'Oakland' }] })
        expect(toRestAttributes(rowsOf(IDS.user), PLAN, moved)).toMatchObject({ city: 'Oakland', state: 'CA' })
    })

    it.each([
        ['2026-11-30T08:15:02.000+0000', '2026-11-30T08:15:02Z'],
        ['2026-11-30T08:15:02Z', '2026-11-30T08:15:02Z'],
        ['2026-11-30T08:15:02.5+00:00', '2026-11-30T08:15:02Z'],
        ['2026-11-30T23:15:02.000-0500', '2026-12-01T04:15:02Z'],
        ['2024-02-29T10:00:00.000+0000', '2024-02-29T10:00:00Z'],
        ['2026-01-31T10:00:00.000+0000', '2026-01-31T10:00:00Z'],
        ['2026-11-30T25:00:00.000+0000', '2026-11-30T25:00:00.000+0000'],
        ['2026-13-01T10:00:00.000+0000', '2026-13-01T10:00:00.000+0000'],
        ['2026-11-30T08:15:02.+0000', '2026-11-30T08:15:02.+0000'],
        ['2026-11-30 08:15:02', '2026-11-30 08:15:02'],
    ])('reads the dateTime %s as %s', (sent, read) => {
        const user = { ...(rowsOf(IDS.user).user as SObjectRecord), LastLoginDate: sent }
        expect(toRestAttributes({ user }, PLAN).lastLoginDate).toBe(read)
    })

    it('reads the Additional User Fields under their API names, without replacing what SCIM already set', () => {
        const withFields: PageAccessRows = {
            user: (pageRows().user ?? []).map((row) => ({ ...row, Cost_Center__c: 'CC-200', Badge_Number__c: 12.5 })),
        }
        const rows = indexPageAccess(withFields)(IDS.user)
        expect(PLAN_WITH_FIELDS.additionalUserFields).toEqual(['Cost_Center__c', 'Badge_Number__c'])
        expect(toRestAttributes(rows, PLAN_WITH_FIELDS)).toMatchObject({
            Cost_Center__c: 'CC-200',
            Badge_Number__c: '12.5',
        })
        // SCIM's custom-field block already holds Cost_Center__c and Badge_Number__c for this user.
        const account = withRestAttributes(toAccount(USER), rows, PLAN_WITH_FIELDS, USER)
        expect(account.attributes).toMatchObject({ Cost_Center__c: 'CC-100', Badge_Number__c: 4711 })
    })

    it.each<[UserAccessPart, readonly string[]]>([
        ['packageLicenses', ['packageLicenses']],
        ['queues', ['queues']],
        ['permissionSetLicenses', ['permissionSetLicenses']],
        ['logins', ['frozen', 'locked']],
        [
            'user',
            [
                'lastLoginDate',
                'userLicense',
                'featureLicenses',
                'permissionSetGroups',
                'permissionSetExpirations',
                'permissionSetGroupExpirations',
                'companyName',
                'street',
                'city',
                'state',
                'postalCode',
                'country',
                'emailEncodingKey',
            ],
        ],
    ])('leaves out only the attributes of a refused %s query: absent, never empty', (part, absent) => {
        const attributes = toRestAttributes(indexPageAccess(pageRows([part]))(IDS.user), PLAN)
        for (const name of absent) expect(attributes).not.toHaveProperty(name)
        const all = toRestAttributes(rowsOf(IDS.user), PLAN)
        for (const name of Object.keys(all)) if (!absent.includes(name)) expect(attributes).toHaveProperty(name)
    })

    it('leaves out the permission set groups and expiry dates when the assignment subquery was not read', () => {
        const users = (pageRows().user ?? []).map(({ PermissionSetAssignments: _omitted, ...row }) => row)
        const attributes = toRestAttributes(indexPageAccess({ ...pageRows(), user: users })(IDS.user), PLAN)
        expect(attributes).not.toHaveProperty('permissionSetGroups')
        expect(attributes).not.toHaveProperty('permissionSetExpirations')
        expect(attributes).toMatchObject({ lastLoginDate: '2026-11-30T08:15:02Z', queues: ['00GRM0000000qu1AAA'] })
    })

    it("reads the user license from the org's profiles by the user's ProfileId, and leaves it out where they were not read", () => {
        expect(toRestAttributes(rowsOf(IDS.user), PLAN).userLicense).toBe('Salesforce')
        // The Profile query refused: no profiles in the plan.
        expect(toRestAttributes(rowsOf(IDS.user), planUserAccess(DESCRIBE, []))).not.toHaveProperty('userLicense')
        // A profile the lookup could not find either.
        const other = new Map([...(PROFILES.userLicense ?? [])].filter(([id]) => id !== '00eRM000001VtbnYAC'))
        const attributes = toRestAttributes(rowsOf(IDS.user), planUserAccess(DESCRIBE, [], { userLicense: other }))
        expect(attributes).not.toHaveProperty('userLicense')
        expect(attributes).toMatchObject({ companyName: 'My Company', lastLoginDate: '2026-11-30T08:15:02Z' })
    })

    it('reads a user without a UserLogin row (neither frozen nor locked: the page reads only those rows) as neither', () => {
        const attributes = toRestAttributes(indexPageAccess({ ...pageRows(), logins: [] })(IDS.user), PLAN)
        expect(attributes).toMatchObject({ frozen: false, locked: false })
    })

    it('sets the account locked flag from UserLogin.IsPasswordLocked, and keeps every SCIM attribute', () => {
        const account = withRestAttributes(toAccount(USER), rowsOf(IDS.user), PLAN, USER)
        expect(account.locked).toBe(true)
        expect(account.attributes).toMatchObject(toAccount(USER).attributes)
        expect(withRestAttributes(toAccount(USER), indexPageAccess(pageRows(['logins']))(IDS.user), PLAN).locked).toBe(
            false
        )
    })

    it('gives an account every attribute of the schema', () => {
        const account = withRestAttributes(toAccount(USER), rowsOf(IDS.user), PLAN)
        const names = Object.keys(account.attributes).filter((name) => !name.endsWith('__c'))
        expect(names.sort()).toEqual([...ACCOUNT_ATTRIBUTES].sort())
    })
})
