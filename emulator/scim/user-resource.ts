import { AttributeDef, AttributeMap } from '../filter'
import { displayName, UserRecord } from '../model'
import { OrgStore } from '../store'
import { Variants } from '../variants'
import { ListSource, MatchCache } from './list'
import { customUrn, isoSeconds, location, RequestContext, URN, version } from './common'

/** Top-level members a User resource can have, for `attributes=` validation. */
export const USER_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
    'schemas',
    'id',
    'userName',
    'externalId',
    'name',
    'displayName',
    'nickName',
    'profileUrl',
    'emails',
    'addresses',
    'phoneNumbers',
    'photos',
    'userType',
    'title',
    'preferredLanguage',
    'emailEncodingKey',
    'locale',
    'timezone',
    'active',
    'entitlements',
    'groups',
    'roles',
    'meta',
])

/** The names `attributes=`/`excludedAttributes=` accept: without `photos` where photos are not accessible (R13). */
export function userAttributeNames(photos: Variants['photos']): ReadonlySet<string> {
    if (photos === 'accepted') return USER_ATTRIBUTE_NAMES
    return new Set([...USER_ATTRIBUTE_NAMES].filter((n) => n !== 'photos'))
}

/** What of a User resource the variants in force show. */
export type UserView = Pick<Variants, 'photos' | 'queues' | 'userGroupsAndRoles'>

export function userExtensionUrns(store: OrgStore): string[] {
    return [URN.enterprise, URN.external, URN.salesforce10, URN.salesforce20, customUrn(store.org.id)]
}

/** The User resource in the pilot serializer's member order, with the native doc sample's shapes. */
export function serializeUser(
    store: OrgStore,
    user: UserRecord,
    ctx: RequestContext,
    view: UserView
): Record<string, unknown> {
    const profile = store.profiles.get(user.profileId)
    const custom = customUrn(store.org.id)
    const hasCustom = Object.keys(user.custom).length > 0
    const hasExternal = user.accountId !== null || user.contactId !== null
    const schemas: string[] = [URN.user, URN.enterprise]
    if (hasCustom) schemas.push(custom)
    if (hasExternal) schemas.push(URN.external)

    const name = displayName(user)
    const out: Record<string, unknown> = { schemas, id: user.id, userName: user.userName }
    if (user.federationId) out.externalId = user.federationId
    const nameObj: Record<string, string> = { formatted: name }
    if (user.lastName) nameObj.familyName = user.lastName
    if (user.firstName) nameObj.givenName = user.firstName
    out.name = nameObj
    out.displayName = name
    if (user.nickName) out.nickName = user.nickName
    out.emails = [{ type: 'work', primary: true, value: user.email }]
    // Each part with the separator Salesforce puts after it in `formatted`, trailing ones included.
    const addressParts: readonly [string | null, string, string][] = [
        [user.street, 'streetAddress', '\n'],
        [user.city, 'locality', ', '],
        [user.state, 'region', ' '],
        [user.postalCode, 'postalCode', ' '],
        [user.country, 'country', ''],
    ]
    if (addressParts.some(([value]) => value)) {
        const address: Record<string, unknown> = { type: 'work', primary: true }
        let formatted = ''
        for (const [value, key, separator] of addressParts) {
            if (!value) continue
            address[key] = value
            formatted += value + separator
        }
        address.formatted = formatted
        out.addresses = [address]
    }
    const phones: { type: string; value: string }[] = []
    if (user.phone) phones.push({ type: 'work', value: user.phone })
    if (user.mobilePhone) phones.push({ type: 'mobile', value: user.mobilePhone })
    if (user.fax) phones.push({ type: 'fax', value: user.fax })
    if (phones.length > 0) out.phoneNumbers = phones
    const photoKey = user.hasPhoto ? `729${user.id.slice(3, 5)}${user.id.slice(9, 15)}` : '005'
    // The pilot serves photos only where User.FullPhotoUrl is accessible (R13).
    if (view.photos === 'accepted')
        out.photos = [
            { type: 'photo', value: `${ctx.baseUrl}/profilephoto/${photoKey}/F` },
            { type: 'thumbnail', value: `${ctx.baseUrl}/profilephoto/${photoKey}/T` },
        ]
    out.userType = user.userType
    if (user.title) out.title = user.title
    if (user.languageLocaleKey) out.preferredLanguage = user.languageLocaleKey
    if (user.emailEncodingKey) out.emailEncodingKey = user.emailEncodingKey
    if (user.localeSidKey) out.locale = user.localeSidKey
    if (user.timeZoneSidKey) out.timezone = user.timeZoneSidKey
    out.active = user.isActive

    const entitlements: Record<string, unknown>[] = [
        {
            value: user.profileId,
            $ref: `/Entitlements/${user.profileId}`,
            display: profile?.name ?? '',
            type: 'Profile',
            primary: true,
        },
    ]
    for (const psId of store.permissionSetsOf(user.id)) {
        entitlements.push({
            value: psId,
            $ref: `/Entitlements/${psId}`,
            display: store.permissionSets.get(psId)?.name ?? '',
            type: 'Permission Set',
            primary: false,
        })
    }
    out.entitlements = entitlements
    // The pilot lists every GroupMember row of the user, queues included (R14); native may omit both arrays (R8).
    const groups = store
        .groupsOf(user.id)
        .filter((g) => view.queues === 'listed' || store.groups.get(g)?.type === 'Regular')
    if (groups.length > 0 && view.userGroupsAndRoles === 'present')
        out.groups = groups.map((g) => ({ value: g, $ref: `/Groups/${g}`, display: store.groups.get(g)?.name ?? '' }))
    if (user.roleId && view.userGroupsAndRoles === 'present')
        out.roles = [
            { value: user.roleId, $ref: `/Roles/${user.roleId}`, display: store.roles.get(user.roleId)?.name ?? '' },
        ]

    const enterprise: Record<string, unknown> = { organization: store.org.id }
    if (user.division) enterprise.division = user.division
    if (user.employeeNumber) enterprise.employeeNumber = user.employeeNumber
    if (user.department) enterprise.department = user.department
    if (user.managerId) {
        const manager = store.getUser(user.managerId)
        enterprise.manager = {
            value: user.managerId,
            $ref: `/Users/${user.managerId}`,
            displayName: manager ? displayName(manager) : '',
        }
    }
    if (user.delegatedApproverId) {
        const approver = store.getUser(user.delegatedApproverId)
        enterprise.delegatedApprover = {
            delegatedApproverId: user.delegatedApproverId,
            $ref: `/Users/${user.delegatedApproverId}`,
            displayName: approver ? displayName(approver) : '',
        }
    }
    out[URN.enterprise] = enterprise
    if (hasExternal) {
        const external: Record<string, string> = {}
        if (user.accountId) external.accountId = user.accountId
        if (user.contactId) external.contactId = user.contactId
        out[URN.external] = external
    }
    if (hasCustom) out[custom] = { ...user.custom }
    // The alias block is written under the 1.0 URN but that URN is not listed in `schemas` (pilot serializer).
    out[URN.salesforce10] = { alias: user.alias }
    out.meta = {
        created: isoSeconds(user.created),
        lastModified: isoSeconds(user.lastModified),
        location: location(ctx, 'Users', user.id),
        resourceType: 'User',
        version: version(user.id, user.lastModified),
    }
    return out
}

const str = (get: (u: UserRecord) => string | null | undefined): AttributeDef<UserRecord> => ({ kind: 'string', get })

/** Filterable User attributes, named exactly (and case-sensitively) as the pilot's attribute map names them. */
export function userFilterAttributes(store: OrgStore): AttributeMap<UserRecord> {
    const e = URN.enterprise
    const custom = customUrn(store.org.id)
    const map = new Map<string, AttributeDef<UserRecord>>([
        ['id', { kind: 'id', get: (u) => u.id }],
        ['userName', str((u) => u.userName)],
        ['externalId', str((u) => u.federationId)],
        ['name', { kind: 'complex' }],
        ['name.formatted', str((u) => displayName(u))],
        ['name.familyName', str((u) => u.lastName)],
        ['name.givenName', str((u) => u.firstName)],
        ['displayName', str((u) => displayName(u))],
        ['nickName', str((u) => u.nickName)],
        ['emails', str((u) => u.email)],
        ['addresses', { kind: 'complex' }],
        ['addresses.streetAddress', str((u) => u.street)],
        ['addresses.locality', str((u) => u.city)],
        ['addresses.region', str((u) => u.state)],
        ['addresses.postalCode', str((u) => u.postalCode)],
        ['addresses.country', str((u) => u.country)],
        ['phoneNumbers', str((u) => u.phone ?? u.mobilePhone ?? u.fax)],
        ['userType', str((u) => u.userType)],
        ['title', str((u) => u.title)],
        ['preferredLanguage', str((u) => u.languageLocaleKey)],
        ['emailEncodingKey', str((u) => u.emailEncodingKey)],
        ['locale', str((u) => u.localeSidKey)],
        ['timezone', str((u) => u.timeZoneSidKey)],
        ['active', { kind: 'boolean', get: (u) => u.isActive }],
        [
            'entitlements',
            {
                kind: 'membership',
                label: 'entitlements',
                // A `0PS` value matches permission set assignees, anything else the profile (pilot semijoin).
                eq: (u, v) => (v.startsWith('0PS') ? store.hasPermissionSet(u.id, v) : u.profileId === v),
                ne: (u, v) =>
                    v.startsWith('0PS') ? store.permissionSetsOf(u.id).some((p) => p !== v) : u.profileId !== v,
                present: () => true,
            },
        ],
        [
            'groups',
            {
                kind: 'membership',
                label: 'groups',
                eq: (u, v) => store.isGroupMember(u.id, v),
                ne: (u, v) => store.groupsOf(u.id).some((g) => g !== v),
                present: (u) => store.groupsOf(u.id).length > 0,
            },
        ],
        [
            'roles',
            {
                kind: 'membership',
                label: 'roles',
                eq: (u, v) => u.roleId === v,
                ne: (u, v) => u.roleId !== v,
                present: (u) => u.roleId !== null,
            },
        ],
        ['meta', { kind: 'complex' }],
        ['meta.created', { kind: 'datetime', get: (u) => u.created }],
        ['meta.lastModified', { kind: 'datetime', get: (u) => u.lastModified }],
        [e, { kind: 'complex' }],
        [`${e}:organization`, str(() => store.org.id)],
        [`${e}:employeeNumber`, str((u) => u.employeeNumber)],
        [`${e}:division`, str((u) => u.division)],
        [`${e}:department`, str((u) => u.department)],
        [`${e}:manager`, { kind: 'complex' }],
        [`${e}:manager.value`, { kind: 'id', get: (u) => u.managerId }],
        [`${e}:manager.displayName`, str((u) => (u.managerId ? nameOf(store, u.managerId) : null))],
        [`${e}:delegatedApprover`, { kind: 'complex' }],
        [`${e}:delegatedApprover.delegatedApproverId`, { kind: 'id', get: (u) => u.delegatedApproverId }],
        [URN.salesforce20, { kind: 'complex' }],
        [`${URN.salesforce20}:alias`, str((u) => u.alias)],
        [URN.salesforce10, { kind: 'complex' }],
        [`${URN.salesforce10}:alias`, str((u) => u.alias)],
        [URN.external, { kind: 'complex' }],
        [`${URN.external}:accountId`, { kind: 'id', get: (u) => u.accountId }],
        [`${URN.external}:contactId`, { kind: 'id', get: (u) => u.contactId }],
    ])
    if (store.customFields.length > 0) map.set(custom, { kind: 'complex' })
    for (const f of store.customFields) {
        const get = (u: UserRecord): string | number | boolean | undefined => u.custom[f.name]
        const kind =
            f.type === 'double' ? 'number' : f.type === 'boolean' ? 'boolean' : f.type === 'hierarchy' ? 'id' : 'string'
        map.set(`${custom}:${f.name}`, { kind, get })
    }
    return map
}

function nameOf(store: OrgStore, id: string): string | null {
    const u = store.getUser(id)
    return u ? displayName(u) : null
}

/** /Users as an id-sorted list source, with a userName index for the common `userName eq "x"` lookup. */
export function userListSource(store: OrgStore): ListSource<UserRecord> {
    return {
        items: () => store.visibleUsers(),
        version: () => store.version,
        lookup: (attr, value) => {
            if (attr !== 'userName') return undefined
            const u = store.findUserByUserName(value)
            return u && store.isVisible(u) && store.isReadable(u) ? [u] : []
        },
    }
}

export const userMatchCache = (): MatchCache<UserRecord> => new MatchCache<UserRecord>()

/**
 * Each listed user's resource as UTF-8 JSON, kept until the store changes (any write moves `store.version`), so a
 * page of users already served is answered by joining bytes instead of serialising and encoding each user again.
 * `shape` names everything else the bytes depend on (base URL, variants in force, projection); a few shapes are
 * kept at once.
 */
export class UserJsonCache {
    private version = -1
    private readonly byShape = new Map<string, Map<string, Buffer>>()

    constructor(private readonly shapes = 4) {}

    get(version: number, shape: string, id: string, render: () => unknown): Buffer {
        if (version !== this.version) {
            this.byShape.clear()
            this.version = version
        }
        let byId = this.byShape.get(shape)
        if (!byId) {
            byId = new Map()
            this.byShape.set(shape, byId)
            if (this.byShape.size > this.shapes) {
                const oldest = this.byShape.keys().next().value
                if (oldest !== undefined) this.byShape.delete(oldest)
            }
        }
        let bytes = byId.get(id)
        if (!bytes) {
            bytes = Buffer.from(JSON.stringify(render()))
            byId.set(id, bytes)
        }
        return bytes
    }
}

const RESOURCES_TAIL = '"Resources":[]}'

/**
 * A ListResponse body (compact JSON, `Resources` last as `listResponse` writes it) as the UTF-8 parts to send one
 * after the other, with its resources given as already encoded JSON: together the same bytes as encoding
 * `JSON.stringify` of the whole body. The parts are sent as they are (one `writev`), never copied into one buffer.
 */
export function listBodyParts(envelope: Record<string, unknown>, resources: readonly Buffer[]): Buffer[] {
    const text = JSON.stringify({ ...envelope, Resources: [] })
    if (!text.endsWith(RESOURCES_TAIL)) throw new Error('a ListResponse envelope must end with its Resources')
    const parts: Buffer[] = [Buffer.from(text.slice(0, -2))]
    resources.forEach((r, i) => {
        if (i > 0) parts.push(COMMA)
        parts.push(r)
    })
    parts.push(LIST_END)
    return parts
}

const COMMA = Buffer.from(',')
const LIST_END = Buffer.from(']}')
