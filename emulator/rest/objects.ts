import { checksumSuffix, KEY_PREFIX } from '../ids'
import { FEATURE_LICENSES, FeatureLicense, UserRecord } from '../model'
import { Row, RowTable, sfDate, sfDateTime } from '../rows'
import { OrgStore, USER_LICENSES } from '../store'
import { INTEGRATION_PERMISSIONS, IntegrationPermission, PermissionSwitch } from './permissions'
import { SoqlFieldType, SoqlObject, SoqlRow, SoqlSchema } from './soql-schema'

/**
 * The org's sObjects as the REST API serves them, over the same store as SCIM: their fields (with what describe says
 * of each), their rows (built from the store's records, or the store's junction rows as they are), their indexes
 * and relationships. One schema per request: an object the integration user may not read is absent (INVALID_TYPE),
 * and without View All Users the User object holds the user alone.
 */

export interface FieldSpec {
    readonly type: SoqlFieldType
    readonly createable?: boolean
    readonly updateable?: boolean
    readonly label?: string
    readonly length?: number
    readonly custom?: boolean
    readonly referenceTo?: readonly string[]
}

export interface RestObject extends SoqlObject {
    readonly label: string
    readonly keyPrefix: string
    readonly spec: Readonly<Record<string, FieldSpec>>
    /** The calls Salesforce allows on the object (UserLogin: query, retrieve and update only). */
    readonly createable: boolean
    readonly updateable: boolean
    readonly deletable: boolean
    /** The row with this 18-character id. */
    get(id: string): SoqlRow | undefined
}

export interface SchemaOptions {
    readonly sessionUserId: string
    readonly permissions: PermissionSwitch
    /** Variant `deletedJunctionRows`: whether `queryAll` shows deleted junction rows (IsDeleted true). */
    readonly deletedRows: 'gone' | 'queryAll'
}

/** Any of these permissions lets the integration user read the object; none listed: every API user can. */
const READ_PERMISSIONS: Readonly<Record<string, readonly IntegrationPermission[]>> = {
    UserLicense: ['ViewSetup'],
    PermissionSet: ['ViewSetup', 'AssignPermissionSets', 'ManageUsers'],
    PermissionSetAssignment: ['ViewSetup', 'AssignPermissionSets', 'ManageUsers'],
    PermissionSetGroup: ['ViewSetup', 'AssignPermissionSets'],
    PermissionSetGroupComponent: ['ViewSetup', 'AssignPermissionSets'],
    PermissionSetLicense: ['ViewSetup', 'AssignPermissionSets'],
    PermissionSetLicenseAssign: ['ViewSetup', 'AssignPermissionSets'],
    PackageLicense: ['ViewSetup', 'ManagePackageLicenses'],
    UserPackageLicense: ['ViewSetup', 'ManagePackageLicenses'],
    UserLogin: ['ManageUsers', 'FreezeUsers'],
}

/** 15- or 18-character id to the 18-character form (other strings unchanged). */
export function id18(id: string): string {
    return id.length === 15 ? id + checksumSuffix(id) : id
}

/** `UserRoleId` → `User Role ID`, `IsFrozen` → `Is Frozen`: describe's label when none is given. */
export function labelOf(name: string): string {
    return name
        .replace(/__c$/, '')
        .replace(/_/g, ' ')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .replace(/ Id$|^Id$/, (m) => m.replace('Id', 'ID'))
}

/** A permission set's API name from its label: letters, digits and underscores. */
export function developerName(label: string): string {
    return (
        label
            .normalize('NFD')
            .replace(/[^A-Za-z0-9]+/g, '_')
            .replace(/^_+|_+$/g, '') || 'Permission_Set'
    )
}

const id: FieldSpec = { type: 'id' }
const str = (length = 80, updateable = false, createable = updateable): FieldSpec => ({
    type: 'string',
    length,
    updateable,
    createable,
})
const bool = (updateable = false, createable = updateable): FieldSpec => ({ type: 'boolean', updateable, createable })
const ref = (to: string, updateable = false, createable = updateable): FieldSpec => ({
    type: 'reference',
    referenceTo: [to],
    updateable,
    createable,
    length: 18,
})
const datetime = (updateable = false, createable = updateable): FieldSpec => ({
    type: 'datetime',
    updateable,
    createable,
})
const int: FieldSpec = { type: 'int' }
const audit = { CreatedDate: datetime(), LastModifiedDate: datetime(), SystemModstamp: datetime() }

/** User fields the REST API reads and writes, with the store field each stands for. */
export const USER_FIELD_MAP = {
    Username: 'userName',
    FirstName: 'firstName',
    LastName: 'lastName',
    Email: 'email',
    Alias: 'alias',
    CommunityNickname: 'nickName',
    Title: 'title',
    Department: 'department',
    Division: 'division',
    EmployeeNumber: 'employeeNumber',
    Street: 'street',
    City: 'city',
    State: 'state',
    PostalCode: 'postalCode',
    Country: 'country',
    Phone: 'phone',
    MobilePhone: 'mobilePhone',
    Fax: 'fax',
    EmailEncodingKey: 'emailEncodingKey',
    LanguageLocaleKey: 'languageLocaleKey',
    LocaleSidKey: 'localeSidKey',
    TimeZoneSidKey: 'timeZoneSidKey',
    FederationIdentifier: 'federationId',
    ManagerId: 'managerId',
    DelegatedApproverId: 'delegatedApproverId',
    IsActive: 'isActive',
    ProfileId: 'profileId',
    UserRoleId: 'roleId',
} as const

const USER_STRING_LENGTHS: Partial<Record<keyof typeof USER_FIELD_MAP, number>> = {
    Username: 80,
    Alias: 8,
    CommunityNickname: 40,
    Email: 128,
    Street: 255,
    FederationIdentifier: 512,
}

function userSpec(store: OrgStore): Record<string, FieldSpec> {
    const spec: Record<string, FieldSpec> = { Id: id }
    for (const name of Object.keys(USER_FIELD_MAP) as (keyof typeof USER_FIELD_MAP)[]) {
        if (name === 'IsActive') spec[name] = bool(true)
        else if (name === 'ManagerId' || name === 'DelegatedApproverId') spec[name] = ref('User', true)
        else if (name === 'ProfileId') spec[name] = ref('Profile', true)
        else if (name === 'UserRoleId') spec[name] = ref('UserRole', true)
        else spec[name] = str(USER_STRING_LENGTHS[name] ?? 80, true)
    }
    spec.Name = str(121)
    spec.CompanyName = str(80, true)
    spec.UserType = str(40)
    spec.AccountId = ref('Account')
    spec.ContactId = ref('Contact')
    spec.LastLoginDate = datetime()
    Object.assign(spec, audit)
    for (const [flag, label] of Object.entries(FEATURE_LICENSES))
        spec[`UserPermissions${flag}`] = { ...bool(true), label }
    for (const def of store.customFields) {
        const base: FieldSpec =
            def.type === 'boolean'
                ? bool(true)
                : def.type === 'double'
                  ? { type: 'double', updateable: true, createable: true }
                  : def.type === 'date'
                    ? { type: 'date', updateable: true, createable: true }
                    : def.type === 'hierarchy'
                      ? ref('User', true)
                      : str(255, true)
        spec[def.name] = { ...base, label: def.label, custom: true }
    }
    return spec
}

const FLAG_FIELDS = (Object.keys(FEATURE_LICENSES) as FeatureLicense[]).map((f) => [f, `UserPermissions${f}`] as const)

/** A User row. One object literal in a fixed order, so that 100,000 of them share one shape and build fast. */
function userRow(store: OrgStore, u: UserRecord): SoqlRow {
    const rest = store.restFieldsOf(u.id)
    const modified = sfDateTime(u.lastModified)
    const row: Record<string, unknown> = {
        Id: u.id,
        Username: u.userName,
        FirstName: u.firstName,
        LastName: u.lastName,
        Email: u.email,
        Alias: u.alias,
        CommunityNickname: u.nickName,
        Title: u.title,
        Department: u.department,
        Division: u.division,
        EmployeeNumber: u.employeeNumber,
        Street: u.street,
        City: u.city,
        State: u.state,
        PostalCode: u.postalCode,
        Country: u.country,
        Phone: u.phone,
        MobilePhone: u.mobilePhone,
        Fax: u.fax,
        EmailEncodingKey: u.emailEncodingKey,
        LanguageLocaleKey: u.languageLocaleKey,
        LocaleSidKey: u.localeSidKey,
        TimeZoneSidKey: u.timeZoneSidKey,
        FederationIdentifier: u.federationId,
        ManagerId: u.managerId,
        DelegatedApproverId: u.delegatedApproverId,
        IsActive: u.isActive,
        ProfileId: u.profileId,
        UserRoleId: u.roleId,
        Name: u.firstName ? (u.lastName ? `${u.firstName} ${u.lastName}` : u.firstName) : (u.lastName ?? ''),
        CompanyName: rest.companyName,
        UserType: u.userType,
        AccountId: u.accountId,
        ContactId: u.contactId,
        LastLoginDate: rest.lastLoginDate === null ? null : sfDateTime(rest.lastLoginDate),
        CreatedDate: sfDateTime(u.created),
        LastModifiedDate: modified,
        SystemModstamp: modified,
    }
    for (const [flag, field] of FLAG_FIELDS) row[field] = rest.featureLicenses.has(flag)
    for (const def of store.customFields) {
        const v = u.custom[def.name]
        row[def.name] = v === undefined ? (def.type === 'boolean' ? false : null) : v
    }
    return row
}

interface ObjectDef {
    readonly name: string
    readonly label: string
    readonly keyPrefix: string
    readonly spec: Readonly<Record<string, FieldSpec>>
    readonly createable?: boolean
    readonly updateable?: boolean
    readonly deletable?: boolean
    readonly parents?: SoqlObject['parents']
    readonly children?: SoqlObject['children']
    /** Live rows, and (for queryAll) deleted ones. */
    rows(includeDeleted: boolean): Iterable<SoqlRow>
    get(id: string): SoqlRow | undefined
    /** Indexed lookups beyond Id. */
    where?(field: string, value: string, includeDeleted: boolean): Iterable<SoqlRow> | undefined
}

function fieldsOf(spec: Readonly<Record<string, FieldSpec>>): Record<string, SoqlFieldType> {
    return Object.fromEntries(Object.entries(spec).map(([k, f]) => [k, f.type]))
}

function* concat<T>(...parts: Iterable<T>[]): Iterable<T> {
    for (const p of parts) yield* p
}

function tableDef<R extends Row>(
    table: RowTable<R>,
    def: Omit<ObjectDef, 'rows' | 'get' | 'where' | 'name'>,
    withDeleted: boolean
): ObjectDef {
    return {
        name: table.object,
        ...def,
        rows: (includeDeleted) =>
            includeDeleted && withDeleted ? concat<SoqlRow>(table.all(), table.deleted()) : table.all(),
        get: (rowId) => table.get(rowId),
        where: (field, value, includeDeleted) => {
            if (!table.isIndexed(field)) return undefined
            const live: Iterable<SoqlRow> =
                field === 'Id'
                    ? [table.get(value)].filter((r): r is R => r !== undefined)
                    : table.where(field as keyof R & string, value)
            if (!(includeDeleted && withDeleted)) return live
            return concat<SoqlRow>(
                live,
                table.deleted().filter((r) => r[field as keyof R] === value)
            )
        },
    }
}

function definitions(store: OrgStore, options: SchemaOptions): ObjectDef[] {
    const viewAllUsers = options.permissions.has('ViewAllUsers')
    const junctionDeleted = options.deletedRows === 'queryAll'
    const usersInView = (): Iterable<UserRecord> => {
        if (!viewAllUsers) {
            const self = store.getUser(options.sessionUserId)
            return self ? [self] : []
        }
        const visible = store.visibleUsers()
        const internal = [...store.allUsers()].filter((u) => !store.isVisible(u))
        return concat(visible, internal)
    }
    const userById = (userId: string): UserRecord | undefined => {
        const u = store.getUser(userId)
        if (!u || !store.isReadable(u)) return undefined
        if (!viewAllUsers && u.id !== options.sessionUserId) return undefined
        return u
    }
    const licenseIdOf = (name: string | undefined): string | null =>
        name ? (store.userLicenseIds.get(name as never) ?? null) : null

    // A query following PermissionSetAssignment.PermissionSet, GroupMember.Group or User.Profile reads the same few
    // records once per row: within this schema's life (one version of the store, see OrgSchemas) none of them
    // changes, so each row is built once.
    const builtOnce = (
        build: (recordId: string) => SoqlRow | undefined
    ): ((recordId: string) => SoqlRow | undefined) => {
        const rows = new Map<string, SoqlRow | undefined>()
        return (recordId) => {
            if (rows.has(recordId)) return rows.get(recordId)
            const row = build(recordId)
            rows.set(recordId, row)
            return row
        }
    }
    const profileRow = builtOnce((pId: string): SoqlRow | undefined => {
        const p = store.profiles.get(pId)
        if (!p) return undefined
        return {
            Id: p.id,
            Name: p.name,
            UserLicenseId: licenseIdOf(p.license),
            UserType: p.userType,
            CreatedDate: sfDateTime(p.created),
            LastModifiedDate: sfDateTime(p.lastModified),
            SystemModstamp: sfDateTime(p.lastModified),
        }
    })
    const userLicenseRow = ([name, key]: (typeof USER_LICENSES)[number]): SoqlRow => {
        const seats = store.userLicenseSeats(name)
        return {
            Id: store.userLicenseIds.get(name),
            Name: name,
            MasterLabel: name,
            LicenseDefinitionKey: key,
            Status: 'Active',
            TotalLicenses: seats.total,
            UsedLicenses: seats.used,
        }
    }
    const userLicenseRows = (): SoqlRow[] => USER_LICENSES.map(userLicenseRow)
    // `Profile.UserLicense.Name` follows this once per user: build the one row asked for, not all of them.
    const userLicenseById = (lId: string): SoqlRow | undefined => {
        const license = USER_LICENSES.find(([name]) => store.userLicenseIds.get(name) === lId)
        return license ? userLicenseRow(license) : undefined
    }
    // The permission flags of a permission set (`PermissionsManageUsers`, …): the integration user holds the switched
    // permissions through its profile's own permission set; every other set grants none of them.
    const sessionProfileId = store.getUser(options.sessionUserId)?.profileId
    const flagsOf = (holdsIntegrationPermissions: boolean): SoqlRow =>
        Object.fromEntries<boolean>([
            ['PermissionsApiEnabled', holdsIntegrationPermissions] as const,
            ...INTEGRATION_PERMISSIONS.map(
                (p) => [`Permissions${p}`, holdsIntegrationPermissions && options.permissions.has(p)] as const
            ),
        ])
    const noFlags = flagsOf(false)
    const integrationFlags = flagsOf(true)
    const permissionSetRow = builtOnce((psId) => buildPermissionSetRow(psId))
    const buildPermissionSetRow = (psId: string): SoqlRow | undefined => {
        const ps = store.permissionSets.get(psId)
        if (ps)
            return {
                ...noFlags,
                Id: ps.id,
                Name: developerName(ps.name),
                Label: ps.label,
                IsOwnedByProfile: false,
                ProfileId: null,
                Type: 'Regular',
                LicenseId: ps.permissionSetLicenseId ?? licenseIdOf(ps.license),
                PermissionSetGroupId: null,
                CreatedDate: sfDateTime(ps.created),
                LastModifiedDate: sfDateTime(ps.lastModified),
                SystemModstamp: sfDateTime(ps.lastModified),
            }
        const owned = store.ownedPermissionSets.get(psId)
        if (!owned) return undefined
        const profile = owned.profileId ? store.profiles.get(owned.profileId) : undefined
        return {
            ...(owned.type === 'Profile' && owned.profileId === sessionProfileId ? integrationFlags : noFlags),
            Id: owned.id,
            Name: owned.name,
            Label: owned.label,
            IsOwnedByProfile: owned.type === 'Profile',
            ProfileId: owned.profileId,
            Type: owned.type,
            LicenseId: licenseIdOf(profile?.license),
            PermissionSetGroupId: owned.permissionSetGroupId,
            CreatedDate: sfDateTime(profile?.created ?? 0),
            LastModifiedDate: sfDateTime(profile?.lastModified ?? 0),
            SystemModstamp: sfDateTime(profile?.lastModified ?? 0),
        }
    }
    const psgRow = (gId: string): SoqlRow | undefined => {
        const g = store.permissionSetGroups.get(gId)
        // The seed gives no group a description (a field every org has).
        return g
            ? { Id: g.id, DeveloperName: g.developerName, MasterLabel: g.name, Description: null, Status: g.status }
            : undefined
    }
    const pslRow = (lId: string): SoqlRow | undefined => {
        const l = store.permissionSetLicenses.get(lId)
        if (!l) return undefined
        return {
            Id: l.id,
            DeveloperName: l.developerName,
            MasterLabel: l.masterLabel,
            Status: l.status,
            TotalLicenses: l.totalLicenses,
            UsedLicenses: store.usedPermissionSetLicenses(l.id),
            ExpirationDate: l.expirationDate === null ? null : sfDate(l.expirationDate),
        }
    }
    const packageRow = (lId: string): SoqlRow | undefined => {
        const l = store.packageLicenses.get(lId)
        if (!l) return undefined
        return {
            Id: l.id,
            NamespacePrefix: l.namespacePrefix,
            Status: l.status,
            AllowedLicenses: l.allowedLicenses,
            // A site-wide license counts every user's use of it.
            UsedLicenses: l.allowedLicenses < 0 ? store.userCount : store.usedPackageLicenses(l.id),
            ExpirationDate: l.expirationDate === null ? null : sfDateTime(l.expirationDate),
        }
    }
    const groupRow = builtOnce((gId: string): SoqlRow | undefined => {
        const g = store.groups.get(gId)
        if (!g) return undefined
        return {
            Id: g.id,
            Name: g.name,
            DeveloperName: developerName(g.name),
            Type: g.type,
            // The seed gives no group or queue an email address (a field every org has).
            Email: null,
            CreatedDate: sfDateTime(g.created),
            LastModifiedDate: sfDateTime(g.lastModified),
            SystemModstamp: sfDateTime(g.lastModified),
        }
    })
    const roleRow = builtOnce((rId: string): SoqlRow | undefined => {
        const r = store.roles.get(rId)
        if (!r) return undefined
        return {
            Id: r.id,
            Name: r.name,
            DeveloperName: developerName(r.name),
            ParentRoleId: r.parentRoleId,
            LastModifiedDate: sfDateTime(r.lastModified),
            SystemModstamp: sfDateTime(r.lastModified),
        }
    })
    const mapped = <T>(items: Iterable<T>, f: (t: T) => SoqlRow | undefined): SoqlRow[] => {
        const out: SoqlRow[] = []
        for (const t of items) {
            const r = f(t)
            if (r) out.push(r)
        }
        return out
    }
    const byIdOrder = (ids: Iterable<string>): string[] => [...ids].sort()
    /** An object of the store's records kept by id: its rows in Salesforce's id order, each made by `row`. */
    const keyedDef = (
        def: Omit<ObjectDef, 'rows' | 'get' | 'where'>,
        ids: () => Iterable<string>,
        row: (recordId: string) => SoqlRow | undefined
    ): ObjectDef => ({ ...def, rows: () => mapped(byIdOrder(ids()), row), get: row })
    /** A junction row that assigns one license to one user: created and deleted, never updated. */
    const licenseAssignmentDef = <R extends Row>(
        table: RowTable<R>,
        def: Pick<ObjectDef, 'label' | 'keyPrefix'>,
        user: { readonly field: string; readonly relationship: string },
        license: 'PermissionSetLicense' | 'PackageLicense'
    ): ObjectDef => {
        const licenseField = `${license}Id`
        return tableDef(
            table,
            {
                ...def,
                spec: {
                    Id: id,
                    [user.field]: ref('User', false, true),
                    [licenseField]: ref(license, false, true),
                    SystemModstamp: datetime(),
                    IsDeleted: bool(),
                },
                createable: true,
                deletable: true,
                parents: {
                    [license]: { object: license, field: licenseField },
                    [user.relationship]: { object: 'User', field: user.field },
                },
            },
            junctionDeleted
        )
    }

    return [
        {
            name: 'User',
            label: 'User',
            keyPrefix: KEY_PREFIX.user,
            spec: userSpec(store),
            updateable: true,
            parents: {
                Profile: { object: 'Profile', field: 'ProfileId' },
                UserRole: { object: 'UserRole', field: 'UserRoleId' },
                Manager: { object: 'User', field: 'ManagerId' },
                DelegatedApprover: { object: 'User', field: 'DelegatedApproverId' },
            },
            children: {
                PermissionSetAssignments: { object: 'PermissionSetAssignment', field: 'AssigneeId' },
                GroupMembership: { object: 'GroupMember', field: 'UserOrGroupId' },
                UserPackageLicenses: { object: 'UserPackageLicense', field: 'UserId' },
            },
            rows: function* () {
                for (const u of usersInView()) if (store.isReadable(u)) yield userRow(store, u)
            },
            get: (userId) => {
                const u = userById(userId)
                return u ? userRow(store, u) : undefined
            },
            where: (field, value) => {
                if (field !== 'Username') return undefined
                const u = store.findUserByUserName(value)
                return u && userById(u.id) ? [userRow(store, u)] : []
            },
        },
        keyedDef(
            {
                name: 'Profile',
                label: 'Profile',
                keyPrefix: KEY_PREFIX.profile,
                spec: { Id: id, Name: str(255), UserLicenseId: ref('UserLicense'), UserType: str(40), ...audit },
                parents: { UserLicense: { object: 'UserLicense', field: 'UserLicenseId' } },
            },
            () => store.profiles.keys(),
            profileRow
        ),
        {
            name: 'UserLicense',
            label: 'User License',
            keyPrefix: KEY_PREFIX.userLicense,
            spec: {
                Id: id,
                Name: str(40),
                MasterLabel: str(40),
                LicenseDefinitionKey: str(40),
                Status: str(40),
                TotalLicenses: int,
                UsedLicenses: int,
            },
            rows: userLicenseRows,
            get: userLicenseById,
        },
        keyedDef(
            {
                name: 'UserRole',
                label: 'Role',
                keyPrefix: KEY_PREFIX.role,
                spec: {
                    Id: id,
                    Name: str(80),
                    DeveloperName: str(80),
                    ParentRoleId: ref('UserRole'),
                    LastModifiedDate: datetime(),
                    SystemModstamp: datetime(),
                },
            },
            () => store.roles.keys(),
            roleRow
        ),
        keyedDef(
            {
                name: 'PermissionSet',
                label: 'Permission Set',
                keyPrefix: KEY_PREFIX.permissionSet,
                spec: {
                    Id: id,
                    Name: str(80),
                    Label: str(80),
                    IsOwnedByProfile: bool(),
                    ProfileId: ref('Profile'),
                    Type: str(40),
                    LicenseId: ref('UserLicense'),
                    PermissionSetGroupId: ref('PermissionSetGroup'),
                    PermissionsApiEnabled: bool(),
                    ...Object.fromEntries(INTEGRATION_PERMISSIONS.map((p) => [`Permissions${p}`, bool()])),
                    ...audit,
                },
                parents: {
                    Profile: { object: 'Profile', field: 'ProfileId' },
                    PermissionSetGroup: { object: 'PermissionSetGroup', field: 'PermissionSetGroupId' },
                },
            },
            () => concat(store.permissionSets.keys(), store.ownedPermissionSets.keys()),
            permissionSetRow
        ),
        keyedDef(
            {
                name: 'PermissionSetGroup',
                label: 'Permission Set Group',
                keyPrefix: KEY_PREFIX.permissionSetGroup,
                spec: { Id: id, DeveloperName: str(80), MasterLabel: str(80), Description: str(255), Status: str(40) },
                children: {
                    PermissionSetGroupComponents: {
                        object: 'PermissionSetGroupComponent',
                        field: 'PermissionSetGroupId',
                    },
                },
            },
            () => store.permissionSetGroups.keys(),
            psgRow
        ),
        tableDef(
            store.groupComponents,
            {
                label: 'Permission Set Group Component',
                keyPrefix: KEY_PREFIX.permissionSetGroupComponent,
                spec: {
                    Id: id,
                    PermissionSetGroupId: ref('PermissionSetGroup'),
                    PermissionSetId: ref('PermissionSet'),
                    IsDeleted: bool(),
                },
                parents: {
                    PermissionSetGroup: { object: 'PermissionSetGroup', field: 'PermissionSetGroupId' },
                    PermissionSet: { object: 'PermissionSet', field: 'PermissionSetId' },
                },
            },
            false
        ),
        tableDef(
            store.assignments,
            {
                label: 'Permission Set Assignment',
                keyPrefix: KEY_PREFIX.permissionSetAssignment,
                spec: {
                    Id: id,
                    AssigneeId: ref('User', false, true),
                    PermissionSetId: ref('PermissionSet', false, true),
                    PermissionSetGroupId: ref('PermissionSetGroup', false, true),
                    ExpirationDate: datetime(true),
                    IsActive: bool(),
                    SystemModstamp: datetime(),
                    IsDeleted: bool(),
                },
                createable: true,
                updateable: true,
                deletable: true,
                parents: {
                    PermissionSet: { object: 'PermissionSet', field: 'PermissionSetId' },
                    PermissionSetGroup: { object: 'PermissionSetGroup', field: 'PermissionSetGroupId' },
                    Assignee: { object: 'User', field: 'AssigneeId' },
                },
            },
            junctionDeleted
        ),
        keyedDef(
            {
                name: 'PermissionSetLicense',
                label: 'Permission Set License',
                keyPrefix: KEY_PREFIX.permissionSetLicense,
                spec: {
                    Id: id,
                    DeveloperName: str(80),
                    MasterLabel: str(80),
                    Status: str(40),
                    TotalLicenses: int,
                    UsedLicenses: int,
                    ExpirationDate: { type: 'date' },
                },
            },
            () => store.permissionSetLicenses.keys(),
            pslRow
        ),
        licenseAssignmentDef(
            store.licenseAssignments,
            { label: 'Permission Set License Assignment', keyPrefix: KEY_PREFIX.permissionSetLicenseAssign },
            { field: 'AssigneeId', relationship: 'Assignee' },
            'PermissionSetLicense'
        ),
        keyedDef(
            {
                name: 'PackageLicense',
                label: 'Package License',
                keyPrefix: KEY_PREFIX.packageLicense,
                spec: {
                    Id: id,
                    NamespacePrefix: str(15),
                    Status: str(40),
                    AllowedLicenses: int,
                    UsedLicenses: int,
                    ExpirationDate: datetime(),
                },
            },
            () => store.packageLicenses.keys(),
            packageRow
        ),
        licenseAssignmentDef(
            store.packageAssignments,
            { label: 'User Package License', keyPrefix: KEY_PREFIX.userPackageLicense },
            { field: 'UserId', relationship: 'User' },
            'PackageLicense'
        ),
        keyedDef(
            {
                name: 'Group',
                label: 'Group',
                keyPrefix: KEY_PREFIX.group,
                spec: { Id: id, Name: str(40), DeveloperName: str(80), Type: str(40), Email: str(255), ...audit },
                children: { GroupMembers: { object: 'GroupMember', field: 'GroupId' } },
            },
            () => store.groups.keys(),
            groupRow
        ),
        tableDef(
            store.groupMembers,
            {
                label: 'Group Member',
                keyPrefix: KEY_PREFIX.groupMember,
                spec: {
                    Id: id,
                    GroupId: ref('Group', false, true),
                    UserOrGroupId: { ...ref('User', false, true), referenceTo: ['User', 'Group'] },
                    SystemModstamp: datetime(),
                    IsDeleted: bool(),
                },
                createable: true,
                deletable: true,
                parents: { Group: { object: 'Group', field: 'GroupId' } },
            },
            junctionDeleted
        ),
        {
            name: 'UserLogin',
            label: 'User Login',
            keyPrefix: KEY_PREFIX.userLogin,
            spec: {
                Id: id,
                UserId: ref('User'),
                IsFrozen: bool(true),
                IsPasswordLocked: bool(true),
                LastModifiedDate: datetime(),
                IsDeleted: bool(),
            },
            updateable: true,
            rows: function* () {
                for (const u of usersInView()) {
                    const row = store.isReadable(u) ? store.loginOf(u.id) : undefined
                    if (row) yield row
                }
            },
            get: (loginId) => {
                const row = store.loginById(loginId)
                return row && userById(row.UserId) ? row : undefined
            },
            where: (field, value) => {
                if (field !== 'UserId') return undefined
                const row = userById(value) ? store.loginOf(value) : undefined
                return row ? [row] : []
            },
        },
    ]
}

function toRestObject(def: ObjectDef): RestObject {
    return {
        name: def.name,
        label: def.label,
        keyPrefix: def.keyPrefix,
        spec: def.spec,
        fields: fieldsOf(def.spec),
        createable: def.createable ?? false,
        updateable: def.updateable ?? false,
        deletable: def.deletable ?? false,
        ...(def.parents ? { parents: def.parents } : {}),
        ...(def.children ? { children: def.children } : {}),
        rows: ({ includeDeleted }) => def.rows(includeDeleted),
        get: (rowId) => def.get(id18(rowId)),
        rowsWhere: (field, values, { includeDeleted }) => {
            if (field === 'Id' && !(includeDeleted && def.where)) {
                const out: SoqlRow[] = []
                for (const v of values) {
                    const r = def.get(id18(v))
                    if (r) out.push(r)
                }
                return out
            }
            if (!def.where) return undefined
            const out: SoqlRow[] = []
            for (const v of values) {
                const rows = def.where(field, field.endsWith('Id') ? id18(v) : v, includeDeleted)
                if (rows === undefined) return undefined
                for (const r of rows) out.push(r)
            }
            return out
        },
    }
}

/** The org's REST schema for one request: the objects its integration user may read. */
export class OrgSchema implements SoqlSchema {
    private readonly byName = new Map<string, RestObject>()

    constructor(store: OrgStore, options: SchemaOptions) {
        for (const def of definitions(store, options)) {
            const needs = READ_PERMISSIONS[def.name] ?? []
            if (needs.length > 0 && !options.permissions.any(...needs)) continue
            this.byName.set(def.name.toLowerCase(), toRestObject(def))
        }
    }

    object(name: string): RestObject | undefined {
        return this.byName.get(name.toLowerCase())
    }

    rowById(object: string, rowId: string): SoqlRow | undefined {
        return this.object(object)?.get(rowId)
    }

    objects(): RestObject[] {
        return [...this.byName.values()]
    }
}

/** Where each request's schema comes from. */
export interface SchemaSource {
    for(options: SchemaOptions): OrgSchema
}

/**
 * The schemas of recent requests, reused while the store has not changed (`store.version`) and the request's
 * options are the same: a schema holds no data of its own but what it reads within one version of the store (the
 * session user's profile, the permission sets, groups and profiles it has built), so reusing it answers exactly as
 * a new one would, and a page's Composite of five queries does not build the org's objects five times.
 */
export class OrgSchemas implements SchemaSource {
    private version = -1
    private readonly byOptions = new Map<string, OrgSchema>()

    constructor(
        private readonly store: OrgStore,
        /** A few sessions' schemas at once (one per integration user and permission setting). */
        private readonly capacity = 8
    ) {}

    for(options: SchemaOptions): OrgSchema {
        if (this.store.version !== this.version) {
            this.byOptions.clear()
            this.version = this.store.version
        }
        const key = JSON.stringify([options.sessionUserId, options.permissions.current, options.deletedRows])
        let schema = this.byOptions.get(key)
        if (!schema) {
            schema = new OrgSchema(this.store, options)
            if (this.byOptions.size >= this.capacity) this.byOptions.clear()
            this.byOptions.set(key, schema)
        }
        return schema
    }
}
