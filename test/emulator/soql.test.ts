import { checksumSuffix } from '../../emulator/ids'
import { runSoql, SoqlError, type SoqlOptions, type SoqlResult } from '../../emulator/rest/soql'
import type { SoqlFieldType, SoqlObject, SoqlRow, SoqlSchema } from '../../emulator/rest/soql-schema'

/** An 18-character id from a 3-character prefix and a 12-character body (pod, reserved digit, counter). */
const id = (prefix: string, body: string): string => {
    const id15 = prefix + body.padStart(12, '0')
    return id15 + checksumSuffix(id15)
}

const LICENSE = { salesforce: id('100', 'i00000000001'), platform: id('100', 'i00000000002') }
const PROFILE = {
    admin: id('00e', 'i00000000001'),
    standard: id('00e', 'i00000000002'),
    orphan: id('00e', 'i00000000003'),
}
// User ids whose last counter character flips case: byte order puts `…Z` before `…a`, case-insensitively it would not.
const USER = {
    ada: id('005', 'i0000000000Z'),
    bob: id('005', 'i0000000000a'),
    cy: id('005', 'i0000000000b'),
    dee: id('005', 'i00000000001'),
    eve: id('005', 'i00000000002'),
}
const PERMSET = { owned: id('0PS', 'i00000000001'), sales: id('0PS', 'i00000000002'), audit: id('0PS', 'i00000000003') }
const GROUP = { queue: id('00G', 'i00000000001'), team: id('00G', 'i00000000002') }

interface FakeObject extends SoqlObject {
    /** Calls of rows() and rowsWhere(), to see whether a query scanned or used an index. */
    readonly calls: { rows: number; rowsWhere: { field: string; values: readonly string[] }[] }
}

function fakeObject(
    name: string,
    fields: Record<string, SoqlFieldType>,
    data: SoqlRow[],
    relations: Pick<SoqlObject, 'parents' | 'children'> = {},
    indexed: readonly string[] = ['Id']
): FakeObject {
    const calls: FakeObject['calls'] = { rows: 0, rowsWhere: [] }
    const live = (opts: { includeDeleted: boolean }) => data.filter((r) => opts.includeDeleted || r.IsDeleted !== true)
    const indexes = new Map(
        indexed.map((field) => {
            const byValue = new Map<string, SoqlRow[]>()
            for (const row of data) byValue.set(String(row[field]), [...(byValue.get(String(row[field])) ?? []), row])
            return [field, byValue] as const
        })
    )
    return {
        name,
        fields,
        calls,
        ...relations,
        rows(opts) {
            calls.rows++
            return live(opts)
        },
        rowsWhere(field, values, opts) {
            const index = indexes.get(field)
            if (!index) return undefined
            calls.rowsWhere.push({ field, values })
            return values.flatMap((v) => index.get(v) ?? []).filter((r) => opts.includeDeleted || r.IsDeleted !== true)
        },
    }
}

function fakeSchema(objects: readonly FakeObject[]): SoqlSchema & { objects: Record<string, FakeObject> } {
    const byName = Object.fromEntries(objects.map((o) => [o.name, o]))
    return {
        objects: byName,
        object: (name) => objects.find((o) => o.name.toLowerCase() === name.toLowerCase()),
        rowById: (object, rowId) =>
            (byName[object]?.rows({ includeDeleted: true }) as SoqlRow[]).find(
                (r) => String(r.Id).slice(0, 15) === rowId.slice(0, 15)
            ),
    }
}

function orgSchema() {
    return fakeSchema([
        fakeObject('UserLicense', { Id: 'id', Name: 'string' }, [
            { Id: LICENSE.salesforce, Name: 'Salesforce' },
            { Id: LICENSE.platform, Name: 'Salesforce Platform' },
        ]),
        fakeObject(
            'Profile',
            { Id: 'id', Name: 'string', UserLicenseId: 'reference' },
            [
                { Id: PROFILE.admin, Name: 'System Administrator', UserLicenseId: LICENSE.salesforce },
                { Id: PROFILE.standard, Name: 'Standard Platform User', UserLicenseId: LICENSE.platform },
                { Id: PROFILE.orphan, Name: 'Orphan', UserLicenseId: null },
            ],
            { parents: { UserLicense: { object: 'UserLicense', field: 'UserLicenseId' } } }
        ),
        fakeObject(
            'User',
            {
                Id: 'id',
                Username: 'string',
                FirstName: 'string',
                LastName: 'string',
                Title: 'string',
                IsActive: 'boolean',
                ProfileId: 'reference',
                ManagerId: 'reference',
                LastLoginDate: 'datetime',
                Birthdate: 'date',
                NumberOfFailedLogins: 'int',
            },
            [
                {
                    Id: USER.ada,
                    Username: 'ada@example.com',
                    FirstName: 'Ada',
                    LastName: 'lovelace',
                    Title: "O'Brien\\Ops\nLead",
                    IsActive: true,
                    ProfileId: PROFILE.admin,
                    ManagerId: null,
                    LastLoginDate: '2026-01-01T00:00:00.000+0000',
                    Birthdate: '1990-12-10',
                    NumberOfFailedLogins: 0,
                },
                {
                    Id: USER.bob,
                    Username: 'bob@example.com',
                    FirstName: 'Bob',
                    LastName: 'Babbage',
                    Title: '100% sales',
                    IsActive: true,
                    ProfileId: PROFILE.standard,
                    ManagerId: USER.ada,
                    LastLoginDate: '2026-03-01T12:00:00.000+0000',
                    Birthdate: '1985-01-02',
                    NumberOfFailedLogins: 3,
                },
                {
                    Id: USER.cy,
                    Username: 'cy@example.com',
                    FirstName: 'Cy',
                    LastName: 'Cerf',
                    Title: null,
                    IsActive: false,
                    ProfileId: PROFILE.orphan,
                    ManagerId: USER.bob,
                    LastLoginDate: null,
                    Birthdate: null,
                    NumberOfFailedLogins: 5,
                },
                {
                    Id: USER.dee,
                    Username: 'dee@example.com',
                    FirstName: 'Dee',
                    LastName: 'Dijkstra',
                    Title: '1000 sales',
                    IsActive: true,
                    ProfileId: null,
                    ManagerId: USER.ada,
                    LastLoginDate: '2025-12-31T23:30:00.000+0000',
                    Birthdate: '2000-02-29',
                    NumberOfFailedLogins: 1,
                },
                {
                    Id: USER.eve,
                    Username: 'eve@example.com',
                    FirstName: 'Eve',
                    LastName: 'Euler',
                    Title: 'Gone',
                    IsActive: false,
                    ProfileId: PROFILE.admin,
                    ManagerId: null,
                    LastLoginDate: null,
                    Birthdate: null,
                    NumberOfFailedLogins: 0,
                    IsDeleted: true,
                },
            ],
            {
                parents: {
                    Profile: { object: 'Profile', field: 'ProfileId' },
                    Manager: { object: 'User', field: 'ManagerId' },
                },
                children: {
                    PermissionSetAssignments: { object: 'PermissionSetAssignment', field: 'AssigneeId' },
                },
            }
        ),
        fakeObject('PermissionSet', { Id: 'id', Name: 'string', IsOwnedByProfile: 'boolean' }, [
            { Id: PERMSET.owned, Name: 'X00ex000001', IsOwnedByProfile: true },
            { Id: PERMSET.sales, Name: 'Sales', IsOwnedByProfile: false },
            { Id: PERMSET.audit, Name: 'Audit', IsOwnedByProfile: false },
        ]),
        fakeObject(
            'PermissionSetAssignment',
            { Id: 'id', AssigneeId: 'reference', PermissionSetId: 'reference', ExpirationDate: 'datetime' },
            [
                { Id: id('0Pa', 'i00000000001'), AssigneeId: USER.ada, PermissionSetId: PERMSET.owned },
                { Id: id('0Pa', 'i00000000002'), AssigneeId: USER.ada, PermissionSetId: PERMSET.sales },
                {
                    Id: id('0Pa', 'i00000000003'),
                    AssigneeId: USER.ada,
                    PermissionSetId: PERMSET.audit,
                    ExpirationDate: '2026-06-30T00:00:00.000+0000',
                },
                { Id: id('0Pa', 'i00000000004'), AssigneeId: USER.bob, PermissionSetId: PERMSET.owned },
                { Id: id('0Pa', 'i00000000005'), AssigneeId: USER.cy, PermissionSetId: PERMSET.sales },
            ],
            {
                parents: {
                    Assignee: { object: 'User', field: 'AssigneeId' },
                    PermissionSet: { object: 'PermissionSet', field: 'PermissionSetId' },
                },
            },
            ['Id', 'AssigneeId']
        ),
        fakeObject(
            'Group',
            { Id: 'id', Name: 'string', DeveloperName: 'string', Type: 'string' },
            [
                { Id: GROUP.queue, Name: 'Support Queue', DeveloperName: 'Support_Queue', Type: 'Queue' },
                { Id: GROUP.team, Name: 'Team', DeveloperName: 'Team', Type: 'Regular' },
            ],
            { children: { GroupMembers: { object: 'GroupMember', field: 'GroupId' } } }
        ),
        fakeObject(
            'GroupMember',
            { Id: 'id', GroupId: 'reference', UserOrGroupId: 'reference' },
            [
                { Id: id('011', 'i00000000001'), GroupId: GROUP.queue, UserOrGroupId: USER.bob },
                { Id: id('011', 'i00000000002'), GroupId: GROUP.team, UserOrGroupId: USER.bob },
                { Id: id('011', 'i00000000003'), GroupId: GROUP.team, UserOrGroupId: USER.dee },
            ],
            { parents: { Group: { object: 'Group', field: 'GroupId' } } },
            ['Id', 'UserOrGroupId']
        ),
        fakeObject('UserLogin', { Id: 'id', UserId: 'reference', IsFrozen: 'boolean', IsPasswordLocked: 'boolean' }, [
            { Id: id('060', 'i00000000001'), UserId: USER.ada, IsFrozen: false, IsPasswordLocked: false },
            { Id: id('060', 'i00000000002'), UserId: USER.bob, IsFrozen: true, IsPasswordLocked: false },
            { Id: id('060', 'i00000000003'), UserId: USER.cy, IsFrozen: true, IsPasswordLocked: true },
        ]),
    ])
}

const QUERY: SoqlOptions = { includeDeleted: false, apiVersion: 'v62.0' }

function run(soql: string, options: SoqlOptions = QUERY, schema: SoqlSchema = orgSchema()): SoqlResult {
    return runSoql(soql, schema, options)
}

/** The value of `field` in each record, in order. */
const pluck = (result: SoqlResult, field = 'Id'): unknown[] => result.records.map((r) => r[field])

function soqlError(soql: string, schema: SoqlSchema = orgSchema()): SoqlError {
    try {
        runSoql(soql, schema, QUERY)
    } catch (e) {
        if (e instanceof SoqlError) return e
        throw e
    }
    throw new Error(`expected ${soql} to fail`)
}

describe('the emulator SOQL engine', () => {
    describe('SELECT', () => {
        it('answers each row with attributes and the selected fields in the object spelling', () => {
            const result = run(`select id, USERNAME, isactive from user where Id = '${USER.ada}'`)
            expect(result).toEqual({
                object: 'User',
                totalSize: 1,
                records: [
                    {
                        attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${USER.ada}` },
                        Id: USER.ada,
                        Username: 'ada@example.com',
                        IsActive: true,
                    },
                ],
            })
        })

        it('nests parent relationship fields to any depth, one object per parent, null when the lookup is empty', () => {
            const result = run(
                'SELECT Id, Profile.Name, Profile.UserLicense.Name, Profile.Id, Manager.Username FROM User ORDER BY Username'
            )
            const [ada, bob, cy, dee] = result.records
            expect(ada).toEqual({
                attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${USER.ada}` },
                Id: USER.ada,
                Profile: {
                    attributes: { type: 'Profile', url: `/services/data/v62.0/sobjects/Profile/${PROFILE.admin}` },
                    Name: 'System Administrator',
                    UserLicense: {
                        attributes: {
                            type: 'UserLicense',
                            url: `/services/data/v62.0/sobjects/UserLicense/${LICENSE.salesforce}`,
                        },
                        Name: 'Salesforce',
                    },
                    Id: PROFILE.admin,
                },
                Manager: null,
            })
            expect(bob?.Manager).toEqual({
                attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${USER.ada}` },
                Username: 'ada@example.com',
            })
            expect(cy?.Profile).toMatchObject({ Name: 'Orphan', UserLicense: null })
            expect(dee?.Profile).toBeNull()
        })

        it('answers a child subquery as a record list, null when it has no rows', () => {
            const result = run(
                'SELECT Id, (SELECT Id, PermissionSetId, PermissionSet.Name FROM PermissionSetAssignments ' +
                    'WHERE PermissionSet.IsOwnedByProfile = false ORDER BY PermissionSet.Name) FROM User ORDER BY Username'
            )
            const [ada, bob, cy, dee] = result.records
            expect(ada?.PermissionSetAssignments).toEqual({
                totalSize: 2,
                done: true,
                records: [
                    {
                        attributes: {
                            type: 'PermissionSetAssignment',
                            url: `/services/data/v62.0/sobjects/PermissionSetAssignment/${id('0Pa', 'i00000000003')}`,
                        },
                        Id: id('0Pa', 'i00000000003'),
                        PermissionSetId: PERMSET.audit,
                        PermissionSet: {
                            attributes: {
                                type: 'PermissionSet',
                                url: `/services/data/v62.0/sobjects/PermissionSet/${PERMSET.audit}`,
                            },
                            Name: 'Audit',
                        },
                    },
                    expect.objectContaining({ PermissionSetId: PERMSET.sales }),
                ],
            })
            // Bob's only assignment is owned by his profile: no rows is null, not an empty list.
            expect(bob?.PermissionSetAssignments).toBeNull()
            expect(cy?.PermissionSetAssignments).toMatchObject({ totalSize: 1 })
            expect(dee?.PermissionSetAssignments).toBeNull()
        })

        it('applies a child subquery LIMIT to each parent row', () => {
            const result = run(
                `SELECT Id, (SELECT Id FROM PermissionSetAssignments ORDER BY Id DESC LIMIT 1) FROM User WHERE Id = '${USER.ada}'`
            )
            expect(result.records[0]?.PermissionSetAssignments).toEqual({
                totalSize: 1,
                done: true,
                records: [expect.objectContaining({ Id: id('0Pa', 'i00000000003') })],
            })
        })

        it('counts with COUNT(): totalSize and no records', () => {
            expect(run('SELECT COUNT() FROM User WHERE IsActive = true')).toEqual({
                object: 'User',
                totalSize: 3,
                records: [],
            })
            expect(run('SELECT COUNT() FROM User')).toMatchObject({ totalSize: 4 })
        })

        it('sees deleted rows only for queryAll', () => {
            expect(run('SELECT Id FROM User WHERE IsActive = false').totalSize).toBe(1)
            expect(
                pluck(run('SELECT Id FROM User WHERE IsActive = false ORDER BY Id', { ...QUERY, includeDeleted: true }))
            ).toEqual([USER.eve, USER.cy])
        })
    })

    describe('WHERE', () => {
        const users = (where: string): unknown[] =>
            pluck(run(`SELECT Username FROM User WHERE ${where} ORDER BY Username`), 'Username').map((u) =>
                String(u).slice(0, -'@example.com'.length)
            )

        it('compares text case-insensitively with = != IN NOT IN', () => {
            expect(users("FirstName = 'ADA'")).toEqual(['ada'])
            // != keeps the rows whose field is empty, as Salesforce does.
            expect(users("Title != 'gone'")).toEqual(['ada', 'bob', 'cy', 'dee'])
            expect(users("LastName IN ('LOVELACE', 'cerf')")).toEqual(['ada', 'cy'])
            expect(users("LastName NOT IN ('LOVELACE', 'cerf')")).toEqual(['bob', 'dee'])
            expect(users('Title = null')).toEqual(['cy'])
            expect(users('Title != null')).toEqual(['ada', 'bob', 'dee'])
        })

        it('orders with < > <= >= on text, numbers, dates and dateTimes', () => {
            expect(users("LastName < 'c'")).toEqual(['bob'])
            expect(users("LastName >= 'D'")).toEqual(['ada', 'dee'])
            expect(users('NumberOfFailedLogins > 1')).toEqual(['bob', 'cy'])
            expect(users('NumberOfFailedLogins <= 1')).toEqual(['ada', 'dee'])
            expect(users('Birthdate < 1990-12-10')).toEqual(['bob'])
            expect(users('Birthdate >= 1990-12-10')).toEqual(['ada', 'dee'])
        })

        it('compares dateTime literals as instants, whatever their form and offset', () => {
            expect(users('LastLoginDate >= 2026-01-01T00:00:00Z')).toEqual(['ada', 'bob'])
            expect(users('LastLoginDate > 2026-01-01T00:00:00.000+0000')).toEqual(['bob'])
            // 00:30 at +01:00 is 23:30 UTC the day before: Dee's last login.
            expect(users('LastLoginDate = 2026-01-01T00:30:00+01:00')).toEqual(['dee'])
            expect(users('LastLoginDate <= 2026-01-01T00:30:00.000+0100')).toEqual(['dee'])
            expect(users('LastLoginDate < 2026-01-01T00:30:00.000+0100')).toEqual([])
        })

        it('matches LIKE with % and _, case-insensitively, \\% and \\_ literally', () => {
            expect(users("Username LIKE 'B%'")).toEqual(['bob'])
            expect(users("FirstName LIKE '_e_'")).toEqual(['dee'])
            expect(users("Title LIKE '%sales'")).toEqual(['bob', 'dee'])
            expect(users("Title LIKE '100\\% %'")).toEqual(['bob'])
            expect(users("Title LIKE '100_ %'")).toEqual(['bob', 'dee'])
            expect(users("Title LIKE '100\\_%'")).toEqual([])
        })

        it('reads string escapes, booleans, null and numbers', () => {
            expect(users("Title = 'o\\'brien\\\\ops\\nlead'")).toEqual(['ada'])
            expect(users('IsActive = FALSE')).toEqual(['cy'])
            expect(users('IsActive = true AND NumberOfFailedLogins = 0')).toEqual(['ada'])
            expect(users('NumberOfFailedLogins IN (3, 5.0)')).toEqual(['bob', 'cy'])
            expect(users('LastLoginDate = null')).toEqual(['cy'])
        })

        it('combines conditions with AND, OR, NOT and brackets', () => {
            expect(users("IsActive = true AND (FirstName = 'Ada' OR FirstName = 'Bob')")).toEqual(['ada', 'bob'])
            expect(users("(IsActive = true AND FirstName = 'Ada') OR FirstName = 'Cy'")).toEqual(['ada', 'cy'])
            expect(users("NOT FirstName = 'Ada'")).toEqual(['bob', 'cy', 'dee'])
            expect(users("NOT (FirstName = 'Ada' OR FirstName = 'Bob') AND IsActive = true")).toEqual(['dee'])
            expect(users("IsActive = true AND (NOT FirstName = 'Ada')")).toEqual(['bob', 'dee'])
            expect(users("((FirstName = 'Ada')) OR (FirstName = 'Cy' OR FirstName = 'Dee')")).toEqual([
                'ada',
                'cy',
                'dee',
            ])
        })

        it('refuses AND and OR mixed without brackets, as Salesforce does', () => {
            const e = soqlError("SELECT Id FROM User WHERE FirstName = 'Ada' OR FirstName = 'Bob' AND IsActive = true")
            expect(e.errorCode).toBe('MALFORMED_QUERY')
            expect(e.message).toBe('unexpected token: AND')
        })

        it('filters on parent relationship fields', () => {
            expect(users("Profile.UserLicense.Name = 'Salesforce'")).toEqual(['ada'])
            expect(users('Manager.IsActive = true')).toEqual(['bob', 'cy', 'dee'])
            const queueMembers = run("SELECT UserOrGroupId FROM GroupMember WHERE Group.Type = 'Queue'")
            expect(pluck(queueMembers, 'UserOrGroupId')).toEqual([USER.bob])
            const granted = run(
                'SELECT AssigneeId, PermissionSetId FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = false'
            )
            expect(granted.totalSize).toBe(3)
        })

        it('evaluates a semi-join and an anti-join once each', () => {
            const schema = orgSchema()
            const frozen = pluck(
                run(
                    'SELECT Id FROM User WHERE Id IN (SELECT UserId FROM UserLogin WHERE IsFrozen = true) ORDER BY Id',
                    QUERY,
                    schema
                )
            )
            expect(frozen).toEqual([USER.bob, USER.cy])
            expect(schema.objects.UserLogin?.calls.rows).toBe(1)
            const notFrozen = run(
                'SELECT Id FROM User WHERE Id NOT IN (SELECT UserId FROM UserLogin WHERE IsFrozen = true) ORDER BY Id',
                QUERY,
                schema
            )
            expect(pluck(notFrozen)).toEqual([USER.dee, USER.ada])
            expect(schema.objects.UserLogin?.calls.rows).toBe(2)
        })
    })

    describe('names', () => {
        it('reads field, relationship and object names in any case and answers in the object spelling', () => {
            const result = run(
                `select profile.userlicense.NAME, (select permissionsetid from permissionsetassignments where ` +
                    `permissionset.isownedbyprofile = true) from USER where id = '${USER.ada}'`
            )
            expect(result.object).toBe('User')
            expect(result.records[0]).toMatchObject({
                attributes: { type: 'User' },
                Profile: { UserLicense: { Name: 'Salesforce' } },
                PermissionSetAssignments: { totalSize: 1, records: [{ PermissionSetId: PERMSET.owned }] },
            })
        })
    })

    describe('ids', () => {
        it('matches a 15- or 18-character id literal to the 18-character id, case-sensitively', () => {
            expect(pluck(run(`SELECT Id FROM User WHERE Id = '${USER.bob.slice(0, 15)}'`))).toEqual([USER.bob])
            expect(pluck(run(`SELECT Id FROM User WHERE Id = '${USER.bob}'`))).toEqual([USER.bob])
            // …000a and …000A are two different users' keys.
            expect(run(`SELECT Id FROM User WHERE Id = '${USER.bob.slice(0, 14)}A'`).totalSize).toBe(0)
            const both = run(
                `SELECT Id FROM User WHERE ProfileId IN ('${PROFILE.admin.slice(0, 15)}', '${PROFILE.orphan}')`
            )
            expect(both.totalSize).toBe(2)
        })

        it('orders ids by byte order in filters too, for keyset paging', () => {
            expect(pluck(run(`SELECT Id FROM User WHERE Id > '${USER.ada}' ORDER BY Id`))).toEqual([USER.bob, USER.cy])
            expect(pluck(run(`SELECT Id FROM User WHERE Id <= '${USER.ada.slice(0, 15)}' ORDER BY Id`))).toEqual([
                USER.dee,
                USER.ada,
            ])
        })

        it('refuses a malformed id literal with invalid ID field', () => {
            for (const where of ["Id = 'xyz'", `Id IN ('${USER.ada}', 'xyz')`, "ProfileId != 'xyz'"]) {
                const e = soqlError(`SELECT Id FROM User WHERE ${where}`)
                expect(e.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR')
                expect(e.message).toBe('invalid ID field: xyz')
            }
        })

        it('uses the index for a top-level Id = / Id IN conjunct instead of scanning', () => {
            const schema = orgSchema()
            const result = run(
                `SELECT Id FROM User WHERE Id IN ('${USER.ada.slice(0, 15)}', '${USER.bob}', '${USER.ada}') AND IsActive = true`,
                QUERY,
                schema
            )
            expect(pluck(result).sort()).toEqual([USER.ada, USER.bob].sort())
            const user = schema.objects.User
            expect(user?.calls.rows).toBe(0)
            expect(user?.calls.rowsWhere).toEqual([{ field: 'Id', values: [USER.ada, USER.bob] }])
        })

        it('runs a semi-join inner query once while scanning the outer object', () => {
            const schema = orgSchema()
            const managedByFrozen = run(
                'SELECT Id FROM User WHERE ManagerId IN (SELECT UserId FROM UserLogin WHERE IsFrozen = true)',
                QUERY,
                schema
            )
            expect(pluck(managedByFrozen)).toEqual([USER.cy])
            // User has no index on ManagerId: one scan of User, one of UserLogin.
            expect(schema.objects.User?.calls.rows).toBe(1)
            expect(schema.objects.UserLogin?.calls.rows).toBe(1)
        })

        it('uses the index for a semi-join and for child rows, never under OR', () => {
            const schema = orgSchema()
            run(
                'SELECT Id, (SELECT Id FROM PermissionSetAssignments) FROM User WHERE Id IN (SELECT UserId FROM UserLogin)',
                QUERY,
                schema
            )
            expect(schema.objects.User?.calls).toEqual({
                rows: 0,
                rowsWhere: [{ field: 'Id', values: [USER.ada, USER.bob, USER.cy] }],
            })
            expect(schema.objects.PermissionSetAssignment?.calls.rowsWhere).toEqual([
                { field: 'AssigneeId', values: [USER.ada, USER.bob, USER.cy] },
            ])
            run(`SELECT Id FROM User WHERE Id = '${USER.ada}' OR IsActive = false`, QUERY, schema)
            expect(schema.objects.User?.calls.rows).toBe(1)
        })
    })

    describe('ORDER BY, LIMIT, OFFSET', () => {
        it('orders text case-insensitively and ids by byte order', () => {
            expect(pluck(run('SELECT LastName FROM User ORDER BY LastName'), 'LastName')).toEqual([
                'Babbage',
                'Cerf',
                'Dijkstra',
                'lovelace',
            ])
            // Byte order: digits, then upper case, then lower case (…1, …2 of eve deleted, …Z, …a, …b).
            expect(pluck(run('SELECT Id FROM User ORDER BY Id'))).toEqual([USER.dee, USER.ada, USER.bob, USER.cy])
            expect(pluck(run('SELECT Id FROM User ORDER BY Id DESC'))).toEqual([USER.cy, USER.bob, USER.ada, USER.dee])
        })

        it('puts nulls first ascending and last descending unless told, and orders by several keys', () => {
            const titles = (order: string): unknown[] => pluck(run(`SELECT Title FROM User ORDER BY ${order}`), 'Title')
            expect(titles('Title')[0]).toBeNull()
            expect(titles('Title DESC').at(-1)).toBeNull()
            expect(titles('Title ASC NULLS LAST').at(-1)).toBeNull()
            expect(titles('Title DESC NULLS FIRST')[0]).toBeNull()
            expect(
                pluck(run('SELECT FirstName FROM User ORDER BY IsActive DESC, FirstName DESC'), 'FirstName')
            ).toEqual(['Dee', 'Bob', 'Ada', 'Cy'])
            expect(pluck(run('SELECT Id FROM User ORDER BY Profile.Name NULLS LAST, Id'))).toEqual([
                USER.cy,
                USER.bob,
                USER.ada,
                USER.dee,
            ])
        })

        it('slices with LIMIT and OFFSET, and refuses an OFFSET past 2,000', () => {
            expect(pluck(run('SELECT Id FROM User ORDER BY Id LIMIT 2 OFFSET 1'))).toEqual([USER.ada, USER.bob])
            expect(run('SELECT Id FROM User LIMIT 0').totalSize).toBe(0)
            expect(run('SELECT Id FROM User OFFSET 2000').totalSize).toBe(0)
            const e = soqlError('SELECT Id FROM User OFFSET 2001')
            expect(e.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE')
            expect(e.message).toBe('Maximum SOQL offset allowed is 2000')
        })
    })

    describe('errors', () => {
        it.each([
            ['SELECT Id, FROM User', 'unexpected token: FROM'],
            ['SELECT Id FROM User WHERE', 'unexpected token: <EOF>'],
            ["SELECT Id FROM User WHERE Name = 'x", "unexpected token: '"],
            ['SELEC Id FROM User', 'unexpected token: SELEC'],
            ['SELECT Id FROM User LIMIT 5 LIMIT 6', 'unexpected token: LIMIT'],
            ['SELECT Id FROM User WHERE Id = :userId', 'unexpected token: :'],
        ])('%s is MALFORMED_QUERY', (soql, message) => {
            const e = soqlError(soql)
            expect(e.errorCode).toBe('MALFORMED_QUERY')
            expect(e.message).toBe(message)
        })

        it('names an unknown field INVALID_FIELD, in Salesforce words', () => {
            for (const soql of [
                'SELECT Id, Foo FROM User',
                'SELECT Id FROM User WHERE Foo = 1',
                'SELECT Id FROM User ORDER BY Foo',
            ]) {
                const e = soqlError(soql)
                expect(e.errorCode).toBe('INVALID_FIELD')
                expect(e.message).toBe(
                    "No such column 'Foo' on entity 'User'. If you are attempting to use a custom field, be sure to " +
                        "append the '__c' after the custom field name. Please reference your WSDL or the describe call " +
                        'for the appropriate names.'
                )
            }
            expect(soqlError('SELECT Profile.Foo FROM User').message).toMatch(
                /^No such column 'Foo' on entity 'Profile'/
            )
            const relationship = soqlError('SELECT Boss.Name FROM User')
            expect(relationship.errorCode).toBe('INVALID_FIELD')
            expect(relationship.message).toMatch(/^Didn't understand relationship 'Boss' in field path/)
        })

        it('names an unknown object or child relationship INVALID_TYPE', () => {
            const e = soqlError('SELECT Id FROM Foo')
            expect(e.errorCode).toBe('INVALID_TYPE')
            expect(e.message).toBe(
                "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append " +
                    "the '__c' after the entity name. Please reference your WSDL or the describe call for the " +
                    'appropriate names.'
            )
            const child = soqlError('SELECT Id, (SELECT Id FROM Logins) FROM User')
            expect(child.errorCode).toBe('INVALID_TYPE')
            expect(child.message).toMatch(/^Didn't understand relationship 'Logins' in FROM part of query call/)
        })

        it('refuses a literal of the wrong type for its field with INVALID_FIELD', () => {
            expect(soqlError("SELECT Id FROM User WHERE IsActive = 'true'")).toMatchObject({
                errorCode: 'INVALID_FIELD',
                message:
                    "value of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes",
            })
            expect(soqlError('SELECT Id FROM User WHERE FirstName = 1')).toMatchObject({
                errorCode: 'INVALID_FIELD',
                message:
                    "value of filter criterion for field 'FirstName' must be of type string and should be enclosed in quotes",
            })
            expect(soqlError("SELECT Id FROM User WHERE LastLoginDate > '2026-01-01'").errorCode).toBe('INVALID_FIELD')
            expect(soqlError('SELECT Id FROM User WHERE LastLoginDate > 2026-01-01').errorCode).toBe('INVALID_FIELD')
        })

        it('refuses an operator its field type does not take with INVALID_QUERY_FILTER_OPERATOR', () => {
            expect(soqlError('SELECT Id FROM User WHERE IsActive > false').errorCode).toBe(
                'INVALID_QUERY_FILTER_OPERATOR'
            )
            expect(soqlError("SELECT Id FROM User WHERE Id LIKE '005%'").errorCode).toBe(
                'INVALID_QUERY_FILTER_OPERATOR'
            )
        })

        it.each([
            'SELECT Id FROM User GROUP BY Id',
            'SELECT COUNT(Id) FROM User',
            'SELECT Id, COUNT() FROM User',
            'SELECT Id FROM User WHERE LastLoginDate > TODAY',
            'SELECT Id FROM User WHERE LastLoginDate > LAST_N_DAYS:30',
            'SELECT toLabel(FirstName) FROM User',
            'SELECT Id FROM User u',
            'SELECT Id FROM User WITH SECURITY_ENFORCED',
            'SELECT Id FROM User FOR UPDATE',
            'SELECT Id FROM User ORDER BY CALENDAR_YEAR(LastLoginDate)',
            'SELECT Id FROM User WHERE CALENDAR_YEAR(LastLoginDate) = 2026',
            'SELECT Id, (SELECT Id, (SELECT Id FROM GroupMembers) FROM PermissionSetAssignments) FROM User',
            'SELECT Id FROM User WHERE Id IN (SELECT UserId FROM UserLogin LIMIT 1)',
            'SELECT Id FROM User WHERE Id IN (SELECT IsFrozen FROM UserLogin)',
            "SELECT Id FROM User WHERE FirstName = 'Ada' OR Id IN (SELECT UserId FROM UserLogin)",
            'SELECT Id FROM User WHERE NOT (Id IN (SELECT UserId FROM UserLogin))',
            'SELECT Id FROM User WHERE Id IN (SELECT ManagerId FROM User)',
            'SELECT Id FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment ' +
                'WHERE PermissionSetId IN (SELECT Id FROM PermissionSet))',
            "SELECT Id FROM User WHERE Title = 'a\\qb'",
            'SELECT Id, id FROM User',
        ])('%s fails loudly with MALFORMED_QUERY', (soql) => {
            expect(soqlError(soql).errorCode).toBe('MALFORMED_QUERY')
        })
    })

    describe('speed', () => {
        it('answers a page of 200 ids out of 100,000 users from the index', () => {
            const users = Array.from({ length: 100_000 }, (_, n) => ({
                Id: id('005', `8d0${n.toString(36).padStart(9, '0')}`),
                Username: `user${n}@example.com`,
                IsActive: n % 7 !== 0,
            }))
            const big = fakeObject('User', { Id: 'id', Username: 'string', IsActive: 'boolean' }, users)
            const schema = fakeSchema([big])
            const page = users.slice(50_000, 50_200).map((u) => `'${u.Id}'`)
            const soql = `SELECT Id, Username FROM User WHERE Id IN (${page.join(', ')}) AND IsActive = true`
            const runs = 50
            const started = performance.now()
            let result: SoqlResult | undefined
            for (let i = 0; i < runs; i++) result = runSoql(soql, schema, QUERY)
            const msPerQuery = (performance.now() - started) / runs
            expect(result?.totalSize).toBe(users.slice(50_000, 50_200).filter((u) => u.IsActive).length)
            expect(big.calls.rows).toBe(0)
            expect(msPerQuery).toBeLessThan(50)
        })
    })
})
