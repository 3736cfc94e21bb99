/**
 * The probe's read-only checks: paging, counting, filtering and projection, on what the org already holds.
 */
import { compareIds } from '../../src/salesforce/ids'
import { quoteFilterValue } from '../../src/salesforce/scim-filter'
import { Finding, observed, undetermined } from './findings'
import { Answer, ScimSession, evidence, idsOf, isRecord, listSummary, resourcesOf, totalResultsOf } from './scim'

const PAGE = 200
/** How many user ids R2 compares: a few hundred, enough to cross a case flip in most orgs. */
const COLLATION_SAMPLE = 400

const idGt = (id: string): string => `id gt ${quoteFilterValue(id)}`
const short = (ids: readonly string[], n = 3): string =>
    ids.length <= n ? ids.join(', ') : `${ids.slice(0, n).join(', ')}, … (${ids.length})`

/** A case-insensitive id order: what R2 suspects of one of ORDER BY Id and `id gt`. */
function caseInsensitive(a: string, b: string): number {
    return compareIds(a.toLowerCase(), b.toLowerCase())
}

function firstUnsorted(ids: readonly string[], compare: (a: string, b: string) => number): number {
    for (let i = 1; i < ids.length; i++) if (compare(ids[i - 1] ?? '', ids[i] ?? '') > 0) return i
    return -1
}

/** R2: ids by `startIndex` (the rows' ORDER BY Id) against `id gt` from just before a case flip. */
export async function checkIdCollation(scim: ScimSession): Promise<Finding> {
    const ev: string[] = []
    const byIndex: string[] = []
    for (let start = 1; byIndex.length < COLLATION_SAMPLE; start += PAGE) {
        const page = await scim.send('GET', '/Users', { startIndex: start, count: PAGE, attributes: 'id' })
        if (!page.ok) return undetermined('R2', 'idCollation', 'paging /Users by startIndex failed', [evidence(page)])
        const ids = idsOf(resourcesOf(page))
        if (start === 1) ev.push(evidence(page, listSummary(page)))
        byIndex.push(...ids)
        if (ids.length < PAGE) break
    }
    if (byIndex.length < 2) return undetermined('R2', 'idCollation', 'the org shows fewer than 2 users', ev)
    const unsortedBinary = firstUnsorted(byIndex, compareIds)
    if (unsortedBinary !== -1) {
        const pair = `${byIndex[unsortedBinary - 1]} before ${byIndex[unsortedBinary]}`
        if (firstUnsorted(byIndex, caseInsensitive) === -1) {
            ev.push(`${byIndex.length} ids by startIndex are in case-insensitive order, not byte order: ${pair}`)
            return observed('R2', 'idCollation', 'orderByCaseInsensitive', ev)
        }
        ev.push(`${byIndex.length} ids by startIndex are in neither byte nor case-insensitive order: ${pair}`)
        return undetermined('R2', 'idCollation', 'the ids come in no order the probe knows', ev)
    }
    ev.push(`${byIndex.length} ids by startIndex are in byte order`)
    // A case flip: an id after `flip` (byte order) that a case-insensitive `gt` would put at or before it.
    let flip = -1
    let hidden = -1
    for (let i = 0; i < byIndex.length && flip === -1; i++)
        for (let j = i + 1; j < byIndex.length; j++)
            if (caseInsensitive(byIndex[j] ?? '', byIndex[i] ?? '') <= 0) {
                flip = i
                hidden = j
                break
            }
    if (flip === -1)
        return undetermined('R2', 'idCollation', `no case flip among the first ${byIndex.length} user ids`, ev)
    const cursor = byIndex[flip] ?? ''
    const expected = byIndex.slice(flip + 1, flip + 1 + PAGE)
    const keyset = await scim.send('GET', '/Users', { count: expected.length, attributes: 'id', filter: idGt(cursor) })
    if (!keyset.ok) return undetermined('R2', 'idCollation', '`id gt` paging failed', [...ev, evidence(keyset)])
    const got = idsOf(resourcesOf(keyset))
    const hiddenId = byIndex[hidden] ?? ''
    ev.push(evidence(keyset, `${got.length} ids: ${short(got)}`))
    if (got.length === expected.length && got.every((id, i) => id === expected[i])) {
        ev.push(`the same ids as startIndex ${flip + 2} on, across the case flip ${cursor} → ${hiddenId}`)
        return observed('R2', 'idCollation', 'binary', ev)
    }
    if (!got.includes(hiddenId)) {
        ev.push(`${hiddenId} (after ${cursor} in byte order) is missing: \`gt\` compares case-insensitively`)
        return observed('R2', 'idCollation', 'gtCaseInsensitive', ev)
    }
    ev.push(`expected ${short(expected)}`)
    return undetermined('R2', 'idCollation', '`id gt` and startIndex disagree in a way no variant models', ev)
}

/** Reads one list resource by keyset until more than `atLeast` items are seen, or its end. */
async function countPast(
    scim: ScimSession,
    path: string,
    atLeast: number
): Promise<{ count: number; first: Answer; ev: string[] } | { failed: Answer }> {
    const first = await scim.send('GET', path, { startIndex: 1, count: PAGE, excludedAttributes: 'members' })
    if (!first.ok) return { failed: first }
    const ev = [evidence(first, listSummary(first))]
    let ids = idsOf(resourcesOf(first))
    let count = ids.length
    while (count <= atLeast && ids.length === PAGE) {
        const next = await scim.send('GET', path, {
            count: PAGE,
            excludedAttributes: 'members',
            filter: idGt(ids[ids.length - 1] ?? ''),
        })
        if (!next.ok) return { failed: next }
        ids = idsOf(resourcesOf(next))
        count += ids.length
        ev.push(evidence(next, listSummary(next)))
    }
    return { count, first, ev }
}

/** R3: what an unfiltered `/Entitlements` read answers past its 200-record cap. */
export async function checkEntitlementsCap(scim: ScimSession): Promise<Finding> {
    const counted = await countPast(scim, '/Entitlements', 200)
    if ('failed' in counted)
        return undetermined('R3', 'entitlementsCap', 'reading /Entitlements failed', [evidence(counted.failed)])
    const { count, first, ev } = counted
    if (count <= 200)
        return undetermined(
            'R3',
            'entitlementsCap',
            `the org has ${count} entitlements (profiles and permission sets), not over 200`,
            ev
        )
    const firstTotal = totalResultsOf(first)
    const past = await scim.send('GET', '/Entitlements', {
        startIndex: 201,
        count: PAGE,
        excludedAttributes: 'members',
    })
    if (!past.ok) {
        ev.push(evidence(past))
        return past.status === 400
            ? observed('R3', 'entitlementsCap', 'badRequest', ev)
            : undetermined('R3', 'entitlementsCap', 'past the cap Salesforce failed other than with a 400', ev)
    }
    ev.push(evidence(past, listSummary(past)))
    if (past.body === undefined || past.body === '') return observed('R3', 'entitlementsCap', 'emptyBody', ev)
    if (resourcesOf(past).length > 0) return observed('R3', 'entitlementsCap', 'none', ev)
    if (firstTotal === 200) {
        ev.push(`over 200 by \`id gt\`, yet the first page says totalResults 200`)
        return observed('R3', 'entitlementsCap', 'cappedTotal', ev)
    }
    return observed('R3', 'entitlementsCap', 'emptyPage', ev)
}

/** R4: `totalResults` of `count=5`, and of `count=5` after the 5th id. */
export async function checkTotalResults(scim: ScimSession): Promise<Finding> {
    const first = await scim.send('GET', '/Users', { count: 5, attributes: 'id' })
    if (!first.ok) return undetermined('R4', 'totalResults', 'GET /Users failed', [evidence(first)])
    const ids = idsOf(resourcesOf(first))
    const ev = [evidence(first, listSummary(first))]
    const fifth = ids[4]
    if (fifth === undefined) return undetermined('R4', 'totalResults', 'the org shows fewer than 5 users', ev)
    const after = await scim.send('GET', '/Users', { count: 5, attributes: 'id', filter: idGt(fifth) })
    if (!after.ok) return undetermined('R4', 'totalResults', '`id gt` failed', [...ev, evidence(after)])
    ev.push(evidence(after, listSummary(after)))
    const t1 = totalResultsOf(first)
    const t2 = totalResultsOf(after)
    const n2 = resourcesOf(after).length
    if (t1 === undefined || t2 === undefined) return undetermined('R4', 'totalResults', 'no totalResults', ev)
    if (n2 === 0) return undetermined('R4', 'totalResults', 'the org shows only 5 users', ev)
    if (t1 === 5 && t2 === n2) return observed('R4', 'totalResults', 'pageSize', ev)
    if (t2 === t1 - 5) return observed('R4', 'totalResults', 'remaining', ev)
    if (t2 === t1) return observed('R4', 'totalResults', 'filterTotal', ev)
    return undetermined('R4', 'totalResults', `totalResults ${t1} then ${t2} fit no variant`, ev)
}

async function clampOn(scim: ScimSession, path: string, ev: string[]): Promise<Finding | undefined> {
    const page = await scim.send('GET', path, { count: PAGE })
    ev.push(evidence(page, listSummary(page)))
    if (!page.ok) return undefined
    const ids = idsOf(resourcesOf(page))
    if (ids.length > 100) return observed('R5', 'countClamp', 'none', ev)
    const last = ids[ids.length - 1]
    if (last === undefined) return undefined
    const more = await scim.send('GET', path, { count: 1, filter: idGt(last) })
    ev.push(evidence(more, listSummary(more)))
    if (!more.ok || resourcesOf(more).length === 0) return undefined
    if (ids.length === 100) return observed('R5', 'countClamp', 'clamp100', ev)
    return undetermined('R5', 'countClamp', `${path} served ${ids.length} of 200 while more exist`, ev)
}

/** R5: how many resources `count=200` brings, where more than 100 exist. */
export async function checkCountClamp(scim: ScimSession): Promise<Finding> {
    const ev: string[] = []
    const found = (await clampOn(scim, '/Users', ev)) ?? (await clampOn(scim, '/Entitlements', ev))
    return found ?? undetermined('R5', 'countClamp', 'neither /Users nor /Entitlements holds over 100 records', ev)
}

/** R6: a filter with a top-level `or`, which the pilot's appended `AND userType in (…)` breaks. */
export async function checkAppendedClause(scim: ScimSession): Promise<Finding> {
    const clause = 'active eq "true" or userType eq "Standard"'
    const bare = await scim.send('GET', '/Users', { count: 1, attributes: 'id', filter: clause })
    const bracketed = await scim.send('GET', '/Users', { count: 1, attributes: 'id', filter: `(${clause})` })
    const ev = [evidence(bare, listSummary(bare)), evidence(bracketed, listSummary(bracketed))]
    if (bare.ok) return observed('R6', 'userFilterClause', 'none', ev)
    if (bracketed.ok && bare.status === 400) return observed('R6', 'userFilterClause', 'appended', ev)
    return undetermined('R6', 'userFilterClause', 'the org refuses the `or` filter in brackets too', ev)
}

/** R13: `excludedAttributes=photos`, which the aggregation sends. */
export async function checkPhotos(scim: ScimSession): Promise<Finding> {
    const page = await scim.send('GET', '/Users', { count: 1, excludedAttributes: 'photos' })
    const ev = [evidence(page, listSummary(page))]
    if (page.ok) return observed('R13', 'photos', 'accepted', ev)
    if (page.status === 400 && /photos/i.test(page.message)) return observed('R13', 'photos', 'refused', ev)
    return undetermined('R13', 'photos', 'refused for another reason', ev)
}

/** How many list items R14 reads at most, from /Groups and from users' `groups`. */
const QUEUE_SCAN = 2000
/** Groups whose single GET R14 tries when the list says nothing of their type. */
const UNTYPED_SAMPLE = 25

/** R14: queues in the `/Groups` list (their single GET answers 404) and among users' `groups`. */
export async function checkQueues(scim: ScimSession, queueId?: string): Promise<Finding> {
    const ev: string[] = []
    const listed: Record<string, unknown>[] = []
    let cursor: string | undefined
    for (;;) {
        const page = await scim.send('GET', '/Groups', {
            count: PAGE,
            excludedAttributes: 'members',
            ...(cursor !== undefined ? { filter: idGt(cursor) } : {}),
        })
        if (!page.ok) return undetermined('R14', 'queues', 'reading /Groups failed', [evidence(page)])
        const resources = resourcesOf(page)
        if (cursor === undefined) ev.push(evidence(page, listSummary(page)))
        listed.push(...resources)
        cursor = idsOf(resources).pop()
        if (resources.length < PAGE || cursor === undefined || listed.length >= QUEUE_SCAN) break
    }
    const listedIds = new Set(idsOf(listed))
    const typed = listed.filter((g) => typeof g.type === 'string')
    const candidates =
        typed.length > 0 ? idsOf(typed.filter((g) => g.type !== 'Regular')) : idsOf(listed.slice(0, UNTYPED_SAMPLE))
    for (const id of candidates) {
        const single = await scim.send('GET', `/Groups/${id}`, { excludedAttributes: 'members' })
        if (!single.ok && single.status === 404) {
            ev.push(`${id} is in the /Groups list`, evidence(single))
            return observed('R14', 'queues', 'listed', ev)
        }
    }
    // Users' groups: a group id the /Groups list does not hold, whose single GET answers 404.
    const inUsers = new Set<string>()
    let userCursor: string | undefined
    for (let read = 0; read < QUEUE_SCAN; read += PAGE) {
        const page = await scim.send('GET', '/Users', {
            count: PAGE,
            attributes: 'groups',
            ...(userCursor !== undefined ? { filter: idGt(userCursor) } : {}),
        })
        if (!page.ok) break
        const users = resourcesOf(page)
        for (const u of users)
            for (const g of Array.isArray(u.groups) ? u.groups : [])
                if (isRecord(g) && typeof g.value === 'string') inUsers.add(g.value)
        userCursor = idsOf(users).pop()
        if (users.length < PAGE || userCursor === undefined) break
    }
    ev.push(`users' groups name ${inUsers.size} group ids`)
    for (const id of [...inUsers].filter((g) => !listedIds.has(g)).slice(0, UNTYPED_SAMPLE)) {
        const single = await scim.send('GET', `/Groups/${id}`, { excludedAttributes: 'members' })
        if (!single.ok && single.status === 404) {
            ev.push(`${id} is among a user's groups`, evidence(single))
            return observed('R14', 'queues', 'listed', ev)
        }
    }
    if (queueId !== undefined) {
        const seen = listedIds.has(queueId) || inUsers.has(queueId)
        ev.push(`the queue ${queueId} (--queue) is ${seen ? '' : 'neither '}in the /Groups list or users' groups`)
        return observed('R14', 'queues', seen ? 'listed' : 'hidden', ev)
    }
    return undetermined(
        'R14',
        'queues',
        'no queue seen in /Groups or users’ groups, and the org may have none: pass --queue <00G id of a queue>',
        ev
    )
}
