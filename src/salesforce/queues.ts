import { SalesforceConfig } from '../config'
import { processCache } from '../process-cache'
import { ScimGroup, ScimUser } from './types'

/**
 * Queues are not public groups. Salesforce's SCIM pilot lists queues (`type: "Queue"`) in `/Groups` and among a
 * user's `groups`, while its single GET and PATCH of `/Groups/{queueId}` answer 404 (real-org-review R14); whether
 * the native service does the same is unconfirmed. The connector's public-group type holds Regular groups only.
 */

/** A public group: `type` Regular, or no `type` at all (Salesforce's docs show groups without one). */
export function isPublicGroup(group: Pick<ScimGroup, 'type'>): boolean {
    return group.type === undefined || group.type === 'Regular'
}

/**
 * The user with the queues it belongs to left out of its `groups`. The same object when there is none to leave out,
 * so an aggregation copies only the few users who are in a queue.
 */
export function withoutQueues(user: ScimUser, queueIds: ReadonlySet<string>): ScimUser {
    const groups = user.groups
    if (queueIds.size === 0 || groups === undefined || !groups.some((group) => queueIds.has(group.value))) return user
    return { ...user, groups: groups.filter((group) => !queueIds.has(group.value)) }
}

/**
 * How long a single read or write trusts the queue ids read earlier in this process. A group's type never changes
 * and Salesforce never reuses an id, so an older set can only lack queues created since: until it is read again, a
 * user who joined such a queue would show it among their groups on a single read. Every aggregation reads the set
 * afresh.
 */
export const QUEUE_IDS_TTL_MS = 5 * 60_000

interface CacheEntry {
    readonly promise: Promise<ReadonlySet<string>>
    readonly readAt: number
}

/**
 * Queue ids live on `globalThis`, not in this module: the connector's modules are loaded again for every command,
 * and a module-level cache would list `/Groups` again for every read. An entry is one set of queue ids per source
 * (an org has few queues: a few kilobytes), and entries past their TTL are dropped whenever one is stored.
 */
function queueCache(): Map<string, CacheEntry> {
    return processCache<string, CacheEntry>('queue-ids.v1')
}

/** Forgets every org's queue ids (tests). */
export function clearQueueCache(): void {
    queueCache().clear()
}

/**
 * The org a source reaches: its login host with the connected app and the integration user. A username is unique
 * across every Salesforce org, and client credentials need the org's own My Domain, so two orgs never share a key.
 */
export function orgKey(config: SalesforceConfig): string {
    const auth = config.auth
    const username = auth.type === 'clientCredentials' ? '' : auth.username
    return JSON.stringify([config.loginUrl.origin, auth.type, auth.clientId, username])
}

/** The ids of the queues an org's `/Groups` list holds, read once and shared by the commands of one process. */
export class QueueIds {
    private readonly key: string

    constructor(
        config: SalesforceConfig,
        private readonly read: () => Promise<ReadonlySet<string>>,
        private readonly now: () => number
    ) {
        this.key = orgKey(config)
    }

    /** The ids read in the last `QUEUE_IDS_TTL_MS`, else read now; concurrent callers share one read. */
    known(): Promise<ReadonlySet<string>> {
        const entry = queueCache().get(this.key)
        if (entry !== undefined && this.now() - entry.readAt < QUEUE_IDS_TTL_MS) return entry.promise
        return this.refresh()
    }

    /** Reads the ids now (an aggregation does, once), and keeps them for the reads and writes that follow. */
    refresh(): Promise<ReadonlySet<string>> {
        const cache = queueCache()
        const readAt = this.now()
        for (const [key, entry] of cache) if (readAt - entry.readAt >= QUEUE_IDS_TTL_MS) cache.delete(key)
        const promise = this.read()
        const entry = { promise, readAt }
        cache.set(this.key, entry)
        // A failed read is not kept: the next command tries again.
        promise.catch(() => {
            if (cache.get(this.key) === entry) cache.delete(this.key)
        })
        return promise
    }
}
