import { InvalidResponseError } from '../errors'
import { isLoopbackHost } from './hosts'

/** Domains Salesforce serves org APIs from (commercial, Government Cloud, Alibaba-hosted China). */
const SALESFORCE_DOMAINS = [
    'salesforce.com',
    'force.com',
    'cloudforce.com',
    'database.com',
    'salesforce.mil',
    'sfcrmproducts.cn',
    'sfcrmapps.cn',
] as const

/**
 * The origin to send the token to, from the token response's `instance_url`. The token goes nowhere but an
 * https Salesforce domain, the login URL's own origin, or (for a local emulator) a loopback address when the
 * login URL is one too: a tampered or misrouted response must not be able to collect the session.
 * @throws InvalidResponseError naming the refused host.
 */
export function trustedInstanceUrl(instanceUrl: unknown, loginUrl: URL): URL {
    let url: URL
    try {
        if (typeof instanceUrl !== 'string') throw new TypeError('not a string')
        url = new URL(instanceUrl)
    } catch {
        throw new InvalidResponseError(
            'The Salesforce token response has no usable instance_url; check that the Login URL points at Salesforce'
        )
    }
    const host = url.hostname.toLowerCase()
    const sameOrigin = url.origin === loginUrl.origin
    const localEmulator = isLoopbackHost(loginUrl.hostname) && isLoopbackHost(host)
    const salesforceHost = url.protocol === 'https:' && SALESFORCE_DOMAINS.some((domain) => host.endsWith(`.${domain}`))
    if (url.username !== '' || url.password !== '' || !(sameOrigin || localEmulator || salesforceHost)) {
        throw new InvalidResponseError(
            `The Salesforce token response named ${url.protocol}//${host} as the instance URL, which is not a Salesforce ` +
                'domain; the connector refused to send the session there. Check the Login URL and any proxy in between'
        )
    }
    return new URL(url.origin)
}
