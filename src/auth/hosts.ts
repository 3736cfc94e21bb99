/**
 * What a host name says: a loopback address (a local emulator, the only place plain http is allowed), a
 * Salesforce sandbox, or a Lightning or Setup UI host with the org's My Domain host behind it.
 */

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]'])

/** `URL.hostname` form: IPv6 in brackets. */
export function isLoopbackHost(hostname: string): boolean {
    return LOOPBACK_HOSTS.has(hostname.toLowerCase())
}

/**
 * Hosts of orgs that log in at test.salesforce.com, as Salesforce's CLI decides it (sfdx-core `SfdcUrl.isSandboxUrl`),
 * plus the legacy `--` sandbox My Domain and scratch orgs. The CLI also follows DNS CNAMEs for the rest; the
 * connector offers the Audience field instead.
 */
const SANDBOX_HOSTS: readonly RegExp[] = [
    /^test\.salesforce\.com$/,
    // Enhanced domains: mycompany--uat.sandbox.my.salesforce.com.
    /\.sandbox\.my\.salesforce\.com$/,
    // Before enhanced domains: mycompany--uat.my.salesforce.com and mycompany--uat.cs42.my.salesforce.com ("--"
    // joins the production My Domain name and the sandbox name).
    /^[a-z0-9-]+--[a-z0-9-]+\.(cs\d+\.)?my\.salesforce\.com$/,
    // Sandbox (CS) instances, with or without My Domain: cs42.salesforce.com, mycompany.cs42.my.salesforce.com.
    /(^|\.)cs\d+(\.my)?\.salesforce\.com$/,
    // Scratch orgs: mycompany.scratch.my.salesforce.com.
    /\.scratch\.my\.salesforce\.com$/,
    // Hyperforce sandbox instances: usa2s.sfdc-xxxx.salesforce.com (or force.com).
    /(^|\.)[a-z]{3}\d+s\.sfdc-[a-z0-9-]+\.(salesforce|force)\.com$/,
]

export function isSandboxHost(hostname: string): boolean {
    const host = hostname.toLowerCase()
    return SANDBOX_HOSTS.some((pattern) => pattern.test(host))
}

/**
 * The My Domain host that serves the API for a Lightning (`*.lightning.force.com`) or Setup
 * (`*.my.salesforce-setup.com`) UI host, keeping the `.sandbox`, `.develop` or `.scratch` part:
 * mycompany--uat.sandbox.lightning.force.com → mycompany--uat.sandbox.my.salesforce.com. Undefined for any
 * other host.
 */
export function myDomainHostOf(uiHostname: string): string | undefined {
    const host = uiHostname.toLowerCase()
    for (const suffix of ['.lightning.force.com', '.my.salesforce-setup.com']) {
        if (host.endsWith(suffix) && host.length > suffix.length) {
            return `${host.slice(0, -suffix.length)}.my.salesforce.com`
        }
    }
    return undefined
}
