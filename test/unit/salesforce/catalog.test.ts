import { createSalesforceClients } from '../../../src/salesforce/create-client'
import { EntitlementCatalog } from '../../../src/salesforce/rest/catalog'
import { USER_DESCRIBE_TTL_MS } from '../../../src/salesforce/rest/user-describe'
import { INSTANCE_URL, fakeTiming, fixture, nock, stubToken, testConfig, useNock } from '../../helpers/nock'
import { REST } from '../../helpers/rest-bodies'

useNock()

const DESCRIBE = `${REST}/sobjects/User/describe`

function catalog(clock: { now: number }, config = testConfig('jwtBearer', { governBeyondScim: true })) {
    const { rest } = createSalesforceClients(config, fakeTiming(clock.now))
    return new EntitlementCatalog(rest, () => clock.now)
}

describe('EntitlementCatalog feature licenses', () => {
    it('describes User once for concurrent callers and for the commands of the next few minutes', async () => {
        stubToken()
        nock(INSTANCE_URL).get(DESCRIBE).once().reply(200, fixture('rest/describe.user.feature-licenses'))
        const clock = { now: Date.now() }
        const [a, b] = await Promise.all([catalog(clock).featureLicenses(), catalog(clock).featureLicenses()])
        // One describe (nock answers it once): every caller gets its licenses.
        expect(b).toEqual(a)
        clock.now += USER_DESCRIBE_TTL_MS - 1
        expect(await catalog(clock).featureLicenses()).toEqual(a)
        expect(a.map((license) => license.field)).toEqual([
            'UserPermissionsMarketingUser',
            'UserPermissionsOfflineUser',
            'UserPermissionsSupportUser',
            'UserPermissionsKnowledgeUser',
        ])
    })

    it('describes User again once the feature licenses are older than their time to live', async () => {
        stubToken()
        nock(INSTANCE_URL).get(DESCRIBE).twice().reply(200, fixture('rest/describe.user.feature-licenses'))
        const clock = { now: Date.now() }
        await catalog(clock).featureLicenses()
        clock.now += USER_DESCRIBE_TTL_MS
        await catalog(clock).featureLicenses()
    })

    it('does not keep a failed describe: the next command asks again', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .get(DESCRIBE)
            .reply(404, fixture('rest/error.not-found-url'))
            .get(DESCRIBE)
            .reply(200, fixture('rest/describe.user.feature-licenses'))
        const clock = { now: Date.now() }
        await expect(catalog(clock).featureLicenses()).rejects.toThrow()
        expect(await catalog(clock).featureLicenses()).toHaveLength(4)
    })

    it('keeps the feature licenses of two orgs apart', async () => {
        stubToken({ times: 2 })
        nock(INSTANCE_URL).get(DESCRIBE).twice().reply(200, fixture('rest/describe.user.feature-licenses'))
        const clock = { now: Date.now() }
        await catalog(clock).featureLicenses()
        await catalog(
            clock,
            testConfig('jwtBearer', { governBeyondScim: true, username: 'other@beta.com' })
        ).featureLicenses()
    })
})
