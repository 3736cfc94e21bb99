/**
 * What the integration user may do through the REST API, as `std:test-connection` reports it: the org's daily API
 * requests (`/limits`), and each permission the features beyond SCIM need that the user lacks, with what it
 * blocks. It costs three calls: `/limits` and two Composite requests of cheap queries (a Composite counts as one
 * call), sent side by side. A missing permission degrades its features and never fails the check.
 */
import { SalesforceConnectorError } from '../../errors'
import { ApiUsageReading, describeApiUsage } from '../../http/api-usage'
import { PERMISSION_FLAGS, READ_ACCESS_PROBES, REST_PERMISSIONS, permissionFlagsOfUserSoql } from './objects'
import { isPermissionRefusal } from './refusal'
import { COMPOSITE_MAX_QUERIES, QueryOutcome, SObjectRecord, SalesforceRestClient } from './rest-client'

/** A permission the integration user lacks, what it blocks, and how the connector knows. */
export interface MissingPermission {
    /** Salesforce's Setup name of the permission. */
    readonly permission: string
    /** What the connector cannot do without it. */
    readonly features: readonly string[]
    /** The refused queries, or the permission sets that lack its flag. */
    readonly evidence: readonly string[]
}

export interface RestAccessReport {
    /** `DailyApiRequests` of `/limits`; undefined when `/limits` could not be read. */
    readonly dailyApiRequests?: ApiUsageReading
    readonly missing: readonly MissingPermission[]
    /** Checks that failed for a reason other than a permission, each with Salesforce's answer. */
    readonly unchecked: readonly string[]
}

/** One line for the command's log, at the level the admin should read it. */
export interface AccessLogLine {
    readonly level: 'info' | 'warn'
    readonly message: string
}

/** Salesforce names the first column it does not know: `No such column 'PermissionsFreezeUsers' on entity …`. */
const NO_SUCH_COLUMN = /No such column '(\w+)'/

/** A permission set flag the org lacks is dropped and the query sent again, at most this many times. */
const MAX_FLAG_RETRIES = 2

function codeOf(error: Error): string {
    return error instanceof SalesforceConnectorError && error.errorCode !== undefined ? error.errorCode : error.name
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error }

/** A call's result or its connector error; anything else (a bug) is thrown on. */
async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
    try {
        return { ok: true, value: await promise }
    } catch (error) {
        if (error instanceof SalesforceConnectorError) return { ok: false, error }
        throw error
    }
}

/** Collects missing permissions, one entry per permission however many checks found it missing. */
class MissingPermissions {
    private readonly byPermission = new Map<string, { features: string[]; evidence: string[] }>()

    add(permission: string, feature: string, evidence: string): void {
        const entry = this.byPermission.get(permission) ?? { features: [], evidence: [] }
        if (!entry.features.includes(feature)) entry.features.push(feature)
        entry.evidence.push(evidence)
        this.byPermission.set(permission, entry)
    }

    list(): MissingPermission[] {
        return [...this.byPermission].map(([permission, entry]) => ({ permission, ...entry }))
    }
}

/**
 * Reads the org's API usage and probes the integration user's REST permissions.
 * @param userId the integration user (SCIM `/Me`).
 * @throws only what is not a Salesforce answer (a connector bug); every refusal is part of the report.
 */
export async function checkRestAccess(rest: SalesforceRestClient, userId: string): Promise<RestAccessReport> {
    // Composite reference ids are letters, digits and underscores: the probes' keys, not their features.
    const probes = Object.entries(READ_ACCESS_PROBES).map(([name, probe]) => ({ name, ...probe }))
    const firstBatch = probes.slice(0, COMPOSITE_MAX_QUERIES)
    const secondBatch = probes.slice(COMPOSITE_MAX_QUERIES)
    const flags = PERMISSION_FLAGS.map((f) => f.flag)
    const asQueries = (batch: typeof probes): Record<string, string> =>
        Object.fromEntries(batch.map((probe) => [probe.name, probe.soql]))
    const [limits, firstReads, secondReads] = await Promise.all([
        settle(rest.limits()),
        settle(rest.queries(asQueries(firstBatch))),
        // The flags ride in the second Composite, beside the probes the first had no room for.
        settle(rest.queries({ ...asQueries(secondBatch), flags: permissionFlagsOfUserSoql(userId, flags) })),
    ])

    const missing = new MissingPermissions()
    const unchecked: string[] = []
    let dailyApiRequests: ApiUsageReading | undefined
    if (limits.ok) {
        const daily = limits.value.DailyApiRequests
        if (daily !== undefined && daily.Max > 0)
            dailyApiRequests = { used: daily.Max - daily.Remaining, max: daily.Max }
        else unchecked.push('the daily API requests: /limits holds no DailyApiRequests')
    } else if (isPermissionRefusal(limits.error)) {
        missing.add(
            REST_PERMISSIONS.limits,
            "report the org's daily API usage",
            `/limits refused (${codeOf(limits.error)})`
        )
    } else {
        unchecked.push(`the daily API requests: ${limits.error.message}`)
    }

    for (const [batch, reads] of [
        [firstBatch, firstReads],
        [secondBatch, secondReads],
    ] as const) {
        if (!reads.ok) {
            // One line for the whole Composite: its probes all failed for the same reason.
            const what: string[] = batch.map((probe) => probe.feature)
            if (reads === secondReads) what.push("read the integration user's permissions")
            unchecked.push(`whether the connector can ${what.join(', ')}: ${reads.error.message}`)
            continue
        }
        for (const probe of batch) {
            const outcome = reads.value[probe.name]
            if (outcome === undefined || outcome.ok) continue
            if (isPermissionRefusal(outcome.error))
                missing.add(probe.permission, probe.feature, `${probe.object} query refused (${codeOf(outcome.error)})`)
            else unchecked.push(`whether the connector can ${probe.feature}: ${outcome.error.message}`)
        }
    }

    if (secondReads.ok) {
        const outcome = await withoutUnknownFlags(rest, userId, flags, secondReads.value.flags)
        if (outcome.ok) addMissingFlags(missing, outcome.records, outcome.flags)
        else unchecked.push(`the integration user's permissions: ${outcome.error.message}`)
    }
    return { ...(dailyApiRequests !== undefined ? { dailyApiRequests } : {}), missing: missing.list(), unchecked }
}

type FlagsOutcome =
    | { readonly ok: true; readonly records: readonly SObjectRecord[]; readonly flags: readonly string[] }
    | { readonly ok: false; readonly error: Error }

/**
 * The flags query's rows. An org without one of the flags (an older edition, a feature not enabled) refuses the
 * whole query with INVALID_FIELD naming that column: it is dropped and the query sent again.
 */
async function withoutUnknownFlags(
    rest: SalesforceRestClient,
    userId: string,
    flags: readonly string[],
    first: QueryOutcome<SObjectRecord> | undefined
): Promise<FlagsOutcome> {
    let outcome = first ?? { ok: false, error: new Error('the Composite answer held no result for the flags query') }
    let asked = flags
    const lacking: string[] = []
    for (let retry = 0; !outcome.ok; retry++) {
        const unknown = unknownColumn(outcome.error)
        if (unknown === undefined || !asked.includes(unknown)) return outcome
        lacking.push(unknown)
        asked = asked.filter((flag) => flag !== unknown)
        if (asked.length === 0 || retry === MAX_FLAG_RETRIES) {
            const more = asked.length > 0 ? ' and perhaps more' : ''
            const error = new Error(
                `this org's PermissionSet has no field ${lacking.join(', ')}${more} (INVALID_FIELD): only refused ` +
                    'queries can name missing permissions'
            )
            return { ok: false, error }
        }
        const next = await settle(rest.query(permissionFlagsOfUserSoql(userId, asked)))
        outcome = next.ok ? { ok: true, records: next.value } : next
    }
    return { ok: true, records: outcome.records, flags: asked }
}

/** The column an INVALID_FIELD refusal names, if that is what it is. */
function unknownColumn(error: Error): string | undefined {
    return codeOf(error) === 'INVALID_FIELD' ? NO_SUCH_COLUMN.exec(error.message)?.[1] : undefined
}

/** Each permission none of the user's permission sets grants, by its own flag or one that includes it. */
function addMissingFlags(missing: MissingPermissions, rows: readonly SObjectRecord[], asked: readonly string[]): void {
    const held = (flag: string): boolean => rows.some((row) => row[flag] === true)
    for (const spec of PERMISSION_FLAGS) {
        if (!asked.includes(spec.flag)) continue
        if (held(spec.flag) || (spec.includedIn ?? []).some(held)) continue
        missing.add(
            spec.permission,
            spec.feature,
            `none of the user's ${rows.length} permission sets (profile included) has ${spec.flag}`
        )
    }
}

/**
 * The report as log lines: the API usage, one warning per missing permission naming what it blocks, and one per
 * check that could not be made.
 */
export function describeRestAccess(
    report: RestAccessReport,
    apiUsageLimitPercent: number,
    /** The newest `Sforce-Limit-Info` reading, told instead when `/limits` could not be read. */
    headerReading?: ApiUsageReading
): AccessLogLine[] {
    const lines: AccessLogLine[] = []
    const usage = report.dailyApiRequests ?? headerReading
    if (usage !== undefined) {
        const source = report.dailyApiRequests !== undefined ? '' : ' (from the Sforce-Limit-Info header)'
        lines.push({
            level: 'info',
            message:
                `The org has used ${describeApiUsage(usage)} today${source}; ${usage.max - usage.used} remain. ` +
                `Aggregation stops before it would pass ${apiUsageLimitPercent}%.`,
        })
    }
    for (const { permission, features, evidence } of report.missing) {
        lines.push({
            level: 'warn',
            message:
                `The integration user lacks the Salesforce permission "${permission}": the connector cannot ` +
                `${features.join(', nor ')} (${evidence.join('; ')}). Add it to the integration user's profile or a ` +
                'permission set assigned to it; until then those attributes are left out of accounts, and users ' +
                'and their SCIM entitlements work as before.',
        })
    }
    for (const what of report.unchecked) {
        lines.push({ level: 'warn', message: `Could not check ${what}` })
    }
    if (report.missing.length === 0 && report.unchecked.length === 0) {
        lines.push({
            level: 'info',
            message: 'The integration user has every permission the features beyond SCIM need.',
        })
    }
    return lines
}
