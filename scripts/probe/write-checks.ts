/**
 * The probe's write checks, each on the one test user it creates: creating it (R10, R12, R15), changing it (R1, R8,
 * R9, R11), a group remove of it as a non-member (E12), and retiring it again (deactivated: Salesforce never
 * deletes users).
 */
import { SALESFORCE_USER_EXTENSION, SCIM_PATCH_SCHEMA, SCIM_USER_SCHEMA } from '../../src/salesforce/types'
import { quoteFilterValue } from '../../src/salesforce/scim-filter'
import { Finding, RiskId, observed, undetermined } from './findings'
import { Answer, ScimSession, evidence, idsOf, isRecord, resourcesOf } from './scim'

/** Where the pilot's create reads the alias (R10); the connector writes it under 1.0. */
const ALIAS_URN_20 = 'urn:salesforce:schemas:extension:2.0'
/** Salesforce's CommunityNickname is at most 40 characters (R12). */
const NICKNAME_MAX = 40
/** How long the probe waits for a created user to become visible (R15). */
const VISIBILITY_TIMEOUT_MS = 30_000
const VISIBILITY_POLL_MS = 250

export interface TestUserPlan {
    readonly userName: string
    readonly email: string
    /** The address R11 changes the email to: the same mailbox, plus-addressed. */
    readonly changedEmail: string
    readonly alias: string
    readonly profileId: string
    /** Random text for values the checks write (alias, externalId, userName). */
    readonly tag: string
}

export interface TestUser {
    readonly id: string
    userName: string
    /** The public group the probe added it to, until it is removed again. */
    joinedGroup?: string
}

const patch = (...Operations: readonly Record<string, unknown>[]): Record<string, unknown> => ({
    schemas: [SCIM_PATCH_SCHEMA],
    Operations,
})
const members = (op: 'add' | 'remove', userId: string): Record<string, unknown> =>
    patch({ op, path: 'members', value: { members: [{ value: userId }] } })

export async function readUser(scim: ScimSession, id: string): Promise<Record<string, unknown> | undefined> {
    const answer = await scim.send('GET', `/Users/${id}`)
    return answer.ok && isRecord(answer.body) && answer.body.id === id ? answer.body : undefined
}

function aliasOf(user: Record<string, unknown> | undefined): string | undefined {
    for (const urn of [SALESFORCE_USER_EXTENSION, ALIAS_URN_20]) {
        const block = user?.[urn]
        if (isRecord(block) && typeof block.alias === 'string') return block.alias
    }
    return undefined
}

function valuesOf(list: unknown): string[] {
    return Array.isArray(list)
        ? list.flatMap((item) => (isRecord(item) && typeof item.value === 'string' ? [item.value] : []))
        : []
}

async function findByUserName(scim: ScimSession, userName: string): Promise<Answer> {
    return scim.send('GET', '/Users', { filter: `userName eq ${quoteFilterValue(userName)}`, count: 1 })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export interface CreateOutcome {
    /** The test user, to retire even when the create failed (its answer lost, the user made). */
    readonly user?: TestUser
    readonly findings: readonly Finding[]
    /** Why the write checks cannot run. */
    readonly failure?: string
}

/**
 * Creates the test user: a userName over 40 characters and no nickName when R12 is asked (retried once with a
 * nickName if that fails on the nickname), the alias under the 1.0 URN only (R10), and looks it up by userName
 * at once, as the connector does after a lost create (R15).
 */
export async function createTestUser(
    scim: ScimSession,
    plan: TestUserPlan,
    selected: ReadonlySet<RiskId>
): Promise<CreateOutcome> {
    const findings: Finding[] = []
    const body = (nickName: string | undefined): Record<string, unknown> => ({
        schemas: [SCIM_USER_SCHEMA],
        userName: plan.userName,
        name: { givenName: 'Probe', familyName: 'Conformance Probe' },
        emails: [{ value: plan.email, type: 'work', primary: true }],
        entitlements: [{ value: plan.profileId }],
        [SALESFORCE_USER_EXTENSION]: { alias: plan.alias },
        ...(nickName !== undefined ? { nickName } : {}),
    })
    const described = (withNick: boolean): string =>
        `POST /Users (userName of ${plan.userName.length} characters, ${withNick ? 'a nickName' : 'no nickName'}, alias under ${SALESFORCE_USER_EXTENSION})`
    const nickName = `probe${plan.tag}`.slice(0, NICKNAME_MAX)
    let withNick = !selected.has('R12')
    let created = await scim.write('POST', '/Users', body(withNick ? nickName : undefined))
    if (selected.has('R12')) {
        const ev = [evidence({ ...created, request: described(false) }, created.ok ? 'created' : undefined)]
        if (!created.ok && /nick ?name/i.test(created.message)) {
            findings.push(observed('R12', 'defaultNickName', 'userName', ev))
            withNick = true
            created = await scim.write('POST', '/Users', body(nickName))
        } else if (created.ok && isRecord(created.body)) {
            const nick = created.body.nickName
            ev.push(`nickName ${typeof nick === 'string' ? `of ${nick.length} characters` : 'absent'}`)
            findings.push(
                nick === plan.userName.slice(0, NICKNAME_MAX)
                    ? observed('R12', 'defaultNickName', 'cut40', ev)
                    : undetermined('R12', 'defaultNickName', 'the default nickName is not the userName cut to 40', ev)
            )
        } else findings.push(undetermined('R12', 'defaultNickName', 'the create failed for another reason', ev))
    }
    if (!created.ok || !isRecord(created.body) || typeof created.body.id !== 'string') {
        const failure = `creating the test user failed: ${evidence(created)}`
        // An answer lost on the way (timeout, dropped connection) may hide a user that was made: retire it too.
        const made = idsOf(resourcesOf(await findByUserName(scim, plan.userName)))[0]
        return made === undefined
            ? { findings, failure }
            : { user: { id: made, userName: plan.userName }, findings, failure }
    }
    const user: TestUser = { id: created.body.id, userName: plan.userName }

    // R15: the lookup the connector makes when a create's answer was lost, right after the answer.
    const lookup = await findByUserName(scim, plan.userName)
    const visibleAtOnce = idsOf(resourcesOf(lookup)).includes(user.id)
    const started = Date.now()
    let visible = visibleAtOnce
    while (!visible && Date.now() - started < VISIBILITY_TIMEOUT_MS) {
        await sleep(VISIBILITY_POLL_MS)
        visible = idsOf(resourcesOf(await findByUserName(scim, plan.userName))).includes(user.id)
    }
    if (selected.has('R15')) {
        const ev = [
            `\`POST /Users\` → created ${user.id}`,
            evidence(lookup, visibleAtOnce ? 'found' : 'not found'),
            ...(visibleAtOnce
                ? []
                : [visible ? `found after ${Date.now() - started} ms` : 'still not found after 30 s']),
        ]
        findings.push(
            visibleAtOnce
                ? observed('R15', 'createVisibility', 'immediate', ev)
                : visible
                  ? observed('R15', 'createVisibility', 'delayed', ev)
                  : undetermined('R15', 'createVisibility', 'the created user never became visible', ev)
        )
    }
    if (selected.has('R10')) {
        const alias = aliasOf(await readUser(scim, user.id))
        const ev = [`${described(withNick)} with alias ${plan.alias}`, `\`GET /Users/${user.id}\` → alias ${alias}`]
        findings.push(
            alias === undefined
                ? undetermined('R10', 'createAliasUrn', 'the user resource carries no alias', ev)
                : observed('R10', 'createAliasUrn', alias === plan.alias ? 'both' : '2.0', ev)
        )
    }
    return { user, findings }
}

/** R9: the alias written as a flat `"<urn>:alias"` key, then nested under the URN. */
export async function checkExtensionKeys(scim: ScimSession, user: TestUser, tag: string): Promise<Finding> {
    const ev: string[] = []
    const tries = async (form: string, value: Record<string, unknown>, alias: string): Promise<boolean> => {
        const answer = await scim.write('PATCH', `/Users/${user.id}`, patch({ op: 'replace', value }))
        const now = aliasOf(await readUser(scim, user.id))
        ev.push(`${evidence(answer, 'ok')} (${form} alias ${alias}); GET → alias ${now}`)
        return now === alias
    }
    const flatAlias = `pf${tag}`.slice(0, 8)
    const nestedAlias = `pn${tag}`.slice(0, 8)
    const flat = await tries('flat', { [`${SALESFORCE_USER_EXTENSION}:alias`]: flatAlias }, flatAlias)
    const nested = await tries('nested', { [SALESFORCE_USER_EXTENSION]: { alias: nestedAlias } }, nestedAlias)
    if (flat && nested) return observed('R9', 'patchExtensionKeys', 'both', ev)
    if (flat) return observed('R9', 'patchExtensionKeys', 'flat', ev)
    if (nested) return observed('R9', 'patchExtensionKeys', 'nested', ev)
    return undetermined('R9', 'patchExtensionKeys', 'neither form changed the alias', ev)
}

/** R9: PATCH of `userName`, `externalId` and `phoneNumbers`, each alone, then read back. */
export async function checkIdentityFields(scim: ScimSession, user: TestUser, tag: string): Promise<Finding> {
    const [local, domain] = user.userName.split('@')
    const wanted = {
        userName: `${local ?? 'probe'}.renamed@${domain ?? 'example.com'}`,
        externalId: `probe-${tag}`,
        phone: '+1 555 0100',
    }
    const ev: string[] = []
    const values: Record<string, unknown>[] = [
        { userName: wanted.userName },
        { externalId: wanted.externalId },
        { phoneNumbers: [{ type: 'work', value: wanted.phone }] },
    ]
    for (const value of values) {
        const answer = await scim.write('PATCH', `/Users/${user.id}`, patch({ op: 'replace', value }))
        ev.push(`${evidence(answer, 'ok')} (${Object.keys(value).join(', ')})`)
    }
    const after = await readUser(scim, user.id)
    const applied = {
        userName: typeof after?.userName === 'string' && after.userName.toLowerCase() === wanted.userName,
        externalId: after?.externalId === wanted.externalId,
        phoneNumbers: valuesOf(after?.phoneNumbers).includes(wanted.phone),
    }
    if (applied.userName) user.userName = wanted.userName
    const took = Object.entries(applied).filter(([, yes]) => yes)
    ev.push(`GET → applied: ${took.map(([name]) => name).join(', ') || 'none'}`)
    if (took.length === 3) return observed('R9', 'patchIdentityFields', 'applied', ev)
    if (took.length === 0) return observed('R9', 'patchIdentityFields', 'ignored', ev)
    return undetermined('R9', 'patchIdentityFields', 'some of the three fields were applied, not all', ev)
}

/** R11: an email change, then read back. */
export async function checkEmailChange(scim: ScimSession, user: TestUser, plan: TestUserPlan): Promise<Finding> {
    const value = { emails: [{ value: plan.changedEmail, type: 'work', primary: true }] }
    const answer = await scim.write('PATCH', `/Users/${user.id}`, patch({ op: 'replace', value }))
    const email = valuesOf((await readUser(scim, user.id))?.emails)[0]?.toLowerCase()
    const ev = [`${evidence(answer, 'ok')} (emails: ${plan.changedEmail})`, `GET → email ${email}`]
    if (email === plan.changedEmail.toLowerCase()) return observed('R11', 'emailChange', 'immediate', ev)
    if (email === plan.email.toLowerCase()) return observed('R11', 'emailChange', 'held', ev)
    return undetermined('R11', 'emailChange', 'the email is neither the old nor the new one', ev)
}

/**
 * R1: one permission set added, then a filtered `remove` of it (evidence only), then `replace {entitlements: []}`.
 * Candidates are tried in turn: a permission set may need a license the test user's profile lacks.
 */
export async function checkEmptyReplace(
    scim: ScimSession,
    user: TestUser,
    candidates: readonly string[]
): Promise<Finding> {
    const ev: string[] = []
    const holds = async (ps: string): Promise<boolean> =>
        valuesOf((await readUser(scim, user.id))?.entitlements).includes(ps)
    const add = async (ps: string): Promise<Answer> =>
        scim.write('PATCH', `/Users/${user.id}`, patch({ op: 'add', value: { entitlements: [{ value: ps }] } }))
    let assigned: string | undefined
    for (const ps of candidates) {
        const answer = await add(ps)
        if (answer.ok && (await holds(ps))) {
            ev.push(evidence(answer, `${ps} assigned`))
            assigned = ps
            break
        }
        if (!answer.ok) ev.push(evidence(answer))
    }
    if (assigned === undefined)
        return undetermined('R1', 'emptyEntitlementsReplace', 'no permission set could be given to the test user', ev)
    const filtered = await scim.write(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'remove', path: `entitlements[value eq ${quoteFilterValue(assigned)}]` })
    )
    const afterFiltered = await holds(assigned)
    ev.push(`${evidence(filtered, 'ok')} (filtered remove); GET → ${afterFiltered ? 'still held' : 'removed'}`)
    if (!afterFiltered) await add(assigned)
    const emptied = await scim.write(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', value: { entitlements: [] } })
    )
    const afterEmpty = await holds(assigned)
    ev.push(`${evidence(emptied, 'ok')} (replace entitlements: []); GET → ${afterEmpty ? 'still held' : 'removed'}`)
    if (!emptied.ok) return undetermined('R1', 'emptyEntitlementsReplace', 'Salesforce refused the empty replace', ev)
    return observed('R1', 'emptyEntitlementsReplace', afterEmpty ? 'ignored' : 'clears', ev)
}

/** E12: a group `remove` of the test user, who is not a member. */
export async function checkGroupRemoveNonMember(scim: ScimSession, user: TestUser, group: string): Promise<Finding> {
    const answer = await scim.write('PATCH', `/Groups/${group}`, members('remove', user.id))
    const ev = [evidence(answer, 'ok') + ' (the test user is not a member)']
    if (answer.ok) return observed('E12', 'groupRemoveNonMember', 'ok', ev)
    if (answer.status === 500) return observed('E12', 'groupRemoveNonMember', 'error500', ev)
    return undetermined('E12', 'groupRemoveNonMember', 'refused other than with a 500', ev)
}

/** R8: the test user in a public group and given a role, then read back. */
export async function checkGroupsAndRoles(
    scim: ScimSession,
    user: TestUser,
    group: string | undefined,
    role: string | undefined
): Promise<Finding> {
    const ev: string[] = []
    if (group !== undefined) {
        const joined = await scim.write('PATCH', `/Groups/${group}`, members('add', user.id))
        ev.push(evidence(joined, 'ok'))
        if (joined.ok) user.joinedGroup = group
    }
    if (role !== undefined) {
        const value = { roles: [{ value: role }] }
        ev.push(evidence(await scim.write('PATCH', `/Users/${user.id}`, patch({ op: 'replace', value })), 'ok'))
    }
    const after = await readUser(scim, user.id)
    const shown: boolean[] = []
    if (user.joinedGroup !== undefined) shown.push(valuesOf(after?.groups).includes(group ?? ''))
    if (role !== undefined) shown.push(valuesOf(after?.roles).includes(role))
    ev.push(`GET → groups ${JSON.stringify(valuesOf(after?.groups))}, roles ${JSON.stringify(valuesOf(after?.roles))}`)
    if (shown.length === 0)
        return undetermined('R8', 'userGroupsAndRoles', 'the org has no public group or role to give the test user', ev)
    if (shown.every(Boolean)) return observed('R8', 'userGroupsAndRoles', 'present', ev)
    if (!shown.some(Boolean)) return observed('R8', 'userGroupsAndRoles', 'omitted', ev)
    return undetermined('R8', 'userGroupsAndRoles', 'one array is shown, the other not', ev)
}

/**
 * Takes the test user out of the group it joined and deactivates it (DELETE, as the connector's disable does),
 * then reads it back. Never throws: it is what runs after a failure too.
 * @returns one line per step, for the report.
 */
export async function retireTestUser(scim: ScimSession, user: TestUser): Promise<{ ok: boolean; lines: string[] }> {
    const lines: string[] = []
    try {
        if (user.joinedGroup !== undefined) {
            const left = await scim.write('PATCH', `/Groups/${user.joinedGroup}`, members('remove', user.id))
            lines.push(evidence(left, 'removed from the group'))
        }
        const deleted = await scim.send('DELETE', `/Users/${user.id}`)
        lines.push(evidence(deleted, 'deactivated'))
        const after = await readUser(scim, user.id)
        return { ok: deleted.ok && after?.active === false, lines }
    } catch (err) {
        lines.push(`deactivating failed: ${scim.redact(err instanceof Error ? err.message : String(err))}`)
        return { ok: false, lines }
    }
}

/** Permission sets of the org, from /Entitlements' first page. */
export async function permissionSetCandidates(scim: ScimSession, limit = 5): Promise<string[]> {
    const page = await scim.send('GET', '/Entitlements', { count: 200, excludedAttributes: 'members' })
    return resourcesOf(page)
        .filter((e) => e.type === 'Permission Set')
        .flatMap((e) => (typeof e.id === 'string' ? [e.id] : []))
        .slice(0, limit)
}

/** A public group whose single GET answers (a queue's answers 404). */
export async function publicGroup(scim: ScimSession): Promise<string | undefined> {
    const page = await scim.send('GET', '/Groups', { count: 25, excludedAttributes: 'members' })
    for (const g of resourcesOf(page)) {
        if (typeof g.id !== 'string' || (typeof g.type === 'string' && g.type !== 'Regular')) continue
        if ((await scim.send('GET', `/Groups/${g.id}`, { excludedAttributes: 'members' })).ok) return g.id
    }
    return undefined
}

export async function anyRole(scim: ScimSession): Promise<string | undefined> {
    return idsOf(resourcesOf(await scim.send('GET', '/Roles', { count: 1 })))[0]
}
