import { MalformedPayloadError, ScimError, segment } from '../errors'
import { KEY_PREFIX } from '../ids'
import { CustomValue, UserDraft, UserFields, UserRecord } from '../model'
import { makeAlias } from '../seed'
import { OrgStore } from '../store'
import { Variants } from '../variants'
import { customUrn, isRecord, URN } from './common'

/**
 * Turning SCIM request bodies into User drafts with Salesforce's (pilot-derived) rules:
 * create/PUT collect every validation failure into one `CODE:reason;` detail (answered 409), while PATCH follows
 * "SCIM PATCH Simple": `add`/`replace` ignore `path` and read attributes from an object `value`, `remove` names the
 * attribute in `path`, and entitlements, roles and groups have their own add/replace rules.
 */

const NICKNAME_DEFAULT_MAX = 40
const ALIAS_MAX = 8
const DEFAULTS = {
    languageLocaleKey: 'en_US',
    emailEncodingKey: 'UTF-8',
    localeSidKey: 'en_US',
    timeZoneSidKey: 'America/Los_Angeles',
} as const

/** Apex's JSON parser reads numbers and booleans as text where a string is expected. */
function text(value: unknown): string | undefined {
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    return undefined
}

function bool(value: unknown): boolean | undefined {
    if (typeof value === 'boolean') return value
    if (value === 'true' || value === 'True' || value === 'TRUE') return true
    if (value === 'false' || value === 'False' || value === 'FALSE') return false
    return undefined
}

function objectArray(value: unknown): Record<string, unknown>[] | undefined {
    if (value === undefined || value === null) return undefined
    if (!Array.isArray(value)) throw new MalformedPayloadError()
    return value.filter(isRecord)
}

function refValue(value: unknown): string | null {
    if (!isRecord(value)) return null
    const v = text(value.value) ?? text(value.delegatedApproverId)
    return v === undefined || v === '' ? null : v
}

/** Enterprise attributes are read from the extension object and, as the pilot's streaming parser does, top level. */
function enterpriseOf(body: Record<string, unknown>): Record<string, unknown> {
    const ext = body[URN.enterprise]
    return isRecord(ext) ? { ...body, ...ext } : body
}

/** The alias from `{<urn>: {alias}}` blocks of the given URNs (nested) and/or `"<urn>:alias"` keys (flat). */
function aliasOf(
    body: Record<string, unknown>,
    urns: readonly string[],
    keys: Variants['patchExtensionKeys'] = 'nested'
): string | undefined {
    for (const urn of urns) {
        const ext = body[urn]
        const nested = keys !== 'flat' && isRecord(ext) ? text(ext.alias) : undefined
        const flat = keys !== 'nested' ? text(body[`${urn}:alias`]) : undefined
        const alias = flat ?? nested
        if (alias !== undefined) return alias.slice(0, ALIAS_MAX)
    }
    return undefined
}

/** R10: the pilot's create reads the alias only under the 2.0 URN. */
const CREATE_ALIAS_URNS: Record<Variants['createAliasUrn'], readonly string[]> = {
    '2.0': [URN.salesforce20],
    both: [URN.salesforce20, URN.salesforce10],
}
const PATCH_ALIAS_URNS: readonly string[] = [URN.salesforce10, URN.salesforce20]

function entitlementIds(list: Record<string, unknown>[]): {
    profiles: string[]
    permissionSets: string[]
    other: string[]
} {
    const out = { profiles: [] as string[], permissionSets: [] as string[], other: [] as string[] }
    for (const e of list) {
        const id = text(e.value)
        if (id === undefined) continue
        if (id.startsWith(KEY_PREFIX.profile)) out.profiles.push(id)
        else if (id.startsWith(KEY_PREFIX.permissionSet)) out.permissionSets.push(id)
        else out.other.push(id)
    }
    return out
}

function phonesInto(fields: UserFields, phones: Record<string, unknown>[]): void {
    for (const p of phones) {
        const value = text(p.value) ?? null
        const type = text(p.type)
        if (type === 'mobile') fields.mobilePhone = value
        else if (type === 'fax') fields.fax = value
        else fields.phone = value
    }
}

function addressInto(fields: UserFields, a: Record<string, unknown>): void {
    if ('streetAddress' in a) fields.street = text(a.streetAddress) ?? null
    if ('locality' in a) fields.city = text(a.locality) ?? null
    if ('region' in a) fields.state = text(a.region) ?? null
    if ('postalCode' in a) fields.postalCode = text(a.postalCode) ?? null
    if ('country' in a) fields.country = text(a.country) ?? null
}

/**
 * Coerce custom field values from their JSON form; the pilot reads them as text and converts by field type.
 * Returns error segments for fields it cannot take (unknown field names are refused on create and PUT only).
 */
function customInto(
    store: OrgStore,
    fields: UserFields,
    body: Record<string, unknown>,
    refuseUnknown: boolean,
    keys: Variants['patchExtensionKeys'] = 'nested'
): string[] {
    const urn = customUrn(store.org.id)
    const ext = body[urn]
    const values: [string, unknown][] = keys !== 'flat' && isRecord(ext) ? Object.entries(ext) : []
    // The pilot's PATCH parser reads custom fields as flat `"<urn>:<field>": value` keys (UserPatchResource.cls).
    if (keys !== 'nested')
        for (const [key, raw] of Object.entries(body))
            if (key.startsWith(urn + ':')) values.push([key.slice(urn.length + 1), raw])
    const errors: string[] = []
    for (const [name, raw] of values) {
        const def = store.customField(name)
        if (!def) {
            if (refuseUnknown) errors.push(`INVALID:unsupported field type for field : ${name}`)
            continue
        }
        if (raw === null || raw === '') {
            delete fields.custom[name]
            continue
        }
        let value: CustomValue | undefined
        if (def.type === 'double') {
            const n = typeof raw === 'number' ? raw : Number(text(raw))
            value = Number.isFinite(n) ? n : undefined
        } else if (def.type === 'boolean') value = bool(raw)
        else value = text(raw)
        if (value === undefined) {
            errors.push(
                segment(
                    'INVALID_TYPE_ON_FIELD_IN_RECORD',
                    `${def.label}: value not of required type: ${JSON.stringify(raw)}`
                )
            )
            continue
        }
        fields.custom[name] = value
    }
    return errors
}

/** The optional fields the User resource carries: a PUT replaces the whole resource, so it clears any it omits. */
const CLEARED_BY_REPLACE = {
    federationId: null,
    firstName: null,
    lastName: null,
    email: null,
    title: null,
    department: null,
    division: null,
    employeeNumber: null,
    street: null,
    city: null,
    state: null,
    postalCode: null,
    country: null,
    phone: null,
    mobilePhone: null,
    fax: null,
    roleId: null,
    managerId: null,
    delegatedApproverId: null,
} as const satisfies Partial<UserFields>

function emptyFields(profileId: string): UserFields {
    return {
        ...CLEARED_BY_REPLACE,
        userName: '',
        nickName: null,
        alias: '',
        userType: 'Standard',
        languageLocaleKey: null,
        emailEncodingKey: null,
        localeSidKey: null,
        timeZoneSidKey: null,
        isActive: true,
        profileId,
        accountId: null,
        contactId: null,
        hasPhoto: false,
        custom: {},
    }
}

/**
 * Build the draft for POST /Users (no `existing`) or PUT /Users/{id} (full replace of the fields it names).
 * @throws ScimError 409 carrying every validation failure, concatenated.
 */
export function draftFromResource(
    store: OrgStore,
    body: unknown,
    variants: Pick<Variants, 'defaultNickName' | 'createAliasUrn' | 'replaceHiddenAssignments'>,
    existing?: { user: UserRecord; draft: UserDraft }
): UserDraft {
    if (!isRecord(body)) throw new MalformedPayloadError()
    const isCreate = existing === undefined
    const errors: string[] = []
    const fields: UserFields = existing
        ? {
              ...existing.draft.fields,
              custom: { ...existing.draft.fields.custom },
              ...CLEARED_BY_REPLACE,
          }
        : emptyFields('')
    const draft: UserDraft = {
        fields,
        permissionSetIds: existing ? existing.draft.permissionSetIds.slice() : [],
        groupIds: existing ? existing.draft.groupIds.slice() : [],
    }

    if (existing && body.id !== undefined && text(body.id) !== existing.user.id)
        errors.push(segment('INVALID', 'id_attribute_is_readonly'))
    const externalId = text(body.externalId)
    if (externalId !== undefined) fields.federationId = externalId
    const userName = text(body.userName)
    if (userName === undefined || userName === '') errors.push(segment('REQUIRED_FIELD_MISSING', 'userName'))
    else fields.userName = userName.toLowerCase()

    const name = isRecord(body.name) ? body.name : undefined
    const familyName = name ? text(name.familyName) : undefined
    if (familyName === undefined || familyName === '') errors.push(segment('REQUIRED_FIELD_MISSING', 'name.familyName'))
    else fields.lastName = familyName
    if (name) {
        const givenName = text(name.givenName)
        if (givenName !== undefined) fields.firstName = givenName
        for (const unsupported of ['middleName', 'honorificPrefix', 'honorificSuffix'])
            if (name[unsupported] !== undefined) errors.push(segment('UNSUPPORTED_FIELD', `name.${unsupported}`))
    }

    const nickName = text(body.nickName)
    // Salesforce defaults CommunityNickname to the submitted userName (original case) on create; the pilot does not
    // cut it to the field's 40 characters (R12).
    if (nickName !== undefined) fields.nickName = nickName
    else if (isCreate && userName)
        fields.nickName = variants.defaultNickName === 'cut40' ? userName.slice(0, NICKNAME_DEFAULT_MAX) : userName

    const alias = aliasOf(body, CREATE_ALIAS_URNS[variants.createAliasUrn])
    if (alias !== undefined) fields.alias = alias
    else if (isCreate) fields.alias = makeAlias(fields.firstName ?? '', fields.lastName ?? userName ?? 'user')

    const emails = objectArray(body.emails) ?? stringEmails(body.emails)
    if (!emails || emails.length === 0) errors.push(segment('REQUIRED_FIELD_MISSING', 'email'))
    else if (emails.length !== 1) errors.push(segment('INVALID', 'only_a_single_email_is_allowed'))
    else {
        const value = text(emails[0]?.value)
        if (value === undefined) errors.push(segment('REQUIRED_FIELD_MISSING', 'email'))
        else fields.email = value
    }

    const addresses = objectArray(body.addresses)
    if (addresses && addresses.length > 1) errors.push(segment('INVALID', 'only_a_single_address_is_allowed'))
    else if (addresses?.[0]) addressInto(fields, addresses[0])
    const phones = objectArray(body.phoneNumbers)
    // The pilot's text for this one has no trailing semicolon.
    if (phones && phones.length > 1) errors.push('INVALID:only_a_single_phone_is_allowed')
    else if (phones) phonesInto(fields, phones)

    const title = text(body.title)
    if (title !== undefined) fields.title = title
    fields.languageLocaleKey =
        text(body.preferredLanguage) ?? (isCreate ? DEFAULTS.languageLocaleKey : fields.languageLocaleKey)
    fields.emailEncodingKey =
        text(body.emailEncodingKey) ?? (isCreate ? DEFAULTS.emailEncodingKey : fields.emailEncodingKey)
    fields.localeSidKey = text(body.locale) ?? (isCreate ? DEFAULTS.localeSidKey : fields.localeSidKey)
    fields.timeZoneSidKey = text(body.timezone) ?? (isCreate ? DEFAULTS.timeZoneSidKey : fields.timeZoneSidKey)
    const active = bool(body.active)
    if (active !== undefined) fields.isActive = active

    const roles = objectArray(body.roles)
    if (roles) {
        if (roles.length !== 1) errors.push(segment('INVALID', 'user_must_have_only_one_role'))
        else fields.roleId = text(roles[0]?.value) ?? null
    }

    const entitlements = objectArray(body.entitlements)
    let profileId: string | undefined
    if (entitlements && entitlements.length > 0) {
        const ids = entitlementIds(entitlements)
        if (ids.profiles.length > 1) errors.push(`INVALID: cannot have multiple profiles: (${ids.profiles.join(', ')})`)
        profileId = ids.profiles[ids.profiles.length - 1]
        draft.permissionSetIds = [...new Set(ids.permissionSets)]
    } else if (!isCreate) draft.permissionSetIds = []
    // A PUT deletes every permission set assignment and inserts the listed ones (pilot doCreateOrUpdate).
    if (!isCreate && variants.replaceHiddenAssignments === 'deletes') draft.dropHiddenAssignments = true
    if (profileId === undefined)
        errors.push(segment('REQUIRED_FIELD_MISSING', 'user_must_have_one_entitlement_which_must_be_a_profileid'))
    else fields.profileId = profileId

    const groups = objectArray(body.groups)
    if (groups) draft.groupIds = [...new Set(groups.map((g) => text(g.value)).filter((g): g is string => !!g))]

    const ent = enterpriseOf(body)
    const employeeNumber = text(ent.employeeNumber)
    if (employeeNumber !== undefined) fields.employeeNumber = employeeNumber
    if (ent.costCenter !== undefined) errors.push(segment('UNSUPPORTED_FIELD', 'costCenter'))
    const division = text(ent.division)
    if (division !== undefined) fields.division = division
    const department = text(ent.department)
    if (department !== undefined) fields.department = department
    if (ent.manager !== undefined) fields.managerId = refValue(ent.manager)
    if (ent.delegatedApprover !== undefined) fields.delegatedApproverId = refValue(ent.delegatedApprover)

    errors.push(...customInto(store, fields, body, true))

    if (profileId !== undefined) {
        const profile = store.profiles.get(profileId)
        if (!profile) errors.push(`INVALID: profile id is invalid : ${profileId}`)
        else if (isCreate) {
            fields.userType = profile.userType
            if (profile.userType === 'PowerPartner') {
                // External users need an Account and a Contact; without them Salesforce creates both on the fly.
                const external = isRecord(body[URN.external]) ? (body[URN.external] as Record<string, unknown>) : {}
                fields.accountId = text(external.accountId) ?? store.ids.take(KEY_PREFIX.account)
                fields.contactId = text(external.contactId) ?? store.ids.take(KEY_PREFIX.contact)
            }
        }
    }

    const password = body.password
    if (password !== undefined) {
        const p = text(password)
        if (p !== undefined) draft.password = p
    }
    if (errors.length > 0) throw new ScimError(409, errors.join(''))
    return draft
}

/** Salesforce's CLI sends `emails` as a plain string array on create; accept that form too. */
function stringEmails(value: unknown): Record<string, unknown>[] | undefined {
    if (!Array.isArray(value)) return undefined
    const strings = value.filter((v): v is string => typeof v === 'string')
    return strings.length > 0 ? strings.map((v) => ({ value: v })) : undefined
}

const REMOVABLE_TO_NULL: Record<string, keyof UserFields> = {
    givenName: 'firstName',
    'name.givenName': 'firstName',
    familyName: 'lastName',
    'name.familyName': 'lastName',
    title: 'title',
    preferredLanguage: 'languageLocaleKey',
    emailEncodingKey: 'emailEncodingKey',
    locale: 'localeSidKey',
    timezone: 'timeZoneSidKey',
    employeeNumber: 'employeeNumber',
    division: 'division',
    department: 'department',
    nickName: 'nickName',
    manager: 'managerId',
    delegatedApprover: 'delegatedApproverId',
    roles: 'roleId',
    externalId: 'federationId',
}
const UNSUPPORTED = new Set(['middleName', 'honorificPrefix', 'honorificSuffix', 'costCenter'])
const NOT_NILLABLE = new Set(['alias', 'password', 'emails'])

/**
 * Apply a PATCH body to a draft, operation by operation.
 * @throws ScimError 400 (`Improper Schema.`, rule texts) or MalformedPayloadError (Spring '26 `UNKNOWN_EXCEPTION`).
 */
export function applyPatch(
    store: OrgStore,
    draft: UserDraft,
    body: unknown,
    variants: Pick<
        Variants,
        'emptyEntitlementsReplace' | 'replaceHiddenAssignments' | 'patchExtensionKeys' | 'patchIdentityFields'
    >
): void {
    if (!isRecord(body)) throw new MalformedPayloadError()
    const schemas = body.schemas
    if (!Array.isArray(schemas) || schemas[0] !== URN.patchOp) throw new ScimError(400, 'Improper Schema.')
    const operations = body.Operations
    if (!Array.isArray(operations)) throw new MalformedPayloadError()
    const fields = draft.fields
    for (const operation of operations) {
        if (!isRecord(operation)) throw new MalformedPayloadError()
        const op = text(operation.op) ?? ''
        const kind = op.toLowerCase()
        if (kind === 'remove') {
            applyRemove(store, draft, text(operation.path))
            continue
        }
        if (kind !== 'add' && kind !== 'replace') throw new ScimError(400, `INPROPER Operation: ${op}`)
        const value = operation.value
        // Spring '26: the value of a path-less add/replace must be an object, not an array or a bare value.
        if (!isRecord(value)) throw new MalformedPayloadError()
        const errors: string[] = []

        const name = isRecord(value.name) ? value.name : undefined
        if (name) {
            if ('givenName' in name) fields.firstName = text(name.givenName) ?? null
            if ('familyName' in name) fields.lastName = text(name.familyName) ?? null
        }
        // The pilot parses userName, externalId and phoneNumbers on PATCH but never writes them (R9).
        const identity = variants.patchIdentityFields === 'applied'
        const userName = text(value.userName)
        if (identity && userName !== undefined) fields.userName = userName.toLowerCase()
        if (identity && 'externalId' in value) fields.federationId = text(value.externalId) ?? null
        const simple: [string, keyof UserFields][] = [
            ['title', 'title'],
            ['preferredLanguage', 'languageLocaleKey'],
            ['emailEncodingKey', 'emailEncodingKey'],
            ['locale', 'localeSidKey'],
            ['timezone', 'timeZoneSidKey'],
            ['nickName', 'nickName'],
        ]
        for (const [attr, field] of simple) {
            const v = text(value[attr])
            if (v !== undefined) (fields as unknown as Record<string, unknown>)[field] = v
        }
        const password = text(value.password)
        if (password !== undefined) draft.password = password
        if (value.active !== undefined) {
            const active = bool(value.active)
            if (active === undefined) throw new MalformedPayloadError()
            fields.isActive = active
        }
        const addresses = objectArray(value.addresses)
        if (addresses && addresses.length > 1) errors.push('INVALID: User can only have one address')
        else if (addresses?.[0]) addressInto(fields, addresses[0])
        const emails = objectArray(value.emails)
        if (emails && emails.length > 1) errors.push('INVALID: User can only have one email')
        else if (emails?.[0]) fields.email = text(emails[0].value) ?? fields.email
        const phones = objectArray(value.phoneNumbers)
        if (identity && phones) phonesInto(fields, phones)

        const roles = objectArray(value.roles)
        if (roles) {
            if (roles.length !== 1) errors.push(segment('INVALID', 'user_must_have_only_one_role'))
            else fields.roleId = text(roles[0]?.value) ?? null
        }

        const ent = enterpriseOf(value)
        for (const [attr, field] of [
            ['employeeNumber', 'employeeNumber'],
            ['division', 'division'],
            ['department', 'department'],
        ] as const) {
            if (ent[attr] !== undefined) fields[field] = text(ent[attr]) ?? null
        }
        if (ent.costCenter !== undefined) errors.push(segment('UNSUPPORTED_FIELD', 'costCenter'))
        if (ent.manager !== undefined) fields.managerId = refValue(ent.manager)
        if (ent.delegatedApprover !== undefined) fields.delegatedApproverId = refValue(ent.delegatedApprover)

        const groups = objectArray(value.groups)
        if (groups) {
            const ids = groups.map((g) => text(g.value)).filter((g): g is string => !!g)
            if (kind === 'replace') draft.groupIds = []
            for (const g of ids) if (!draft.groupIds.includes(g)) draft.groupIds.push(g)
        }

        const entitlements = objectArray(value.entitlements)
        if (entitlements) applyEntitlements(draft, kind, entitlements, errors, variants)

        customInto(store, fields, value, false, variants.patchExtensionKeys).forEach((e) => errors.push(e))
        const alias = aliasOf(value, PATCH_ALIAS_URNS, variants.patchExtensionKeys)
        if (alias !== undefined) fields.alias = alias

        if (errors.length > 0) throw new ScimError(400, errors.join(''))
    }
}

function applyEntitlements(
    draft: UserDraft,
    kind: 'add' | 'replace',
    entitlements: Record<string, unknown>[],
    errors: string[],
    variants: Pick<Variants, 'emptyEntitlementsReplace' | 'replaceHiddenAssignments'>
): void {
    const ids = entitlementIds(entitlements)
    const bad = ids.other[0]
    if (bad !== undefined) throw new ScimError(400, `INVALID entitlement id: ${bad}`)
    if (ids.profiles.length > 1 || (kind === 'add' && ids.profiles.length > 0))
        throw new ScimError(400, `INVALID: cannot have multiple profiles: (${ids.profiles.join(', ')})`)
    if (kind === 'replace') {
        const profile = ids.profiles[0]
        if (profile !== undefined) draft.fields.profileId = profile
        // Replace with any permission set deletes every non-profile assignment and inserts the listed ones; a
        // replace naming only a profile leaves them alone. An empty list does nothing in the pilot, whose delete
        // runs only when the list holds a permission set (R1).
        const clears = entitlements.length === 0 && variants.emptyEntitlementsReplace === 'clears'
        if (ids.permissionSets.length > 0 || clears) {
            draft.permissionSetIds = []
            if (variants.replaceHiddenAssignments === 'deletes') draft.dropHiddenAssignments = true
        }
    }
    for (const ps of ids.permissionSets) {
        if (draft.permissionSetIds.includes(ps)) errors.push(segment('INVALID', 'Duplicate PermissionSetAssignment'))
        else draft.permissionSetIds.push(ps)
    }
}

function applyRemove(store: OrgStore, draft: UserDraft, path: string | undefined): void {
    // The pilot's text, typo included.
    if (path === undefined) throw new ScimError(400, 'MISING PATH')
    const fields = draft.fields
    const custom = customUrn(store.org.id)
    const bare = path.startsWith(URN.enterprise + ':') ? path.slice(URN.enterprise.length + 1) : path
    if (bare === 'entitlements') throw new ScimError(400, 'INVALID: Cannot remove all entitlements. Use replace')
    if (UNSUPPORTED.has(bare) || UNSUPPORTED.has(bare.replace(/^name\./, '')))
        throw new ScimError(400, `UNSUPPORTED_FIELD: ${path}`)
    if (NOT_NILLABLE.has(bare)) throw new ScimError(400, `FIELD CANNOT BE NULL: ${path}`)
    const field = REMOVABLE_TO_NULL[bare]
    if (field) {
        ;(fields as unknown as Record<string, unknown>)[field] = null
        return
    }
    if (bare === 'active') fields.isActive = false
    else if (bare.startsWith('addresses')) {
        fields.street = fields.city = fields.state = fields.postalCode = fields.country = null
    } else if (bare === 'phoneNumbers') fields.phone = fields.mobilePhone = fields.fax = null
    else if (bare === 'groups') draft.groupIds = []
    else if (path.startsWith(custom + ':')) delete fields.custom[path.slice(custom.length + 1)]
    // Any other path (including RFC filtered paths such as `entitlements[value eq "…"]`) is silently ignored,
    // as the pilot does.
}
