/**
 * The probe's checks of Salesforce's REST API behaviours the docs leave open (B1-B5): the query batch size
 * Salesforce really gives, deleted junction rows in `queryAll`, whether an unlock clears a lockout, whether a
 * Composite counts as one call, and the feature-license flags of the User describe. Each reads only, except B2
 * (on the probe's own test user) and B3 (only on a user the admin names for it).
 */
import { toId18 } from '../../src/salesforce/ids'
import { FEATURE_LICENSE_FIELD_PREFIX, KNOWN_FEATURE_LICENSE_FIELDS } from '../../src/salesforce/rest/objects'
import { REST_BASE_PATH } from '../../src/salesforce/rest/rest-client'
import { soqlString } from '../../src/salesforce/rest/soql'
import { Finding, observed, observedBehaviour, undetermined } from './findings'
import { Answer, RestSession, evidence, isRecord } from './scim'
import { TestUser } from './write-checks'

/** Rows of a query answer (none for a refusal). */
function recordsOf(answer: Answer): Record<string, unknown>[] {
    if (!answer.ok || !isRecord(answer.body) || !Array.isArray(answer.body.records)) return []
    return answer.body.records.filter(isRecord)
}

function totalSizeOf(answer: Answer): number | undefined {
    return answer.ok && isRecord(answer.body) && typeof answer.body.totalSize === 'number'
        ? answer.body.totalSize
        : undefined
}

const query = (rest: RestSession, soql: string, headers?: Record<string, string>): Promise<Answer> =>
    rest.send('GET', '/query', { q: soql }, undefined, headers)

/** Objects every integration user can count, the largest of which B1 pages through. */
const BATCH_CANDIDATES = ['User', 'PermissionSet', 'GroupMember', 'PermissionSetAssignment'] as const
/** The `batchSize` values B1 asks for: Salesforce takes 200 to 2,000 (default 2,000). */
const BATCH_SIZES = [200, 500, 1000, 2000] as const

/**
 * B1: the first batch of `SELECT Id FROM <the largest object>` under `Sforce-Query-Options: batchSize=N`, for each N
 * below the object's row count. Salesforce says the size asked is "not guaranteed".
 */
export async function checkRestBatchSize(rest: RestSession): Promise<Finding> {
    const ev: string[] = []
    const counts: [string, number][] = []
    for (const object of BATCH_CANDIDATES) {
        const answer = await query(rest, `SELECT COUNT() FROM ${object}`)
        const count = totalSizeOf(answer)
        if (count !== undefined) counts.push([object, count])
        else ev.push(evidence(answer))
    }
    const [object, rows] = counts.sort((a, b) => b[1] - a[1])[0] ?? ['', 0]
    ev.push(`counts: ${counts.map(([o, n]) => `${o} ${n}`).join(', ') || 'none readable'}`)
    const asks = BATCH_SIZES.filter((size) => size < rows)
    if (asks.length === 0)
        return undetermined('B1', 'restBatchSize', `no object the probe can read has over ${BATCH_SIZES[0]} rows`, ev)
    const given: [number, number][] = []
    for (const asked of asks) {
        const answer = await query(rest, `SELECT Id FROM ${object}`, { 'Sforce-Query-Options': `batchSize=${asked}` })
        if (!answer.ok)
            return undetermined('B1', 'restBatchSize', 'Salesforce refused the query', [...ev, evidence(answer)])
        given.push([asked, recordsOf(answer).length])
    }
    ev.push(`SELECT Id FROM ${object}: ${given.map(([a, n]) => `batchSize=${a} → ${n} rows`).join(', ')}`)
    return observed('B1', 'restBatchSize', given.every(([a, n]) => a === n) ? 'asked' : 'small', ev)
}

/**
 * B2: the test user put in a public group and given a permission set through REST, both rows deleted again, then
 * looked for in `queryAll` (which shows deleted rows Salesforce still keeps, IsDeleted true).
 */
export async function checkDeletedJunctionRows(
    rest: RestSession,
    user: TestUser,
    group: string | undefined,
    permissionSets: readonly string[]
): Promise<Finding> {
    const ev: string[] = []
    const kept: boolean[] = []
    // Looked for among the user's rows, as a delta run would ask for them.
    const roundTrip = async (object: string, fields: Record<string, string>, userField: string): Promise<boolean> => {
        const created = await rest.write('POST', `/sobjects/${object}`, fields)
        const id = created.ok && isRecord(created.body) && typeof created.body.id === 'string' ? created.body.id : ''
        ev.push(evidence(created, id !== '' ? `${id} created` : 'no id'))
        if (id === '') return false
        const deleted = await rest.send('DELETE', `/sobjects/${object}/${toId18(id)}`)
        ev.push(evidence(deleted, 'deleted'))
        if (!deleted.ok) return false
        const all = await rest.send('GET', '/queryAll', {
            q: `SELECT Id FROM ${object} WHERE ${userField} = ${soqlString(toId18(user.id))}`,
        })
        const shown = recordsOf(all).some((row) => typeof row.Id === 'string' && toId18(row.Id) === toId18(id))
        ev.push(evidence(all, shown ? 'the deleted row is listed' : 'no row'))
        if (all.ok) kept.push(shown)
        return true
    }
    if (group !== undefined) await roundTrip('GroupMember', { GroupId: group, UserOrGroupId: user.id }, 'UserOrGroupId')
    // A permission set may need a license the test user's profile lacks: candidates are tried in turn.
    for (const ps of permissionSets) {
        if (await roundTrip('PermissionSetAssignment', { AssigneeId: user.id, PermissionSetId: ps }, 'AssigneeId'))
            break
    }
    if (kept.length === 0)
        return undetermined('B2', 'deletedJunctionRows', 'no junction row could be created and deleted', ev)
    if (kept.every(Boolean)) return observed('B2', 'deletedJunctionRows', 'queryAll', ev)
    if (!kept.some(Boolean)) return observed('B2', 'deletedJunctionRows', 'gone', ev)
    return undetermined('B2', 'deletedJunctionRows', 'one object keeps its deleted rows, the other not', ev)
}

/**
 * B3: `PATCH UserLogin {IsPasswordLocked: false}` on a user the admin names, locked out by failed logins, then read
 * back. The API cannot lock a user, so without one named the check only counts the locked users.
 */
export async function checkUnlock(rest: RestSession, lockedUserId: string | undefined): Promise<Finding> {
    if (lockedUserId === undefined) {
        const answer = await query(rest, 'SELECT COUNT() FROM UserLogin WHERE IsPasswordLocked = true')
        const count = totalSizeOf(answer)
        return undetermined(
            'B3',
            'unlockClears',
            `pass --locked-user 005… (a user locked out by failed logins that the probe may unlock)` +
                (count !== undefined ? `; ${count} users are locked out now` : ''),
            [evidence(answer, count !== undefined ? `${count}` : 'ok')]
        )
    }
    const loginOf = (): Promise<Answer> =>
        query(rest, `SELECT Id, IsPasswordLocked FROM UserLogin WHERE UserId = ${soqlString(lockedUserId)}`)
    const before = await loginOf()
    const login = recordsOf(before)[0]
    const ev = [evidence(before, `IsPasswordLocked ${String(login?.IsPasswordLocked)}`)]
    if (login === undefined || typeof login.Id !== 'string')
        return undetermined('B3', 'unlockClears', 'no UserLogin row of that user is readable', ev)
    if (login.IsPasswordLocked !== true)
        return undetermined('B3', 'unlockClears', 'the user named is not locked out', ev)
    const unlocked = await rest.write('PATCH', `/sobjects/UserLogin/${toId18(login.Id)}`, { IsPasswordLocked: false })
    ev.push(evidence(unlocked, 'ok'))
    if (!unlocked.ok) return undetermined('B3', 'unlockClears', 'Salesforce refused the unlock', ev)
    const after = recordsOf(await loginOf())[0]
    ev.push(`read back → IsPasswordLocked ${String(after?.IsPasswordLocked)}`)
    if (typeof after?.IsPasswordLocked !== 'boolean')
        return undetermined('B3', 'unlockClears', 'the UserLogin row could not be read back', ev)
    return observedBehaviour('B3', 'unlockClears', after.IsPasswordLocked ? 'staysLocked' : 'clears', ev)
}

const ONE_ROW = 'SELECT Id FROM User LIMIT 1'
const COMPOSITE_QUERIES = 5
/** Other integrations share the org's count: a measurement they disturbed is taken again. */
const COMPOSITE_ATTEMPTS = 3

/**
 * B4: `Sforce-Limit-Info` read on a single query, a Composite of five queries and another single query: how far
 * the count moved for the Composite, where each single query moves it by one.
 */
export async function checkCompositeCalls(rest: RestSession): Promise<Finding> {
    const ev: string[] = []
    const composite = {
        allOrNone: false,
        compositeRequest: Array.from({ length: COMPOSITE_QUERIES }, (_, i) => ({
            method: 'GET',
            url: `${REST_BASE_PATH}/query?q=${encodeURIComponent(ONE_ROW)}`,
            referenceId: `q${i + 1}`,
        })),
    }
    for (let attempt = 1; attempt <= COMPOSITE_ATTEMPTS; attempt++) {
        const readings: number[] = []
        for (const send of [
            () => query(rest, ONE_ROW),
            () => rest.write('POST', '/composite', composite),
            () => query(rest, ONE_ROW),
        ]) {
            const answer = await send()
            const used = rest.usage()?.used
            if (!answer.ok || used === undefined)
                return undetermined('B4', 'compositeCalls', 'no Sforce-Limit-Info reading', [...ev, evidence(answer)])
            readings.push(used)
        }
        const [before = 0, afterComposite = 0, afterSingle = 0] = readings
        const forComposite = afterComposite - before
        ev.push(`api-usage ${readings.join(' → ')} (Composite of ${COMPOSITE_QUERIES} queries: +${forComposite})`)
        if (afterSingle - afterComposite !== 1) continue
        if (forComposite === 1) return observedBehaviour('B4', 'compositeCalls', 'one', ev)
        if (forComposite >= COMPOSITE_QUERIES) return observedBehaviour('B4', 'compositeCalls', 'perSubrequest', ev)
    }
    return undetermined('B4', 'compositeCalls', 'other calls moved the count each time it was measured', ev)
}

/** B5: the `UserPermissions*` booleans of the org's User describe, and which of them the connector does not know. */
export async function checkFeatureLicenseFlags(rest: RestSession): Promise<Finding> {
    const answer = await rest.send('GET', '/sobjects/User/describe')
    const fields = answer.ok && isRecord(answer.body) && Array.isArray(answer.body.fields) ? answer.body.fields : []
    const flags = fields
        .filter(isRecord)
        .filter((f) => typeof f.name === 'string' && f.name.startsWith(FEATURE_LICENSE_FIELD_PREFIX))
        .filter((f) => f.type === 'boolean')
        .map((f) => String(f.name))
        .sort()
    if (!answer.ok)
        return undetermined('B5', 'featureLicenseFlags', 'the User describe was refused', [evidence(answer)])
    const unknown = flags.filter((f) => KNOWN_FEATURE_LICENSE_FIELDS[f] === undefined)
    const ev = [
        evidence(answer, `${flags.length} UserPermissions* booleans`),
        `not among the documented ones: ${unknown.join(', ') || 'none'}`,
    ]
    return observedBehaviour('B5', 'featureLicenseFlags', flags.join(', ') || 'none', ev)
}
