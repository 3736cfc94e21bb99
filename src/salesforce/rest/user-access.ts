/**
 * What SCIM cannot show about a page of users, read through the REST API in ONE Composite call of five queries
 * (Composite counts as one API call): the users' own fields (login, license, feature flags, inventory and the
 * admin's further fields) with their permission set assignments as a child subquery, their permission set
 * licenses, package licenses, queue memberships and login state. Every query names the page's ids with `IN`,
 * never one request per user; batches past a query's first are followed by `nextRecordsUrl`.
 *
 * A value the User row only points to (the license behind the profile: `via` in the attribute table) comes from
 * the org's rows of that object, read once per command with the org's User describe in one Composite call (the
 * plan), and joined by id: each User row then carries an id rather than the parent rows nested in it.
 *
 * A query Salesforce refuses for a permission the integration user lacks leaves only its own attributes out of the
 * accounts, with one warning per command naming the permission; any other failure stops the command.
 */
import { InvalidRequestError, SalesforceConnectorError } from '../../errors'
import { logger } from '../../logger'
import { ACCOUNT_ATTRIBUTES, AccountAttribute, attributeSpec, isRestAttribute } from '../../schema'
import { isSalesforceId } from '../ids'
import {
    ACCESS_CHANGE_MARKERS,
    FEATURE_LICENSE_FIELD_PREFIX,
    REST_PERMISSIONS,
    USER_PERMISSION_SET_ASSIGNMENTS,
    assignmentsOfUsersSoql,
    blockedLoginsOfUsersSoql,
} from './objects'
import {
    CompositeOutcome,
    QueryOutcome,
    SObjectDescribe,
    SObjectRecord,
    SalesforceRestClient,
    describePath,
} from './rest-client'
import { isPermissionRefusal } from './refusal'
import { SoqlIdList, soqlDateTime, soqlIdList, soqlString } from './soql'
import { heldUserDescribe, keepUserDescribe, userDescribe } from './user-describe'

/** The queries of a page, one Composite call: the users' own fields and four kinds of rows about them. */
export const USER_ACCESS_PARTS = ['user', 'permissionSetLicenses', 'packageLicenses', 'queues', 'logins'] as const
export type UserAccessPart = (typeof USER_ACCESS_PARTS)[number]

/** What the REST API answered for a page of users, per part; a part Salesforce refused is absent. */
export type PageAccessRows = { readonly [P in UserAccessPart]?: readonly SObjectRecord[] }

/**
 * The rows a looked-up attribute's User field points to, by their id (`Profile` rows by the users' `ProfileId`);
 * an attribute whose rows Salesforce refused to show is absent. The reader adds the rows of ids first seen on a
 * page (a profile made during the run); nothing else writes them.
 */
export type LookedUpRows = Partial<Record<AccountAttribute, Map<string, SObjectRecord>>>

/** What of the page query's shape the mapping needs: the flags and the further fields it selected. */
export interface UserAccessShape {
    /** The `UserPermissions*` booleans of the org's User describe, each a feature license when true. */
    readonly featureLicenseFields: readonly string[]
    /** The admin's further User fields (setting Additional User Fields), by API name as the describe spells it. */
    readonly additionalUserFields: readonly string[]
    /** The rows the looked-up attributes' User fields point to (see `USER_FIELD_LOOKUPS`). */
    readonly lookedUp: LookedUpRows
}

/** Where a looked-up attribute's value is: a field path (`UserLicense.Name`) of the object's row (`Profile`). */
export interface FieldLookup {
    readonly object: string
    readonly path: string
}

/**
 * The account attributes read from a field of the User row (`rest: 'User.<field path>'` in the attribute table),
 * with the SCIM path of the same value where SCIM carries it, and for a field that holds another row's id, where
 * in that row the value is (`via`).
 */
export const USER_FIELD_ATTRIBUTES: readonly {
    readonly name: AccountAttribute
    readonly field: string
    readonly alsoScim?: string
    readonly via?: FieldLookup
}[] = ACCOUNT_ATTRIBUTES.flatMap((name) => {
    const spec = attributeSpec(name)
    if (!isRestAttribute(spec) || !spec.rest.startsWith('User.') || spec.rest.includes('*')) return []
    const field = spec.rest.slice('User.'.length)
    const via = spec.via === undefined ? undefined : fieldLookup(spec.via)
    return [
        {
            name,
            field,
            ...(spec.alsoScim !== undefined ? { alsoScim: spec.alsoScim } : {}),
            ...(via !== undefined ? { via } : {}),
        },
    ]
})

function fieldLookup(via: string): FieldLookup {
    const dot = via.indexOf('.')
    return { object: via.slice(0, dot), path: via.slice(dot + 1) }
}

/** The looked-up attributes: each with the User field holding the id, and where its value is. */
const USER_FIELD_LOOKUPS = USER_FIELD_ATTRIBUTES.flatMap(({ name, field, via }) =>
    via !== undefined ? [{ attribute: name, field, ...via }] : []
)
type UserFieldLookup = (typeof USER_FIELD_LOOKUPS)[number]

/** `SELECT Id, UserLicense.Name FROM Profile [WHERE Id IN (…)]`: the org's rows of a lookup, or some of them. */
function lookupSoql(lookup: UserFieldLookup, ids?: readonly string[]): string {
    const where = ids !== undefined ? ` WHERE Id IN ${soqlIdList(ids)}` : ''
    return `SELECT Id, ${lookup.path} FROM ${lookup.object}${where}`
}

/** Reading a lookup's rows takes what reading the org's setup does. */
const LOOKUP_PERMISSION = REST_PERMISSIONS.read

/** A further User field the admin asked for, as the org's User describe has it. */
export interface UserFieldDescription {
    readonly name: string
    /** The describe's type: string, boolean, int, double, date, datetime, picklist, reference… */
    readonly type: string
    readonly label: string
}

/** The shape of the page query for this org: what the User describe showed, read once per command. */
export interface UserAccessPlan extends UserAccessShape {
    readonly additionalUserFieldDescriptions: readonly UserFieldDescription[]
}

/** The attributes each part carries, and the permission it needs, for the warning when Salesforce refuses it. */
const PART_NEEDS: Readonly<Record<UserAccessPart, { readonly attributes: string; readonly permission: string }>> = {
    user: {
        attributes:
            'lastLoginDate, userLicense, featureLicenses, permission set groups and expiry dates, company, address ' +
            'and email encoding, and the additional User fields',
        permission: REST_PERMISSIONS.read,
    },
    permissionSetLicenses: { attributes: 'permissionSetLicenses', permission: REST_PERMISSIONS.read },
    packageLicenses: { attributes: 'packageLicenses', permission: REST_PERMISSIONS.packageLicenses },
    queues: { attributes: 'queues', permission: REST_PERMISSIONS.read },
    logins: { attributes: 'frozen and locked', permission: REST_PERMISSIONS.loginState },
}

/** Salesforce's answers that mean "the integration user may not read this": the part degrades, the run goes on. */
function isRefusal(error: unknown): error is SalesforceConnectorError {
    return isPermissionRefusal(error, { hiddenFields: true })
}

/**
 * The page query's shape, from the org's User describe: its `UserPermissions*` booleans (the feature licenses this
 * org has) and the admin's further fields, checked.
 * @throws InvalidRequestError (INVALID_FIELD) naming every further field the User object does not have, so that a
 * misspelt name fails test-connection and the start of an aggregation rather than a page.
 */
export function planUserAccess(
    describe: SObjectDescribe,
    additionalUserFields: readonly string[],
    lookedUp: LookedUpRows = {}
): UserAccessPlan {
    const fields = new Map(describe.fields.map((field) => [field.name.toLowerCase(), field]))
    const featureLicenseFields = describe.fields
        .filter((field) => field.name.startsWith(FEATURE_LICENSE_FIELD_PREFIX) && field.type === 'boolean')
        .map((field) => field.name)
    const unknown = additionalUserFields.filter((name) => !fields.has(name.toLowerCase()))
    if (unknown.length > 0) {
        throw new InvalidRequestError(
            `INVALID_FIELD: the User object of this org has no field ${unknown.join(', ')} (setting Additional User ` +
                'Fields): use the API Name from Setup → Object Manager → User → Fields & Relationships',
            { errorCode: 'INVALID_FIELD', fields: unknown }
        )
    }
    const additionalUserFieldDescriptions = additionalUserFields.map((name) => {
        const field = fields.get(name.toLowerCase()) as SObjectDescribe['fields'][number]
        return { name: field.name, type: field.type, label: field.label }
    })
    return {
        featureLicenseFields,
        additionalUserFields: additionalUserFieldDescriptions.map((field) => field.name),
        additionalUserFieldDescriptions,
        lookedUp,
    }
}

/**
 * The Additional User Fields, checked and described by the org's User describe (the one held for the org, or read
 * now); see `planUserAccess`.
 */
export async function readAdditionalUserFields(
    rest: SalesforceRestClient,
    additionalUserFields: readonly string[]
): Promise<readonly UserFieldDescription[]> {
    return planUserAccess(await userDescribe(rest), additionalUserFields).additionalUserFieldDescriptions
}

/**
 * Plans the page query of one command: the org's User describe and the rows of every lookup (the org's profiles
 * with their licenses, `nextRecordsUrl` followed) in one Composite call, or only the rows when the describe is
 * held for the org. A refused lookup leaves its attribute out, with one warning; see `planUserAccess`.
 * @throws the mapped Salesforce error of a failed describe, or of a lookup failure that is not a refusal.
 */
export async function readUserAccessPlan(
    rest: SalesforceRestClient,
    additionalUserFields: readonly string[]
): Promise<UserAccessPlan> {
    const soql = Object.fromEntries(USER_FIELD_LOOKUPS.map((lookup) => [lookup.attribute, lookupSoql(lookup)]))
    const held = heldUserDescribe(rest)
    let describe: Promise<SObjectDescribe>
    let lookups: Promise<Record<string, QueryOutcome<SObjectRecord>>>
    if (held !== undefined || USER_FIELD_LOOKUPS.length === 0) {
        describe = held ?? userDescribe(rest)
        lookups = USER_FIELD_LOOKUPS.length > 0 ? rest.queries(soql) : Promise.resolve({})
    } else {
        const read = rest.reads(soql, { describe: describePath('User') })
        describe = keepUserDescribe(
            rest,
            read.then(({ gets }) => {
                const outcome = gets.describe as CompositeOutcome
                if (!outcome.ok) throw outcome.error
                return outcome.body as SObjectDescribe
            })
        )
        lookups = read.then(({ queries }) => queries)
    }
    lookups.catch(() => undefined)
    const plan = planUserAccess(await describe, additionalUserFields)
    const outcomes = await lookups
    const lookedUp: LookedUpRows = {}
    for (const lookup of USER_FIELD_LOOKUPS) {
        const outcome = outcomes[lookup.attribute]
        if (outcome === undefined) continue
        if (!outcome.ok) {
            if (!isRefusal(outcome.error)) throw outcome.error
            warnLeftOut(lookup.attribute, outcome.error, lookup.attribute, LOOKUP_PERMISSION)
            continue
        }
        lookedUp[lookup.attribute] = rowsById(outcome.records)
    }
    return { ...plan, lookedUp }
}

function rowsById(rows: readonly SObjectRecord[], into = new Map<string, SObjectRecord>()): Map<string, SObjectRecord> {
    for (const row of rows) if (typeof row.Id === 'string') into.set(row.Id, row)
    return into
}

/** Logs that attributes are left out of the accounts because Salesforce refused to read them. */
function warnLeftOut(part: string, error: Error, attributes: string, permission: string): void {
    logger.warn(
        { part, permission, errorCode: (error as SalesforceConnectorError).errorCode },
        `Leaving ${attributes} out of the accounts: Salesforce refused to read them (${error.message}). ` +
            `The integration user needs the permission ${permission}.`
    )
}

function withoutDuplicates(fields: readonly string[]): string[] {
    const seen = new Set<string>()
    return fields.filter((field) => {
        const key = field.toLowerCase()
        if (seen.has(key)) return false
        seen.add(key)
        return true
    })
}

/** `SELECT Id, LastLoginDate, ProfileId, …, (SELECT … FROM PermissionSetAssignments) FROM User …`. */
export function usersSoql(plan: UserAccessShape, userIds: SoqlIdList, withAssignments: boolean): string {
    const fields = withoutDuplicates([
        'Id',
        ...USER_FIELD_ATTRIBUTES.map((attribute) => attribute.field),
        ...plan.featureLicenseFields,
        ...plan.additionalUserFields,
    ])
    const assignments = withAssignments
        ? [
              `(SELECT ${USER_PERMISSION_SET_ASSIGNMENTS.fields.join(', ')} FROM ${USER_PERMISSION_SET_ASSIGNMENTS.relationship} ` +
                  `WHERE ${USER_PERMISSION_SET_ASSIGNMENTS.where})`,
          ]
        : []
    return `SELECT ${[...fields, ...assignments].join(', ')} FROM User WHERE Id IN ${userIds}`
}

/** One user's permission set assignments in full, for a user with more than the subquery's batch holds. */
function assignmentsOfUserSoql(userId: string): string {
    const fields = USER_PERMISSION_SET_ASSIGNMENTS.fields.join(', ')
    return (
        `SELECT ${fields} FROM PermissionSetAssignment ` +
        `WHERE AssigneeId = ${soqlString(userId)} AND ${USER_PERMISSION_SET_ASSIGNMENTS.where}`
    )
}

/** The page's five queries, by part. */
function userAccessQueries(
    plan: UserAccessShape,
    userIds: SoqlIdList,
    withAssignments: boolean
): Record<UserAccessPart, string> {
    return {
        user: usersSoql(plan, userIds, withAssignments),
        permissionSetLicenses: assignmentsOfUsersSoql('permissionSetLicense', userIds),
        packageLicenses: assignmentsOfUsersSoql('packageLicense', userIds),
        queues: assignmentsOfUsersSoql('queue', userIds),
        logins: blockedLoginsOfUsersSoql(userIds),
    }
}

/**
 * Reads pages of users' REST data for one command: one Composite call per page, a warning the first time each
 * part is refused. When Salesforce refuses the users' query over its permission set assignment subquery, the
 * page is read again once without it, and so is every later page: the permission set groups and expiry dates are
 * then left out, and the users' own fields still come.
 */
export class UserAccessReader {
    private withAssignments = true
    private readonly warned = new Set<string>()

    constructor(
        private readonly rest: SalesforceRestClient,
        readonly plan: UserAccessPlan
    ) {}

    /**
     * The rows of a page of users (at most 200 ids).
     * @throws the mapped Salesforce error of a failure that is not a refusal (a 5xx, a malformed answer).
     */
    async read(userIds: readonly string[]): Promise<PageAccessRows> {
        const ids = userIds.filter((id) => isSalesforceId(id, 'user'))
        if (ids.length === 0) return {}
        const idList = soqlIdList(ids)
        const outcomes = await this.rest.queries(userAccessQueries(this.plan, idList, this.withAssignments))
        const rows: Partial<Record<UserAccessPart, readonly SObjectRecord[]>> = {}
        for (const part of USER_ACCESS_PARTS) {
            const outcome = outcomes[part]
            if (outcome === undefined) continue
            if (outcome.ok) {
                rows[part] = outcome.records
                continue
            }
            if (part === 'user' && this.withAssignments && isRefusal(outcome.error)) {
                this.withAssignments = false
                this.warn(
                    'assignments',
                    outcome.error,
                    'permission set groups and assignment expiry dates',
                    REST_PERMISSIONS.read
                )
                const again = await this.rest.queries({ user: usersSoql(this.plan, idList, false) })
                const retried = again.user
                if (retried?.ok === true) {
                    rows.user = retried.records
                    continue
                }
                if (retried !== undefined && !isRefusal(retried.error)) throw retried.error
                this.warn(part, retried?.error ?? outcome.error, PART_NEEDS.user.attributes, PART_NEEDS.user.permission)
                continue
            }
            if (!isRefusal(outcome.error)) throw outcome.error
            this.warn(part, outcome.error, PART_NEEDS[part].attributes, PART_NEEDS[part].permission)
        }
        if (rows.user !== undefined) {
            rows.user = await this.withAllAssignments(rows.user)
            await this.lookUpUnknown(rows.user)
        }
        return rows
    }

    /**
     * Reads the rows the users' lookup fields point to that the plan does not hold yet (a profile made during the
     * run), in one Composite call, and adds them to the plan; none when every id is known. A refused read leaves
     * the attribute out of those users only, with one warning.
     */
    private async lookUpUnknown(users: readonly SObjectRecord[]): Promise<void> {
        const soql: Record<string, string> = {}
        for (const lookup of USER_FIELD_LOOKUPS) {
            const known = this.plan.lookedUp[lookup.attribute]
            if (known === undefined) continue
            const unknown = new Set<string>()
            for (const user of users) {
                const id = user[lookup.field]
                if (typeof id === 'string' && !known.has(id) && isSalesforceId(id)) unknown.add(id)
            }
            if (unknown.size > 0) soql[lookup.attribute] = lookupSoql(lookup, [...unknown])
        }
        if (Object.keys(soql).length === 0) return
        const outcomes = await this.rest.queries(soql)
        for (const lookup of USER_FIELD_LOOKUPS) {
            const outcome = outcomes[lookup.attribute]
            const known = this.plan.lookedUp[lookup.attribute]
            if (outcome === undefined || known === undefined) continue
            if (outcome.ok) rowsById(outcome.records, known)
            else if (!isRefusal(outcome.error)) throw outcome.error
            else this.warn(`lookup ${lookup.attribute}`, outcome.error, lookup.attribute, LOOKUP_PERMISSION)
        }
    }

    /**
     * The users with every permission set assignment: a child subquery holds one batch per user, and a user with
     * more (a rare one) is read in full by a query of its own.
     */
    private async withAllAssignments(users: readonly SObjectRecord[]): Promise<readonly SObjectRecord[]> {
        const relationship = USER_PERMISSION_SET_ASSIGNMENTS.relationship
        if (!users.some((user) => (user[relationship] as { done?: unknown } | null | undefined)?.done === false)) {
            return users
        }
        return Promise.all(
            users.map(async (user) => {
                const child = user[relationship] as { done?: unknown } | null | undefined
                if (child?.done !== false || typeof user.Id !== 'string') return user
                const records = await this.rest.query(assignmentsOfUserSoql(user.Id))
                return { ...user, [relationship]: { totalSize: records.length, done: true, records } }
            })
        )
    }

    private warn(key: string, error: Error, attributes: string, permission: string): void {
        if (this.warned.has(key)) return
        this.warned.add(key)
        warnLeftOut(key, error, attributes, permission)
    }
}

/**
 * The users whose access beyond SCIM changed since `since`: a permission set, group, license or queue assignment
 * row created, changed or (where `/queryAll` still shows it) deleted, or their login state changed (frozen,
 * locked, unlocked). Each object is read by `queryPages`, a batch at a time; only the user ids are kept. A
 * refused object is skipped with a warning naming the permission (its changes then wait for a full aggregation).
 * @throws the mapped Salesforce error of a failure that is not a refusal.
 */
export async function usersWithAccessChangedSince(rest: SalesforceRestClient, since: string): Promise<Set<string>> {
    const userIds = new Set<string>()
    for (const marker of ACCESS_CHANGE_MARKERS) {
        const soql =
            `SELECT ${marker.userField} FROM ${marker.object} ` + `WHERE ${marker.stampField} > ${soqlDateTime(since)}`
        try {
            for await (const batch of rest.queryPages(soql, { includeDeleted: marker.includeDeleted })) {
                for (const row of batch) {
                    const userId = row[marker.userField]
                    // GroupMember rows name groups as members too: only users count.
                    if (typeof userId === 'string' && isSalesforceId(userId, 'user')) userIds.add(userId)
                }
            }
        } catch (error: unknown) {
            if (!isRefusal(error)) throw error
            logger.warn(
                { object: marker.object, errorCode: error.errorCode },
                `Delta aggregation cannot see changes to ${marker.object} rows: Salesforce refused to read them ` +
                    `(${error.message}). Users whose ${marker.object} rows changed come with their next full ` +
                    'aggregation, or when the user changes.'
            )
        }
    }
    return userIds
}

/** A page of users with its REST rows. */
export interface PageWithAccess<P> {
    readonly page: P
    readonly rows: PageAccessRows
}

/**
 * The most pages `withPageAccess` holds with `streams` read side by side: one more waiting for its rows than
 * streams (the oldest of them being handed on), and one just asked for. Each has cost a SCIM request and a
 * Composite call.
 */
export function pagesInHand(streams: number): number {
    return Math.max(streams, 1) + 2
}

/**
 * The pages, each with its REST rows, in the order the pages came. A page's Composite call starts as soon as the
 * page arrives, and the next page is asked for at once, before the pages in hand are mapped and sent: the SCIM list
 * requests the page after that before handing one out, so neither a Composite call nor a SCIM request waits for the
 * work on earlier pages. One page more waits for its rows than SCIM streams read side by side (`page.streams`, one
 * for a list read page after page): a Composite call of five queries takes Salesforce longer than a SCIM page, and
 * with one call in flight per stream it, not SCIM, would set the pace. So at most `pagesInHand` pages are in hand
 * (one of them only just come), and there is never a request per user.
 * `beforeEachPage` runs before each further page is asked for and before each page is handed on (the API usage
 * check: a page is asked for before the answers of the pages in hand have told the org's latest usage).
 */
export async function* withPageAccess<
    P extends { readonly resources: readonly { readonly id: string }[]; readonly streams?: number },
>(
    pages: AsyncIterable<P>,
    read: (userIds: readonly string[]) => Promise<PageAccessRows>,
    beforeEachPage: () => void = () => undefined
): AsyncGenerator<PageWithAccess<P>> {
    type Entry = { readonly page: P; readonly rows: Promise<PageAccessRows> }
    const waiting: Entry[] = []
    const iterator = pages[Symbol.asyncIterator]()
    const pull = async (): Promise<Entry | undefined> => {
        beforeEachPage()
        const next = await iterator.next()
        if (next.done === true) return undefined
        const page = next.value
        const rows = page.resources.length > 0 ? read(page.resources.map((user) => user.id)) : Promise.resolve({})
        // A page abandoned when the listing fails must not leave an unhandled rejection behind.
        rows.catch(() => undefined)
        return { page, rows }
    }
    const handedOn = async (entry: Entry): Promise<PageWithAccess<P>> => {
        const rows = await entry.rows
        beforeEachPage()
        return { page: entry.page, rows }
    }
    let ahead = pull()
    ahead.catch(() => undefined)
    try {
        for (let entry = await ahead; entry !== undefined; entry = await ahead) {
            waiting.push(entry)
            ahead = pull()
            ahead.catch(() => undefined)
            while (waiting.length > Math.max(entry.page.streams ?? 1, 1)) {
                const head = waiting.shift() as Entry
                yield await handedOn(head)
            }
        }
        for (let head = waiting.shift(); head !== undefined; head = waiting.shift()) yield await handedOn(head)
    } finally {
        await iterator.return?.(undefined)
    }
}
