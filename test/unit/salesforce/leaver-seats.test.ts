import { createSalesforceClients } from '../../../src/salesforce/create-client'
import { freeSeatsOfUser } from '../../../src/salesforce/rest/leaver-seats'
import { IDS } from '../../mapping/fixtures'
import { compositeOf, queryAnswer, REST, sobjectRow } from '../../helpers/rest-bodies'
import { INSTANCE_URL, fakeTiming, nock, recorder, stubToken, testConfig, useNock } from '../../helpers/nock'

useNock()

function restClient() {
    return createSalesforceClients(testConfig('jwtBearer', { governBeyondScim: true }), fakeTiming()).rest
}

describe('freeSeatsOfUser', () => {
    it('names a license by its id when Salesforce gives no name, and skips a row without ids', async () => {
        stubToken()
        const composites = recorder()
        nock(INSTANCE_URL)
            .post(`${REST}/composite`, composites.match)
            .reply(
                200,
                compositeOf({
                    packageLicense: queryAnswer([
                        sobjectRow('UserPackageLicense', '051RM000000Ab1cYAC', {
                            PackageLicenseId: '050RM000000Qx9aYAC',
                            PackageLicense: null,
                        }),
                    ]),
                    permissionSetLicense: queryAnswer([
                        { attributes: { type: 'PermissionSetLicenseAssign' }, PermissionSetLicenseId: null },
                    ]),
                })
            )
            .post(`${REST}/composite`, composites.match)
            .reply(200, {
                compositeResponse: [{ referenceId: 'delete0', httpStatusCode: 204, httpHeaders: {}, body: null }],
            })

        const seats = await freeSeatsOfUser(restClient(), IDS.user)
        expect(seats).toMatchObject({
            freed: [{ type: 'packageLicense', licenseId: '050RM000000Qx9aYAC', licenseName: '050RM000000Qx9aYAC' }],
            kept: [],
        })
        // One read of both kinds, then one delete: the row without ids is never sent.
        expect(composites.bodies).toHaveLength(2)
    })

    it('frees nothing and sends no delete when the user holds no seats', async () => {
        stubToken()
        nock(INSTANCE_URL)
            .post(`${REST}/composite`)
            .reply(200, compositeOf({ packageLicense: queryAnswer([]), permissionSetLicense: queryAnswer([]) }))
        const seats = await freeSeatsOfUser(restClient(), IDS.user)
        expect(seats).toMatchObject({ freed: [], kept: [] })
    })
})
