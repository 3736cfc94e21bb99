import { runCommand } from '../helpers/run-command'
import { FIXED_ACCOUNT_ATTRIBUTES } from '../../src/mapping/account-schema'
import { ACCOUNT_ATTRIBUTES } from '../../src/schema'
import { USER } from '../mapping/fixtures'
import schemas from '../fixtures/handlers/scim/schemas.json'
import { CONFIG, MY_DOMAIN_URL, SCIM, TOKEN_PATH, nock, salesforce, unmatched, useNock } from '../helpers/nock'
import { listResponse } from '../helpers/scim-bodies'

useNock()

describe('std:test-connection', () => {
    it('signs in, reads the service provider config and the integration user, and sends an empty result', async () => {
        salesforce()
            .get(`${SCIM}/ServiceProviderConfigs`)
            .reply(200, {
                schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
                patch: { supported: true },
                filter: { supported: true, maxResults: 200 },
                changePassword: { supported: true },
            })
            .get(`${SCIM}/Me`)
            .reply(200, USER)
        const result = await runCommand('std:test-connection', {}, CONFIG)
        expect(result.outputs).toEqual([{}])
    })

    it.each([
        ['no config at all', {}, /^Login URL: is required/],
        [
            'client credentials without a secret',
            { ...CONFIG, clientSecret: undefined },
            /^Consumer Secret: is required for client credentials/,
        ],
        [
            'a page size above Salesforce’s 200',
            { ...CONFIG, pageSize: 1000 },
            /^Page Size: must be a whole number from 1 to 200 \(got "1000"\)/,
        ],
        [
            'a Default Profile that is not a profile Id',
            { ...CONFIG, defaultProfileId: '0PSRM0000004aBcDEF' },
            /^Default Profile ID: must be a 15- or 18-character Salesforce profile id starting with 00e/,
        ],
    ])('reports %s as a configuration mistake, before any request', async (_label, config, message) => {
        await expect(runCommand('std:test-connection', {}, config)).rejects.toMatchObject({
            name: 'InvalidConfigurationError',
            message: expect.stringMatching(message),
        })
        expect(unmatched).toEqual([])
    })

    it('reports refused credentials', async () => {
        nock(MY_DOMAIN_URL)
            .post(TOKEN_PATH)
            .reply(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' })
        await expect(runCommand('std:test-connection', {}, CONFIG)).rejects.toThrow(/invalid_client_id/)
    })
})

describe('std:account:discover-schema', () => {
    it('sends the fixed attributes and the org’s custom fields with ISC types', async () => {
        salesforce().get(`${SCIM}/Schemas`).reply(200, listResponse(schemas))
        const result = await runCommand('std:account:discover-schema', undefined, CONFIG)
        expect(result.outputs).toHaveLength(1)
        const schema = result.outputs[0] as { attributes: { name: string; type: string }[] }
        expect(schema).toMatchObject({
            identityAttribute: 'id',
            displayAttribute: 'userName',
            groupAttribute: 'groups',
        })
        expect(schema.attributes.slice(0, ACCOUNT_ATTRIBUTES.length)).toEqual(
            JSON.parse(JSON.stringify(FIXED_ACCOUNT_ATTRIBUTES))
        )
        expect(schema.attributes.slice(ACCOUNT_ATTRIBUTES.length).map((a) => [a.name, a.type])).toEqual([
            ['Cost_Center__c', 'string'],
            ['Badge_Number__c', 'int'],
            ['Is_Contractor__c', 'boolean'],
        ])
    })
})
