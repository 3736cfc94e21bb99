import { SalesforceConfig } from '../config'
import {
    InvalidRequestError,
    InvalidResponseError,
    NotFoundError,
    SalesforceServerError,
    TimeoutError,
} from '../errors'
import { SCIM_BASE_PATH, SalesforceHttpClient } from '../http/http-client'
import { logger } from '../logger'
import { ListOptions, NewScimUser, SalesforceClient } from './client'
import { FetchPage, ListPage, MAX_PAGE_SIZE, PageOptions, keysetPages } from './paginate'
import { SalesforceIdKind, assertSalesforceId } from './ids'
import { partitionedPages } from './partitions'
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
 * `SalesforceClient` over Salesforce's SCIM 2.0 API. Errors come typed from the HTTP layer; this class adds
 * only what needs to know the operation: not-found on an empty 200, and the lost-response check after a create.
 */
export class ScimSalesforceClient implements SalesforceClient {
    constructor(
        private readonly http: SalesforceHttpClient,
        private readonly config: SalesforceConfig
    ) {}

    async testConnection(): Promise<{ readonly serviceProvider: ScimServiceProviderConfig; readonly me: ScimUser }> {
        const serviceProvider = await this.http.get<ScimServiceProviderConfig>('/ServiceProviderConfigs')
        const me = this.single<ScimUser>(await this.http.get<unknown>('/Me'), 'user', 'Me', '/Me')
        return { serviceProvider, me }
    }

    userPages(options: ListOptions = {}): AsyncGenerator<ListPage<ScimUser>> {
        // An empty /Users result is a ListResponse without Resources; an empty body is not one, and reading it as
        // "no users" would have ISC take every account as deleted.
        const fetchPage = this.fetchList('/Users', { emptyBody: 'refuse' })
        if ((options.streams ?? 1) > 1) {
            return partitionedPages(fetchPage, this.pageOptions(options), {
                streams: options.streams ?? 1,
                what: 'user',
            })
        }
        return keysetPages(fetchPage, this.pageOptions(options), 'user')
    }

    async getUser(id: string): Promise<ScimUser> {
        this.checkId(id, 'user')
        return this.single<ScimUser>(await this.http.get<unknown>(`/Users/${id}`), 'user', id, `/Users/${id}`)
    }

    async findUserByUserName(userName: string): Promise<ScimUser | undefined> {
        const page = await this.http.get<ScimListResponse<ScimUser>>('/Users', {
            filter: `userName eq ${quoteFilterValue(userName)}`,
            startIndex: 1,
            count: 2,
        })
        // Salesforce compares userName case-insensitively (SOQL `=`), and lower-cases it on save.
        const wanted = userName.toLowerCase()
        return (page.Resources ?? []).find((u) => typeof u.userName === 'string' && u.userName.toLowerCase() === wanted)
    }

    async createUser(user: NewScimUser): Promise<ScimUser> {
        const userName = user.userName
        if (userName.trim() === '') {
            throw new InvalidRequestError('A new Salesforce user needs a userName')
        }
        let created: ScimUser | undefined
        try {
            created = await this.http.post<ScimUser>('/Users', { schemas: [SCIM_USER_SCHEMA], ...user })
        } catch (error: unknown) {
            // The request may have been applied even though its answer was lost: look before anyone retries.
            if (error instanceof TimeoutError || error instanceof SalesforceServerError) {
                return this.recoverLostCreate(userName, error)
            }
            throw error
        }
        if (created !== undefined && typeof created.id === 'string') return created
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
        return updated !== undefined && typeof updated.id === 'string' ? updated : this.getUser(id)
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

    private async recoverLostCreate(userName: string, cause: TimeoutError | SalesforceServerError): Promise<ScimUser> {
        logger.warn(
            { userName, errorCode: cause.errorCode, status: cause.status },
            `Salesforce did not confirm the create of ${userName}; looking it up before anything is retried`
        )
        let found: ScimUser | undefined
        try {
            found = await this.findUserByUserName(userName)
        } catch {
            throw new TimeoutError(
                `The outcome of creating Salesforce user ${userName} is unknown: ${cause.message} The lookup by ` +
                    'userName failed as well; check in Salesforce whether the user exists before retrying',
                {
                    ...(cause.errorCode !== undefined ? { errorCode: cause.errorCode } : {}),
                    ...(cause.status !== undefined ? { status: cause.status } : {}),
                }
            )
        }
        if (found !== undefined) {
            logger.info(
                { userId: found.id, userName },
                `Salesforce had created user ${userName} (${found.id}) after all`
            )
            return found
        }
        throw new TimeoutError(
            `The outcome of creating Salesforce user ${userName} is unknown: ${cause.message} No user with that ` +
                'userName was found afterwards, so it was most likely not created; retrying is safe',
            {
                ...(cause.errorCode !== undefined ? { errorCode: cause.errorCode } : {}),
                ...(cause.status !== undefined ? { status: cause.status } : {}),
            }
        )
    }
}
