import {
    fromFeatureLicense,
    fromPackageLicense,
    fromPermissionSetGroup,
    fromPermissionSetLicense,
    fromQueue,
    isRestEntitlementType,
    restEntitlementsOff,
} from '../../src/mapping/entitlement'
import { ENTITLEMENT_TYPES } from '../../src/schema'

describe('REST-only entitlement outputs', () => {
    it('keys each by its 18-character id, the value an account attribute holds', () => {
        const output = fromQueue({ Id: '00G5f000004QuEaEAK', Name: 'Support Tier 1' })
        expect(output).toMatchObject({
            type: 'queue',
            key: { simple: { id: '00G5f000004QuEaEAK' } },
            identity: '00G5f000004QuEaEAK',
        })
    })

    it('lists the permission sets a group contains in id order, leaving out muting permission sets', () => {
        const output = fromPermissionSetGroup({
            group: { Id: '0PG5f000000XyZaGAK', DeveloperName: 'Sales_Operations', MasterLabel: 'Sales Operations' },
            permissionSetIds: ['0PS5f000001AbCeGAK', '0QM5f000000MuTeGAK', '0PS5f000001AbCdGAK'],
        })
        expect(output.attributes).toEqual({
            id: '0PG5f000000XyZaGAK',
            name: 'Sales Operations',
            developerName: 'Sales_Operations',
            description: null,
            type: 'Permission Set Group',
            status: null,
            permissionSets: ['0PS5f000001AbCdGAK', '0PS5f000001AbCeGAK'],
        })
    })

    it('names a group by its API name when it has no label', () => {
        const output = fromPermissionSetGroup({
            group: { Id: '0PG5f000000XyZaGAK', DeveloperName: 'Sales_Operations', MasterLabel: null },
            permissionSetIds: [],
        })
        expect(output.attributes).toMatchObject({ name: 'Sales_Operations', permissionSets: [] })
    })

    it.each([
        ['seats left', { TotalLicenses: 50, UsedLicenses: 42 }, { seatsTotal: 50, seatsUsed: 42, seatsFree: 8 }],
        ['no seat left', { TotalLicenses: 5, UsedLicenses: 5 }, { seatsTotal: 5, seatsUsed: 5, seatsFree: 0 }],
        ['more used than bought', { TotalLicenses: 5, UsedLicenses: 7 }, { seatsTotal: 5, seatsUsed: 7, seatsFree: 0 }],
        ['no counts', {}, { seatsTotal: null, seatsUsed: null, seatsFree: null }],
    ])('counts a permission set license with %s', (_label, counts, seats) => {
        const output = fromPermissionSetLicense({ Id: '0PL5f000000LiCaGAK', MasterLabel: 'CPQ', ...counts })
        expect(output.attributes).toMatchObject(seats)
    })

    it.each([
        [
            'with seats',
            { AllowedLicenses: 50, UsedLicenses: 48 },
            { siteWide: false, seatsTotal: 50, seatsUsed: 48, seatsFree: 2 },
        ],
        [
            'site-wide (AllowedLicenses -1)',
            { AllowedLicenses: -1, UsedLicenses: 12 },
            { siteWide: true, seatsTotal: null, seatsUsed: 12, seatsFree: null },
        ],
    ])('counts a package license %s', (_label, counts, seats) => {
        const output = fromPackageLicense({ Id: '0505f000000PkGaAAK', NamespacePrefix: 'SBQQ', ...counts })
        expect(output.attributes).toMatchObject({ name: 'SBQQ', namespace: 'SBQQ', ...seats })
    })

    it('names a feature license by its label and keys it by its User field', () => {
        expect(fromFeatureLicense({ field: 'UserPermissionsMarketingUser', label: 'Marketing User' })).toEqual({
            type: 'featureLicense',
            key: { simple: { id: 'UserPermissionsMarketingUser' } },
            identity: 'UserPermissionsMarketingUser',
            attributes: { id: 'UserPermissionsMarketingUser', name: 'Marketing User', type: 'Feature License' },
        })
    })
})

describe('isRestEntitlementType', () => {
    it('tells the types only the REST API reaches from those SCIM carries', () => {
        expect(ENTITLEMENT_TYPES.filter(isRestEntitlementType)).toEqual([
            'permissionSetGroup',
            'permissionSetLicense',
            'packageLicense',
            'queue',
            'featureLicense',
        ])
    })
})

describe('restEntitlementsOff', () => {
    it('names the type and the setting that makes it available', () => {
        expect(restEntitlementsOff('queue')).toMatchObject({
            name: 'InvalidRequestError',
            message:
                "queue entitlements are read through Salesforce's REST API, which this source does not use: turn on " +
                '"Govern Access Beyond SCIM" in the source configuration to aggregate them',
        })
    })
})
