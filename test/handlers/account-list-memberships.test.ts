import { toId18 } from '../../src/salesforce/ids'
import { ScimUser } from '../../src/salesforce/types'
import { runCommand } from '../helpers/run-command'
import { IDS, INACTIVE_USER, USER } from '../mapping/fixtures'
import { CONFIG, SCIM, salesforce, useNock } from '../helpers/nock'
import { listQuery, listResponse, scimError } from '../helpers/scim-bodies'

/**
 * Risk R8: Salesforce may leave `groups` and `roles` out of every user. Aggregation then reads who holds which
 * public group and role from their member lists, so ISC does not drop every group and role entitlement.
 */

useNock()

const FIRST_PAGE = listQuery()
const WINDOW = 200
const QUEUE_ID = '00G4W000006IKBpUAO'
const west = { id: IDS.westGroup, displayName: 'mycompany-West', type: 'Regular' }
const east = { id: IDS.eastGroup, displayName: 'mycompany-East', type: 'Regular' }

/** USER as Salesforce shows it where it leaves the memberships out. */
const { groups: _groups, roles: _roles, ...userFields } = USER
const BARE_USER = userFields as ScimUser

/** `n` distinct user ids, none of them USER's or INACTIVE_USER's. */
function otherUserIds(n: number, from = 0): string[] {
    return Array.from({ length: n }, (_, i) => toId18(`005XX${String(from + i).padStart(10, '0')}`, 'user'))
}

const members = (ids: readonly string[]) => ids.map((value) => ({ value, type: 'User' }))
const memberWindow = (startIndex: number) => ({ 'members.startIndex': startIndex, 'members.count': WINDOW })
const role = (id: string, memberIds: readonly string[] = []) => ({
    id,
    displayName: `Role ${id}`,
    members: members(memberIds),
})

const FORBIDDEN = [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'insufficient access rights on object id' }]

/**
 * The stubs of one aggregation, in the order the connector asks: the users page; the first page of roles with
 * their members and the member it reads back, which tell whether Salesforce leaves memberships out; then, where
 * it does, every role's id and each group's and role's member windows.
 */
function aggregation(options: Parameters<typeof salesforce>[0] = {}) {
    const scope = salesforce(options)
    return {
        scope,
        users(users: readonly unknown[]) {
            scope.get(`${SCIM}/Users`).query(FIRST_PAGE).reply(200, listResponse(users))
            return this
        },
        /** The first page of roles with their members, where the connector looks for a member to read back. */
        firstRoles(roles: readonly unknown[]) {
            scope.get(`${SCIM}/Roles`).query({ count: 200, startIndex: 1 }).reply(200, listResponse(roles))
            return this
        },
        /** A member read back, to see whether Salesforce shows its `groups` and `roles`. */
        member(id: string, status: number, body: unknown) {
            scope.get(`${SCIM}/Users/${id}`).reply(status, body)
            return this
        },
        /** Every role's id, without members: the roles whose member windows are then read. */
        roleIds(ids: readonly string[]) {
            scope
                .get(`${SCIM}/Roles`)
                .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
                .reply(200, listResponse(ids.map((id) => ({ id }))))
            return this
        },
        /** One window of a group's or role's members, from `startIndex`. */
        window(resource: 'Groups' | 'Roles', id: string, startIndex: number, status: number, body: unknown) {
            scope.get(`${SCIM}/${resource}/${id}`).query(memberWindow(startIndex)).reply(status, body)
            return this
        },
    }
}

/** An account's identity, groups and role, as ISC takes them. */
function membershipsOf(output: { readonly identity?: unknown; readonly attributes?: unknown }): unknown[] {
    const { groups, role } = output.attributes as { groups: unknown; role: unknown }
    return [output.identity, groups, role]
}

describe('std:account:list where Salesforce leaves groups and roles out of users', () => {
    it("fills every user's public groups and role from the member lists, paging members by window", async () => {
        const queue = { id: QUEUE_ID, displayName: 'Support Queue', type: 'Queue' }
        aggregation({ listedGroups: [west, queue] })
            .users([INACTIVE_USER, BARE_USER])
            // A role lists USER, whom Salesforce shows without `roles`: the keys are left out for everyone.
            .firstRoles([role(IDS.ceoRole, [USER.id])])
            .member(USER.id, 200, BARE_USER)
            .roleIds([IDS.ceoRole, IDS.vpRole])
            // A full window of members (a nested group among them) is followed by the next one.
            .window('Groups', IDS.westGroup, 1, 200, {
                ...west,
                members: [...members([USER.id, ...otherUserIds(WINDOW - 2)]), { value: IDS.eastGroup, type: 'Group' }],
            })
            .window('Groups', IDS.westGroup, WINDOW + 1, 200, { ...west, members: members([INACTIVE_USER.id]) })
            .window('Roles', IDS.ceoRole, 1, 200, role(IDS.ceoRole, [USER.id]))
            .window('Roles', IDS.vpRole, 1, 200, { id: IDS.vpRole, displayName: 'VP' })

        const result = await runCommand('std:account:list', {}, CONFIG)

        // The queue is no public group: neither read nor reported.
        expect(result.outputs.map(membershipsOf)).toEqual([
            [INACTIVE_USER.id, [IDS.westGroup], null],
            [USER.id, [IDS.westGroup], IDS.ceoRole],
        ])
    })

    it('reads no memberships when a member Salesforce lists carries its keys: one user without them means nothing', async () => {
        aggregation()
            .users([INACTIVE_USER])
            .firstRoles([role(IDS.ceoRole, [USER.id])])
            .member(USER.id, 200, USER)

        const result = await runCommand('std:account:list', {}, CONFIG)

        expect(result.outputs.map(membershipsOf)).toEqual([[INACTIVE_USER.id, [], null]])
    })

    it('lists the holders of a role from /Users when its members are more than the member windows reach', async () => {
        const windows = Math.floor((2001 - 1) / WINDOW) + 1
        const stubs = aggregation()
            .users([BARE_USER])
            .firstRoles([role(IDS.ceoRole, [USER.id])])
            .member(USER.id, 200, BARE_USER)
            .roleIds([IDS.ceoRole])
        for (let w = 0; w < windows; w++) {
            stubs.window('Roles', IDS.ceoRole, 1 + w * WINDOW, 200, role(IDS.ceoRole, otherUserIds(WINDOW, w * WINDOW)))
        }
        stubs.scope
            .get(`${SCIM}/Users`)
            .query({ count: 200, startIndex: 1, attributes: 'id', filter: `(roles eq "${IDS.ceoRole}")` })
            .reply(200, listResponse([{ id: USER.id }]))

        const result = await runCommand('std:account:list', {}, CONFIG)

        expect(result.outputs.map(membershipsOf)).toEqual([[USER.id, [], IDS.ceoRole]])
    })

    it('asks the first public group when no role lists a user, past a queue and a member SCIM does not show', async () => {
        // A queue that sorts before the group in id order, so it comes first.
        const queue = { id: toId18('00G4W000006IKBm', 'group'), displayName: 'Support Queue', type: 'Queue' }
        const [hidden] = otherUserIds(1) as [string]
        const stubs = aggregation({ listedGroups: [queue, west, east] })
            .users([INACTIVE_USER, BARE_USER])
            .firstRoles([role(IDS.ceoRole)])
        // A queue lists USER too, but only a public group's members tell how Salesforce shows groups; a member
        // SCIM does not show tells nothing, so the next group is asked.
        stubs.scope
            .get(`${SCIM}/Groups`)
            .query({ count: 200, startIndex: 1 })
            .reply(
                200,
                listResponse([
                    { ...queue, members: members([USER.id]) },
                    { ...west, members: members([hidden]) },
                    { ...east, members: members([USER.id]) },
                ])
            )
        stubs
            .member(
                hidden,
                404,
                scimError(404, `Resource https://acme.my.salesforce.com${SCIM}/Users/${hidden} not found`)
            )
            .member(USER.id, 200, BARE_USER)
            .roleIds([IDS.ceoRole])
            // Salesforce may list a member twice across windows; the group is the user's once.
            .window('Groups', IDS.westGroup, 1, 200, {
                ...west,
                members: members([USER.id, INACTIVE_USER.id, USER.id]),
            })
            .window('Groups', IDS.eastGroup, 1, 200, { ...east, members: members([USER.id]) })
            .window('Roles', IDS.ceoRole, 1, 200, role(IDS.ceoRole))

        const result = await runCommand('std:account:list', {}, CONFIG)

        expect(result.outputs.map(membershipsOf)).toEqual([
            [INACTIVE_USER.id, [IDS.westGroup], null],
            [USER.id, [IDS.westGroup, IDS.eastGroup], null],
        ])
    })

    it('fails the aggregation when a member list cannot be read, rather than drop its memberships', async () => {
        aggregation({ listedGroups: [west] })
            .users([BARE_USER])
            .firstRoles([role(IDS.ceoRole, [USER.id])])
            .member(USER.id, 200, BARE_USER)
            .roleIds([])
            .window('Groups', IDS.westGroup, 1, 403, FORBIDDEN)

        await expect(runCommand('std:account:list', {}, CONFIG)).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
        })
    })

    it('fails the aggregation when the user a member list names cannot be read', async () => {
        aggregation()
            .users([BARE_USER])
            .firstRoles([role(IDS.ceoRole, [USER.id])])
            .member(USER.id, 403, FORBIDDEN)

        await expect(runCommand('std:account:list', {}, CONFIG)).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
        })
    })
})
