import { NotFoundError } from '../errors'
import { logger } from '../logger'
import { UserMemberships, listsMemberships, withMemberships } from '../mapping/account'
import { SalesforceClient } from '../salesforce/client'
import { ListPage } from '../salesforce/paginate'
import { isPublicGroup } from '../salesforce/queues'
import { isSalesforceId } from '../salesforce/ids'
import { ScimGroup, ScimRole, ScimUser } from '../salesforce/types'
import { settleLimited } from './concurrency'

/** The group and role lists without their members: only the ids are needed, the members are read per group. */
const WITHOUT_MEMBERS = { excludedAttributes: ['members'] } as const

/**
 * Pages of users with the groups and role Salesforce left out filled in from the member lists (risk R8).
 * Salesforce leaves `groups` and `roles` out of a user who holds none, so one user without them means nothing. A
 * first page of users none of whom carries either key is asked about: if a user that a role or public group lists
 * as its member comes without that key as well, Salesforce leaves the keys out of everyone. Then every membership is
 * read once, before any account is handed out (the next page is on its way meanwhile), and each page is completed.
 */
export async function* withUnlistedMemberships(
    client: SalesforceClient,
    pages: AsyncIterable<ListPage<ScimUser>>,
    concurrency: number
): AsyncGenerator<ListPage<ScimUser>> {
    let memberships: UserMemberships | undefined
    let firstPage = true
    for await (const page of pages) {
        if (firstPage) {
            firstPage = false
            const unlisted = page.resources.length > 0 && !page.resources.some(listsMemberships)
            const omitted = unlisted ? await omittedMembership(client) : undefined
            if (omitted !== undefined) {
                logger.info(
                    { userId: omitted.userId, [omitted.kind]: omitted.of },
                    `Salesforce lists user ${omitted.userId} as a member of ${omitted.kind} ${omitted.of} but leaves ` +
                        `${omitted.kind}s out of the user, as out of all ${page.resources.length} users of the ` +
                        'first page: reading every membership from the public groups and roles instead'
                )
                memberships = await readMemberships(client, concurrency)
            }
        }
        yield memberships === undefined ? page : { ...page, resources: withMemberships(page.resources, memberships) }
    }
}

/**
 * A user that the first role, else the first public group, with members lists, where that user comes without the
 * `roles` (or `groups`) key: proof that Salesforce leaves it out. None when the user carries it, or when no role or
 * public group on the first page of each list has members (then there is nothing to fill in).
 */
async function omittedMembership(
    client: SalesforceClient
): Promise<{ readonly kind: 'role' | 'group'; readonly of: string; readonly userId: string } | undefined> {
    const candidates = [
        { kind: 'role' as const, pages: client.rolePages(), held: (u: ScimUser) => u.roles !== undefined },
        {
            kind: 'group' as const,
            pages: client.groupPages(),
            held: (u: ScimUser) => u.groups !== undefined,
        },
    ]
    for (const { kind, pages, held } of candidates) {
        const first = (await pages.next()).value as ListPage<ScimGroup | ScimRole> | undefined
        await pages.return(undefined)
        for (const resource of first?.resources ?? []) {
            if (kind === 'group' && !isPublicGroup(resource as ScimGroup)) continue
            const userId = resource.members?.find((m) => isSalesforceId(m.value, 'user'))?.value
            if (userId === undefined) continue
            let user: ScimUser
            try {
                user = await client.getUser(userId)
            } catch (error: unknown) {
                // A member whose user type SCIM does not show tells nothing; the next one may.
                if (error instanceof NotFoundError) continue
                throw error
            }
            return held(user) ? undefined : { kind, of: resource.id, userId }
        }
    }
    return undefined
}

/** Every user's public groups and role, from the members of each public group and each role. */
export async function readMemberships(client: SalesforceClient, concurrency: number): Promise<UserMemberships> {
    const groupIds: string[] = []
    for await (const page of client.groupPages(WITHOUT_MEMBERS)) {
        for (const group of page.resources) if (isPublicGroup(group)) groupIds.push(group.id)
    }
    const roleIds: string[] = []
    for await (const page of client.rolePages(WITHOUT_MEMBERS)) for (const role of page.resources) roleIds.push(role.id)

    const groupsByUser = new Map<string, string[]>()
    const groupMembers = await allOrFirstError(settleLimited(groupIds, concurrency, (id) => client.groupMemberIds(id)))
    groupMembers.forEach((userIds, i) => {
        const groupId = groupIds[i] as string
        for (const userId of userIds) {
            const held = groupsByUser.get(userId)
            if (held === undefined) groupsByUser.set(userId, [groupId])
            else if (!held.includes(groupId)) held.push(groupId)
        }
    })
    const roleByUser = new Map<string, string>()
    const roleMembers = await allOrFirstError(settleLimited(roleIds, concurrency, (id) => client.roleMemberIds(id)))
    roleMembers.forEach((userIds, i) => {
        // A user has at most one role: the first role listing them keeps it.
        for (const userId of userIds) if (!roleByUser.has(userId)) roleByUser.set(userId, roleIds[i] as string)
    })
    return { groupsByUser, roleByUser }
}

/** The values in order, or the first failure: a membership left unread would be an entitlement silently lost. */
async function allOrFirstError<R>(settled: Promise<PromiseSettledResult<R>[]>): Promise<R[]> {
    const results = await settled
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    return results.map((r) => (r as PromiseFulfilledResult<R>).value)
}
