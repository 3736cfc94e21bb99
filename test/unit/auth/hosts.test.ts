import { isLoopbackHost, isSandboxHost, myDomainHostOf } from '../../../src/auth/hosts'

describe('isLoopbackHost', () => {
    it.each(['localhost', '127.0.0.1', '[::1]', 'LOCALHOST'])('%s is loopback', (host) => {
        expect(isLoopbackHost(host)).toBe(true)
    })
    it.each(['localhost.evil.com', '127.0.0.2', '::1', 'acme.my.salesforce.com'])('%s is not', (host) => {
        expect(isLoopbackHost(host)).toBe(false)
    })
})

describe('isSandboxHost', () => {
    it.each([
        'test.salesforce.com',
        'acme--uat.sandbox.my.salesforce.com',
        'acme--uat.my.salesforce.com',
        'acme--uat.cs42.my.salesforce.com',
        'acme.cs42.my.salesforce.com',
        'cs42.salesforce.com',
        'fun-dev-123.scratch.my.salesforce.com',
        'usa2s.sfdc-yzvlcf.force.com',
    ])('%s is a sandbox', (host) => {
        expect(isSandboxHost(host)).toBe(true)
    })
    it.each([
        'login.salesforce.com',
        'acme.my.salesforce.com',
        'acme-uat.my.salesforce.com',
        'acme.develop.my.salesforce.com',
        'na139.salesforce.com',
        'cs42.salesforce.com.evil.net',
        'usa2.sfdc-yzvlcf.salesforce.com',
    ])('%s is not', (host) => {
        expect(isSandboxHost(host)).toBe(false)
    })
})

describe('myDomainHostOf', () => {
    it.each([
        ['mycompany--uat.sandbox.lightning.force.com', 'mycompany--uat.sandbox.my.salesforce.com'],
        ['mycompany.develop.lightning.force.com', 'mycompany.develop.my.salesforce.com'],
        ['mycompany--uat.sandbox.my.salesforce-setup.com', 'mycompany--uat.sandbox.my.salesforce.com'],
        ['mycompany.lightning.force.com', 'mycompany.my.salesforce.com'],
        ['mycompany.my.salesforce-setup.com', 'mycompany.my.salesforce.com'],
    ])('%s → %s', (ui, myDomain) => {
        expect(myDomainHostOf(ui)).toBe(myDomain)
    })
    it.each(['mycompany.my.salesforce.com', 'lightning.force.com', 'login.salesforce.com'])(
        '%s is not a UI host',
        (host) => {
            expect(myDomainHostOf(host)).toBeUndefined()
        }
    )
})
