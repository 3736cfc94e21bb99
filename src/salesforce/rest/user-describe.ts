/**
 * The org's User describe, read once per org and shared by everything that needs it: the page query's plan (its
 * feature-license flags and the admin's further fields), the feature-license catalog, and provisioning's Set of
 * feature licenses. It is some 100 KB on a real org, and Salesforce changes it only with a release, a newly
 * licensed feature or a new custom field, so a few minutes keep it to one call per aggregation and the commands
 * around it.
 *
 * Entries live process-wide (`processCache`), keyed by the REST client's org (`orgKey`: login host, connected app
 * and integration user), so two sources never share one. Concurrent callers share one read; a failed read is not
 * kept.
 */
import { processCache } from '../../process-cache'
import { SObjectDescribe, SalesforceRestClient } from './rest-client'

/** How long a User describe is trusted. */
export const USER_DESCRIBE_TTL_MS = 5 * 60_000

interface Entry {
    readonly promise: Promise<SObjectDescribe>
    readonly readAt: number
}

function cache(): Map<string, Entry> {
    return processCache<string, Entry>('user-describe.v1')
}

/** Forgets every org's User describe (tests). */
export function clearUserDescribeCache(): void {
    cache().clear()
}

/** The describe read for this client's org in the last `USER_DESCRIBE_TTL_MS` (or being read now), if any. */
export function heldUserDescribe(rest: SalesforceRestClient, now = Date.now()): Promise<SObjectDescribe> | undefined {
    const entry = cache().get(rest.org)
    return entry !== undefined && now - entry.readAt < USER_DESCRIBE_TTL_MS ? entry.promise : undefined
}

/**
 * Keeps a read of the org's User describe (a GET of its own, or a subrequest of a Composite call that reads more
 * at once) for the callers that follow; returns it.
 */
export function keepUserDescribe(
    rest: SalesforceRestClient,
    read: Promise<SObjectDescribe>,
    now = Date.now()
): Promise<SObjectDescribe> {
    const entries = cache()
    for (const [other, old] of entries) if (now - old.readAt >= USER_DESCRIBE_TTL_MS) entries.delete(other)
    const entry: Entry = { promise: read, readAt: now }
    entries.set(rest.org, entry)
    read.catch(() => {
        if (entries.get(rest.org) === entry) entries.delete(rest.org)
    })
    return read
}

/** The org's User describe: the one held, else read now (`GET /sobjects/User/describe`) and kept. */
export function userDescribe(rest: SalesforceRestClient, now = Date.now()): Promise<SObjectDescribe> {
    return heldUserDescribe(rest, now) ?? keepUserDescribe(rest, rest.describe('User'), now)
}
