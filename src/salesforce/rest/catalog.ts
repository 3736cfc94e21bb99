/**
 * The catalogs of the entitlement types only Salesforce's REST API reaches: permission set groups (with the
 * permission sets they contain), permission set licenses, managed package licenses, queues and feature licenses,
 * each paged by `nextRecordsUrl` or read by id. A catalog the integration user may not read fails with an
 * InsufficientPermissionError naming the Salesforce permission it needs.
 */
import { InsufficientPermissionError } from '../../errors'
import {
    CATALOG_OBJECTS,
    FEATURE_LICENSE_FIELD_PREFIX,
    KNOWN_FEATURE_LICENSE_FIELDS,
    PERMISSION_SET_READ_PERMISSIONS,
    catalogSoql,
    hiddenPermissionSetsSoql,
    permissionSetGroupComponentsSoql,
} from './objects'
import { isPermissionRefusal } from './refusal'
import { SObjectDescribe, SObjectRecord, SalesforceRestClient } from './rest-client'
import { userDescribe } from './user-describe'

/** A PermissionSetGroup row as the connector selects it. */
export interface PermissionSetGroupRow extends SObjectRecord {
    readonly Id: string
    readonly DeveloperName?: string | null
    readonly MasterLabel?: string | null
    readonly Description?: string | null
    /** Updated, Outdated, Updating or Failed: whether the group's aggregate permissions are current. */
    readonly Status?: string | null
}

/** A permission set group with the ids of the permission sets it contains (PermissionSetGroupComponent). */
export interface PermissionSetGroupWithComponents {
    readonly group: PermissionSetGroupRow
    readonly permissionSetIds: readonly string[]
}

/** A PermissionSetLicense row: its seats are read-only counts Salesforce keeps. */
export interface PermissionSetLicenseRow extends SObjectRecord {
    readonly Id: string
    readonly DeveloperName?: string | null
    readonly MasterLabel?: string | null
    readonly Status?: string | null
    readonly TotalLicenses?: number | null
    readonly UsedLicenses?: number | null
    /** A date (`2026-12-31`). */
    readonly ExpirationDate?: string | null
}

/** A PackageLicense row: one installed managed package's licenses. */
export interface PackageLicenseRow extends SObjectRecord {
    readonly Id: string
    readonly NamespacePrefix?: string | null
    /** Active, Expired, Free or Trial. */
    readonly Status?: string | null
    /** -1 when the package is licensed site-wide (every user may use it, none is assigned a seat). */
    readonly AllowedLicenses?: number | null
    readonly UsedLicenses?: number | null
    /** A dateTime; none for a package that does not expire. */
    readonly ExpirationDate?: string | null
}

/** A license's seats as its row counts them; a count Salesforce does not give is null. */
export interface LicenseSeats {
    /** A package licensed site-wide (AllowedLicenses -1): every user may use it, and no seat can be assigned. */
    readonly siteWide: boolean
    readonly total: number | null
    readonly used: number | null
    /** What is left to assign: total less used, never below 0; null without both counts (and when site-wide). */
    readonly free: number | null
}

function countOrNull(value: number | null | undefined): number | null {
    return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/** The seats of a permission set license (TotalLicenses) or of a package license (AllowedLicenses). */
export function licenseSeats(
    type: 'permissionSetLicense' | 'packageLicense',
    row: PermissionSetLicenseRow | PackageLicenseRow
): LicenseSeats {
    const used = countOrNull(row.UsedLicenses)
    const counted = countOrNull(
        type === 'permissionSetLicense'
            ? (row as PermissionSetLicenseRow).TotalLicenses
            : (row as PackageLicenseRow).AllowedLicenses
    )
    const siteWide = type === 'packageLicense' && counted === -1
    const total = siteWide ? null : counted
    return { siteWide, total, used, free: total !== null && used !== null ? Math.max(total - used, 0) : null }
}

/** A Group row of type Queue. */
export interface QueueRow extends SObjectRecord {
    readonly Id: string
    readonly Name?: string | null
    readonly DeveloperName?: string | null
    readonly Email?: string | null
}

/** A feature license: a `UserPermissions*` boolean field of User, named by its API name. */
export interface FeatureLicense {
    readonly field: string
    readonly label: string
}

interface ComponentRow extends SObjectRecord {
    readonly PermissionSetGroupId: string
    readonly PermissionSetId: string
}

const CATALOG_LABEL: Readonly<Record<keyof typeof CATALOG_OBJECTS, string>> = {
    permissionSetGroup: 'permission set groups',
    permissionSetLicense: 'permission set licenses',
    packageLicense: 'managed package licenses',
    queue: 'queues',
}

/** `"A" or "B"`, as Setup names the permissions. */
function permissionNames(permissions: readonly string[]): string {
    return permissions.map((permission) => `"${permission}"`).join(' or ')
}

/**
 * The error a refused read becomes: an InsufficientPermissionError naming what could not be read and the
 * permissions of which the integration user needs one. Any other error is returned as it is.
 */
function missingPermissionError(what: string, permissions: readonly string[], error: unknown): unknown {
    if (!isPermissionRefusal(error)) return error
    return new InsufficientPermissionError(
        `Salesforce refused to show the ${what} to the integration user: give it ${permissionNames(permissions)} ` +
            `(through its profile or a permission set), then run the command again (Salesforce answered ` +
            `${error.errorCode ?? error.name}${error.status !== undefined ? `, HTTP ${error.status}` : ''})`,
        { ...(error.errorCode !== undefined ? { errorCode: error.errorCode } : {}), status: error.status ?? 403 }
    )
}

/** The `UserPermissions*` booleans of a User describe, in its order, each with its label. */
function featureLicensesOf(describe: SObjectDescribe): FeatureLicense[] {
    return describe.fields
        .filter((field) => field.type === 'boolean' && field.name.startsWith(FEATURE_LICENSE_FIELD_PREFIX))
        .map((field) => ({
            field: field.name,
            label: field.label || (KNOWN_FEATURE_LICENSE_FIELDS[field.name] ?? field.name),
        }))
}

/** The catalogs of the REST-only entitlement types of one org. */
export class EntitlementCatalog {
    constructor(
        private readonly rest: SalesforceRestClient,
        private readonly now: () => number = Date.now
    ) {}

    /**
     * The org's permission set groups, a batch at a time, each with the permission sets it contains: the
     * components are read first, org-wide in one paged query (an org has at most a few thousand), and joined in
     * memory, never one query per group.
     * @throws InsufficientPermissionError naming the permission when the integration user may not read them.
     */
    async *permissionSetGroupPages(): AsyncGenerator<readonly PermissionSetGroupWithComponents[]> {
        const components = await this.read('permissionSetGroup', () =>
            this.rest.query<ComponentRow>(permissionSetGroupComponentsSoql())
        )
        const byGroup = componentsByGroup(components)
        for await (const batch of this.pages<PermissionSetGroupRow>('permissionSetGroup')) {
            yield batch.map((group) => ({ group, permissionSetIds: byGroup.get(group.Id) ?? [] }))
        }
    }

    /** One permission set group with its permission sets, in one Composite call; undefined when there is none. */
    async permissionSetGroup(id: string): Promise<PermissionSetGroupWithComponents | undefined> {
        const outcomes = await this.read('permissionSetGroup', () =>
            this.rest.queries({
                group: catalogSoql('permissionSetGroup', [id]),
                components: permissionSetGroupComponentsSoql([id]),
            })
        )
        const group = outcomeRows(outcomes.group, 'permissionSetGroup')[0] as PermissionSetGroupRow | undefined
        if (group === undefined) return undefined
        const components = outcomeRows(outcomes.components, 'permissionSetGroup') as ComponentRow[]
        return { group, permissionSetIds: componentsByGroup(components).get(group.Id) ?? [] }
    }

    permissionSetLicensePages(): AsyncGenerator<readonly PermissionSetLicenseRow[]> {
        return this.pages<PermissionSetLicenseRow>('permissionSetLicense')
    }

    permissionSetLicense(id: string): Promise<PermissionSetLicenseRow | undefined> {
        return this.row<PermissionSetLicenseRow>('permissionSetLicense', id)
    }

    packageLicensePages(): AsyncGenerator<readonly PackageLicenseRow[]> {
        return this.pages<PackageLicenseRow>('packageLicense')
    }

    packageLicense(id: string): Promise<PackageLicenseRow | undefined> {
        return this.row<PackageLicenseRow>('packageLicense', id)
    }

    queuePages(): AsyncGenerator<readonly QueueRow[]> {
        return this.pages<QueueRow>('queue')
    }

    /** The queue with this id; undefined for any other group (a public group's id included). */
    queue(id: string): Promise<QueueRow | undefined> {
        return this.row<QueueRow>('queue', id)
    }

    /**
     * The feature licenses the org's User describe shows (`UserPermissions*` booleans), from the describe held for
     * the org (`user-describe.ts`).
     */
    async featureLicenses(): Promise<readonly FeatureLicense[]> {
        return featureLicensesOf(await userDescribe(this.rest, this.now()))
    }

    /** The feature license of that User field; undefined when the org's User describe has no such flag. */
    async featureLicense(field: string): Promise<FeatureLicense | undefined> {
        return (await this.featureLicenses()).find((license) => license.field === field)
    }

    /**
     * The ids of the permission sets no permission set list shows (profile-owned, and the aggregate sets behind
     * permission set groups), of the org or among `ids`.
     * @throws InsufficientPermissionError naming the permission when the integration user may not read them.
     */
    async hiddenPermissionSetIds(ids?: readonly string[]): Promise<ReadonlySet<string>> {
        try {
            const rows = await this.rest.query(hiddenPermissionSetsSoql(ids))
            return new Set(rows.flatMap((row) => (typeof row.Id === 'string' ? [row.Id] : [])))
        } catch (error) {
            throw missingPermissionError('permission sets', PERMISSION_SET_READ_PERMISSIONS, error)
        }
    }

    private async *pages<T extends SObjectRecord>(type: keyof typeof CATALOG_OBJECTS): AsyncGenerator<readonly T[]> {
        try {
            yield* this.rest.queryPages<T>(catalogSoql(type))
        } catch (error) {
            throw missingPermissionError(CATALOG_LABEL[type], CATALOG_OBJECTS[type].readPermissions, error)
        }
    }

    private async row<T extends SObjectRecord>(type: keyof typeof CATALOG_OBJECTS, id: string): Promise<T | undefined> {
        const rows = await this.read(type, () => this.rest.query<T>(catalogSoql(type, [id])))
        return rows[0]
    }

    private async read<T>(type: keyof typeof CATALOG_OBJECTS, run: () => Promise<T>): Promise<T> {
        try {
            return await run()
        } catch (error) {
            throw missingPermissionError(CATALOG_LABEL[type], CATALOG_OBJECTS[type].readPermissions, error)
        }
    }
}

function componentsByGroup(components: readonly ComponentRow[]): Map<string, string[]> {
    const byGroup = new Map<string, string[]>()
    for (const component of components) {
        const ids = byGroup.get(component.PermissionSetGroupId)
        if (ids === undefined) byGroup.set(component.PermissionSetGroupId, [component.PermissionSetId])
        else ids.push(component.PermissionSetId)
    }
    return byGroup
}

/** A Composite query's rows, or its refusal thrown (as a missing permission when it is one). */
function outcomeRows(
    outcome:
        | { readonly ok: true; readonly records: SObjectRecord[] }
        | { readonly ok: false; readonly error: Error }
        | undefined,
    type: keyof typeof CATALOG_OBJECTS
): SObjectRecord[] {
    if (outcome === undefined) return []
    if (outcome.ok) return outcome.records
    throw missingPermissionError(CATALOG_LABEL[type], CATALOG_OBJECTS[type].readPermissions, outcome.error)
}
