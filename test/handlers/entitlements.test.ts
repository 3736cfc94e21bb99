import { runCommand } from '../helpers/run-command'
import { IDS } from '../mapping/fixtures'
import { CONFIG, SCIM, salesforce, useNock } from '../helpers/nock'
import { listResponse, scimError } from '../helpers/scim-bodies'

useNock()

const meta = (lastModified: string) => ({ created: '2019-01-01T00:00:00Z', lastModified, resourceType: 'Entitlement' })
const ADMIN = {
    schemas: ['urn:salesforce:schemas:extension:1.0:Entitlement'],
    id: IDS.adminProfile,
    displayName: 'System Administrator',
    type: 'Profile',
    members: [{ value: IDS.user, display: 'User Scim' }],
    meta: meta('2024-01-02T03:04:05Z'),
}
const STANDARD = { ...ADMIN, id: IDS.standardProfile, displayName: 'Standard User', members: [] }
const SALES_CLOUD = { ...ADMIN, id: IDS.salesCloud, displayName: 'Sales Cloud User', type: 'Permission Set' }
const CEO = {
    schemas: ['urn:salesforce:schemas:extension:1.0:Role'],
    id: IDS.ceoRole,
    displayName: 'CEO',
    meta: { lastModified: '2023-03-03T03:03:03Z', resourceType: 'Role' },
}
const WEST = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: IDS.westGroup,
    displayName: 'mycompany-West',
    type: 'Regular',
    meta: { created: '2020-10-25T09:27:40Z', lastModified: '2020-10-25T09:27:40Z', resourceType: 'Group' },
}
/** A queue, as Salesforce's pilot lists it among its groups (its single GET answers 404). */
const QUEUE = { ...WEST, id: '00G4W000006IKBpUAO', displayName: 'Support Queue', type: 'Queue' }
/** A group without `type`, which counts as a public group. */
const UNTYPED = { ...WEST, id: IDS.eastGroup, displayName: 'mycompany-East', type: undefined }

describe('std:entitlement:list', () => {
    it.each([
        ['profile', [IDS.standardProfile, IDS.adminProfile]],
        ['permissionSet', [IDS.salesCloud]],
    ])('lists %s entitlements from /Entitlements, told apart by Id prefix', async (type, ids) => {
        salesforce()
            .get(`${SCIM}/Entitlements`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([STANDARD, ADMIN, SALES_CLOUD]))
        const result = await runCommand('std:entitlement:list', { type }, CONFIG)
        expect(result.outputs.map((o) => o.identity)).toEqual(ids)
        for (const output of result.outputs)
            expect(output).toMatchObject({ type, key: { simple: { id: output.identity } } })
    })

    it('lists a profile with its name, Salesforce type and lastModified', async () => {
        salesforce()
            .get(`${SCIM}/Entitlements`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([ADMIN]))
        const result = await runCommand('std:entitlement:list', { type: 'profile' }, CONFIG)
        expect(result.outputs).toEqual([
            {
                type: 'profile',
                key: { simple: { id: IDS.adminProfile } },
                identity: IDS.adminProfile,
                attributes: {
                    id: IDS.adminProfile,
                    name: 'System Administrator',
                    type: 'Profile',
                    lastModified: '2024-01-02T03:04:05Z',
                },
            },
        ])
    })

    it('lists roles from /Roles', async () => {
        salesforce()
            .get(`${SCIM}/Roles`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([CEO]))
        const result = await runCommand('std:entitlement:list', { type: 'role' }, CONFIG)
        expect(result.outputs).toEqual([
            {
                type: 'role',
                key: { simple: { id: IDS.ceoRole } },
                identity: IDS.ceoRole,
                attributes: { id: IDS.ceoRole, name: 'CEO', lastModified: '2023-03-03T03:03:03Z' },
            },
        ])
    })

    it('lists public groups from /Groups without their members, leaving out the queues Salesforce lists there', async () => {
        salesforce({ listedGroups: false })
            .get(`${SCIM}/Groups`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            .reply(200, listResponse([WEST, UNTYPED, QUEUE]))
        const result = await runCommand('std:entitlement:list', { type: 'group' }, CONFIG)
        expect(result.outputs).toEqual([
            {
                type: 'group',
                key: { simple: { id: IDS.westGroup } },
                identity: IDS.westGroup,
                attributes: {
                    id: IDS.westGroup,
                    name: 'mycompany-West',
                    groupType: 'Regular',
                    lastModified: '2020-10-25T09:27:40Z',
                },
            },
            expect.objectContaining({ type: 'group', identity: IDS.eastGroup, attributes: expect.anything() }),
        ])
    })

    it('lists all 1,000 permission sets of an org, paging by id gt, when /Entitlements caps totalResults at 200', async () => {
        const permissionSets = Array.from({ length: 1000 }, (_, i) => ({
            ...SALES_CLOUD,
            id: `0PSRM${String(i).padStart(10, '0')}AAA`,
            displayName: `Permission set ${i}`,
        }))
        const everything = [STANDARD, ADMIN, ...permissionSets]
        const scope = salesforce()
            .get(`${SCIM}/Entitlements`)
            .query({ count: 200, startIndex: 1, excludedAttributes: 'members' })
            // The cap: a totalResults of at most 200, which on a full page cannot tell the last page from the first.
            .reply(200, listResponse(everything.slice(0, 200), 200))
        for (let from = 200; from <= 1000; from += 200) {
            const rest = everything.slice(from)
            const page = rest.slice(0, 200)
            scope
                .get(`${SCIM}/Entitlements`)
                .query({
                    count: 200,
                    startIndex: 1,
                    excludedAttributes: 'members',
                    filter: `(id gt "${everything[from - 1]?.id}")`,
                })
                .reply(200, listResponse(page, Math.min(rest.length, 200)))
        }
        const result = await runCommand('std:entitlement:list', { type: 'permissionSet' }, CONFIG)
        expect(result.outputs.map((o) => o.identity)).toEqual(permissionSets.map((p) => p.id))
    })

    it('refuses an unknown type before any request, naming the valid ones', async () => {
        await expect(runCommand('std:entitlement:list', { type: 'superuser' }, CONFIG)).rejects.toThrow(
            'Unknown entitlement type "superuser": this source has profile, permissionSet, role, group'
        )
    })
})

describe('std:entitlement:read', () => {
    it.each([
        ['profile', IDS.adminProfile, 'Entitlements', ADMIN, 'System Administrator'],
        ['permissionSet', IDS.salesCloud, 'Entitlements', SALES_CLOUD, 'Sales Cloud User'],
        ['role', IDS.ceoRole, 'Roles', CEO, 'CEO'],
        ['group', IDS.westGroup, 'Groups', WEST, 'mycompany-West'],
    ])('reads a %s by Id', async (type, id, endpoint, body, name) => {
        salesforce().get(`${SCIM}/${endpoint}/${id}`).reply(200, body)
        const result = await runCommand('std:entitlement:read', { type, key: { simple: { id } }, identity: id }, CONFIG)
        expect(result.outputs).toEqual([
            expect.objectContaining({ type, identity: id, attributes: expect.objectContaining({ id, name }) }),
        ])
    })

    it.each([
        ['a permission set Id read as a profile', 'profile', IDS.salesCloud],
        ['a profile Id read as a permission set', 'permissionSet', IDS.adminProfile],
        ['a profile Id read as a role', 'role', IDS.adminProfile],
        ['a role Id read as a group', 'group', IDS.ceoRole],
    ])('reports %s as notFound without asking Salesforce', async (_label, type, id) => {
        await expect(
            runCommand('std:entitlement:read', { type, key: { simple: { id } } }, CONFIG)
        ).rejects.toMatchObject({
            type: 'notFound',
            message: `No Salesforce ${type} has Id ${id}`,
        })
    })

    it('reports a profile read that Salesforce answers with a permission set as notFound', async () => {
        salesforce().get(`${SCIM}/Entitlements/${IDS.adminProfile}`).reply(200, SALES_CLOUD)
        await expect(
            runCommand('std:entitlement:read', { type: 'profile', key: { simple: { id: IDS.adminProfile } } }, CONFIG)
        ).rejects.toMatchObject({ type: 'notFound', message: `No Salesforce profile has Id ${IDS.adminProfile}` })
    })

    it('reports a queue as no public group, whether Salesforce answers its GET with 404 or serves it', async () => {
        salesforce()
            .get(`${SCIM}/Groups/${QUEUE.id}`)
            .reply(404, scimError(404, 'No such resource'))
            .get(`${SCIM}/Groups/${QUEUE.id}`)
            .reply(200, QUEUE)
        await expect(
            runCommand('std:entitlement:read', { type: 'group', key: { simple: { id: QUEUE.id } } }, CONFIG)
        ).rejects.toMatchObject({ type: 'notFound' })
        await expect(
            runCommand('std:entitlement:read', { type: 'group', key: { simple: { id: QUEUE.id } } }, CONFIG)
        ).rejects.toMatchObject({ type: 'notFound', message: `No Salesforce group has Id ${QUEUE.id}` })
    })

    it('reports an entitlement Salesforce does not have as notFound', async () => {
        salesforce().get(`${SCIM}/Groups/${IDS.eastGroup}`).reply(404, scimError(404, 'No such resource'))
        await expect(
            runCommand('std:entitlement:read', { type: 'group', key: { simple: { id: IDS.eastGroup } } }, CONFIG)
        ).rejects.toMatchObject({ type: 'notFound' })
    })

    it.each([
        [
            'an unknown type',
            { type: 'superuser', key: { simple: { id: IDS.adminProfile } } },
            /Unknown entitlement type/,
        ],
        ['a path as the Id', { type: 'group', key: { simple: { id: '../Users' } } }, /expected a Salesforce Id/],
        ['no key', { type: 'group' }, /no key or identity|expected a Salesforce Id/],
    ])('refuses %s before any request', async (_label, input, message) => {
        await expect(runCommand('std:entitlement:read', input, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(message),
        })
    })
})
