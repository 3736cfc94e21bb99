import {
    ScimEntitlement,
    ScimGroup,
    ScimPatchOperation,
    ScimRole,
    ScimSchema,
    ScimServiceProviderConfig,
    ScimUser,
    ScimUserFields,
} from './types'
import { ListPage } from './paginate'

/** Options for a paged list. `filter` is a SCIM filter that callers built with `scim-filter.ts` helpers. */
export interface ListOptions {
    readonly filter?: string
    readonly attributes?: readonly string[]
    readonly excludedAttributes?: readonly string[]
    /** Default: the configured page size (at most 200). */
    readonly pageSize?: number
    /**
     * Streams that may read id ranges of the list side by side (`partitions.ts`); pages then come in the order
     * they arrive, not in id order. Default 1: page after page.
     */
    readonly streams?: number
}

/** The body of POST /Users, as Salesforce accepts it. */
export type NewScimUser = Omit<ScimUserFields, 'id' | 'meta'> & {
    readonly password?: string
    /** Extension blocks, e.g. the org's custom fields. */
    readonly [extension: string]: unknown
}

/**
 * What the handlers need from Salesforce. Every method maps failures to the errors in `errors.ts`
 * (a missing user or entitlement is `NotFoundError`); list methods are async generators of SCIM pages (one
 * value per page Salesforce answered), so the caller streams each page as it arrives and nothing holds a whole
 * org in memory. Every list is read by keyset on `id gt`, in Salesforce's id order; see `keysetPages`.
 *
 * Every user it returns lists public groups only in `groups`: Salesforce may list the queues a user is in there
 * too, and a queue is no public group (`queues.ts`). `groupPages` lists what Salesforce lists, queues included.
 */
export interface SalesforceClient {
    /** Proves the credentials and the API: token, then GET /ServiceProviderConfigs and /Me. */
    testConnection(): Promise<{ readonly serviceProvider: ScimServiceProviderConfig; readonly me: ScimUser }>

    /**
     * Pages of every user matching `filter`, each user once, in id order. Each page carries Salesforce's `Date`
     * header, the time on its clock that delta aggregation counts from.
     * @throws InvalidResponseError when Salesforce's order or count shows that users could have been skipped.
     */
    userPages(options?: ListOptions): AsyncGenerator<ListPage<ScimUser>>
    getUser(id: string): Promise<ScimUser>
    /** The user with this userName (case-insensitive), if any. */
    findUserByUserName(userName: string): Promise<ScimUser | undefined>
    /**
     * POST /Users. Never blindly replayed: when the response is lost (timeout, dropped connection, 5xx) it looks the
     * user up by userName, a few times over a few seconds, and returns the user only if Salesforce created it after
     * the request was sent.
     * @throws ObjectAlreadyExistsError when an older user holds the username; TimeoutError when the outcome is unknown.
     */
    createUser(user: NewScimUser): Promise<ScimUser>
    patchUser(id: string, operations: readonly ScimPatchOperation[]): Promise<ScimUser>
    /** DELETE /Users/{id}: Salesforce deactivates, it never deletes. */
    deactivateUser(id: string): Promise<void>

    groupPages(options?: ListOptions): AsyncGenerator<ListPage<ScimGroup>>
    getGroup(id: string): Promise<ScimGroup>
    /** The ids of the queues Salesforce lists among `/Groups` (read at most every few minutes; see `queues.ts`). */
    queueIds(): Promise<ReadonlySet<string>>
    addGroupMembers(groupId: string, userIds: readonly string[]): Promise<void>
    removeGroupMembers(groupId: string, userIds: readonly string[]): Promise<void>
    /** The ids of every user who is a member of the public group, however many there are. */
    groupMemberIds(groupId: string): Promise<string[]>

    /** Profiles, then permission sets, from /Entitlements: `00e` sorts before `0PS` in id order. */
    entitlementPages(options?: ListOptions): AsyncGenerator<ListPage<ScimEntitlement>>
    getEntitlement(id: string): Promise<ScimEntitlement>

    rolePages(options?: ListOptions): AsyncGenerator<ListPage<ScimRole>>
    getRole(id: string): Promise<ScimRole>
    /** The ids of every user who holds the role, however many there are. */
    roleMemberIds(roleId: string): Promise<string[]>

    schemas(): Promise<readonly ScimSchema[]>
}
