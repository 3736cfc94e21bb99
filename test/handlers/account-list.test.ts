import { RawResponse, ResponseType } from '@sailpoint/connector-sdk'
import { scopeOf } from '../../src/mapping/delta-state'
import { ScimUser } from '../../src/salesforce/types'
import { runCommand } from '../helpers/run-command'
import { INACTIVE_USER, USER } from '../mapping/fixtures'
import { CONFIG, SCIM, noMembersAnywhere, salesforce, useNock } from '../helpers/nock'
import { listQuery, listResponse, userWith } from '../helpers/scim-bodies'

useNock()

const THIRD = userWith(USER, {
    id: '005RM000002FZAmYAO',
    userName: 'third@mycompany.com',
    meta: { created: '2021-01-01T00:00:00Z', lastModified: '2024-06-01T12:00:00Z' },
})
const FILTER = 'userType eq "Standard"'
const STATEFUL_CONFIG = { ...CONFIG, spConnEnableStatefulCommands: true }
const DELTA_CONFIG = { ...CONFIG, accountFilter: FILTER, spConnEnableStatefulCommands: true, deltaOverlapMinutes: 5 }
const SAVED = { version: '1', lastModified: '2024-05-06T07:08:09Z', scope: scopeOf(FILTER) }
/** The delta filter from SAVED: its lastModified less the 5 minutes' overlap, within FILTER. */
const SINCE_SAVED = `((${FILTER}) and (meta.lastModified gt "2024-05-06T07:03:09Z"))`

/**
 * Stubs the one page of users a listing reads, within `filter` if any, answered with `users` and, if given,
 * Salesforce's `date` (the clock a saved state counts from).
 */
function onePage(users: readonly ScimUser[], filter?: string, date?: string): void {
    salesforce()
        .get(`${SCIM}/Users`)
        .query(listQuery(filter))
        .reply(200, listResponse(users), date === undefined ? {} : { Date: date })
}

describe('std:account:list', () => {
    it('streams each page as it arrives, in id order, inactive users as disabled', async () => {
        const chunks: RawResponse[] = []
        let sentBeforeLastPage = -1
        // Ids ascend as Salesforce orders them: 0054W… < 005RM…FZAl… < 005RM…FZAm…
        noMembersAnywhere(salesforce())
            .get(`${SCIM}/Users`)
            .query(listQuery(undefined, 1))
            .reply(200, listResponse([INACTIVE_USER], 3))
            .get(`${SCIM}/Users`)
            .query(listQuery(`(id gt "${INACTIVE_USER.id}")`, 1))
            .reply(200, listResponse([USER], 2))
            .get(`${SCIM}/Users`)
            .query(listQuery(`(id gt "${USER.id}")`, 1))
            .reply(200, () => {
                sentBeforeLastPage = chunks.filter((c) => c.type === ResponseType.Output).length
                return listResponse([THIRD], 1)
            })

        const result = await runCommand('std:account:list', { stateful: false }, { ...CONFIG, pageSize: 1 }, chunks)

        expect(result.outputs.map((o) => [o.identity, o.disabled])).toEqual([
            [INACTIVE_USER.id, true],
            [USER.id, false],
            [THIRD.id, false],
        ])
        expect(result.outputs[0]).toMatchObject({
            key: { simple: { id: INACTIVE_USER.id } },
            locked: false,
            attributes: { active: false },
        })
        // The first page was sent before the last one was even requested: nothing waits for the whole org.
        expect(sentBeforeLastPage).toBeGreaterThanOrEqual(1)
        expect(result.states).toEqual([])
    })

    it('scopes the list with the account filter', async () => {
        onePage([USER], `(${FILTER})`)
        const result = await runCommand('std:account:list', {}, { ...CONFIG, accountFilter: FILTER })
        expect(result.outputs.map((o) => o.identity)).toEqual([USER.id])
    })

    describe('users in a queue', () => {
        const QUEUE_ID = '00G4W000006IKBpUAO'
        const QUEUE = { id: QUEUE_ID, displayName: 'Support Queue', type: 'Queue' }
        const WEST = { id: USER.groups?.[0]?.value ?? '', displayName: 'mycompany-West', type: 'Regular' }
        const inQueue = userWith(USER, {
            groups: [
                ...(USER.groups ?? []),
                { value: QUEUE_ID, $ref: `/Groups/${QUEUE_ID}`, display: 'Support Queue' },
            ],
        })

        it.each([
            ['lists queues among its groups', [WEST, QUEUE], [WEST.id]],
            ['lists no queues', [WEST], [WEST.id, QUEUE_ID]],
        ])(
            'reports only public groups in the groups attribute when /Groups %s',
            async (_label, listedGroups, groups) => {
                salesforce({ listedGroups })
                    .get(`${SCIM}/Users`)
                    .query(listQuery())
                    .reply(200, listResponse([inQueue]))
                const result = await runCommand('std:account:list', {}, CONFIG)
                expect(result.outputs.map((o) => (o.attributes as Record<string, unknown>).groups)).toEqual([groups])
            }
        )
    })

    it('lists an empty org without Resources as no accounts', async () => {
        onePage([])
        const result = await runCommand('std:account:list', {}, CONFIG)
        expect(result.outputs).toEqual([])
    })

    describe('delta aggregation', () => {
        it('lists only users modified since the saved high-water mark less the overlap, within the filter, and saves the newest', async () => {
            onePage([THIRD], SINCE_SAVED)

            const result = await runCommand('std:account:list', { stateful: true, state: SAVED }, DELTA_CONFIG)

            expect(result.outputs.map((o) => o.identity)).toEqual([THIRD.id])
            expect(result.states).toEqual([
                { version: '1', lastModified: '2024-06-01T12:00:00Z', scope: scopeOf(FILTER) },
            ])
        })

        it('keeps the previous high-water mark when nothing changed', async () => {
            onePage([], SINCE_SAVED)
            const result = await runCommand('std:account:list', { stateful: true, state: SAVED }, DELTA_CONFIG)
            expect(result.outputs).toEqual([])
            expect(result.states).toEqual([SAVED])
        })

        it.each([
            ['no saved state (the first run)', undefined],
            ['a state saved for another account filter', { ...SAVED, scope: scopeOf('active eq "true"') }],
            ['a state of an unknown version', { ...SAVED, version: '2' }],
            ['a state whose lastModified is not a time', { ...SAVED, lastModified: 'yesterday' }],
        ])('lists everything in scope on %s, and saves the newest lastModified', async (_label, state) => {
            onePage([INACTIVE_USER, USER, THIRD], `(${FILTER})`)

            const result = await runCommand('std:account:list', { stateful: true, state }, DELTA_CONFIG)

            expect(result.outputs).toHaveLength(3)
            expect(result.states).toEqual([
                { version: '1', lastModified: '2024-06-01T12:00:00Z', scope: scopeOf(FILTER) },
            ])
        })

        it('lists everything when ISC asks for a delta but the source has delta switched off, still saving state', async () => {
            onePage([USER])
            const result = await runCommand('std:account:list', { stateful: true, state: SAVED }, CONFIG)
            expect(result.outputs).toHaveLength(1)
            expect(result.states).toEqual([
                { version: '1', lastModified: USER.meta?.lastModified, scope: scopeOf(undefined) },
            ])
        })

        // B1: keyset paging is no snapshot. A user changed after its page was read is older than the newest
        // lastModified seen on later pages; counting the next delta from that would lose the change for good.
        it("saves the run's start on Salesforce's clock, so a user changed after its page was read comes back in the next delta", async () => {
            const duringRun = userWith(THIRD, {
                meta: { created: '2021-01-01T00:00:00Z', lastModified: '2025-06-01T10:18:00Z' },
            })
            // USER is changed at 10:02, after its page was read at 10:00.
            const changed = userWith(USER, {
                meta: { created: '2020-10-25T09:27:40Z', lastModified: '2025-06-01T10:02:00Z' },
            })
            salesforce()
                .get(`${SCIM}/Users`)
                .query(listQuery(`(${FILTER})`, 1))
                .reply(200, listResponse([USER], 2), { Date: 'Sun, 01 Jun 2025 10:00:00 GMT' })
                .get(`${SCIM}/Users`)
                .query(listQuery(`(${FILTER}) and (id gt "${USER.id}")`, 1))
                .reply(200, listResponse([duringRun], 1), { Date: 'Sun, 01 Jun 2025 10:19:00 GMT' })
                .get(`${SCIM}/Users`)
                .query(listQuery(`((${FILTER}) and (meta.lastModified gt "2025-06-01T09:55:00Z"))`))
                .reply(200, listResponse([changed]), { Date: 'Sun, 01 Jun 2025 11:00:00 GMT' })

            const full = await runCommand('std:account:list', { stateful: true }, { ...DELTA_CONFIG, pageSize: 1 })
            expect(full.outputs.map((o) => o.identity)).toEqual([USER.id, THIRD.id])
            expect(full.states).toEqual([
                { version: '1', lastModified: '2025-06-01T10:00:00Z', scope: scopeOf(FILTER) },
            ])

            const delta = await runCommand('std:account:list', { stateful: true, state: full.states[0] }, DELTA_CONFIG)
            expect(delta.outputs).toEqual([
                expect.objectContaining({ identity: USER.id, attributes: expect.objectContaining({ active: true }) }),
            ])
            expect(delta.states).toEqual([
                { version: '1', lastModified: '2025-06-01T10:02:00Z', scope: scopeOf(FILTER) },
            ])
        })

        it('saves the newest lastModified seen when it is older than the run start', async () => {
            onePage([USER], undefined, 'Sun, 01 Jun 2025 10:00:00 GMT')
            const result = await runCommand('std:account:list', {}, STATEFUL_CONFIG)
            expect(result.states).toEqual([
                { version: '1', lastModified: '2020-10-25T09:27:40Z', scope: scopeOf(undefined) },
            ])
        })

        it("saves Salesforce's time of an empty first run, not the connector's", async () => {
            onePage([], undefined, 'Sun, 01 Jun 2025 10:00:00 GMT')
            const result = await runCommand('std:account:list', {}, STATEFUL_CONFIG)
            expect(result.states).toEqual([
                { version: '1', lastModified: '2025-06-01T10:00:00Z', scope: scopeOf(undefined) },
            ])
        })

        it('saves a state with string values only', async () => {
            onePage([])
            const result = await runCommand('std:account:list', {}, STATEFUL_CONFIG)
            expect(result.states).toHaveLength(1)
            for (const value of Object.values(result.states[0] ?? {})) expect(typeof value).toBe('string')
            expect(result.states[0]?.lastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        })
    })

    it('fails the aggregation when Salesforce fails, after sending what it had', async () => {
        noMembersAnywhere(salesforce())
            .get(`${SCIM}/Users`)
            .query(listQuery(undefined, 1))
            .reply(200, listResponse([INACTIVE_USER], 2))
            .get(`${SCIM}/Users`)
            .query(listQuery(`(id gt "${INACTIVE_USER.id}")`, 1))
            .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }])
        const chunks: RawResponse[] = []
        await expect(
            runCommand('std:account:list', {}, { ...CONFIG, pageSize: 1, maxRetries: 0 }, chunks)
        ).rejects.toThrow(/REQUEST_LIMIT_EXCEEDED/)
        expect(chunks.filter((c) => c.type === ResponseType.Output)).toHaveLength(1)
        expect(chunks.filter((c) => c.type === ResponseType.State)).toHaveLength(0)
    })

    it('fails the aggregation, saving no state, when a fresh count confirms that users went missing', async () => {
        noMembersAnywhere(salesforce())
            .get(`${SCIM}/Users`)
            .query(listQuery(undefined, 1))
            .reply(200, listResponse([INACTIVE_USER], 3))
            .get(`${SCIM}/Users`)
            .query(listQuery(`(id gt "${INACTIVE_USER.id}")`, 1))
            .reply(200, listResponse([THIRD], 1))
            .get(`${SCIM}/Users`)
            .query(listQuery(undefined, 1))
            .reply(200, listResponse([INACTIVE_USER], 3))
        const chunks: RawResponse[] = []
        await expect(
            runCommand('std:account:list', {}, { ...CONFIG, pageSize: 1, spConnEnableStatefulCommands: true }, chunks)
        ).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message:
                'Salesforce counts 3 users for this filter, but the listing read only 2: 1 went missing while paging ' +
                'by id gt. The listing stops rather than let ISC treat the missing users as deleted; run it again, ' +
                "and if it fails the same way, send this message to the connector's maintainers",
        })
        expect(chunks.filter((c) => c.type === ResponseType.State)).toHaveLength(0)
    })

    it('refuses a config mistake before any request', async () => {
        await expect(runCommand('std:account:list', {}, { ...CONFIG, pageSize: 500 })).rejects.toMatchObject({
            name: 'InvalidConfigurationError',
        })
    })
})
