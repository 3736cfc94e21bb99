import { toId18 } from '../../src/salesforce/ids'
import { ScimUser } from '../../src/salesforce/types'
import { runCommand } from '../helpers/run-command'
import { IDS, INACTIVE_USER, USER } from '../mapping/fixtures'
import { CONFIG, SCIM, salesforce, useNock } from '../helpers/nock'
import { listResponse, scimError } from '../helpers/scim-bodies'

/**
 * Risk R8: Salesforce may leave `groups` and `roles` out of every user. Aggregation then reads who holds which
 * public group and role from their member lists, so ISC does not drop every group and role entitlement.
 */

useNock()

const LEFT_OUT = 'photos,addresses,emailEncodingKey'
const FIRST_PAGE = { count: 200, startIndex: 1, excludedAttributes: LEFT_OUT }
const WINDOW = 200
const QUEUE_ID = '00G4W000006IKBpUAO'

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

/** An account's identity, groups and role, as ISC takes them. */
function membershipsOf(output: { readonly identity?: unknown; readonly attributes?: unknown }): unknown[] {
    const { groups, role } = output.attributes as { groups: unknown; role: unknown }
    return [output.identity, groups, role]
}

describe('std:account:list where Salesforce leaves groups and roles out of users', () => {
    it("fills every user's public groups and role from the member lists, paging members by window", async () => {
        const west = { id: IDS.westGroup, displayName: 'mycompany-West', type: 'Regular' }
        const queue = { id: QUEUE_ID, displayName: 'Support Queue', type: 'Queue' }
        salesforce({ listedGroups: [west, queue] })
            .get(`${SCIM}/Users`)
            .query(FIRST_PAGE)
            .reply(200, listResponse([INACTIVE_USER, BARE_USER]))
            // A role lists USER, whom Salesforce shows without `roles`: the keys are left out for everyone.
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1 })
            .reply(200, listResponse([role(IDS.ceoRole, [USER.id])]))
            .get(`${SCIM}/Users/${USER.id}`)
            .reply(200, BARE_USER)
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([{ id: IDS.ceoRole }, { id: IDS.vpRole }]))
            // A full window of members (a nested group among them) is followed by the next one.
            .get(`${SCIM}/Groups/${IDS.westGroup}`)
            .query(memberWindow(1))
            .reply(200, {
                ...west,
                members: [...members([USER.id, ...otherUserIds(WINDOW - 2)]), { value: IDS.eastGroup, type: 'Group' }],
            })
            .get(`${SCIM}/Groups/${IDS.westGroup}`)
            .query(memberWindow(WINDOW + 1))
            .reply(200, { ...west, members: members([INACTIVE_USER.id]) })
            .get(`${SCIM}/Roles/${IDS.ceoRole}`)
            .query(memberWindow(1))
            .reply(200, role(IDS.ceoRole, [USER.id]))
            .get(`${SCIM}/Roles/${IDS.vpRole}`)
            .query(memberWindow(1))
            .reply(200, { id: IDS.vpRole, displayName: 'VP' })

        const result = await runCommand('std:account:list', {}, CONFIG)

        // The queue is no public group: neither read nor reported.
        expect(result.outputs.map(membershipsOf)).toEqual([
            [INACTIVE_USER.id, [IDS.westGroup], null],
            [USER.id, [IDS.westGroup], IDS.ceoRole],
        ])
    })

    it('reads no memberships when a member Salesforce lists carries its keys: one user without them means nothing', async () => {
        salesforce()
            .get(`${SCIM}/Users`)
            .query(FIRST_PAGE)
            .reply(200, listResponse([INACTIVE_USER]))
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1 })
            .reply(200, listResponse([role(IDS.ceoRole, [USER.id])]))
            .get(`${SCIM}/Users/${USER.id}`)
            .reply(200, USER)

        const result = await runCommand('std:account:list', {}, CONFIG)

        expect(result.outputs.map(membershipsOf)).toEqual([[INACTIVE_USER.id, [], null]])
    })

    it('lists the holders of a role from /Users when its members are more than the member windows reach', async () => {
        const windows = Math.floor((2001 - 1) / WINDOW) + 1
        const scope = salesforce()
            .get(`${SCIM}/Users`)
            .query(FIRST_PAGE)
            .reply(200, listResponse([BARE_USER]))
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1 })
            .reply(200, listResponse([role(IDS.ceoRole, [USER.id])]))
            .get(`${SCIM}/Users/${USER.id}`)
            .reply(200, BARE_USER)
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([{ id: IDS.ceoRole }]))
        for (let w = 0; w < windows; w++) {
            scope
                .get(`${SCIM}/Roles/${IDS.ceoRole}`)
                .query(memberWindow(1 + w * WINDOW))
                .reply(200, role(IDS.ceoRole, otherUserIds(WINDOW, w * WINDOW)))
        }
        scope
            .get(`${SCIM}/Users`)
            .query({ count: 200, startIndex: 1, attributes: 'id', filter: `(roles eq "${IDS.ceoRole}")` })
            .reply(200, listResponse([{ id: USER.id }]))

        const result = await runCommand('std:account:list', {}, CONFIG)

        expect(result.outputs.map(membershipsOf)).toEqual([[USER.id, [], IDS.ceoRole]])
    })

    it('asks the first public group when no role lists a user, past a queue and a member SCIM does not show', async () => {
        const west = { id: IDS.westGroup, displayName: 'mycompany-West', type: 'Regular' }
        const east = { id: IDS.eastGroup, displayName: 'mycompany-East', type: 'Regular' }
        // A queue that sorts before the group in id order, so it comes first.
        const queue = { id: toId18('00G4W000006IKBm', 'group'), displayName: 'Support Queue', type: 'Queue' }
        const [hidden] = otherUserIds(1) as [string]
        salesforce({ listedGroups: [queue, west, east] })
            .get(`${SCIM}/Users`)
            .query(FIRST_PAGE)
            .reply(200, listResponse([INACTIVE_USER, BARE_USER]))
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1 })
            .reply(200, listResponse([role(IDS.ceoRole)]))
            // A queue lists USER too, but only a public group's members tell how Salesforce shows groups; a member
            // SCIM does not show tells nothing, so the next group is asked.
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
            .get(`${SCIM}/Users/${hidden}`)
            .reply(404, scimError(404, `Resource https://acme.my.salesforce.com${SCIM}/Users/${hidden} not found`))
            .get(`${SCIM}/Users/${USER.id}`)
            .reply(200, BARE_USER)
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([{ id: IDS.ceoRole }]))
            // Salesforce may list a member twice across windows; the group is the user's once.
            .get(`${SCIM}/Groups/${IDS.westGroup}`)
            .query(memberWindow(1))
            .reply(200, { ...west, members: members([USER.id, INACTIVE_USER.id, USER.id]) })
            .get(`${SCIM}/Groups/${IDS.eastGroup}`)
            .query(memberWindow(1))
            .reply(200, { ...east, members: members([USER.id]) })
            .get(`${SCIM}/Roles/${IDS.ceoRole}`)
            .query(memberWindow(1))
            .reply(200, role(IDS.ceoRole))

        const result = await runCommand('std:account:list', {}, CONFIG)

        expect(result.outputs.map(membershipsOf)).toEqual([
            [INACTIVE_USER.id, [IDS.westGroup], null],
            [USER.id, [IDS.westGroup, IDS.eastGroup], null],
        ])
    })

    it('fails the aggregation when a member list cannot be read, rather than drop its memberships', async () => {
        const west = { id: IDS.westGroup, displayName: 'mycompany-West', type: 'Regular' }
        salesforce({ listedGroups: [west] })
            .get(`${SCIM}/Users`)
            .query(FIRST_PAGE)
            .reply(200, listResponse([BARE_USER]))
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1 })
            .reply(200, listResponse([role(IDS.ceoRole, [USER.id])]))
            .get(`${SCIM}/Users/${USER.id}`)
            .reply(200, BARE_USER)
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([]))
            .get(`${SCIM}/Groups/${IDS.westGroup}`)
            .query(memberWindow(1))
            .reply(403, [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'insufficient access rights on object id' }])

        await expect(runCommand('std:account:list', {}, CONFIG)).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
        })
    })

    it('fails the aggregation when the user a member list names cannot be read', async () => {
        salesforce()
            .get(`${SCIM}/Users`)
            .query(FIRST_PAGE)
            .reply(200, listResponse([BARE_USER]))
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1 })
            .reply(200, listResponse([role(IDS.ceoRole, [USER.id])]))
            .get(`${SCIM}/Users/${USER.id}`)
            .reply(403, [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'insufficient access rights on object id' }])

        await expect(runCommand('std:account:list', {}, CONFIG)).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
        })
    })
})
