/**
 * The org's daily API usage as Salesforce reports it in `Sforce-Limit-Info`, on REST and SCIM answers alike.
 */
import { ApiUsageMeter, describeApiUsage, parseLimitInfo } from '../../../src/http/api-usage'

describe('parseLimitInfo', () => {
    it.each([
        ['api-usage=10018/100000', { used: 10018, max: 100000 }],
        // With a connected app's own limit, Salesforce adds its usage after the org's.
        ['api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)', { used: 25, max: 5000 }],
        ['per-app-api-usage=17/250(appName=sample-connected-app); api-usage=25/5000', { used: 25, max: 5000 }],
        // An org can go past its allocation before Salesforce starts refusing.
        ['api-usage=100250/100000', { used: 100250, max: 100000 }],
    ])('reads %s', (header, reading) => {
        expect(parseLimitInfo(header)).toEqual(reading)
    })

    it.each([
        ['no header', undefined],
        ['an empty header', ''],
        ['a count that is not a number', 'api-usage=lots/100000'],
        ['no maximum', 'api-usage=10018'],
        ['a zero maximum', 'api-usage=0/0'],
        ['only the app’s usage', 'per-app-api-usage=17/250(appName=sample-connected-app)'],
    ])('ignores %s', (_label, header) => {
        expect(parseLimitInfo(header)).toBeUndefined()
    })
})

describe('ApiUsageMeter', () => {
    it('keeps the newest reading, and the last good one when an answer carries none or a malformed one', () => {
        const meter = new ApiUsageMeter()
        expect(meter.latest()).toBeUndefined()
        meter.record('api-usage=10/1000')
        meter.record('api-usage=11/1000')
        meter.record(undefined)
        meter.record('api-usage=garbage')
        expect(meter.latest()).toEqual({ used: 11, max: 1000 })
    })
})

describe('describeApiUsage', () => {
    it('says the used and the maximum with the share, rounded down', () => {
        expect(describeApiUsage({ used: 10018, max: 100000 })).toBe('10018 of 100000 daily API requests (10%)')
        expect(describeApiUsage({ used: 89999, max: 100000 })).toBe('89999 of 100000 daily API requests (89%)')
    })
})
