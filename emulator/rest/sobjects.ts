import { DmlError, METHOD_NOT_ALLOWED, RestApiError } from '../errors'
import { CustomValue, FEATURE_LICENSES, FeatureLicense, UserFields } from '../model'
import { OrgStore } from '../store'
import { FieldSpec, id18, labelOf, OrgSchema, RestObject, USER_FIELD_MAP } from './objects'
import { IntegrationPermission, PermissionSwitch } from './permissions'

/**
 * The sObject Basic Information, Describe and Rows resources: read, create, update and delete records of the org's
 * objects, each write through the store's DML rules, each refusal in Salesforce's words. A write answers with the
 * way to undo it, so that a Composite request with `allOrNone` can roll back.
 */

export interface SObjectDeps {
    readonly store: OrgStore
    readonly permissions: PermissionSwitch
}

export type Undo = () => void

export interface WriteResult {
    readonly id: string
    readonly undo: Undo
}

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/

export const RESOURCE_NOT_FOUND = (): RestApiError =>
    new RestApiError(404, 'NOT_FOUND', 'The requested resource does not exist')

/** The object named in a URL; an object the user may not see does not exist for them. */
export function objectOf(schema: OrgSchema, type: string): RestObject {
    const object = schema.object(type)
    if (!object) throw RESOURCE_NOT_FOUND()
    return object
}

/** A record's `attributes`. */
export function attributes(object: RestObject, version: string, rowId: string): { type: string; url: string } {
    return { type: object.name, url: `/services/data/v${version}/sobjects/${object.name}/${rowId}` }
}

export function describe(object: RestObject, version: string): Record<string, unknown> {
    return {
        name: object.name,
        label: object.label,
        keyPrefix: object.keyPrefix,
        custom: false,
        createable: object.createable,
        updateable: object.updateable,
        deletable: object.deletable,
        queryable: true,
        retrieveable: true,
        searchable: false,
        childRelationships: Object.entries(object.children ?? {}).map(([name, c]) => ({
            relationshipName: name,
            childSObject: c.object,
            field: c.field,
        })),
        fields: Object.entries(object.spec).map(([name, f]) => describeField(object, name, f)),
        urls: {
            sobject: `/services/data/v${version}/sobjects/${object.name}`,
            describe: `/services/data/v${version}/sobjects/${object.name}/describe`,
            rowTemplate: `/services/data/v${version}/sobjects/${object.name}/{ID}`,
        },
    }
}

function describeField(object: RestObject, name: string, f: FieldSpec): Record<string, unknown> {
    const relationship = Object.entries(object.parents ?? {}).find(([, p]) => p.field === name)?.[0] ?? null
    return {
        name,
        label: f.label ?? labelOf(name),
        type: f.type === 'datetime' ? 'datetime' : f.type,
        length: f.length ?? 0,
        custom: f.custom ?? false,
        createable: f.createable ?? false,
        updateable: f.updateable ?? false,
        nillable: f.type !== 'boolean' && name !== 'Id',
        referenceTo: f.referenceTo ?? [],
        relationshipName: relationship,
    }
}

/** GET of one record, all fields or those `fields` lists. */
export function readRecord(
    object: RestObject,
    rowId: string,
    version: string,
    fields: string | undefined
): Record<string, unknown> {
    if (!ID_SHAPE.test(rowId))
        throw new RestApiError(
            404,
            'NOT_FOUND',
            `Provided external ID field does not exist or is not accessible: ${rowId}`
        )
    const row = object.get(id18(rowId))
    if (!row) throw RESOURCE_NOT_FOUND()
    const names = fields ? fields.split(',').map((f) => f.trim()) : Object.keys(object.spec)
    const out: Record<string, unknown> = { attributes: attributes(object, version, String(row.Id)) }
    for (const name of names) {
        const canonical = Object.keys(object.spec).find((k) => k.toLowerCase() === name.toLowerCase())
        if (!canonical)
            throw new RestApiError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`)
        out[canonical] = row[canonical] ?? null
    }
    return out
}

/** The permissions any one of which allows a write to the object (and, for UserLogin, to the field). */
function writePermissions(object: string, body: Record<string, unknown>): readonly IntegrationPermission[] {
    switch (object) {
        case 'PermissionSetAssignment':
        case 'PermissionSetLicenseAssign':
            return ['AssignPermissionSets', 'ManageUsers']
        case 'UserPackageLicense':
            return ['ManagePackageLicenses']
        case 'UserLogin':
            return 'IsPasswordLocked' in body ? ['ManageUsers'] : ['FreezeUsers', 'ManageUsers']
        default:
            return ['ManageUsers']
    }
}

function checkWriteAccess(deps: SObjectDeps, object: RestObject, body: Record<string, unknown>, create: boolean): void {
    if (!deps.permissions.any(...writePermissions(object.name, body)))
        throw new DmlError(
            'INSUFFICIENT_ACCESS_OR_READONLY',
            create ? 'insufficient access rights on cross-reference id' : 'insufficient access rights on object id'
        )
}

/** A JSON object body, every key a field of the object that this operation may write. */
function checkBody(object: RestObject, body: unknown, mode: 'create' | 'update'): Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new RestApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values.')
    const out: Record<string, unknown> = {}
    const refused: string[] = []
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        if (key === 'attributes') continue
        const name = Object.keys(object.spec).find((k) => k.toLowerCase() === key.toLowerCase())
        if (!name)
            throw new DmlError('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, [key])
        const spec = object.spec[name] as FieldSpec
        if (!(mode === 'create' ? spec.createable : spec.updateable)) refused.push(name)
        checkValue(name, spec, value)
        out[name] = value
    }
    if (refused.length > 0)
        throw new DmlError(
            'INVALID_FIELD_FOR_INSERT_UPDATE',
            `Unable to create/update fields: ${refused.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
            refused
        )
    return out
}

function checkValue(name: string, spec: FieldSpec, value: unknown): void {
    if (value === null) return
    const wrong = (what: string): never => {
        throw new RestApiError(
            400,
            'JSON_PARSER_ERROR',
            `Cannot deserialize instance of ${what} from ${JSON.stringify(value)} value for field ${name}`
        )
    }
    switch (spec.type) {
        case 'boolean':
            if (typeof value !== 'boolean') wrong('boolean')
            break
        case 'int':
        case 'double':
            if (typeof value !== 'number') wrong('number')
            break
        case 'id':
        case 'reference':
            if (typeof value !== 'string' || !ID_SHAPE.test(value))
                throw new DmlError(
                    'MALFORMED_ID',
                    `${labelOf(name)}: id value of incorrect type: ${JSON.stringify(value)}`,
                    [name]
                )
            break
        case 'date':
        case 'datetime':
            if (typeof value !== 'string' || Number.isNaN(parseDateTime(value)))
                throw new DmlError(
                    'INVALID_TYPE_ON_FIELD_IN_RECORD',
                    `${labelOf(name)}: value not of required type: ${JSON.stringify(value)}`,
                    [name]
                )
            break
        default:
            if (typeof value !== 'string') wrong('string')
            if (spec.length && typeof value === 'string' && value.length > spec.length)
                throw new DmlError(
                    'STRING_TOO_LONG',
                    `${labelOf(name)}: data value too large: ${value} (max length=${spec.length})`,
                    [name]
                )
    }
}

/** Epoch ms of a Salesforce dateTime or date (`+0000` offsets included). */
function parseDateTime(value: string): number {
    return Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'))
}

function required(body: Record<string, unknown>, ...names: string[]): void {
    const missing = names.filter((n) => body[n] === undefined || body[n] === null)
    if (missing.length > 0)
        throw new DmlError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing)
}

const idOf = (v: unknown): string => id18(String(v))
const optionalId = (v: unknown): string | null => (typeof v === 'string' ? id18(v) : null)
const optionalTime = (v: unknown): number | null => (typeof v === 'string' ? parseDateTime(v) : null)

/** POST /sobjects/{Type}. */
export function createRecord(deps: SObjectDeps, object: RestObject, rawBody: unknown): WriteResult {
    if (!object.createable) throw METHOD_NOT_ALLOWED('POST', ['HEAD', 'GET'])
    const body = checkBody(object, rawBody, 'create')
    checkWriteAccess(deps, object, body, true)
    const store = deps.store
    switch (object.name) {
        case 'PermissionSetAssignment': {
            required(body, 'AssigneeId')
            const row = store.createPermissionSetAssignment({
                assigneeId: idOf(body.AssigneeId),
                permissionSetId: optionalId(body.PermissionSetId),
                permissionSetGroupId: optionalId(body.PermissionSetGroupId),
                expirationDate: optionalTime(body.ExpirationDate),
            })
            return { id: row.Id, undo: () => store.deletePermissionSetAssignment(row.Id) }
        }
        case 'PermissionSetLicenseAssign': {
            required(body, 'AssigneeId', 'PermissionSetLicenseId')
            const row = store.createPermissionSetLicenseAssign(idOf(body.AssigneeId), idOf(body.PermissionSetLicenseId))
            return { id: row.Id, undo: () => store.deletePermissionSetLicenseAssign(row.Id) }
        }
        case 'UserPackageLicense': {
            required(body, 'UserId', 'PackageLicenseId')
            const row = store.createUserPackageLicense(idOf(body.UserId), idOf(body.PackageLicenseId))
            return { id: row.Id, undo: () => store.deleteUserPackageLicense(row.Id) }
        }
        case 'GroupMember': {
            required(body, 'GroupId', 'UserOrGroupId')
            const existed = store.groupMembers.byNaturalKey(`${idOf(body.GroupId)}:${idOf(body.UserOrGroupId)}`)
            const row = store.createGroupMember(idOf(body.GroupId), idOf(body.UserOrGroupId))
            return { id: row.Id, undo: () => (existed ? undefined : store.deleteGroupMember(row.Id)) }
        }
        default:
            throw METHOD_NOT_ALLOWED('POST', ['HEAD', 'GET'])
    }
}

/** PATCH /sobjects/{Type}/{id}. */
export function updateRecord(deps: SObjectDeps, object: RestObject, rowId: string, rawBody: unknown): WriteResult {
    if (!object.updateable) throw METHOD_NOT_ALLOWED('PATCH', ['HEAD', 'GET', 'DELETE'])
    const body = checkBody(object, rawBody, 'update')
    const store = deps.store
    const existing = object.get(id18(rowId))
    if (!existing) throw RESOURCE_NOT_FOUND()
    checkWriteAccess(deps, object, body, false)
    const id = String(existing.Id)
    switch (object.name) {
        case 'PermissionSetAssignment': {
            const before = existing.ExpirationDate
            if ('ExpirationDate' in body) store.setAssignmentExpiry(id, optionalTime(body.ExpirationDate))
            return { id, undo: () => store.setAssignmentExpiry(id, optionalTime(before)) }
        }
        case 'UserLogin': {
            const before = {
                IsFrozen: existing.IsFrozen === true,
                IsPasswordLocked: existing.IsPasswordLocked === true,
            }
            const changes: { isFrozen?: boolean; isPasswordLocked?: boolean } = {}
            if (typeof body.IsFrozen === 'boolean') changes.isFrozen = body.IsFrozen
            if (typeof body.IsPasswordLocked === 'boolean') changes.isPasswordLocked = body.IsPasswordLocked
            store.updateUserLogin(id, changes)
            return {
                id,
                undo: () => {
                    const row = store.loginById(id)
                    if (row) Object.assign(row, before)
                },
            }
        }
        case 'User':
            return updateUser(store, object, id, body, existing)
        default:
            throw METHOD_NOT_ALLOWED('PATCH', ['HEAD', 'GET', 'DELETE'])
    }
}

function updateUser(
    store: OrgStore,
    object: RestObject,
    id: string,
    body: Record<string, unknown>,
    existing: Readonly<Record<string, unknown>>
): WriteResult {
    const toChanges = (values: Record<string, unknown>): Parameters<OrgStore['updateUserFromRest']>[1] => {
        const fields: Partial<UserFields> = {}
        const custom: Record<string, CustomValue | null> = {}
        const featureLicenses: Partial<Record<FeatureLicense, boolean>> = {}
        let companyName: string | null | undefined
        for (const [name, value] of Object.entries(values)) {
            if (name in USER_FIELD_MAP) {
                const key = USER_FIELD_MAP[name as keyof typeof USER_FIELD_MAP]
                const v = typeof value === 'string' && object.spec[name]?.type === 'reference' ? id18(value) : value
                ;(fields as Record<string, unknown>)[key] = v
            } else if (name === 'CompanyName') companyName = (value as string | null) ?? null
            else if (name.startsWith('UserPermissions')) {
                const flag = name.slice('UserPermissions'.length)
                if (flag in FEATURE_LICENSES) featureLicenses[flag as FeatureLicense] = value === true
            } else if (object.spec[name]?.custom) custom[name] = value as CustomValue | null
        }
        if (fields.userName) fields.userName = fields.userName.toLowerCase()
        return { fields, custom, featureLicenses, ...(companyName !== undefined ? { companyName } : {}) }
    }
    store.updateUserFromRest(id, toChanges(body))
    const before: Record<string, unknown> = {}
    for (const name of Object.keys(body)) before[name] = existing[name]
    return { id, undo: () => store.updateUserFromRest(id, toChanges(before)) }
}

/** DELETE /sobjects/{Type}/{id}. */
export function deleteRecord(deps: SObjectDeps, object: RestObject, rowId: string): WriteResult {
    const allowed = object.updateable ? ['HEAD', 'GET', 'PATCH'] : ['HEAD', 'GET']
    if (!object.deletable) throw METHOD_NOT_ALLOWED('DELETE', allowed)
    checkWriteAccess(deps, object, {}, false)
    const store = deps.store
    const id = id18(rowId)
    if (!ID_SHAPE.test(rowId) || !object.get(id)) throw RESOURCE_NOT_FOUND()
    switch (object.name) {
        case 'PermissionSetAssignment': {
            const row = store.deletePermissionSetAssignment(id)
            return {
                id,
                undo: () =>
                    row.PermissionSetGroupId
                        ? store.createPermissionSetAssignment({
                              assigneeId: row.AssigneeId,
                              permissionSetId: null,
                              permissionSetGroupId: row.PermissionSetGroupId,
                              expirationDate: optionalTime(row.ExpirationDate),
                          })
                        : store.createPermissionSetAssignment({
                              assigneeId: row.AssigneeId,
                              permissionSetId: row.PermissionSetId,
                              permissionSetGroupId: null,
                              expirationDate: optionalTime(row.ExpirationDate),
                          }),
            }
        }
        case 'PermissionSetLicenseAssign': {
            const row = store.deletePermissionSetLicenseAssign(id)
            return {
                id,
                undo: () => store.createPermissionSetLicenseAssign(row.AssigneeId, row.PermissionSetLicenseId),
            }
        }
        case 'UserPackageLicense': {
            const row = store.deleteUserPackageLicense(id)
            return { id, undo: () => store.createUserPackageLicense(row.UserId, row.PackageLicenseId) }
        }
        case 'GroupMember': {
            const row = store.deleteGroupMember(id)
            return { id, undo: () => store.createGroupMember(row.GroupId, row.UserOrGroupId) }
        }
        default:
            throw METHOD_NOT_ALLOWED('DELETE', allowed)
    }
}
