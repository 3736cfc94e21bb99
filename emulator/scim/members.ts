import { KEY_PREFIX } from '../ids'
import { firstParam, MAX_COUNT, validateCount, validateStartIndex } from './list'
import { location, RequestContext } from './common'

/**
 * Member lists on groups, entitlements and roles. A single GET pages members with `members.count` and
 * `members.startIndex` (same limits as list paging: count ≤ 200, startIndex ≤ 2001); a list page carries at most 200
 * member rows in total across all of its resources, because Salesforce fetches them with one `LIMIT 200` query.
 */

export interface MemberWindow {
    readonly offset: number
    readonly limit: number
}

export function memberWindow(query: Record<string, unknown>): MemberWindow {
    const count = firstParam(query['members.count'])
    const start = firstParam(query['members.startIndex'])
    return {
        limit: count === undefined ? MAX_COUNT : validateCount(count),
        offset: start === undefined ? 0 : validateStartIndex(start) - 1,
    }
}

/** Shared budget of member rows for one list page. */
export class MemberBudget {
    constructor(private remaining = MAX_COUNT) {}

    take<T>(members: Iterable<T>, accept: (m: T) => boolean = () => true): T[] {
        const out: T[] = []
        if (this.remaining <= 0) return out
        for (const m of members) {
            if (!accept(m)) continue
            out.push(m)
            if (--this.remaining <= 0) break
        }
        return out
    }
}

export function windowOf<T>(members: Iterable<T>, w: MemberWindow, accept: (m: T) => boolean = () => true): T[] {
    const out: T[] = []
    let skipped = 0
    for (const m of members) {
        if (!accept(m)) continue
        if (skipped < w.offset) {
            skipped++
            continue
        }
        out.push(m)
        if (out.length >= w.limit) break
    }
    return out
}

/** A group member: `type` says User or Group, `$ref` is absolute (unlike the relative `$ref`s on a user). */
export function groupMember(ctx: RequestContext, id: string): Record<string, string> {
    const isUser = id.startsWith(KEY_PREFIX.user)
    return {
        value: id,
        type: isUser ? 'User' : 'Group',
        $ref: location(ctx, isUser ? 'Users' : 'Groups', id),
    }
}
