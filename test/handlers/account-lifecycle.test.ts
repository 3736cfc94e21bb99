import { runCommand, onlyAccount } from '../helpers/run-command'
import { logger } from '../../src/logger'
import { IDS, INACTIVE_USER, USER } from '../mapping/fixtures'
import { CONFIG, recorder, SCIM, salesforce, useNock } from '../helpers/nock'
import { patchOp, scimError, userWith } from '../helpers/scim-bodies'

useNock()

const KEY = { simple: { id: IDS.user } }

describe('std:account:enable and std:account:disable', () => {
    it.each([
        ['std:account:disable', false, true],
        ['std:account:enable', true, false],
    ])('%s replaces active and returns the account as it now is', async (command, active, disabled) => {
        const patches = recorder()
        salesforce().patch(`${SCIM}/Users/${IDS.user}`, patches.match).reply(200, userWith(USER, { active }))
        const account = onlyAccount(await runCommand(command, { key: KEY }, CONFIG))
        expect(patches.bodies).toEqual([patchOp({ op: 'replace', value: { active } })])
        expect(account).toMatchObject({ identity: IDS.user, disabled, attributes: { active } })
    })

    it('passes on Salesforce’s refusal to deactivate a user a hierarchy field points to', async () => {
        salesforce()
            .patch(`${SCIM}/Users/${IDS.manager}`)
            .reply(
                400,
                scimError(400, 'INVALID:Cannot inactivate user that is the value of a hierarchy field: Manager (User);')
            )
        await expect(
            runCommand('std:account:disable', { key: { simple: { id: IDS.manager } } }, CONFIG)
        ).rejects.toThrow(/hierarchy field/)
    })
})

describe('the user the source signs in as', () => {
    const INTEGRATION_KEY = { key: { simple: { id: IDS.integrationUser } } }

    it.each([
        ['std:account:disable', 'disable'],
        ['std:account:delete', 'deactivate'],
    ])('%s refuses it before any write: Salesforce would lock the connector out', async (command, action) => {
        // Only the token endpoint is stubbed: a PATCH or DELETE of the user would find no answer and fail otherwise.
        salesforce()
        await expect(
            runCommand(command, { ...INTEGRATION_KEY, identity: IDS.integrationUser }, CONFIG)
        ).rejects.toThrow(
            new RegExp(
                `^Salesforce user ${IDS.integrationUser} is the integration user this source signs in as: to ${action} ` +
                    'it would lock the connector out of Salesforce, so nothing was changed'
            )
        )
    })

    it.each([
        ['Set active to false', { op: 'Set', attribute: 'active', value: false }],
        ['Remove active', { op: 'Remove', attribute: 'active' }],
    ])('std:account:update refuses to deactivate it (%s) before any request but the token', async (_case, change) => {
        salesforce()
        await expect(
            runCommand('std:account:update', { ...INTEGRATION_KEY, changes: [change] }, CONFIG)
        ).rejects.toThrow(
            /is the integration user this source signs in as: to deactivate it would lock the connector out/
        )
    })

    it('is refused by its 15-character id too', async () => {
        salesforce()
        await expect(
            runCommand('std:account:disable', { key: { simple: { id: IDS.integrationUser.slice(0, 15) } } }, CONFIG)
        ).rejects.toMatchObject({ message: expect.stringMatching(/is the integration user this source signs in as/) })
    })
})

describe('std:account:delete', () => {
    it('deactivates the user, as Salesforce never deletes users, and sends an empty result', async () => {
        salesforce().delete(`${SCIM}/Users/${IDS.user}`).reply(204)
        const result = await runCommand('std:account:delete', { key: KEY, identity: IDS.user }, CONFIG)
        expect(result.outputs).toEqual([{}])
    })

    it('reports an unknown user as notFound', async () => {
        salesforce().delete(`${SCIM}/Users/${IDS.user}`).reply(404, scimError(404, 'No such resource'))
        await expect(runCommand('std:account:delete', { key: KEY }, CONFIG)).rejects.toMatchObject({ type: 'notFound' })
    })
})

describe('std:change-password', () => {
    const PASSWORD = 'N3w-Passw0rd!2024'

    it('replaces the password, sends an empty result and never logs the password', async () => {
        const spies = (['info', 'warn', 'error', 'debug'] as const).map((level) => jest.spyOn(logger, level))
        const patches = recorder()
        salesforce().patch(`${SCIM}/Users/${IDS.user}`, patches.match).reply(200, INACTIVE_USER)
        try {
            const result = await runCommand(
                'std:change-password',
                { key: KEY, identity: IDS.user, password: PASSWORD },
                CONFIG
            )
            expect(result.outputs).toEqual([{}])
            expect(patches.bodies).toEqual([patchOp({ op: 'replace', value: { password: PASSWORD } })])
            const logged = JSON.stringify(spies.flatMap((spy) => spy.mock.calls))
            expect(logged).toContain(IDS.user)
            expect(logged).not.toContain(PASSWORD)
        } finally {
            for (const spy of spies) spy.mockRestore()
        }
    })

    it('does not echo the password when Salesforce refuses it', async () => {
        salesforce()
            .patch(`${SCIM}/Users/${IDS.user}`)
            .reply(
                400,
                scimError(
                    400,
                    `INVALID_NEW_PASSWORD:Your password must have a mix of letters and numbers: ${PASSWORD};`
                )
            )
        const error = await runCommand('std:change-password', { key: KEY, password: PASSWORD }, CONFIG).catch(
            (e: unknown) => e
        )
        expect(String((error as Error).message)).toMatch(/INVALID_NEW_PASSWORD/)
        expect(String((error as Error).message)).not.toContain(PASSWORD)
    })

    it.each([
        ['no password', { key: KEY }, /^Change password: the input has no new password/],
        ['an empty password', { key: KEY, password: '' }, /^Change password: the input has no new password/],
        [
            'a non-user key',
            { key: { simple: { id: IDS.westGroup } }, password: PASSWORD },
            /^Account key: .* is not a Salesforce user Id \(user Ids start with 005\)/,
        ],
    ])('refuses %s before any request', async (_label, input, message) => {
        await expect(runCommand('std:change-password', input, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(message),
        })
    })
})
