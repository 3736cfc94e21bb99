import { createServer, Server } from 'http'
import { AddressInfo } from 'net'
import { FaultInjector, FaultOptions } from './faults'
import { allocateSeats, generatePermissionSets, generateUsers } from './generate'
import { RollingDailyCounter } from './limits'
import { IntegrationPermissions, PermissionSwitch } from './rest/permissions'
import { createApp, ServerState } from './server'
import { ORG_ID, ORG_NAME, seedOrg } from './seed'
import { SessionStore } from './sessions'
import { emptyStats, EmulatorStats } from './stats'
import { OrgStore } from './store'
import { Variants, VariantSwitch } from './variants'

export type { FaultKind, FaultOptions } from './faults'
export type { EmulatorStats } from './stats'
export type { Variants, VariantName } from './variants'
export type { IntegrationPermission, IntegrationPermissions } from './rest/permissions'
export { INTEGRATION_PERMISSIONS } from './rest/permissions'
export { DEFAULT_VARIANTS, VARIANT_VALUES, CREATE_COMMIT_DELAY_MS } from './variants'
export { checksumSuffix, KEY_PREFIX, POD } from './ids'
export { OrgStore } from './store'
export { EMULATOR_CREDENTIALS } from './credentials'
export { SEED, FOREIGN_USERNAMES, ORG_ID, ORG_NAME, USER_DOMAIN } from './seed'

export interface EmulatorOptions {
    /** Default 0 (ephemeral); the CLI defaults to 8787. */
    port?: number
    /** Default '127.0.0.1'. */
    host?: string
    /** Generated users added on top of the hand-written seed org (default 0). */
    users?: number
    /** Seed for deterministic data (default 42). */
    randomSeed?: number
    /** /Users page size when no `count` is sent (default 10, like Salesforce's pilot). */
    defaultPageSize?: number
    /** Sliding inactivity timeout of sessions (default 7200, Salesforce's two hours). */
    sessionTimeoutSeconds?: number
    /** API requests per rolling 24 h before 403 REQUEST_LIMIT_EXCEEDED (default 5,000,000 so benches never hit it). */
    apiDailyLimit?: number
    /** Free "Salesforce" seats beyond the users generated (default 3: a Developer-Edition-like org nearly full). */
    extraLicenses?: number
    /** Default true (Salesforce's bug: `schemas` is a JSON string in SCIM errors); false = RFC array. */
    stringifiedErrorSchemas?: boolean
    faults?: Partial<FaultOptions>
    /** Unconfirmed Salesforce behaviours (see variants.ts); unset ones take `DEFAULT_VARIANTS`. */
    variants?: Partial<Variants>
    /** Extra permission sets on top of the seed's (e.g. 1,000 to meet `/Entitlements`' 200 cap). Default 0. */
    permissionSets?: number
    /**
     * Salesforce's clock in epoch ms (default `Date.now`). `meta.created`/`lastModified` and every answer's `Date`
     * header follow it, plus `clockSkewMs`.
     */
    clock?: () => number
    /**
     * The integration user's Salesforce permissions (Manage Users, View Setup and Configuration, Assign Permission
     * Sets, Manage Package Licenses, Freeze Users, View All Users); unset ones are granted. Changeable at run time.
     */
    integrationPermissions?: Partial<IntegrationPermissions>
    /** Milliseconds Salesforce's clock runs ahead of `clock` (negative: behind); changeable at run time. Default 0. */
    clockSkewMs?: number
}

export interface RunningEmulator {
    /** e.g. 'http://127.0.0.1:53211': both the login URL and the instance_url. */
    readonly url: string
    close(): Promise<void>
    setFaults(faults: Partial<FaultOptions>): void
    /** Switch variants (partial; the others stay). Returns the variants now in force. */
    setVariants(variants: Partial<Variants>): Variants
    variants(): Variants
    /** Grant or take away integration-user permissions (partial; the others stay). Returns those now in force. */
    setIntegrationPermissions(permissions: Partial<IntegrationPermissions>): IntegrationPermissions
    /** Make Salesforce's clock run `ms` ahead of the emulator's base clock (negative: behind). */
    setClockSkew(ms: number): void
    revokeSessions(): void
    stats(): EmulatorStats
    resetStats(): void
    /** The in-memory org, for tests to inspect. */
    readonly store: OrgStore
}

/** Build the seeded org without starting a server (used by startEmulator and by benchmarks of generation). */
export function buildOrg(
    options: Pick<EmulatorOptions, 'users' | 'randomSeed' | 'extraLicenses' | 'permissionSets'> & {
        clock?: () => number
    } = {}
): OrgStore {
    const seed = options.randomSeed ?? 42
    const store = new OrgStore({ id: ORG_ID, name: ORG_NAME }, options.clock ?? Date.now, seed)
    seedOrg(store)
    generatePermissionSets(store, options.permissionSets ?? 0, seed)
    generateUsers(store, options.users ?? 0, seed)
    allocateSeats(store, options.extraLicenses ?? 3)
    store.sealSeed()
    return store
}

/** Start the Salesforce emulator on an HTTP port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const baseClock = options.clock ?? Date.now
    let skew = options.clockSkewMs ?? 0
    const clock = (): number => baseClock() + skew
    const store = buildOrg({ ...options, clock })
    const variants = new VariantSwitch(options.variants ?? {})
    const permissions = new PermissionSwitch(options.integrationPermissions ?? {})
    const sessions = new SessionStore(ORG_ID.slice(0, 15), (options.sessionTimeoutSeconds ?? 7200) * 1000)
    const stats = emptyStats()
    let url = ''
    const faults = new FaultInjector(options.faults ?? {}, options.randomSeed ?? 42, {
        revokeSessions: () => sessions.revokeAll(),
        onFault: (kind) => {
            stats.faultsInjected++
            stats.faultsByOption[kind] = (stats.faultsByOption[kind] ?? 0) + 1
        },
    })
    const state: ServerState = {
        store,
        sessions,
        faults,
        limit: new RollingDailyCounter(options.apiDailyLimit ?? 5_000_000),
        stats,
        variants,
        permissions,
        defaultUserPageSize: options.defaultPageSize ?? 10,
        stringifiedErrorSchemas: options.stringifiedErrorSchemas ?? true,
        url: () => url,
        setClockSkew: (ms) => {
            skew = ms
        },
        resetStats: () => {
            Object.assign(stats, emptyStats())
        },
    }
    const server: Server = createServer(createApp(state))
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
            server.off('error', reject)
            resolve()
        })
    })
    const address = server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    url = `http://${host}:${address.port}`

    return {
        url,
        store,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((err) => (err ? reject(err) : resolve()))
                server.closeAllConnections()
            }),
        setFaults: (f) => {
            faults.set(f)
        },
        setVariants: (v) => variants.set(v),
        variants: () => ({ ...variants.current }),
        setIntegrationPermissions: (p) => permissions.set(p),
        setClockSkew: (ms) => {
            skew = ms
        },
        revokeSessions: () => sessions.revokeAll(),
        stats: () => structuredClone(stats),
        resetStats: () => state.resetStats(),
    }
}
