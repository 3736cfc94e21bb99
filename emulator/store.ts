import { ScimError, segment } from './errors'
import { KEY_PREFIX, RuntimeIds } from './ids'
import {
    CustomFieldDef,
    CustomValue,
    displayName,
    Group,
    HiddenAssignments,
    LicenseName,
    PermissionSet,
    PermissionSetGroup,
    Profile,
    QUERIABLE_USER_TYPES,
    Role,
    USER_FIELD_KEYS,
    UserDraft,
    UserFields,
    UserRecord,
} from './model'

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
    private readonly psgByUser = new Map<string, Set<string>>()
    /** PermissionSetAssignment.ExpirationDate, keyed `<user id>:<permission set id>`. */
    private readonly psaExpiry = new Map<string, number>()
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
            permissionSetGroupIds: [...(this.psgByUser.get(u.id) ?? [])],
            permissionSetExpiry: Object.fromEntries(
                this.permissionSetsOf(u.id).flatMap((ps) => {
                    const at = this.psaExpiry.get(`${u.id}:${ps}`)
                    return at === undefined ? [] : [[ps, new Date(at).toISOString()]]
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
            this.psgByUser.delete(id)
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

    // ---- seeding helpers ---------------------------------------------------------------------------------------

    addProfile(p: Profile): Profile {
        this.profiles.set(p.id, p)
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

    addPermissionSetGroup(g: PermissionSetGroup): PermissionSetGroup {
        this.permissionSetGroups.set(g.id, g)
        this.touch()
        return g
    }

    /** Seed assignments SCIM does not show (call after the user's permission sets are seeded). */
    seedHiddenAssignments(userId: string, hidden: HiddenAssignments): void {
        for (const g of hidden.permissionSetGroupIds) indexAdd(this.psgByUser, userId, g)
        for (const [ps, at] of Object.entries(hidden.expiry)) this.psaExpiry.set(`${userId}:${ps}`, at)
        this.touch()
    }

    addGroup(g: Group): Group {
        this.groups.set(g.id, g)
        for (const m of g.members) if (m.startsWith(KEY_PREFIX.user)) indexAdd(this.groupsByUser, m, g.id)
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

    private assign(userId: string, psId: string): void {
        indexAdd(this.psaByUser, userId, psId)
        indexAdd(this.psaByPermissionSet, psId, userId)
    }

    private unassign(userId: string, psId: string): void {
        this.psaExpiry.delete(`${userId}:${psId}`)
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

    private addMember(group: Group, memberId: string): void {
        group.members.add(memberId)
        if (memberId.startsWith(KEY_PREFIX.user)) indexAdd(this.groupsByUser, memberId, group.id)
    }

    private removeMember(group: Group, memberId: string): void {
        group.members.delete(memberId)
        if (memberId.startsWith(KEY_PREFIX.user)) indexRemove(this.groupsByUser, memberId, group.id)
    }
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
