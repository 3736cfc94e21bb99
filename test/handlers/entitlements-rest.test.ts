/**
 * The entitlement types only Salesforce's REST API reaches: listed and read through SOQL (nock, verbatim REST
 * payloads), refused clearly when Govern Access Beyond SCIM is off or a permission is missing; and permission
 * sets listed without the ones no list shows.
 */
import { runCommand } from '../helpers/run-command'
import { CONFIG, SCIM, captureLogs, fixture, rest, salesforce, useNock } from '../helpers/nock'
import { listResponse } from '../helpers/scim-bodies'
import { compositeOf, queryAnswer, REST } from '../helpers/rest-bodies'

useNock()

const ON = { ...CONFIG, governBeyondScim: true }

const SALES_OPS = '0PG5f000000XyZaGAK'
const SUPPORT_AGENTS = '0PG5f000000XyZbGAK'
const CPQ_LICENSE = '0PL5f000000LiCaGAK'
const CPQ_PACKAGE = '0505f000000PkGaAAK'
const TIER_1 = '00G5f000004QuEaEAK'

const SOQL = {
    components: 'SELECT PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent ORDER BY Id',
    groups: 'SELECT Id, DeveloperName, MasterLabel, Description, Status FROM PermissionSetGroup ORDER BY Id',
    licenses:
        'SELECT Id, DeveloperName, MasterLabel, Status, TotalLicenses, UsedLicenses, ExpirationDate ' +
        'FROM PermissionSetLicense ORDER BY Id',
    packages:
        'SELECT Id, NamespacePrefix, Status, AllowedLicenses, UsedLicenses, ExpirationDate FROM PackageLicense ORDER BY Id',
    queues: "SELECT Id, Name, DeveloperName, Email FROM Group WHERE Type = 'Queue' ORDER BY Id",
    hidden: 'SELECT Id FROM PermissionSet WHERE (IsOwnedByProfile = true OR PermissionSetGroupId != null)',
}

const key = (id: string) => ({ simple: { id } })

/** `std:entitlement:list` of `type`, with Govern Access Beyond SCIM on. */
const list = (type: string) => runCommand('std:entitlement:list', { type }, ON)
/** `std:entitlement:read` of the `type` entitlement keyed by `id`, with Govern Access Beyond SCIM on. */
const read = (type: string, id: string) => runCommand('std:entitlement:read', { type, key: key(id) }, ON)

/** An entitlement as the connector sends it: keyed and identified by its id. */
function entitlement(type: string, attributes: { readonly id: string } & Record<string, unknown>) {
    return { type, key: key(attributes.id), identity: attributes.id, attributes }
}

describe('std:entitlement:list of the REST-only types', () => {
    it('lists permission set groups with the permission sets each contains, joined from one component query', async () => {
        rest()
            .query(SOQL.components, fixture('rest/query.catalog.permission-set-group-components'))
            .query(SOQL.groups, fixture('rest/query.catalog.permission-set-groups'))
        const result = await list('permissionSetGroup')
        expect(result.outputs).toEqual([
            entitlement('permissionSetGroup', {
                id: SALES_OPS,
                name: 'Sales Operations',
                developerName: 'Sales_Operations',
                description: 'Everything a sales operations analyst needs',
                type: 'Permission Set Group',
                status: 'Updated',
                // The group's muting permission set (0QM…) grants nothing: it is no permission set of the group.
                permissionSets: ['0PS5f000001AbCdGAK', '0PS5f000001AbCeGAK'],
            }),
            entitlement('permissionSetGroup', {
                id: SUPPORT_AGENTS,
                name: 'Support Agents',
                developerName: 'Support_Agents',
                description: null,
                type: 'Permission Set Group',
                status: 'Outdated',
                permissionSets: ['0PS5f000001AbCfGAK'],
            }),
        ])
    })

    it('lists permission set licenses with total, used and free seats, following nextRecordsUrl', async () => {
        rest()
            .query(SOQL.licenses, fixture('rest/query.catalog.permission-set-licenses.page1'))
            .scope.get(`${REST}/query/01g5f00000AbCdEAAV-2000`)
            .reply(200, fixture('rest/query.catalog.permission-set-licenses.page2'))
        const result = await list('permissionSetLicense')
        expect(result.outputs.map((o) => o.attributes)).toEqual([
            {
                id: CPQ_LICENSE,
                name: 'Salesforce CPQ License',
                developerName: 'SalesforceCPQ_CPQStandardPerm',
                type: 'Permission Set License',
                status: 'Active',
                seatsTotal: 50,
                seatsUsed: 42,
                seatsFree: 8,
                expirationDate: '2027-03-31',
            },
            {
                id: '0PL5f000000LiCbGAK',
                name: 'Identity Connect',
                developerName: 'IdentityConnect',
                type: 'Permission Set License',
                status: 'Active',
                seatsTotal: 10,
                seatsUsed: 0,
                seatsFree: 10,
                expirationDate: null,
            },
        ])
    })

    it('lists managed package licenses by namespace, a site-wide one (AllowedLicenses -1) without a seat count', async () => {
        rest().query(SOQL.packages, fixture('rest/query.catalog.package-licenses'))
        const result = await list('packageLicense')
        expect(result.outputs.map((o) => [o.identity, o.attributes])).toEqual([
            [
                CPQ_PACKAGE,
                {
                    id: CPQ_PACKAGE,
                    name: 'SBQQ',
                    namespace: 'SBQQ',
                    type: 'Package License',
                    status: 'Active',
                    siteWide: false,
                    seatsTotal: 50,
                    seatsUsed: 48,
                    seatsFree: 2,
                    expirationDate: '2027-03-31T00:00:00.000+0000',
                },
            ],
            [
                '0505f000000PkGbAAK',
                {
                    id: '0505f000000PkGbAAK',
                    name: 'dlrs',
                    namespace: 'dlrs',
                    type: 'Package License',
                    status: 'Free',
                    siteWide: true,
                    seatsTotal: null,
                    seatsUsed: 0,
                    seatsFree: null,
                    expirationDate: null,
                },
            ],
        ])
    })

    it('lists queues, Groups of type Queue, with their email', async () => {
        rest().query(SOQL.queues, fixture('rest/query.catalog.queues'))
        const result = await list('queue')
        expect(result.outputs).toEqual([
            entitlement('queue', {
                id: TIER_1,
                name: 'Support Tier 1',
                developerName: 'Support_Tier_1',
                type: 'Queue',
                email: 'tier1@acme.example',
            }),
            expect.objectContaining({
                identity: '00G5f000004QuEbEAK',
                attributes: expect.objectContaining({ email: null }),
            }),
        ])
    })

    it("lists the feature licenses the org's User describe shows, each by its field name, reading the describe once", async () => {
        salesforce()
            .get(`${REST}/sobjects/User/describe`)
            .once()
            .reply(200, fixture('rest/describe.user.feature-licenses'))
        const first = await list('featureLicense')
        expect(first.outputs).toEqual(
            [
                ['UserPermissionsMarketingUser', 'Marketing User'],
                ['UserPermissionsOfflineUser', 'Offline User'],
                ['UserPermissionsSupportUser', 'Service Cloud User'],
                ['UserPermissionsKnowledgeUser', 'Knowledge User'],
            ].map(([field, name]) => ({
                type: 'featureLicense',
                key: key(field as string),
                identity: field,
                attributes: { id: field, name, type: 'Feature License' },
            }))
        )
        // The next command of the process trusts the describe it read a moment ago: no request at all.
        const again = await runCommand(
            'std:entitlement:read',
            { type: 'featureLicense', key: key('UserPermissionsSupportUser') },
            ON
        )
        expect(again.outputs).toEqual([first.outputs[2]])
    })

    it.each([
        [
            'permissionSetGroup',
            'rest/error.invalid-type-permission-set-group',
            SOQL.components,
            /"View Setup and Configuration" or "Assign Permission Sets"/,
        ],
        [
            'packageLicense',
            'rest/error.invalid-type-package-license',
            SOQL.packages,
            /"Manage Package Licenses" or "View Setup and Configuration"/,
        ],
    ])(
        'fails a %s list that Salesforce refuses for want of a permission with an error naming the permission',
        async (type, error, soql, permission) => {
            salesforce().get(`${REST}/query`).query({ q: soql }).reply(400, fixture(error))
            await expect(runCommand('std:entitlement:list', { type }, ON)).rejects.toMatchObject({
                name: 'InsufficientPermissionError',
                errorCode: 'INVALID_TYPE',
                message: expect.stringMatching(permission),
            })
        }
    )

    it.each(['permissionSetGroup', 'permissionSetLicense', 'packageLicense', 'queue', 'featureLicense'])(
        'refuses to list %s entitlements without Govern Access Beyond SCIM, naming the setting, before any request',
        async (type) => {
            await expect(runCommand('std:entitlement:list', { type }, CONFIG)).rejects.toMatchObject({
                name: 'InvalidRequestError',
                message: expect.stringContaining('turn on "Govern Access Beyond SCIM" in the source configuration'),
            })
        }
    )
})

describe('std:entitlement:read of the REST-only types', () => {
    it('reports a permission set group Salesforce does not hold as notFound, and one without components as empty', async () => {
        const scope = salesforce()
        scope.post(`${REST}/composite`).reply(200, compositeOf({ group: queryAnswer([]), components: queryAnswer([]) }))
        await expect(read('permissionSetGroup', SALES_OPS)).rejects.toMatchObject({ type: 'notFound' })

        const groups = fixture<{ records: { Id: string }[] }>('rest/query.catalog.permission-set-groups')
        scope.post(`${REST}/composite`).reply(
            200,
            compositeOf({
                group: queryAnswer(groups.records.filter((r) => r.Id === SALES_OPS)),
                components: queryAnswer([]),
            })
        )
        const result = await read('permissionSetGroup', SALES_OPS)
        expect(result.outputs).toEqual([
            expect.objectContaining({
                identity: SALES_OPS,
                attributes: expect.objectContaining({ permissionSets: [] }),
            }),
        ])
    })

    it('reads a permission set group with its permission sets in one Composite call', async () => {
        const components = fixture<{ records: { PermissionSetGroupId: string }[] }>(
            'rest/query.catalog.permission-set-group-components'
        )
        const groups = fixture<{ records: { Id: string }[] }>('rest/query.catalog.permission-set-groups')
        const subrequests: unknown[] = []
        salesforce()
            .post(`${REST}/composite`, (body: { compositeRequest: unknown[] }) => {
                subrequests.push(...body.compositeRequest)
                return true
            })
            .reply(
                200,
                compositeOf({
                    group: queryAnswer(groups.records.filter((r) => r.Id === SALES_OPS)),
                    components: queryAnswer(components.records.filter((r) => r.PermissionSetGroupId === SALES_OPS)),
                })
            )
        const result = await read('permissionSetGroup', SALES_OPS)
        expect(result.outputs).toEqual([
            expect.objectContaining({
                identity: SALES_OPS,
                attributes: expect.objectContaining({
                    name: 'Sales Operations',
                    permissionSets: ['0PS5f000001AbCdGAK', '0PS5f000001AbCeGAK'],
                }),
            }),
        ])
        const q = (soql: string) => `${REST}/query?q=${encodeURIComponent(soql)}`
        expect(subrequests).toEqual([
            {
                referenceId: 'group',
                method: 'GET',
                url: q(
                    'SELECT Id, DeveloperName, MasterLabel, Description, Status FROM PermissionSetGroup ' +
                        `WHERE Id IN ('${SALES_OPS}') ORDER BY Id`
                ),
            },
            {
                referenceId: 'components',
                method: 'GET',
                url: q(
                    'SELECT PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent ' +
                        `WHERE PermissionSetGroupId IN ('${SALES_OPS}') ORDER BY Id`
                ),
            },
        ])
    })

    it.each([
        [
            'permissionSetLicense',
            CPQ_LICENSE.slice(0, 15),
            'SELECT Id, DeveloperName, MasterLabel, Status, TotalLicenses, UsedLicenses, ExpirationDate ' +
                `FROM PermissionSetLicense WHERE Id IN ('${CPQ_LICENSE}') ORDER BY Id`,
            'rest/query.catalog.permission-set-licenses.page1',
            CPQ_LICENSE,
        ],
        [
            'packageLicense',
            CPQ_PACKAGE,
            'SELECT Id, NamespacePrefix, Status, AllowedLicenses, UsedLicenses, ExpirationDate FROM PackageLicense ' +
                `WHERE Id IN ('${CPQ_PACKAGE}') ORDER BY Id`,
            'rest/query.catalog.package-licenses',
            CPQ_PACKAGE,
        ],
        [
            'queue',
            TIER_1,
            `SELECT Id, Name, DeveloperName, Email FROM Group WHERE Type = 'Queue' AND Id IN ('${TIER_1}') ORDER BY Id`,
            'rest/query.catalog.queues',
            TIER_1,
        ],
    ])('reads a %s by Id (%s), as the list has it', async (type, id, soql, body, identity) => {
        const page = fixture<{ records: { Id: string }[] }>(body)
        rest().query(soql, queryAnswer(page.records.filter((r) => r.Id === identity)))
        const result = await read(type, id)
        expect(result.outputs).toEqual([expect.objectContaining({ type, identity, key: key(identity) })])
    })

    it('reports a public group read as a queue as notFound: the queue catalog holds queues only', async () => {
        const publicGroup = '00G4W000006IKBnUAO'
        rest().query(
            `SELECT Id, Name, DeveloperName, Email FROM Group WHERE Type = 'Queue' AND Id IN ('${publicGroup}') ORDER BY Id`,
            fixture('rest/query.catalog.empty')
        )
        await expect(read('queue', publicGroup)).rejects.toMatchObject({
            type: 'notFound',
            message: `No Salesforce queue has Id ${publicGroup}`,
        })
    })

    it.each([
        ['a permission set Id read as a permission set group', 'permissionSetGroup', '0PS5f000001AbCdGAK'],
        ['a package license Id read as a permission set license', 'permissionSetLicense', CPQ_PACKAGE],
        ['a malformed Id', 'packageLicense', '../sobjects/User'],
        ['a number', 'queue', 42],
    ])('reports %s as notFound without asking Salesforce', async (_label, type, id) => {
        await expect(runCommand('std:entitlement:read', { type, key: { simple: { id } } }, ON)).rejects.toMatchObject({
            type: 'notFound',
            message: expect.stringContaining(`No Salesforce ${type}`),
        })
    })

    it.each(['UserPermissionsNoSuchFeature', 'UserPermissionsNote__c', 'IsActive'])(
        "reports a feature license %s the org's User describe has no flag for as notFound",
        async (field) => {
            salesforce()
                .get(`${REST}/sobjects/User/describe`)
                .reply(200, fixture('rest/describe.user.feature-licenses'))
            await expect(read('featureLicense', field)).rejects.toMatchObject({
                type: 'notFound',
                message: `No Salesforce feature license (User field) is named ${field}`,
            })
        }
    )

    it.each(['permissionSetGroup', 'permissionSetLicense', 'packageLicense', 'queue', 'featureLicense'])(
        'refuses to read a %s without Govern Access Beyond SCIM, naming the setting',
        async (type) => {
            await expect(
                runCommand('std:entitlement:read', { type, key: key(CPQ_LICENSE) }, CONFIG)
            ).rejects.toMatchObject({
                name: 'InvalidRequestError',
                message: expect.stringContaining('"Govern Access Beyond SCIM"'),
            })
        }
    )

    it('fails a read Salesforce refuses for want of a permission with an error naming the permission', async () => {
        salesforce()
            .post(`${REST}/composite`)
            .reply(200, {
                compositeResponse: ['group', 'components'].map((referenceId) => ({
                    body: fixture('rest/error.invalid-type-permission-set-group'),
                    httpHeaders: {},
                    httpStatusCode: 400,
                    referenceId,
                })),
            })
        await expect(read('permissionSetGroup', SALES_OPS)).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
            message: expect.stringContaining('"View Setup and Configuration" or "Assign Permission Sets"'),
        })
    })
})

describe('permission sets, with the REST API in use', () => {
    const permissionSet = (id: string, displayName: string) => ({
        schemas: ['urn:salesforce:schemas:extension:1.0:Entitlement'],
        id,
        displayName,
        type: 'Permission Set',
        meta: { created: '2019-01-01T00:00:00Z', lastModified: '2024-01-02T03:04:05Z', resourceType: 'Entitlement' },
    })
    const REGULAR = permissionSet('0PS5f000001AbCdGAK', 'Sales Cloud User')
    // The aggregate permission set of a permission set group, and a profile's own set, as SCIM might list them.
    const AGGREGATE = permissionSet('0PS5f000009AgGrGAK', 'Sales Operations')
    const PROFILE_OWNED = permissionSet('0PS5f000009PrOfGAK', 'X00ex000000abcdefghij')
    const scimList = () =>
        salesforce()
            .get(`${SCIM}/Entitlements`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([REGULAR, AGGREGATE, PROFILE_OWNED]))

    it('lists permission sets without the profile-owned ones and the aggregate sets of permission set groups', async () => {
        rest(scimList()).query(SOQL.hidden, fixture('rest/query.catalog.hidden-permission-sets'))
        const result = await list('permissionSet')
        expect(result.outputs.map((o) => o.identity)).toEqual([REGULAR.id])
    })

    it('lists permission sets as SCIM has them, with one warning, when the integration user may not read them', async () => {
        scimList()
            .get(`${REST}/query`)
            .query({ q: SOQL.hidden })
            .reply(400, fixture('rest/error.invalid-type-permission-set'))
        const logs = captureLogs()
        try {
            const result = await list('permissionSet')
            expect(result.outputs.map((o) => o.identity)).toEqual([REGULAR.id, AGGREGATE.id, PROFILE_OWNED.id])
        } finally {
            logs.restore()
        }
        const warnings = logs.lines.filter((line) => line.includes('"level":"WARN"'))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toContain('View Setup and Configuration')
    })

    it('reports the aggregate set of a permission set group, read as a permission set, as notFound', async () => {
        salesforce()
            .get(`${SCIM}/Entitlements/${AGGREGATE.id}`)
            .reply(200, AGGREGATE)
            .get(`${REST}/query`)
            .query({
                q:
                    `SELECT Id FROM PermissionSet WHERE Id IN ('${AGGREGATE.id}') AND ` +
                    '(IsOwnedByProfile = true OR PermissionSetGroupId != null)',
            })
            .reply(200, queryAnswer([{ attributes: { type: 'PermissionSet' }, Id: AGGREGATE.id }]))
        await expect(read('permissionSet', AGGREGATE.id)).rejects.toMatchObject({
            type: 'notFound',
            message: `No Salesforce permissionSet has Id ${AGGREGATE.id}`,
        })
    })

    it('reads a regular permission set as SCIM has it', async () => {
        salesforce()
            .get(`${SCIM}/Entitlements/${REGULAR.id}`)
            .reply(200, REGULAR)
            .get(`${REST}/query`)
            .query(true)
            .reply(200, fixture('rest/query.catalog.empty'))
        const result = await read('permissionSet', REGULAR.id)
        expect(result.outputs).toEqual([expect.objectContaining({ identity: REGULAR.id })])
    })
})
