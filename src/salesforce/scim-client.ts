import { SalesforceConfig } from '../config'
import {
    InvalidRequestError,
    InvalidResponseError,
    NotFoundError,
    ObjectAlreadyExistsError,
    SalesforceServerError,
    TimeoutError,
} from '../errors'
import { SCIM_BASE_PATH, SalesforceHttpClient } from '../http/http-client'
import { RetryTiming, defaultRetryTiming } from '../http/retry-policy'
import { logger } from '../logger'
import { ListOptions, NewScimUser, SalesforceClient } from './client'
import { FetchPage, ListPage, MAX_PAGE_SIZE, PageOptions, keysetPages } from './paginate'
import { SalesforceIdKind, assertSalesforceId, isSalesforceId, toId18 } from './ids'
import { partitionedPages } from './partitions'
import { QueueIds, isPublicGroup, withoutQueues } from './queues'
import { quoteFilterValue } from './scim-filter'
import {
    SCIM_PATCH_SCHEMA,
    SCIM_USER_SCHEMA,
    ScimEntitlement,
    ScimGroup,
    ScimListResponse,
    ScimPatchOperation,
    ScimRole,
    ScimSchema,
    ScimServiceProviderConfig,
    ScimUser,
} from './types'
import { isRecord } from '../json'

/** Salesforce's SCIM pilot caps group members handled per request at 200; larger changes go in chunks. */
const MEMBERS_PER_PATCH = 200

/**
 * How much earlier than the lost create a user found by its userName may have been created and still count as the
 * one it made. The request's send time on Salesforce's clock is estimated from the lookup's `Date` header (whole
 * seconds) less the time since sending by our clock, which errs early; `meta.created` is whole seconds too. The
 * allowance covers those roundings and, when Salesforce sends no `Date`, the skew of our clock against its. Only a
 * create of the same username in these two minutes, i.e. the same identity's own earlier attempt, falls inside it.
 */
export const LOST_CREATE_CLOCK_SKEW_MS = 2 * 60_000

/**
 * The waits before each further lookup after a create whose answer was lost found no user: a create still
 * committing takes its username at once but may show the user to reads only later (risk R15), and "not created,
 * retrying is safe" said too early ends in DUPLICATE_USERNAME. Seven seconds in all.
 */
export const LOST_CREATE_LOOKUP_WAITS_MS: readonly number[] = [1_000, 2_000, 4_000]

/**
 * Salesforce's member paging on a single group or role GET (`members.count`, `members.startIndex`): at most 200
 * members a window, and, as in list paging, no `startIndex` past 2001. A member list longer than those windows reach
 * is read from `/Users` by its membership filter instead.
 */
const MEMBER_WINDOW = 200
const LAST_MEMBER_START_INDEX = 2001

/** The members of a Group that the queue ids and the group list do not need. */
const GROUPS_WITHOUT_MEMBERS = { excludedAttributes: ['members'] } as const

/**
 * `SalesforceClient` over Salesforce's SCIM 2.0 API. Errors come typed from the HTTP layer; this class adds
 * only what needs to know the operation: not-found on an empty 200, the lost-response check after a create, and
 * the queues left out of every user's groups. `timing` (clock and sleep) lets tests run without waiting.
 */
export class ScimSalesforceClient implements SalesforceClient {
    private readonly queues: QueueIds

    constructor(
        private readonly http: SalesforceHttpClient,
        private readonly config: SalesforceConfig,
        private readonly timing: Pick<RetryTiming, 'now' | 'sleep'> = defaultRetryTiming
    ) {
        this.queues = new QueueIds(config, () => this.readQueueIds(), timing.now)
    }

    async testConnection(): Promise<{ readonly serviceProvider: ScimServiceProviderConfig; readonly me: ScimUser }> {
        const serviceProvider = await this.http.get<ScimServiceProviderConfig>('/ServiceProviderConfigs')
        const me = this.single<ScimUser>(await this.http.get<unknown>('/Me'), 'user', 'Me', '/Me')
        return { serviceProvider, me }
    }

    /**
     * Salesforce refuses an `excludedAttributes` name the org's User resource does not have (`photos` where
     * photos are not accessible: `400 Unsupported attribute: photos`). Leaving an attribute out only saves
     * transfer, so a first page refused for that is asked again once without the name.
     */
    async *userPages(options: ListOptions = {}): AsyncGenerator<ListPage<ScimUser>> {
        // An empty /Users result is a ListResponse without Resources; an empty body is not one, and reading it as
        // "no users" would have ISC take every account as deleted.
        const pages = (listOptions: ListOptions): AsyncGenerator<ListPage<ScimUser>> => {
            const fetchPage = this.fetchList('/Users', { emptyBody: 'refuse' })
            const streams = listOptions.streams ?? 1
            return this.publicGroupsOnly(
                streams > 1
                    ? partitionedPages<ScimUser>(fetchPage, this.pageOptions(listOptions), { streams, what: 'user' })
                    : keysetPages<ScimUser>(fetchPage, this.pageOptions(listOptions), 'user')
            )
        }
        const excluded = options.excludedAttributes ?? []
        // Salesforce's answer to an attribute name its resource does not have (its pilot's text).
        const unsupportedAttribute = /Unsupported attribute: ([\w.:$-]+)/
        let refused: string | undefined
        let yielded = false
        try {
            for await (const page of pages(options)) {
                yielded = true
                yield page
            }
            return
        } catch (error: unknown) {
            const name =
                error instanceof InvalidRequestError ? unsupportedAttribute.exec(error.message)?.[1] : undefined
            refused = !yielded && name !== undefined && excluded.includes(name) ? name : undefined
            if (refused === undefined) throw error
        }
        logger.warn(
            { excludedAttribute: refused },
            `Salesforce does not know the User attribute ${refused} (HTTP 400 Unsupported attribute); listing users without excluding it`
        )
        yield* pages({ ...options, excludedAttributes: excluded.filter((name) => name !== refused) })
    }

    async getUser(id: string): Promise<ScimUser> {
        this.checkId(id, 'user')
        const user = this.single<ScimUser>(await this.http.get<unknown>(`/Users/${id}`), 'user', id, `/Users/${id}`)
        return this.withPublicGroupsOnly(user)
    }

    async findUserByUserName(userName: string): Promise<ScimUser | undefined> {
        return (await this.lookUpUserName(userName)).user
    }

    async createUser(user: NewScimUser): Promise<ScimUser> {
        const userName = user.userName
        if (userName.trim() === '') {
            throw new InvalidRequestError('A new Salesforce user needs a userName')
        }
        let created: ScimUser | undefined
        const sentAt = this.timing.now()
        try {
            created = await this.http.post<ScimUser>('/Users', { schemas: [SCIM_USER_SCHEMA], ...user })
        } catch (error: unknown) {
            // The request may have been applied even though its answer was lost: look before anyone retries.
            if (error instanceof TimeoutError || error instanceof SalesforceServerError) {
                return this.recoverLostCreate(userName, sentAt, error)
            }
            throw error
        }
        if (created !== undefined && typeof created.id === 'string') return this.withPublicGroupsOnly(created)
        const found = await this.findUserByUserName(userName)
        if (found !== undefined) return found
        throw new InvalidResponseError(
            `Salesforce answered POST ${SCIM_BASE_PATH}/Users without the new user, and no user ${userName} exists`
        )
    }

    async patchUser(id: string, operations: readonly ScimPatchOperation[]): Promise<ScimUser> {
        this.checkId(id, 'user')
        if (operations.length === 0) return this.getUser(id)
        const updated = await this.http.patch<ScimUser>(`/Users/${id}`, {
            schemas: [SCIM_PATCH_SCHEMA],
            Operations: operations,
        })
        return updated !== undefined && typeof updated.id === 'string'
            ? this.withPublicGroupsOnly(updated)
            : this.getUser(id)
    }

    async deactivateUser(id: string): Promise<void> {
        this.checkId(id, 'user')
        await this.http.delete(`/Users/${id}`)
    }

    groupPages(options: ListOptions = {}): AsyncGenerator<ListPage<ScimGroup>> {
        return keysetPages(this.fetchList('/Groups'), this.pageOptions(options), 'group')
    }

    async getGroup(id: string): Promise<ScimGroup> {
        this.checkId(id, 'group')
        return this.single<ScimGroup>(await this.http.get<unknown>(`/Groups/${id}`), 'group', id, `/Groups/${id}`)
    }

    addGroupMembers(groupId: string, userIds: readonly string[]): Promise<void> {
        return this.changeMembers('add', groupId, userIds)
    }

    removeGroupMembers(groupId: string, userIds: readonly string[]): Promise<void> {
        return this.changeMembers('remove', groupId, userIds)
    }

    groupMemberIds(groupId: string): Promise<string[]> {
        return this.memberUserIds('/Groups', groupId, 'group', 'groups')
    }

    entitlementPages(options: ListOptions = {}): AsyncGenerator<ListPage<ScimEntitlement>> {
        return keysetPages(this.fetchList('/Entitlements'), this.pageOptions(options), 'entitlement')
    }

    async getEntitlement(id: string): Promise<ScimEntitlement> {
        this.checkId(id, 'profile', 'permissionSet')
        const data = await this.http.get<unknown>(`/Entitlements/${id}`)
        return this.single<ScimEntitlement>(data, 'entitlement', id, `/Entitlements/${id}`)
    }

    rolePages(options: ListOptions = {}): AsyncGenerator<ListPage<ScimRole>> {
        return keysetPages(this.fetchList('/Roles'), this.pageOptions(options), 'role')
    }

    async getRole(id: string): Promise<ScimRole> {
        this.checkId(id, 'role')
        return this.single<ScimRole>(await this.http.get<unknown>(`/Roles/${id}`), 'role', id, `/Roles/${id}`)
    }

    roleMemberIds(roleId: string): Promise<string[]> {
        return this.memberUserIds('/Roles', roleId, 'role', 'roles')
    }

    async schemas(): Promise<readonly ScimSchema[]> {
        const data = await this.http.get<unknown>('/Schemas')
        if (Array.isArray(data)) return data as ScimSchema[]
        const resources = isRecord(data) ? data.Resources : undefined
        if (resources === undefined) return []
        if (!Array.isArray(resources)) throw new InvalidResponseError('Salesforce answered /Schemas without a list')
        return resources as ScimSchema[]
    }

    private checkId(id: string, ...kinds: SalesforceIdKind[]): void {
        assertSalesforceId(id, ...kinds)
    }

    private pageOptions(options: ListOptions): PageOptions {
        return {
            pageSize: Math.min(options.pageSize ?? this.config.pageSize, MAX_PAGE_SIZE),
            ...(options.filter !== undefined ? { filter: options.filter } : {}),
            ...(options.attributes !== undefined ? { attributes: options.attributes } : {}),
            ...(options.excludedAttributes !== undefined ? { excludedAttributes: options.excludedAttributes } : {}),
        }
    }

    /**
     * GETs of one list's pages. Salesforce's pilot answers an empty `/Entitlements` result with no body, and the
     * native service may do the same past its 200-record cap: an empty page, unless `emptyBody` is `refuse`.
     */
    private fetchList(
        path: string,
        { emptyBody = 'empty page' }: { emptyBody?: 'empty page' | 'refuse' } = {}
    ): FetchPage {
        return async (params) => {
            const answer = await this.http.requestWithDate({ method: 'GET', path, params })
            if (answer.body === undefined && emptyBody === 'refuse') {
                throw new InvalidResponseError(`Salesforce answered GET ${SCIM_BASE_PATH}${path} with an empty body`)
            }
            return answer
        }
    }

    /**
     * The resource of a GET by id. Salesforce answers 200 with an empty ListResponse (no `Resources`) for an
     * id whose user type SCIM filters out, which means "not found" as much as a 404 does.
     */
    private single<T extends { readonly id: string }>(data: unknown, kind: string, id: string, path: string): T {
        if (isRecord(data) && typeof data.id === 'string') return data as unknown as T
        if (isRecord(data) && ('Resources' in data || 'totalResults' in data)) {
            const first: unknown = Array.isArray(data.Resources) ? data.Resources[0] : undefined
            if (isRecord(first) && typeof first.id === 'string') return first as unknown as T
            throw new NotFoundError(
                `Not found in Salesforce: ${kind} ${id} does not exist or is not visible to SCIM ` +
                    `(HTTP 200 GET ${SCIM_BASE_PATH}${path} returned no resource)`,
                { status: 200 }
            )
        }
        throw new InvalidResponseError(`Salesforce answered GET ${SCIM_BASE_PATH}${path} without a ${kind}`)
    }

    /**
     * The user ids among a group's or role's members (a group may also hold groups), window by window. Where the
     * last window Salesforce accepts is still full, the rest cannot be reached that way, and the users holding the
     * group or role are listed from `/Users` with its membership filter, by keyset like any user list.
     */
    private async memberUserIds(
        path: '/Groups' | '/Roles',
        id: string,
        kind: 'group' | 'role',
        membershipAttribute: 'groups' | 'roles'
    ): Promise<string[]> {
        this.checkId(id, kind)
        const userIds: string[] = []
        for (let start = 1; start <= LAST_MEMBER_START_INDEX; start += MEMBER_WINDOW) {
            const data = await this.http.get<unknown>(`${path}/${id}`, {
                'members.startIndex': start,
                'members.count': MEMBER_WINDOW,
            })
            const window = this.single<ScimGroup | ScimRole>(data, kind, id, `${path}/${id}`).members ?? []
            // In the 18-character form users come in, should Salesforce list a member by its 15-character id.
            for (const member of window)
                if (isSalesforceId(member.value, 'user')) userIds.push(toId18(member.value, 'user'))
            if (window.length < MEMBER_WINDOW) return userIds
        }
        logger.info(
            { [kind]: id },
            `The ${kind} ${id} has more members than Salesforce lists on it; listing them from /Users instead`
        )
        const holders: string[] = []
        const filter = `${membershipAttribute} eq ${quoteFilterValue(id)}`
        const pages = keysetPages(
            this.fetchList('/Users', { emptyBody: 'refuse' }),
            this.pageOptions({ filter, attributes: ['id'], pageSize: MAX_PAGE_SIZE }),
            'user'
        )
        for await (const page of pages) for (const user of page.resources) holders.push(user.id)
        return holders
    }

    /** Salesforce wants group members wrapped: `value: {members: [...]}`, not the RFC's array. */
    private async changeMembers(op: 'add' | 'remove', groupId: string, userIds: readonly string[]): Promise<void> {
        this.checkId(groupId, 'group')
        for (const userId of userIds) this.checkId(userId, 'user')
        for (let i = 0; i < userIds.length; i += MEMBERS_PER_PATCH) {
            const members = userIds.slice(i, i + MEMBERS_PER_PATCH).map((value) => ({ value }))
            await this.http.patch<ScimGroup>(`/Groups/${groupId}`, {
                schemas: [SCIM_PATCH_SCHEMA],
                Operations: [{ op, path: 'members', value: { members } }],
            })
        }
    }

    /**
     * The user of a lost create, if Salesforce made it after all. Usernames are global and permanent (a former
     * employee keeps theirs), so a user found by that userName is this create's only if Salesforce created it after
     * the request was sent; otherwise it belongs to someone else and nothing may be assigned to it. A user not yet
     * visible may still be committing, so the lookup is repeated a few times before "not created" is concluded.
     * @throws ObjectAlreadyExistsError when the username belongs to a user created before the request;
     *     TimeoutError when the outcome cannot be told.
     */
    private async recoverLostCreate(
        userName: string,
        sentAt: number,
        cause: TimeoutError | SalesforceServerError
    ): Promise<ScimUser> {
        logger.warn(
            { userName, errorCode: cause.errorCode, status: cause.status },
            `Salesforce did not confirm the create of ${userName}; looking it up before anything is retried`
        )
        const outcomeUnknown = (why: string): TimeoutError =>
            new TimeoutError(
                `The outcome of creating Salesforce user ${userName} is unknown: ${cause.message} ${why}`,
                {
                    ...(cause.errorCode !== undefined ? { errorCode: cause.errorCode } : {}),
                    ...(cause.status !== undefined ? { status: cause.status } : {}),
                }
            )
        for (let lookup = 0; lookup <= LOST_CREATE_LOOKUP_WAITS_MS.length; lookup++) {
            const wait = LOST_CREATE_LOOKUP_WAITS_MS[lookup - 1]
            if (wait !== undefined) await this.timing.sleep(wait)
            let found: { readonly user: ScimUser | undefined; readonly date: string | undefined }
            try {
                found = await this.lookUpUserName(userName)
            } catch {
                throw outcomeUnknown(
                    'The lookup by userName failed as well; check in Salesforce whether the user exists before retrying'
                )
            }
            if (found.user === undefined) continue
            const user = found.user
            const createdAt = Date.parse(user.meta?.created ?? '')
            if (Number.isNaN(createdAt)) {
                throw outcomeUnknown(
                    `A user ${user.id} with that userName exists, but Salesforce did not say when it was created, so ` +
                        'it may be an older user and nothing was assigned to it; check in Salesforce whose user it is'
                )
            }
            const sentOnSalesforceClock = this.salesforceTimeOf(sentAt, found.date)
            if (createdAt < sentOnSalesforceClock - LOST_CREATE_CLOCK_SKEW_MS) {
                throw new ObjectAlreadyExistsError(
                    `Salesforce username ${userName} is taken by an existing user, ${user.id}, created at ` +
                        `${user.meta?.created ?? ''}, before this create was sent: choose another username. The ` +
                        `create's answer was lost (${cause.message}); with the username taken, Salesforce cannot ` +
                        `have created a new user, and nothing was assigned to ${user.id}`
                )
            }
            logger.info({ userId: user.id, userName }, `Salesforce had created user ${userName} (${user.id}) after all`)
            return user
        }
        const seconds = LOST_CREATE_LOOKUP_WAITS_MS.reduce((sum, ms) => sum + ms, 0) / 1000
        throw outcomeUnknown(
            `No user with that userName was found in ${LOST_CREATE_LOOKUP_WAITS_MS.length + 1} lookups over ` +
                `${seconds} seconds, so it was most likely not created; retrying is safe`
        )
    }

    /**
     * A moment of our clock on Salesforce's: an answer's `Date` less the time since that moment by our clock, which
     * needs no agreement between the two clocks. Without a `Date` header, our clock.
     */
    private salesforceTimeOf(localTime: number, answerDate: string | undefined): number {
        const answeredAt = Date.parse(answerDate ?? '')
        return Number.isNaN(answeredAt) ? localTime : answeredAt - (this.timing.now() - localTime)
    }

    /** The user with this userName, public groups only, and the `Date` of Salesforce's answer. */
    private async lookUpUserName(
        userName: string
    ): Promise<{ readonly user: ScimUser | undefined; readonly date: string | undefined }> {
        const answer = await this.http.requestWithDate({
            method: 'GET',
            path: '/Users',
            params: { filter: `userName eq ${quoteFilterValue(userName)}`, startIndex: 1, count: 2 },
        })
        if (answer.body === undefined) {
            throw new InvalidResponseError(`Salesforce answered GET ${SCIM_BASE_PATH}/Users with an empty body`)
        }
        const page = answer.body as ScimListResponse<ScimUser>
        // Salesforce compares userName case-insensitively (SOQL `=`), and lower-cases it on save.
        const wanted = userName.toLowerCase()
        const found = (page.Resources ?? []).find(
            (u) => typeof u.userName === 'string' && u.userName.toLowerCase() === wanted
        )
        return { user: found && (await this.withPublicGroupsOnly(found)), date: answer.date }
    }

    queueIds(): Promise<ReadonlySet<string>> {
        return this.queues.known()
    }

    /** The ids of the queues among `/Groups` (see `queues.ts`). */
    private async readQueueIds(): Promise<ReadonlySet<string>> {
        const ids = new Set<string>()
        for await (const page of this.groupPages(GROUPS_WITHOUT_MEMBERS)) {
            for (const group of page.resources) if (!isPublicGroup(group)) ids.add(group.id)
        }
        if (ids.size > 0) logger.info({ queues: ids.size }, `Salesforce lists ${ids.size} queues among its groups`)
        return ids
    }

    /** A user without the queues among its groups; the queue ids are asked for only when it is in some group. */
    private async withPublicGroupsOnly(user: ScimUser): Promise<ScimUser> {
        if (user.groups === undefined || user.groups.length === 0) return user
        return withoutQueues(user, await this.queues.known())
    }

    /**
     * Pages of users without the queues among their groups. The queue ids are read afresh once per listing, at the
     * first page with a user in some group (none is read if no user is), and kept for the reads and writes that
     * follow. The listing's next page is already on its way meanwhile.
     */
    private async *publicGroupsOnly(pages: AsyncGenerator<ListPage<ScimUser>>): AsyncGenerator<ListPage<ScimUser>> {
        let queueIds: Promise<ReadonlySet<string>> | undefined
        for await (const page of pages) {
            if (queueIds === undefined && !page.resources.some((u) => u.groups !== undefined && u.groups.length > 0)) {
                yield page
                continue
            }
            queueIds ??= this.queues.refresh()
            const ids = await queueIds
            yield ids.size === 0 ? page : { ...page, resources: page.resources.map((u) => withoutQueues(u, ids)) }
        }
    }
}
