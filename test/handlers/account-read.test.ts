import { runCommand, onlyAccount } from '../helpers/run-command'
import { toAccount } from '../../src/mapping/account'
import { IDS, USER } from '../mapping/fixtures'
import { CONFIG, SCIM, salesforce, unmatched, useNock } from '../helpers/nock'
import { listResponse, scimError } from '../helpers/scim-bodies'

useNock()

describe('std:account:read', () => {
    it('reads the user by the key’s Id and returns the account', async () => {
        salesforce().get(`${SCIM}/Users/${IDS.user}`).reply(200, USER)
        const account = onlyAccount(await runCommand('std:account:read', { key: { simple: { id: IDS.user } } }, CONFIG))
        expect(account).toEqual(JSON.parse(JSON.stringify(toAccount(USER))))
        expect(account.attributes.Cost_Center__c).toBe('CC-100')
    })

    it('falls back to identity when the input has no key', async () => {
        salesforce().get(`${SCIM}/Users/${IDS.user}`).reply(200, USER)
        const account = onlyAccount(await runCommand('std:account:read', { identity: IDS.user }, CONFIG))
        expect(account.identity).toBe(IDS.user)
    })

    it.each([
        [
            'a 404',
            () => salesforce().get(`${SCIM}/Users/${IDS.manager}`).reply(404, scimError(404, 'No such resource')),
        ],
        ['an empty 200 list', () => salesforce().get(`${SCIM}/Users/${IDS.manager}`).reply(200, listResponse([]))],
    ])('reports a user Salesforce answers with %s as notFound, so ISC can create it', async (_label, stub) => {
        stub()
        await expect(
            runCommand('std:account:read', { key: { simple: { id: IDS.manager } } }, CONFIG)
        ).rejects.toMatchObject({
            type: 'notFound',
            name: 'NotFoundError',
            message: expect.stringMatching(new RegExp(`^Not found in Salesforce: .*${IDS.manager}`)),
        })
    })

    it.each([
        ['no key or identity', {}],
        ['a compound key', { key: { compound: { lookupId: IDS.user, uniqueId: IDS.user } } }],
        ['a number', { key: { simple: { id: 12345 } } }],
        ['a list', { key: { simple: { id: [IDS.user] } } }],
        ['a path', { key: { simple: { id: `${IDS.user}/../../Groups` } } }],
        ['a profile Id', { key: { simple: { id: IDS.standardProfile } } }],
        ['a trailing newline', { identity: `${IDS.user}\n` }],
        ['no object at all', null],
    ])('refuses an input with %s before any request', async (_label, input) => {
        await expect(runCommand('std:account:read', input, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(/key|identity/i),
        })
        expect(unmatched).toEqual([])
    })

    it('quotes a long wrong key only by its start', async () => {
        const id = `${IDS.user}${'x'.repeat(100)}`
        await expect(runCommand('std:account:read', { identity: id }, CONFIG)).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: `Account key: expected a Salesforce Id (15 or 18 letters and digits), got ${JSON.stringify(id).slice(0, 60)}…`,
        })
    })
})
