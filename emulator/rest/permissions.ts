/**
 * The Salesforce permissions of the integration user that the REST API checks, switchable at start
 * (`startEmulator({ integrationPermissions })`) and at run time (`PUT /__emulator/permissions`). Each is named after
 * its API name without the `Permissions` prefix: ManageUsers is "Manage Users", ViewSetup "View Setup and
 * Configuration", and so on. Default: all of them.
 */

export const INTEGRATION_PERMISSIONS = [
    'ManageUsers',
    'ViewSetup',
    'AssignPermissionSets',
    'ManagePackageLicenses',
    'FreezeUsers',
    'ViewAllUsers',
] as const

export type IntegrationPermission = (typeof INTEGRATION_PERMISSIONS)[number]

export type IntegrationPermissions = Readonly<Record<IntegrationPermission, boolean>>

/** A permission name or value that does not exist. */
export class UnknownPermissionError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'UnknownPermissionError'
    }
}

function isPermission(name: string): name is IntegrationPermission {
    return (INTEGRATION_PERMISSIONS as readonly string[]).includes(name)
}

/** The permissions as one mutable holder shared by every route. */
export class PermissionSwitch {
    private values: Record<IntegrationPermission, boolean>

    constructor(initial: Readonly<Partial<Record<string, unknown>>> = {}) {
        this.values = Object.fromEntries(INTEGRATION_PERMISSIONS.map((p) => [p, true])) as Record<
            IntegrationPermission,
            boolean
        >
        this.set(initial)
    }

    get current(): IntegrationPermissions {
        return { ...this.values }
    }

    has(p: IntegrationPermission): boolean {
        return this.values[p]
    }

    /** True when the integration user holds any of `ps`. */
    any(...ps: readonly IntegrationPermission[]): boolean {
        return ps.some((p) => this.values[p])
    }

    /**
     * Merge a partial, untrusted setting over the current one.
     * @throws UnknownPermissionError naming the permission or value that does not exist.
     */
    set(patch: Readonly<Partial<Record<string, unknown>>>): IntegrationPermissions {
        const next = { ...this.values }
        for (const [name, value] of Object.entries(patch)) {
            if (value === undefined) continue
            if (!isPermission(name))
                throw new UnknownPermissionError(
                    `unknown permission "${name}"; permissions are ${INTEGRATION_PERMISSIONS.join(', ')}`
                )
            if (typeof value !== 'boolean') throw new UnknownPermissionError(`permission ${name} must be true or false`)
            next[name] = value
        }
        this.values = next
        return this.current
    }
}
