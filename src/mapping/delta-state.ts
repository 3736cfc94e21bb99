import { createHash } from 'crypto'
import { isRecord } from '../json'

/**
 * What `std:account:list` saves for the next delta run. ISC wants a JSON object of strings:
 * - `version`: format of this object;
 * - `lastModified`: where the next delta counts from (Salesforce's second-precision UTC): the newest
 *   `meta.lastModified` seen, but never later than the run's start on Salesforce's clock (see `highWaterMark`);
 * - `scope`: a hash of the account filter, so a changed filter forces a full list instead of a delta that
 *   would silently miss the users it newly brings in; with Govern Access Beyond SCIM, of the further User fields
 *   read through REST as well, so that turning the setting on or off, or changing the fields, forces a full list
 *   too (a delta would leave the accounts it does not list without, or with stale, REST attributes).
 */
export interface DeltaState {
    readonly version: '1'
    readonly lastModified: string
    readonly scope: string
}

export const DELTA_STATE_VERSION = '1'

/**
 * The scope hash. `restUserFields` is given only with Govern Access Beyond SCIM on (the further User fields, maybe
 * none); without it the hash is the one saved before the setting existed, so existing states stay usable.
 */
export function scopeOf(accountFilter: string | undefined, restUserFields?: readonly string[]): string {
    const hash = createHash('sha256').update(accountFilter ?? '')
    if (restUserFields !== undefined) hash.update(`\nrest:${restUserFields.map((f) => f.toLowerCase()).join(',')}`)
    return hash.digest('hex').slice(0, 16)
}

/** The saved state if it is usable for this scope (`scopeOf` of this run), or the reason it is not. */
export function parseDeltaState(
    raw: unknown,
    accountFilter: string | undefined,
    scope: string = scopeOf(accountFilter)
): { readonly state: DeltaState } | { readonly reason: string } {
    if (raw === undefined || raw === null) return { reason: 'no saved state' }
    if (!isRecord(raw)) return { reason: 'the saved state is not an object' }
    if (raw.version !== DELTA_STATE_VERSION) return { reason: `unknown state version ${JSON.stringify(raw.version)}` }
    const { lastModified } = raw
    if (typeof lastModified !== 'string' || Number.isNaN(Date.parse(lastModified))) {
        return { reason: `the saved lastModified ${JSON.stringify(lastModified)} is not a timestamp` }
    }
    if (raw.scope !== scope) {
        const filterOnly = scope === scopeOf(accountFilter)
        return {
            reason: filterOnly
                ? 'the account filter changed since the state was saved'
                : 'the account filter or what is read beyond SCIM (Govern Access Beyond SCIM, Additional User ' +
                  'Fields) changed since the state was saved',
        }
    }
    return { state: { version: DELTA_STATE_VERSION, lastModified, scope } }
}

/** Salesforce's timestamp format: UTC to the second, `2024-01-31T09:27:40Z`. */
export function toSalesforceTimestamp(time: Date): string {
    return time.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The lower bound of a delta: the high-water mark less the overlap, against clock skew and late commits. */
export function deltaSince(state: DeltaState, overlapMinutes: number): string {
    return toSalesforceTimestamp(new Date(Date.parse(state.lastModified) - overlapMinutes * 60_000))
}

/** The later of two `meta.lastModified` values; unparseable values never win. */
export function laterOf(current: string | undefined, candidate: string | undefined): string | undefined {
    if (candidate === undefined || Number.isNaN(Date.parse(candidate))) return current
    if (current === undefined || Date.parse(candidate) > Date.parse(current)) return candidate
    return current
}

/**
 * What a run saves as `lastModified`: the newest `meta.lastModified` it saw, but never later than the moment it
 * started on Salesforce's clock (the `Date` header of its first answer; the connector's clock when there was none).
 * Keyset paging is no snapshot: a user changed after its page was read, or created during the run with an id below
 * the cursor, is not in this run, and its `lastModified` is older than the newest one seen on later pages. Counting
 * the next delta from the run's start (less the overlap) brings it back; counting from the newest seen would lose
 * it for good, a deactivation included.
 */
export function highWaterMark(newestSeen: string | undefined, runStart: string | undefined, fallback: Date): string {
    const started = runStart !== undefined && !Number.isNaN(Date.parse(runStart)) ? new Date(runStart) : fallback
    const start = toSalesforceTimestamp(started)
    return newestSeen !== undefined && Date.parse(newestSeen) < started.getTime() ? newestSeen : start
}
