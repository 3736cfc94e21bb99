import { DmlError, ScimError, segment } from './errors'
import { checksumSuffix, ChunkedIds, KEY_PREFIX, KeyPrefix, makeId, POD, RuntimeIds } from './ids'
import {
    CustomFieldDef,
    CustomValue,
    displayName,
    FEATURE_LICENSES,
    FEATURE_LICENSES_BY_LICENSE,
    FeatureLicense,
    FeatureLicenseSet,
    Group,
    GroupMemberRow,
    HiddenAssignments,
    LicenseName,
    OwnedPermissionSet,
    PackageLicense,
    PermissionSet,
    PermissionSetAssignmentRow,
    PermissionSetGroup,
    PermissionSetGroupComponentRow,
    PermissionSetLicense,
    PermissionSetLicenseAssignRow,
    Profile,
    QUERIABLE_USER_TYPES,
    Role,
    USER_FIELD_KEYS,
    UserDraft,
    UserFields,
    UserLoginRow,
    UserPackageLicenseRow,
    UserRecord,
    UserRestFields,
} from './model'
import { RowTable, sfDateTime } from './rows'

export interface OrgInfo {
    /** 18-character Organization id. */
    readonly id: string
    readonly name: string
}

/** A read-only snapshot of a user as /Users would serve it, for tests and scripts to compare against. */
export interface UserSummary {
    readonly id: string
    readonly userName: string
    readonly active: boolean
    readonly displayName: string
    readonly email: string | null
    readonly userType: string
    readonly profileId: string
    readonly profileName: string | undefined
    readonly license: LicenseName | undefined
    readonly roleId: string | null
    readonly managerId: string | null
    readonly permissionSetIds: readonly string[]
    readonly groupIds: readonly string[]
    /** Assignments SCIM does not show: permission set groups, and expiry dates of permission sets (ISO). */
    readonly permissionSetGroupIds: readonly string[]
    readonly permissionSetExpiry: Readonly<Record<string, string>>
    /** An email change waiting for the user to confirm it (variant `emailChange: 'held'`). */
    readonly pendingEmail: string | undefined
    readonly created: number
    readonly lastModified: number
    /** Why Salesforce would refuse to deactivate this user (a `FIELD_INTEGRITY_EXCEPTION:…;` detail), if it would. */
    readonly deactivationBlocker: string | undefined
}

export interface LicenseUsage {
    readonly name: LicenseName
    readonly total: number
    readonly used: number
}

/** A natural key `<id>:<id>` looked up among the rows of its first id's index. */
const BY_FIRST_ID = <F extends string>(field: F): { readonly field: F; readonly valueIn: (key: string) => string } => ({
    field,
    valueIn: (key) => key.slice(0, 18),
})

/** The user licenses of the org, in UserLicense id order, with their LicenseDefinitionKey. */
export const USER_LICENSES: readonly (readonly [LicenseName, string])[] = [
    ['Salesforce', 'SFDC'],
    ['Salesforce Platform', 'AUL'],
    ['Chatter Free', 'PID_Chatter'],
    ['Identity', 'PID_Identity'],
    ['Partner Community', 'PID_Partner_Community'],
    ['Guest User License', 'PID_Guest_User'],
    ['Automated Process', 'PID_AutomatedProcess'],
]

/** Org-wide settings whose user references block deactivation (Salesforce refuses with FIELD_INTEGRITY_EXCEPTION). */
export interface OrgSettings {
    webToLeadDefaultCreatorId: string | null
    defaultCaseOwnerId: string | null
}

/**
 * License families between which a profile swap is allowed. Salesforce lets a user move between the full and the
 * Platform license, but refuses to derive a profile from an unrelated license (Chatter Free, Identity, community).
 */
const LICENSE_FAMILY: Record<LicenseName, string> = {
    Salesforce: 'internal',
    'Salesforce Platform': 'internal',
    'Chatter Free': 'chatter-free',
    Identity: 'identity',
    'Partner Community': 'partner',
    'Guest User License': 'guest',
    'Automated Process': 'automated',
}

const PASSWORD_POLICY = /^(?=.*[A-Za-z])(?=.*\d).{8,}$/
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const NICKNAME_MAX = 40

function secondPrecision(ms: number): number {
    return Math.floor(ms / 1000) * 1000
}

/** Lower bound in an id-sorted array: first index whose id is > (or >=) `id`. */
export function lowerBound<T extends { readonly id: string }>(
    items: readonly T[],
    id: string,
    inclusive: boolean
): number {
    let lo = 0
    let hi = items.length
    while (lo < hi) {
        const mid = (lo + hi) >>> 1
        const midId = (items[mid] as T).id
        if (inclusive ? midId < id : midId <= id) lo = mid + 1
        else hi = mid
    }
    return lo
}

/**
 * The emulated org: its records and the platform rules (the DML-level validations) Salesforce applies when SCIM
 * writes reach the User, PermissionSetAssignment and GroupMember objects.
 */
export class OrgStore {
    readonly ids: RuntimeIds
    readonly profiles = new Map<string, Profile>()
    readonly permissionSetGroups = new Map<string, PermissionSetGroup>()
    readonly permissionSets = new Map<string, PermissionSet>()
    readonly roles = new Map<string, Role>()
    readonly groups = new Map<string, Group>()
    readonly customFields: CustomFieldDef[] = []
    readonly settings: OrgSettings = { webToLeadDefaultCreatorId: null, defaultCaseOwnerId: null }
    /** Usernames taken in other Salesforce orgs: usernames are unique across all orgs. */
    readonly foreignUserNames = new Set<string>()
    /** Profiles and permission sets pre-authorized on the connected app (JWT bearer needs prior approval). */
    readonly approvedProfileIds = new Set<string>()
    /** Profiles with the "Manage Users" permission, which every write to users and groups needs. */
    readonly manageUsersProfileIds = new Set<string>()
    readonly approvedPermissionSetIds = new Set<string>()
    /** Permission sets owned by profiles and the aggregate sets behind permission set groups (SCIM lists neither). */
    readonly ownedPermissionSets = new Map<string, OwnedPermissionSet>()
    readonly permissionSetLicenses = new Map<string, PermissionSetLicense>()
    readonly packageLicenses = new Map<string, PackageLicense>()
    /** UserLicense ids by license name. */
    readonly userLicenseIds = new Map<LicenseName, string>()
    /** Every PermissionSetAssignment: of regular sets, of groups (PermissionSetGroupId set), and profile-owned ones. */
    readonly assignments = new RowTable<PermissionSetAssignmentRow>(
        'PermissionSetAssignment',
        ['AssigneeId'],
        (r) => `${r.AssigneeId}:${r.PermissionSetGroupId ?? r.PermissionSetId}`,
        BY_FIRST_ID('AssigneeId')
    )
    readonly groupComponents = new RowTable<PermissionSetGroupComponentRow>(
        'PermissionSetGroupComponent',
        ['PermissionSetGroupId', 'PermissionSetId'],
        (r) => `${r.PermissionSetGroupId}:${r.PermissionSetId}`,
        BY_FIRST_ID('PermissionSetGroupId')
    )
    readonly licenseAssignments = new RowTable<PermissionSetLicenseAssignRow>(
        'PermissionSetLicenseAssign',
        ['AssigneeId', 'PermissionSetLicenseId'],
        (r) => `${r.AssigneeId}:${r.PermissionSetLicenseId}`,
        BY_FIRST_ID('AssigneeId')
    )
    readonly packageAssignments = new RowTable<UserPackageLicenseRow>(
        'UserPackageLicense',
        ['UserId', 'PackageLicenseId'],
        (r) => `${r.UserId}:${r.PackageLicenseId}`,
        BY_FIRST_ID('UserId')
    )
    readonly groupMembers = new RowTable<GroupMemberRow>(
        'GroupMember',
        ['GroupId', 'UserOrGroupId'],
        (r) => `${r.GroupId}:${r.UserOrGroupId}`,
        // A group may have 40,000 members; a member is in a few groups.
        { field: 'UserOrGroupId', valueIn: (key) => key.slice(19) }
    )
    /**
     * UserLogin rows written or seeded away from their defaults, by UserId. Every user has one: the others are made on
     * read (`loginOf`), their id derived from the user's, so that a 100,000-user org does not hold 100,000 of them.
     */
    private readonly logins = new RowTable<UserLoginRow>('UserLogin', ['UserId'], (r) => r.UserId, {
        field: 'UserId',
        valueIn: (key) => key,
    })

    private readonly usersById = new Map<string, UserRecord>()
    private readonly usersByName = new Map<string, UserRecord>()
    private readonly nickNames = new Map<string, string>()
    /** Users `/Users` can return, sorted by id (plain string order, as `ORDER BY Id`). */
    private readonly visible: UserRecord[] = []
    /** False after seeding appended users out of id order; the next read sorts once. */
    private visibleSorted = true
    private readonly psaByUser = new Map<string, Set<string>>()
    private readonly psaByPermissionSet = new Map<string, Set<string>>()
    private readonly groupsByUser = new Map<string, Set<string>>()
    private readonly usersByProfile = new Map<string, Set<string>>()
    private readonly usersByRole = new Map<string, Set<string>>()
    /** Users referenced by a hierarchy custom field (e.g. Approver__c), with who references them. */
    private readonly hierarchyRefs = new Map<string, Set<string>>()
    /** Profile id to the id of the permission set it owns. */
    private readonly profilePermissionSets = new Map<string, string>()
    private readonly restFields = new Map<string, UserRestFields>()
    /** Users locked out "until an administrator resets the password": the API cannot unlock them. */
    private readonly lockedUntilAdminReset = new Set<string>()
    /** Ids of seeded rows (current pod, chunked); rows created through the API take `ids` (the API pod). */
    private readonly seedIds = new Map<KeyPrefix, ChunkedIds>()
    private seeding = true
    private ownedPermissionSetCounter = 500
    /** Email changes waiting for confirmation, by user id. */
    private readonly pendingEmails = new Map<string, string>()
    /** Users created but not yet visible to reads, with the time they become visible (variant `lostCreate`). */
    private readonly notVisibleUntil = new Map<string, number>()
    private readonly passwords = new Map<string, string>()
    private readonly securityTokens = new Map<string, string>()
    private readonly licenseTotals = new Map<LicenseName, number>()
    private readonly licenseUsed = new Map<LicenseName, number>()
    /** Incremented by every change, so query caches know when to drop their results. */
    private changeCounter = 0

    constructor(
        readonly org: OrgInfo,
        /** Salesforce's clock: `meta.created`/`lastModified` and the `Date` header of every answer follow it. */
        readonly clock: () => number = Date.now,
        idSeed = 42
    ) {
        this.ids = new RuntimeIds(idSeed)
        USER_LICENSES.forEach(([name], i) => this.userLicenseIds.set(name, makeId(KEY_PREFIX.userLicense, i + 1)))
    }

    /** Seeding is over: rows created from now on are API creates and take ids on the API pod. */
    sealSeed(): void {
        this.seeding = false
    }

    /** The id of a new row: seeded rows on the current pod, API-created rows from the runtime ids. */
    newId(prefix: KeyPrefix): string {
        if (!this.seeding) return this.ids.take(prefix)
        let seq = this.seedIds.get(prefix)
        if (!seq) {
            seq = new ChunkedIds(
                prefix,
                POD.current,
                1_000,
                { minChunk: 50, maxChunk: 400, minGap: 1, maxGap: 300 },
                prefix.charCodeAt(0) * 31 + prefix.charCodeAt(2)
            )
            this.seedIds.set(prefix, seq)
        }
        return seq.take()
    }

    get version(): number {
        return this.changeCounter
    }

    now(): number {
        return secondPrecision(this.clock())
    }

    touch(): void {
        this.changeCounter++
    }

    // ---- reads -------------------------------------------------------------------------------------------------

    getUser(id: string): UserRecord | undefined {
        return this.usersById.get(id)
    }

    findUserByUserName(userName: string): UserRecord | undefined {
        return this.usersByName.get(userName.toLowerCase())
    }

    /** All users, internal ones included. */
    allUsers(): IterableIterator<UserRecord> {
        return this.usersById.values()
    }

    get userCount(): number {
        return this.usersById.size
    }

    /** Users `/Users` serves, sorted by id. Do not mutate. */
    visibleUsers(): readonly UserRecord[] {
        this.sortVisible()
        if (this.notVisibleUntil.size === 0) return this.visible
        return this.visible.filter((u) => this.isReadable(u))
    }

    /** False while a just-created user is still committing (variant `lostCreate: 'delayed'`). */
    isReadable(user: UserRecord): boolean {
        const until = this.notVisibleUntil.get(user.id)
        if (until === undefined) return true
        if (this.clock() < until) return false
        this.notVisibleUntil.delete(user.id)
        this.touch()
        return true
    }

    /** Hide a just-created user from reads for `ms` (its username is taken at once). */
    hideUntilCommitted(userId: string, ms: number): void {
        if (ms > 0) this.notVisibleUntil.set(userId, this.clock() + ms)
        this.touch()
    }

    /** Every user `/Users` serves (internal users left out), in id order, as plain snapshots. */
    listUsers(): UserSummary[] {
        this.sortVisible()
        return this.visible.map((u) => this.summarize(u))
    }

    summarize(u: UserRecord): UserSummary {
        const profile = this.profiles.get(u.profileId)
        return {
            id: u.id,
            userName: u.userName,
            active: u.isActive,
            displayName: displayName(u),
            email: u.email,
            userType: u.userType,
            profileId: u.profileId,
            profileName: profile?.name,
            license: profile?.license,
            roleId: u.roleId,
            managerId: u.managerId,
            permissionSetIds: this.permissionSetsOf(u.id),
            groupIds: this.groupsOf(u.id),
            permissionSetGroupIds: this.permissionSetGroupsOf(u.id),
            permissionSetExpiry: Object.fromEntries(
                this.permissionSetsOf(u.id).flatMap((ps) => {
                    const at = this.assignments.byNaturalKey(`${u.id}:${ps}`)?.ExpirationDate
                    return at ? [[ps, new Date(at.replace('+0000', 'Z')).toISOString()]] : []
                })
            ),
            pendingEmail: this.pendingEmails.get(u.id),
            created: u.created,
            lastModified: u.lastModified,
            deactivationBlocker: this.deactivationBlocker(u.id),
        }
    }

    isVisible(user: UserRecord): boolean {
        return QUERIABLE_USER_TYPES.has(user.userType)
    }

    permissionSetsOf(userId: string): readonly string[] {
        const set = this.psaByUser.get(userId)
        return set ? [...set] : []
    }

    /** Permission set groups assigned to the user (PermissionSetAssignment rows with a PermissionSetGroupId). */
    permissionSetGroupsOf(userId: string): string[] {
        const out: string[] = []
        for (const r of this.assignments.where('AssigneeId', userId))
            if (r.PermissionSetGroupId) out.push(r.PermissionSetGroupId)
        return out
    }

    /** The permission set a profile owns (IsOwnedByProfile). */
    profilePermissionSetId(profileId: string): string | undefined {
        return this.profilePermissionSets.get(profileId)
    }

    /** CompanyName, LastLoginDate and the feature-license flags of a user. */
    restFieldsOf(userId: string): UserRestFields {
        let f = this.restFields.get(userId)
        if (!f) {
            f = { companyName: null, lastLoginDate: null, featureLicenses: new FeatureLicenseSet() }
            this.restFields.set(userId, f)
        }
        return f
    }

    /** The user's UserLogin row. */
    loginOf(userId: string): UserLoginRow | undefined {
        const row = this.logins.byNaturalKey(userId)
        if (row) return row
        const user = this.usersById.get(userId)
        if (!user) return undefined
        return {
            Id: loginIdOf(userId),
            UserId: userId,
            IsFrozen: false,
            IsPasswordLocked: false,
            LastModifiedDate: sfDateTime(user.created),
            IsDeleted: false,
        }
    }

    loginById(id: string): UserLoginRow | undefined {
        if (!id.startsWith(KEY_PREFIX.userLogin) || id.length !== 18) return undefined
        const row = this.loginOf(userIdOfLogin(id))
        return row?.Id === id ? row : undefined
    }

    /** The user's UserLogin row, kept from now on. */
    private materializeLogin(userId: string): UserLoginRow | undefined {
        const kept = this.logins.byNaturalKey(userId)
        if (kept) return kept
        const row = this.loginOf(userId)
        return row ? this.logins.add(row) : undefined
    }

    isFrozen(userId: string): boolean {
        return this.loginOf(userId)?.IsFrozen ?? false
    }

    isPasswordLocked(userId: string): boolean {
        return this.loginOf(userId)?.IsPasswordLocked ?? false
    }

    /** Seats of a permission set license in use: its PermissionSetLicenseAssign rows. */
    usedPermissionSetLicenses(id: string): number {
        return this.licenseAssignments.count('PermissionSetLicenseId', id)
    }

    /** Seats of a package license in use: its UserPackageLicense rows. */
    usedPackageLicenses(id: string): number {
        return this.packageAssignments.count('PackageLicenseId', id)
    }

    /** Seats of a user license in use (active users of its profiles) and its total. */
    userLicenseSeats(name: LicenseName): { total: number; used: number } {
        return { total: this.licenseTotals.get(name) ?? 0, used: this.licenseUsed.get(name) ?? 0 }
    }

    hasPermissionSet(userId: string, permissionSetId: string): boolean {
        return this.psaByUser.get(userId)?.has(permissionSetId) ?? false
    }

    groupsOf(userId: string): readonly string[] {
        const set = this.groupsByUser.get(userId)
        return set ? [...set] : []
    }

    isGroupMember(userId: string, groupId: string): boolean {
        return this.groupsByUser.get(userId)?.has(groupId) ?? false
    }

    profileMemberIds(profileId: string): ReadonlySet<string> {
        return this.usersByProfile.get(profileId) ?? new Set()
    }

    permissionSetMemberIds(permissionSetId: string): ReadonlySet<string> {
        return this.psaByPermissionSet.get(permissionSetId) ?? new Set()
    }

    roleMemberIds(roleId: string): ReadonlySet<string> {
        return this.usersByRole.get(roleId) ?? new Set()
    }

    /** Profiles /Entitlements lists: not those of Guest, Automated Process (or BlackTab) user types. */
    listedProfiles(): Profile[] {
        return [...this.profiles.values()]
            .filter((p) => p.userType !== 'Guest' && p.userType !== 'AutomatedProcess')
            .sort(byId)
    }

    sortedPermissionSets(): PermissionSet[] {
        return [...this.permissionSets.values()].sort(byId)
    }

    sortedRoles(): Role[] {
        return [...this.roles.values()].sort(byId)
    }

    publicGroups(): Group[] {
        return [...this.groups.values()].filter((g) => g.type === 'Regular').sort(byId)
    }

    /** Public groups and queues, as the pilot's `/Groups` list serves them. */
    groupsAndQueues(): Group[] {
        return [...this.groups.values()].sort(byId)
    }

    pendingEmailOf(userId: string): string | undefined {
        return this.pendingEmails.get(userId)
    }

    /** Hold an email change until the user confirms it; Salesforce mails the new address each time. */
    holdEmailChange(userId: string, email: string): void {
        this.pendingEmails.set(userId, email)
    }

    /** The user clicks the link in the confirmation mail: the held email becomes the user's. */
    confirmEmail(userId: string): boolean {
        const user = this.usersById.get(userId)
        const email = this.pendingEmails.get(userId)
        if (!user || email === undefined) return false
        this.pendingEmails.delete(userId)
        user.email = email
        user.lastModified = this.now()
        this.touch()
        return true
    }

    customField(name: string): CustomFieldDef | undefined {
        return this.customFields.find((f) => f.name === name)
    }

    licenseOf(user: Pick<UserFields, 'profileId'>): LicenseName | undefined {
        return this.profiles.get(user.profileId)?.license
    }

    licenseUsage(): LicenseUsage[] {
        return [...this.licenseTotals.entries()].map(([name, total]) => ({
            name,
            total,
            used: this.licenseUsed.get(name) ?? 0,
        }))
    }

    setLicenseTotal(name: LicenseName, total: number): void {
        this.licenseTotals.set(name, total)
    }

    freeSeats(name: LicenseName): number {
        const total = this.licenseTotals.get(name)
        if (total === undefined) return Number.POSITIVE_INFINITY
        return total - (this.licenseUsed.get(name) ?? 0)
    }

    checkPassword(userId: string, passwordAndToken: string): boolean {
        const password = this.passwords.get(userId)
        if (password === undefined) return false
        return passwordAndToken === password + (this.securityTokens.get(userId) ?? '')
    }

    setSecurityToken(userId: string, token: string): void {
        this.securityTokens.set(userId, token)
    }

    /** JWT bearer needs the user to be pre-authorized on the connected app through a profile or a permission set. */
    isApprovedForConnectedApp(userId: string): boolean {
        const user = this.usersById.get(userId)
        if (!user) return false
        if (this.approvedProfileIds.has(user.profileId)) return true
        for (const ps of this.psaByUser.get(userId) ?? []) if (this.approvedPermissionSetIds.has(ps)) return true
        return false
    }

    canManageUsers(userId: string): boolean {
        const user = this.usersById.get(userId)
        return user !== undefined && this.manageUsersProfileIds.has(user.profileId)
    }

    /** Why Salesforce would refuse to deactivate this user, or undefined if it would not. */
    deactivationBlocker(userId: string): string | undefined {
        if (this.settings.webToLeadDefaultCreatorId === userId)
            return segment(
                'FIELD_INTEGRITY_EXCEPTION',
                'Cannot inactivate user that is the default lead creator for Web-to-Lead'
            )
        if (this.settings.defaultCaseOwnerId === userId)
            return segment('FIELD_INTEGRITY_EXCEPTION', 'Cannot inactivate user that is the default case owner')
        if ((this.hierarchyRefs.get(userId)?.size ?? 0) > 0)
            return segment('FIELD_INTEGRITY_EXCEPTION', 'Cannot inactivate user that is the value of a hierarchy field')
        return undefined
    }

    // ---- writes ------------------------------------------------------------------------------------------------

    draftFor(user: UserRecord): UserDraft {
        const fields: UserFields = { ...pickFields(user), custom: { ...user.custom } }
        return {
            fields,
            permissionSetIds: this.permissionSetsOf(user.id).slice(),
            groupIds: this.groupsOf(user.id).slice(),
        }
    }

    /**
     * Insert a user with its permission set assignments and group memberships, all or nothing.
     * @throws ScimError with status 409 (every create failure is a 409 in Salesforce's SCIM service).
     */
    insertUser(draft: UserDraft, options: { id?: string; created?: number; lastModified?: number } = {}): UserRecord {
        try {
            this.validate(undefined, draft)
        } catch (e) {
            if (e instanceof ScimError) throw new ScimError(409, e.detail)
            throw e
        }
        const now = this.now()
        const id = options.id ?? this.ids.take(KEY_PREFIX.user)
        const user: UserRecord = {
            ...draft.fields,
            custom: { ...draft.fields.custom },
            id,
            created: options.created ?? now,
            lastModified: options.lastModified ?? options.created ?? now,
        }
        this.usersById.set(id, user)
        this.usersByName.set(user.userName, user)
        if (user.nickName) this.nickNames.set(user.nickName.toLowerCase(), id)
        if (this.isVisible(user)) this.insertVisible(user)
        indexAdd(this.usersByProfile, user.profileId, id)
        if (user.roleId) indexAdd(this.usersByRole, user.roleId, id)
        this.indexHierarchy(user, undefined)
        if (user.isActive) this.useSeat(this.licenseOf(user), 1)
        this.addUserRows(user)
        for (const ps of draft.permissionSetIds) this.assign(id, ps)
        for (const g of draft.groupIds) this.joinGroup(id, g)
        if (draft.password !== undefined) this.passwords.set(id, draft.password)
        this.touch()
        return user
    }

    /**
     * Apply a draft to an existing user in one step.
     * @throws ScimError (400 for rule violations, 409 for license and username conflicts); nothing is changed then.
     */
    commitUser(id: string, draft: UserDraft): UserRecord {
        const user = this.usersById.get(id)
        if (!user) throw new ScimError(404, 'No such resource')
        this.validate(user, draft)

        const before = pickFields(user)
        const fieldsChanged =
            USER_FIELD_KEYS.some((k) => before[k] !== draft.fields[k]) || !sameCustom(user.custom, draft.fields.custom)

        const oldLicense = this.licenseOf(user)
        const newLicense = this.licenseOf(draft.fields)
        if (user.isActive) this.useSeat(oldLicense, -1)
        if (draft.fields.isActive) this.useSeat(newLicense, 1)

        if (before.userName !== draft.fields.userName) {
            this.usersByName.delete(before.userName)
            this.usersByName.set(draft.fields.userName, user)
        }
        if (before.nickName !== draft.fields.nickName) {
            if (before.nickName) this.nickNames.delete(before.nickName.toLowerCase())
            if (draft.fields.nickName) this.nickNames.set(draft.fields.nickName.toLowerCase(), id)
        }
        if (before.profileId !== draft.fields.profileId) {
            indexRemove(this.usersByProfile, before.profileId, id)
            indexAdd(this.usersByProfile, draft.fields.profileId, id)
            this.moveProfileAssignment(id, before.profileId, draft.fields.profileId)
        }
        if (before.roleId !== draft.fields.roleId) {
            if (before.roleId) indexRemove(this.usersByRole, before.roleId, id)
            if (draft.fields.roleId) indexAdd(this.usersByRole, draft.fields.roleId, id)
        }
        const oldCustom = user.custom
        Object.assign(user, draft.fields, { custom: { ...draft.fields.custom } })
        this.indexHierarchy(user, oldCustom)
        // Salesforce bumps User.LastModifiedDate only for User fields. Permission set assignments and group
        // memberships are separate objects (PermissionSetAssignment, GroupMember) and leave it alone.
        if (fieldsChanged) user.lastModified = this.now()

        if (draft.dropHiddenAssignments) {
            // Every non-profile PermissionSetAssignment was deleted and the listed ones inserted again.
            for (const g of this.permissionSetGroupsOf(id)) this.removeAssignmentRow(`${id}:${g}`)
            for (const ps of this.permissionSetsOf(id)) this.unassign(id, ps)
        }
        const newPs = new Set(draft.permissionSetIds)
        for (const ps of this.permissionSetsOf(id)) if (!newPs.has(ps)) this.unassign(id, ps)
        for (const ps of draft.permissionSetIds) this.assign(id, ps)
        const newGroups = new Set(draft.groupIds)
        for (const g of this.groupsOf(id)) if (!newGroups.has(g)) this.leaveGroup(id, g)
        for (const g of draft.groupIds) this.joinGroup(id, g)
        if (draft.password !== undefined) this.passwords.set(id, draft.password)
        this.touch()
        return user
    }

    /**
     * Add and remove members of a public group, all or nothing. Group.LastModifiedDate is left alone: memberships are
     * GroupMember records, not fields of the group.
     * @throws ScimError 404 for an unknown group, 400 when a member id does not resolve.
     */
    changeGroupMembers(groupId: string, add: readonly string[], remove: readonly string[]): Group {
        const group = this.groups.get(groupId)
        if (!group || group.type !== 'Regular') throw new ScimError(404, 'No such resource.')
        for (const memberId of add) {
            const isUser = this.usersById.has(memberId)
            const isGroup = this.groups.has(memberId) && memberId !== groupId
            if (!isUser && !isGroup)
                throw new ScimError(
                    400,
                    `${segment('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')} FIELD_INTEGRITY_EXCEPTIONs likely caused by attempted assignment to wrong User license.`
                )
        }
        for (const m of remove) this.removeMember(group, m)
        for (const m of add) this.addMember(group, m)
        this.touch()
        return group
    }

    renameGroup(groupId: string, name: string): void {
        const group = this.groups.get(groupId)
        if (!group || group.name === name) return
        group.name = name
        group.lastModified = this.now()
        this.touch()
    }

    setPassword(userId: string, password: string): void {
        this.passwords.set(userId, password)
    }

    // ---- REST writes: the DML rules of the junction objects and UserLogin ------------------------------------------

    /**
     * Insert a PermissionSetAssignment of a permission set or (xor) a permission set group.
     * @throws DmlError with Salesforce's code and words for each refusal.
     */
    createPermissionSetAssignment(input: {
        assigneeId: string
        permissionSetId: string | null
        permissionSetGroupId: string | null
        expirationDate: number | null
    }): PermissionSetAssignmentRow {
        const user = this.usersById.get(input.assigneeId)
        if (!user) throw crossReference('AssigneeId')
        if ((input.permissionSetId === null) === (input.permissionSetGroupId === null))
            throw new DmlError(
                'FIELD_INTEGRITY_EXCEPTION',
                'Specify either a permission set or a permission set group, but not both.',
                ['PermissionSetId', 'PermissionSetGroupId']
            )
        const duplicate = (): DmlError =>
            new DmlError(
                'DUPLICATE_VALUE',
                'duplicate value found: <unknown> duplicates value on record with id: <unknown>'
            )
        let row: PermissionSetAssignmentRow | undefined
        if (input.permissionSetGroupId !== null) {
            const group = this.permissionSetGroups.get(input.permissionSetGroupId)
            if (!group) throw crossReference('PermissionSetGroupId')
            if (this.assignments.byNaturalKey(`${user.id}:${group.id}`)) throw duplicate()
            for (const ps of group.permissionSetIds) this.checkAssignable(user, ps)
            row = this.addGroupAssignment(user.id, group.id, input.expirationDate)
        } else {
            const psId = input.permissionSetId ?? ''
            if (this.ownedPermissionSets.get(psId)?.type === 'Profile')
                throw new DmlError(
                    'FIELD_INTEGRITY_EXCEPTION',
                    "You can't assign or unassign this permission set because it's associated with a profile.",
                    ['PermissionSetId']
                )
            if (this.ownedPermissionSets.get(psId)?.type === 'Group')
                throw new DmlError(
                    'FIELD_INTEGRITY_EXCEPTION',
                    "You can't assign a permission set group's aggregate permission set. Assign the permission set group instead.",
                    ['PermissionSetId']
                )
            if (!this.permissionSets.has(psId)) throw crossReference('PermissionSetId')
            if (this.hasPermissionSet(user.id, psId)) throw duplicate()
            this.checkAssignable(user, psId)
            this.assign(user.id, psId)
            row = this.assignments.byNaturalKey(`${user.id}:${psId}`)
            if (row && input.expirationDate !== null) row.ExpirationDate = sfDateTime(input.expirationDate)
        }
        if (!row) throw crossReference('PermissionSetGroupId')
        this.touch()
        return row
    }

    /** PermissionSetAssignment's only updateable field. */
    setAssignmentExpiry(id: string, expirationDate: number | null): void {
        const row = this.assignments.get(id)
        if (!row) throw notFound()
        if (this.isProfileAssignment(row)) throw profileOwned()
        row.ExpirationDate = expirationDate === null ? null : sfDateTime(expirationDate)
        row.SystemModstamp = sfDateTime(this.now())
        this.touch()
    }

    deletePermissionSetAssignment(id: string): PermissionSetAssignmentRow {
        const row = this.assignments.get(id)
        if (!row) throw entityDeleted()
        if (this.isProfileAssignment(row)) throw profileOwned()
        if (row.PermissionSetGroupId) this.assignments.remove(row.Id)
        else this.unassign(row.AssigneeId, row.PermissionSetId)
        this.touch()
        return row
    }

    createPermissionSetLicenseAssign(assigneeId: string, licenseId: string): PermissionSetLicenseAssignRow {
        if (!this.usersById.has(assigneeId)) throw crossReference('AssigneeId')
        const license = this.permissionSetLicenses.get(licenseId)
        if (!license) throw crossReference('PermissionSetLicenseId')
        if (this.licenseAssignments.byNaturalKey(`${assigneeId}:${licenseId}`))
            throw new DmlError(
                'DUPLICATE_VALUE',
                'duplicate value found: <unknown> duplicates value on record with id: <unknown>'
            )
        if (this.usedPermissionSetLicenses(licenseId) >= license.totalLicenses)
            throw new DmlError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', ['PermissionSetLicenseId'])
        const row = this.licenseAssignments.add({
            Id: this.newId(KEY_PREFIX.permissionSetLicenseAssign),
            AssigneeId: assigneeId,
            PermissionSetLicenseId: licenseId,
            SystemModstamp: sfDateTime(this.now()),
            IsDeleted: false,
        })
        this.touch()
        return row
    }

    deletePermissionSetLicenseAssign(id: string): PermissionSetLicenseAssignRow {
        const row = this.licenseAssignments.get(id)
        if (!row) throw entityDeleted()
        const license = this.permissionSetLicenses.get(row.PermissionSetLicenseId)
        const dependents = this.permissionSetsNeeding(row.AssigneeId, row.PermissionSetLicenseId)
        if (dependents.length > 0)
            throw new DmlError(
                'DELETE_FAILED',
                `You can't remove the permission set license ${license?.masterLabel ?? ''} from this user: the user is assigned permission sets that require it (${dependents.join(', ')}). Remove those permission set assignments first.`
            )
        this.licenseAssignments.remove(id)
        this.touch()
        return row
    }

    createUserPackageLicense(userId: string, packageLicenseId: string): UserPackageLicenseRow {
        if (!this.usersById.has(userId)) throw crossReference('UserId')
        const license = this.packageLicenses.get(packageLicenseId)
        if (!license) throw crossReference('PackageLicenseId')
        if (license.allowedLicenses < 0)
            throw new DmlError(
                'FIELD_INTEGRITY_EXCEPTION',
                'This package is licensed site-wide: every user already has it, and licenses cannot be assigned to users.',
                ['PackageLicenseId']
            )
        if (this.packageAssignments.byNaturalKey(`${userId}:${packageLicenseId}`))
            throw new DmlError(
                'DUPLICATE_VALUE',
                'duplicate value found: <unknown> duplicates value on record with id: <unknown>'
            )
        if (this.usedPackageLicenses(packageLicenseId) >= license.allowedLicenses)
            throw new DmlError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', ['PackageLicenseId'])
        const row = this.packageAssignments.add({
            Id: this.newId(KEY_PREFIX.userPackageLicense),
            UserId: userId,
            PackageLicenseId: packageLicenseId,
            SystemModstamp: sfDateTime(this.now()),
            IsDeleted: false,
        })
        this.touch()
        return row
    }

    deleteUserPackageLicense(id: string): UserPackageLicenseRow {
        const row = this.packageAssignments.get(id)
        if (!row) throw entityDeleted()
        this.packageAssignments.remove(id)
        this.touch()
        return row
    }

    /** Add a member to a public group or queue; an existing membership is returned as it is (documented). */
    createGroupMember(groupId: string, memberId: string): GroupMemberRow {
        const group = this.groups.get(groupId)
        if (!group) throw crossReference('GroupId')
        if ((!this.usersById.has(memberId) && !this.groups.has(memberId)) || memberId === groupId)
            throw crossReference('UserOrGroupId')
        const existing = this.groupMembers.byNaturalKey(`${groupId}:${memberId}`)
        if (existing) return existing
        const row = this.addMember(group, memberId)
        this.touch()
        return row
    }

    deleteGroupMember(id: string): GroupMemberRow {
        const row = this.groupMembers.get(id)
        if (!row) throw entityDeleted()
        const group = this.groups.get(row.GroupId)
        if (group) this.removeMember(group, row.UserOrGroupId)
        this.touch()
        return row
    }

    /**
     * Freeze or unfreeze a user, or clear a password lockout. The API may clear IsPasswordLocked but never set it,
     * and a lockout "until an administrator resets the password" stays as it is (the update still succeeds).
     */
    updateUserLogin(id: string, changes: { isFrozen?: boolean; isPasswordLocked?: boolean }): UserLoginRow {
        const found = this.loginById(id)
        const row = found ? this.materializeLogin(found.UserId) : undefined
        if (!row) throw notFound()
        if (changes.isPasswordLocked === true && !row.IsPasswordLocked)
            throw new DmlError(
                'FIELD_INTEGRITY_EXCEPTION',
                'You can set IsPasswordLocked to false to unlock a user, but not to true.',
                ['IsPasswordLocked']
            )
        if (changes.isFrozen !== undefined) row.IsFrozen = changes.isFrozen
        if (changes.isPasswordLocked === false && !this.lockedUntilAdminReset.has(row.UserId))
            row.IsPasswordLocked = false
        row.LastModifiedDate = sfDateTime(this.now())
        this.touch()
        return row
    }

    /**
     * Apply a REST update of a user: SCIM-visible fields through the same rules as SCIM (`commitUser`), plus the
     * fields only REST writes (CompanyName, the feature-license flags), all or nothing.
     * @throws DmlError (a SCIM rule's refusal in REST's words)
     */
    updateUserFromRest(
        id: string,
        changes: {
            fields: Partial<UserFields>
            custom: Record<string, CustomValue | null>
            companyName?: string | null
            featureLicenses: Partial<Record<FeatureLicense, boolean>>
        }
    ): UserRecord {
        const user = this.usersById.get(id)
        if (!user) throw notFound()
        const draft = this.draftFor(user)
        Object.assign(draft.fields, changes.fields)
        for (const [k, v] of Object.entries(changes.custom)) {
            if (v === null) delete draft.fields.custom[k]
            else draft.fields.custom[k] = v
        }
        const license = this.profiles.get(draft.fields.profileId)?.license
        const allowed = new Set<FeatureLicense>(license ? FEATURE_LICENSES_BY_LICENSE[license] : [])
        const rest = this.restFieldsOf(id)
        for (const [flag, on] of Object.entries(changes.featureLicenses) as [FeatureLicense, boolean][]) {
            if (on && !allowed.has(flag))
                throw new DmlError(
                    'FIELD_INTEGRITY_EXCEPTION',
                    `${FEATURE_LICENSES[flag]}: the user's license (${license ?? 'none'}) doesn't allow this feature license.`,
                    [`UserPermissions${flag}`]
                )
        }
        try {
            this.commitUser(id, draft)
        } catch (e) {
            if (e instanceof ScimError) throw DmlError.fromScim(e)
            throw e
        }
        let restChanged = false
        if (changes.companyName !== undefined && changes.companyName !== rest.companyName) {
            rest.companyName = changes.companyName
            restChanged = true
        }
        for (const [flag, on] of Object.entries(changes.featureLicenses) as [FeatureLicense, boolean][]) {
            if (rest.featureLicenses.has(flag) === on) continue
            if (on) rest.featureLicenses.add(flag)
            else rest.featureLicenses.delete(flag)
            restChanged = true
        }
        if (restChanged) user.lastModified = this.now()
        this.touch()
        return user
    }

    /** Seed a user's CompanyName, last login and feature licenses. */
    seedRestFields(
        userId: string,
        fields: Partial<Omit<UserRestFields, 'featureLicenses'>>,
        flags: readonly FeatureLicense[] = []
    ): void {
        const rest = this.restFieldsOf(userId)
        if (fields.companyName !== undefined) rest.companyName = fields.companyName
        if (fields.lastLoginDate !== undefined) rest.lastLoginDate = fields.lastLoginDate
        for (const f of flags) rest.featureLicenses.add(f)
    }

    /** Why this user may not be given this permission set: its user license or a permission set license it lacks. */
    private checkAssignable(user: UserRecord, psId: string): void {
        const ps = this.permissionSets.get(psId)
        if (!ps) throw crossReference('PermissionSetId')
        const license = this.licenseOf(user)
        if (ps.license && ps.license !== license)
            throw new DmlError(
                'FIELD_INTEGRITY_EXCEPTION',
                `Can't assign permission set ${ps.name} to user ${user.userName}. The user license doesn't allow the permission: ${ps.label}`,
                ['PermissionSetId']
            )
        const psl = ps.permissionSetLicenseId
        if (psl && !this.licenseAssignments.byNaturalKey(`${user.id}:${psl}`))
            throw new DmlError(
                'FIELD_INTEGRITY_EXCEPTION',
                `Can't assign permission set ${ps.name} to user ${user.userName}. The user doesn't have the permission set license ${this.permissionSetLicenses.get(psl)?.masterLabel ?? psl} that the permission set requires. Assign the permission set license first.`,
                ['PermissionSetId']
            )
    }

    /** Labels of the user's permission sets (direct or through a group) that need this permission set license. */
    private permissionSetsNeeding(userId: string, licenseId: string): string[] {
        const out: string[] = []
        for (const row of this.assignments.where('AssigneeId', userId)) {
            const ids = row.PermissionSetGroupId
                ? (this.permissionSetGroups.get(row.PermissionSetGroupId)?.permissionSetIds ?? [])
                : [row.PermissionSetId]
            for (const psId of ids) {
                const ps = this.permissionSets.get(psId)
                if (ps?.permissionSetLicenseId === licenseId) out.push(ps.label)
            }
        }
        return out
    }

    private isProfileAssignment(row: PermissionSetAssignmentRow): boolean {
        return this.ownedPermissionSets.get(row.PermissionSetId)?.type === 'Profile'
    }

    // ---- seeding helpers ---------------------------------------------------------------------------------------

    addProfile(p: Profile): Profile {
        this.profiles.set(p.id, p)
        // Every profile owns a permission set holding its permissions (IsOwnedByProfile); SCIM never lists it.
        const psId = makeId(KEY_PREFIX.permissionSet, this.ownedPermissionSetCounter++)
        this.ownedPermissionSets.set(psId, {
            id: psId,
            name: `X00ex${psId.slice(5, 15)}`,
            label: p.name,
            type: 'Profile',
            profileId: p.id,
            permissionSetGroupId: null,
        })
        this.profilePermissionSets.set(p.id, psId)
        this.touch()
        return p
    }

    addPermissionSet(p: PermissionSet): PermissionSet {
        this.permissionSets.set(p.id, p)
        this.touch()
        return p
    }

    addRole(r: Role): Role {
        this.roles.set(r.id, r)
        this.touch()
        return r
    }

    /** A permission set group with its components and the aggregate permission set Salesforce keeps behind it. */
    addPermissionSetGroup(g: PermissionSetGroup): PermissionSetGroup {
        this.permissionSetGroups.set(g.id, g)
        const psId = makeId(KEY_PREFIX.permissionSet, this.ownedPermissionSetCounter++)
        this.ownedPermissionSets.set(psId, {
            id: psId,
            name: g.developerName,
            label: g.name,
            type: 'Group',
            profileId: null,
            permissionSetGroupId: g.id,
        })
        for (const ps of g.permissionSetIds)
            this.groupComponents.add({
                Id: this.newId(KEY_PREFIX.permissionSetGroupComponent),
                PermissionSetGroupId: g.id,
                PermissionSetId: ps,
                IsDeleted: false,
            })
        this.touch()
        return g
    }

    /** The aggregate permission set of a permission set group (Type `Group`). */
    aggregatePermissionSetId(groupId: string): string | undefined {
        for (const ps of this.ownedPermissionSets.values()) if (ps.permissionSetGroupId === groupId) return ps.id
        return undefined
    }

    addPermissionSetLicense(l: PermissionSetLicense): PermissionSetLicense {
        this.permissionSetLicenses.set(l.id, l)
        this.touch()
        return l
    }

    addPackageLicense(l: PackageLicense): PackageLicense {
        this.packageLicenses.set(l.id, l)
        this.touch()
        return l
    }

    /** Seed assignments SCIM does not show (call after the user's permission sets are seeded). */
    seedHiddenAssignments(userId: string, hidden: HiddenAssignments): void {
        for (const g of hidden.permissionSetGroupIds) this.addGroupAssignment(userId, g, null)
        for (const [ps, expiry] of Object.entries(hidden.expiry)) {
            const row = this.assignments.byNaturalKey(`${userId}:${ps}`)
            if (row) row.ExpirationDate = sfDateTime(expiry)
        }
        this.touch()
    }

    /** Seed a permission set license or a package license held by a user. */
    seedLicenseAssignment(userId: string, licenseId: string): void {
        const at = sfDateTime(this.seedTime(userId))
        if (licenseId.startsWith(KEY_PREFIX.permissionSetLicense))
            this.licenseAssignments.add({
                Id: this.newId(KEY_PREFIX.permissionSetLicenseAssign),
                AssigneeId: userId,
                PermissionSetLicenseId: licenseId,
                SystemModstamp: at,
                IsDeleted: false,
            })
        else
            this.packageAssignments.add({
                Id: this.newId(KEY_PREFIX.userPackageLicense),
                UserId: userId,
                PackageLicenseId: licenseId,
                SystemModstamp: at,
                IsDeleted: false,
            })
        this.touch()
    }

    /** Seed a user's login state: frozen, locked out, or locked out until an administrator resets the password. */
    seedLoginState(userId: string, state: { frozen?: boolean; locked?: boolean; untilAdminReset?: boolean }): void {
        const row = this.materializeLogin(userId)
        if (!row) return
        row.IsFrozen = state.frozen ?? false
        row.IsPasswordLocked = (state.locked ?? false) || (state.untilAdminReset ?? false)
        if (state.untilAdminReset) this.lockedUntilAdminReset.add(userId)
        this.touch()
    }

    addGroup(g: Group): Group {
        this.groups.set(g.id, g)
        const members = [...g.members]
        g.members.clear()
        for (const m of members) this.addMember(g, m)
        this.touch()
        return g
    }

    /** Seed a user without running the platform rules (seats are recomputed by the caller). */
    seedUser(user: UserRecord, permissionSetIds: readonly string[], password?: string): void {
        this.usersById.set(user.id, user)
        this.usersByName.set(user.userName, user)
        if (user.nickName) this.nickNames.set(user.nickName.toLowerCase(), user.id)
        if (this.isVisible(user)) {
            // Seeded ids come from several pods and chunks: append now, sort once when first read.
            const last = this.visible[this.visible.length - 1]
            if (last && last.id > user.id) this.visibleSorted = false
            this.visible.push(user)
        }
        indexAdd(this.usersByProfile, user.profileId, user.id)
        if (user.roleId) indexAdd(this.usersByRole, user.roleId, user.id)
        this.indexHierarchy(user, undefined)
        this.addUserRows(user)
        for (const ps of permissionSetIds) this.assign(user.id, ps)
        if (password !== undefined) this.passwords.set(user.id, password)
        this.touch()
    }

    /** Seed a group membership without touching LastModifiedDate. */
    seedMember(groupId: string, memberId: string): void {
        const group = this.groups.get(groupId)
        if (group) this.addMember(group, memberId)
        this.touch()
    }

    /** Count seats in use from the active users; call after seeding. */
    recountSeats(): void {
        this.licenseUsed.clear()
        for (const u of this.usersById.values()) if (u.isActive) this.useSeat(this.licenseOf(u), 1)
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    private validate(existing: UserRecord | undefined, draft: UserDraft): void {
        const f = draft.fields
        const isCreate = existing === undefined
        const id = existing?.id

        if (!EMAIL_SHAPE.test(f.userName))
            throw new ScimError(400, segment('INVALID_EMAIL_ADDRESS', `Username: invalid email address: ${f.userName}`))
        if (isCreate || existing.userName !== f.userName) {
            const other = this.usersByName.get(f.userName)
            if ((other && other.id !== id) || this.foreignUserNames.has(f.userName))
                throw new ScimError(409, duplicateUsername(f.userName))
        }
        if (!f.lastName)
            throw new ScimError(400, segment('REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName]'))
        if (!f.email)
            throw new ScimError(400, segment('REQUIRED_FIELD_MISSING', 'Required fields are missing: [Email]'))
        if (!EMAIL_SHAPE.test(f.email))
            throw new ScimError(400, segment('INVALID_EMAIL_ADDRESS', `Email: invalid email address: ${f.email}`))
        const missing = (
            [
                ['LanguageLocaleKey', f.languageLocaleKey],
                ['EmailEncodingKey', f.emailEncodingKey],
                ['LocaleSidKey', f.localeSidKey],
                ['TimeZoneSidKey', f.timeZoneSidKey],
                ['CommunityNickname', f.nickName],
            ] as const
        )
            .filter(([, v]) => !v)
            .map(([k]) => k)
        if (missing.length > 0)
            throw new ScimError(
                400,
                segment('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`)
            )
        if (f.nickName && f.nickName.length > NICKNAME_MAX)
            throw new ScimError(
                400,
                segment('STRING_TOO_LONG', `Nickname: data value too large: ${f.nickName} (max length=${NICKNAME_MAX})`)
            )
        if (f.nickName && (isCreate || existing.nickName?.toLowerCase() !== f.nickName.toLowerCase())) {
            const owner = this.nickNames.get(f.nickName.toLowerCase())
            if (owner && owner !== id)
                throw new ScimError(
                    400,
                    segment(
                        'DUPLICATE_COMMUNITY_NICKNAME',
                        `Nickname already exists. Enter a unique nickname: ${f.nickName}`
                    )
                )
        }

        const profile = this.profiles.get(f.profileId)
        if (!profile) throw new ScimError(400, `INVALID: profile id is invalid : ${f.profileId}`)
        if (existing && existing.profileId !== f.profileId) {
            const oldLicense = this.licenseOf(existing)
            if (oldLicense && LICENSE_FAMILY[oldLicense] !== LICENSE_FAMILY[profile.license])
                throw new ScimError(
                    400,
                    segment(
                        'FIELD_INTEGRITY_EXCEPTION',
                        `User's Profile can't be set to '${profile.name}' because it's derived from the license '${profile.license}' that doesn't match the user's license '${oldLicense}'`
                    )
                )
        }
        const crossRef = segment('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')
        if (f.roleId && !this.roles.has(f.roleId)) throw new ScimError(400, crossRef)
        for (const ref of [f.managerId, f.delegatedApproverId]) {
            if (ref && (!this.usersById.has(ref) || ref === id)) throw new ScimError(400, crossRef)
        }
        for (const [name, value] of Object.entries(f.custom)) {
            const def = this.customField(name)
            if (def?.type === 'hierarchy' && typeof value === 'string' && (!this.usersById.has(value) || value === id))
                throw new ScimError(400, crossRef)
        }

        const seen = new Set<string>()
        for (const psId of draft.permissionSetIds) {
            const ps = this.permissionSets.get(psId)
            if (!ps) throw new ScimError(400, segment('INVALID', 'invalid cross reference id'))
            if (seen.has(psId)) throw new ScimError(400, segment('INVALID', 'Duplicate PermissionSetAssignment'))
            seen.add(psId)
            if (ps.license && ps.license !== profile.license)
                throw new ScimError(
                    400,
                    segment(
                        'INVALID',
                        `Can't assign permission set ${ps.name} to user ${f.userName}. The user license doesn't allow the permission: ${ps.label}`
                    )
                )
            const psl = ps.permissionSetLicenseId
            const holds = existing !== undefined && this.licenseAssignments.byNaturalKey(`${existing.id}:${psl}`)
            if (psl && !holds && !(existing && this.hasPermissionSet(existing.id, psId)))
                throw new ScimError(
                    400,
                    segment(
                        'INVALID',
                        `Can't assign permission set ${ps.name} to user ${f.userName}. The user doesn't have the permission set license ${this.permissionSetLicenses.get(psl)?.masterLabel ?? psl} that the permission set requires.`
                    )
                )
        }
        for (const groupId of draft.groupIds) {
            // A queue the user is already in may be listed among their groups; joining one through SCIM is refused.
            if (existing && this.isGroupMember(existing.id, groupId)) continue
            const g = this.groups.get(groupId)
            if (!g || g.type !== 'Regular') throw new ScimError(400, segment('INVALID', 'invalid cross reference id'))
        }

        if (f.isActive) {
            const needsSeat = isCreate || !existing.isActive || this.licenseOf(existing) !== profile.license
            if (needsSeat && this.freeSeats(profile.license) < 1)
                throw new ScimError(409, segment('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded'))
        }
        if (existing && existing.isActive && !f.isActive) {
            const blocker = this.deactivationBlocker(existing.id)
            if (blocker) throw new ScimError(400, blocker)
        }
        if (draft.password !== undefined) {
            if (!PASSWORD_POLICY.test(draft.password))
                throw new ScimError(
                    400,
                    segment(
                        'INVALID_NEW_PASSWORD',
                        'Your password must be at least 8 characters long and include letters and numbers.'
                    )
                )
            if (existing && this.passwords.get(existing.id) === draft.password)
                throw new ScimError(400, segment('INVALID_NEW_PASSWORD', 'You cannot reuse this old password.'))
        }
    }

    private indexHierarchy(user: UserRecord, oldCustom: Record<string, CustomValue> | undefined): void {
        for (const def of this.customFields) {
            if (def.type !== 'hierarchy') continue
            const before = oldCustom?.[def.name]
            const after = user.custom[def.name]
            if (before === after) continue
            if (typeof before === 'string') indexRemove(this.hierarchyRefs, before, user.id)
            if (typeof after === 'string') indexAdd(this.hierarchyRefs, after, user.id)
        }
    }

    private sortVisible(): void {
        if (this.visibleSorted) return
        this.visible.sort(byId)
        this.visibleSorted = true
    }

    private insertVisible(user: UserRecord): void {
        this.sortVisible()
        const last = this.visible[this.visible.length - 1]
        if (!last || last.id < user.id) this.visible.push(user)
        else this.visible.splice(lowerBound(this.visible, user.id, false), 0, user)
    }

    private useSeat(license: LicenseName | undefined, delta: number): void {
        if (!license) return
        this.licenseUsed.set(license, (this.licenseUsed.get(license) ?? 0) + delta)
    }

    /** When a seeded row was last changed: its user's last modification (seeding is deterministic). */
    private seedTime(memberId: string): number {
        const user = this.usersById.get(memberId)
        return user ? user.lastModified : (this.groups.get(memberId)?.created ?? 0)
    }

    /** SystemModstamp of a row written now: during seeding, the seed time of the user it belongs to. */
    private stamp(memberId: string): string {
        return sfDateTime(this.seeding ? this.seedTime(memberId) : this.now())
    }

    /** The row every user has: the assignment of their profile's permission set (their UserLogin is made on read). */
    private addUserRows(user: UserRecord): void {
        const psId = this.profilePermissionSets.get(user.profileId)
        if (psId) this.addAssignmentRow(user.id, psId, null)
    }

    private moveProfileAssignment(userId: string, oldProfileId: string, newProfileId: string): void {
        const oldPs = this.profilePermissionSets.get(oldProfileId)
        const newPs = this.profilePermissionSets.get(newProfileId)
        const row = oldPs ? this.assignments.byNaturalKey(`${userId}:${oldPs}`) : undefined
        if (row && newPs) this.assignments.update(row, { PermissionSetId: newPs, SystemModstamp: this.stamp(userId) })
    }

    private addAssignmentRow(
        userId: string,
        psId: string,
        groupId: string | null,
        expiry: number | null = null
    ): PermissionSetAssignmentRow {
        return this.assignments.add({
            Id: this.newId(KEY_PREFIX.permissionSetAssignment),
            AssigneeId: userId,
            PermissionSetId: psId,
            PermissionSetGroupId: groupId,
            ExpirationDate: expiry === null ? null : sfDateTime(expiry),
            IsActive: true,
            SystemModstamp: this.stamp(userId),
            IsDeleted: false,
        })
    }

    private addGroupAssignment(
        userId: string,
        groupId: string,
        expiry: number | null
    ): PermissionSetAssignmentRow | undefined {
        const aggregate = this.aggregatePermissionSetId(groupId)
        if (!aggregate) return undefined
        return this.addAssignmentRow(userId, aggregate, groupId, expiry)
    }

    private removeAssignmentRow(key: string): void {
        const row = this.assignments.byNaturalKey(key)
        if (row) this.assignments.remove(row.Id)
    }

    private assign(userId: string, psId: string): void {
        indexAdd(this.psaByUser, userId, psId)
        indexAdd(this.psaByPermissionSet, psId, userId)
        if (!this.assignments.byNaturalKey(`${userId}:${psId}`)) this.addAssignmentRow(userId, psId, null)
    }

    private unassign(userId: string, psId: string): void {
        this.removeAssignmentRow(`${userId}:${psId}`)
        indexRemove(this.psaByUser, userId, psId)
        indexRemove(this.psaByPermissionSet, psId, userId)
    }

    private joinGroup(userId: string, groupId: string): void {
        const group = this.groups.get(groupId)
        if (group) this.addMember(group, userId)
    }

    private leaveGroup(userId: string, groupId: string): void {
        const group = this.groups.get(groupId)
        if (group) this.removeMember(group, userId)
    }

    private addMember(group: Group, memberId: string): GroupMemberRow {
        group.members.add(memberId)
        if (memberId.startsWith(KEY_PREFIX.user)) indexAdd(this.groupsByUser, memberId, group.id)
        const existing = this.groupMembers.byNaturalKey(`${group.id}:${memberId}`)
        if (existing) return existing
        return this.groupMembers.add({
            Id: this.newId(KEY_PREFIX.groupMember),
            GroupId: group.id,
            UserOrGroupId: memberId,
            SystemModstamp: this.stamp(memberId),
            IsDeleted: false,
        })
    }

    private removeMember(group: Group, memberId: string): void {
        group.members.delete(memberId)
        if (memberId.startsWith(KEY_PREFIX.user)) indexRemove(this.groupsByUser, memberId, group.id)
        const row = this.groupMembers.byNaturalKey(`${group.id}:${memberId}`)
        if (row) this.groupMembers.remove(row.Id)
    }
}

/** A UserLogin's id: its user's, under UserLogin's key prefix. */
function loginIdOf(userId: string): string {
    const id15 = KEY_PREFIX.userLogin + userId.slice(3, 15)
    return id15 + checksumSuffix(id15)
}

function userIdOfLogin(loginId: string): string {
    const id15 = KEY_PREFIX.user + loginId.slice(3, 15)
    return id15 + checksumSuffix(id15)
}

function crossReference(field: string): DmlError {
    return new DmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field])
}

function notFound(): DmlError {
    return new DmlError('NOT_FOUND', 'The requested resource does not exist', [], 404)
}

function entityDeleted(): DmlError {
    return new DmlError('ENTITY_IS_DELETED', 'entity is deleted', [], 404)
}

function profileOwned(): DmlError {
    return new DmlError(
        'FIELD_INTEGRITY_EXCEPTION',
        "You can't assign or unassign this permission set because it's associated with a profile."
    )
}

export function duplicateUsername(userName: string): string {
    return segment(
        'DUPLICATE_USERNAME',
        `Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). : ${userName}`
    )
}

function byId(a: { readonly id: string }, b: { readonly id: string }): number {
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

function indexAdd(index: Map<string, Set<string>>, key: string, value: string): void {
    let set = index.get(key)
    if (!set) {
        set = new Set()
        index.set(key, set)
    }
    set.add(value)
}

function indexRemove(index: Map<string, Set<string>>, key: string, value: string): void {
    const set = index.get(key)
    if (!set) return
    set.delete(value)
    if (set.size === 0) index.delete(key)
}

function pickFields(u: UserFields): UserFields {
    const out = {} as Record<keyof UserFields, unknown>
    for (const k of USER_FIELD_KEYS) out[k] = u[k]
    out.custom = u.custom
    return out as UserFields
}

function sameCustom(a: Record<string, CustomValue>, b: Record<string, CustomValue>): boolean {
    const ak = Object.keys(a)
    const bk = Object.keys(b)
    if (ak.length !== bk.length) return false
    return ak.every((k) => a[k] === b[k])
}
