/**
 * The conformance probe as a function: says what it will do, asks, runs the read-only checks, then the write
 * checks on one test user, and always deactivates that user again.
 */
import { randomBytes } from 'crypto'
import { SalesforceConfig } from '../../src/config'
import { requireSalesforceId } from '../../src/salesforce/ids'
import { RetryTiming } from '../../src/http/retry-policy'
import {
    Finding,
    NOT_PROBED,
    READ_ONLY_RISKS,
    REST_RISKS,
    RISK_IDS,
    RISK_VARIANTS,
    RiskId,
    renderReport,
    undetermined,
} from './findings'
import {
    checkAppendedClause,
    checkCountClamp,
    checkEntitlementsCap,
    checkIdCollation,
    checkPhotos,
    checkQueues,
    checkTotalResults,
} from './read-checks'
import {
    checkCompositeCalls,
    checkDeletedJunctionRows,
    checkFeatureLicenseFlags,
    checkRestBatchSize,
    checkUnlock,
} from './rest-checks'
import { RestSession, ScimSession, isRecord, openRestSession, openScimSession } from './scim'
import {
    TestUser,
    TestUserPlan,
    anyRole,
    checkEmailChange,
    checkEmptyReplace,
    checkExtensionKeys,
    checkGroupRemoveNonMember,
    checkGroupsAndRoles,
    checkIdentityFields,
    createTestUser,
    permissionSetCandidates,
    publicGroup,
    retireTestUser,
} from './write-checks'

export interface ProbeOptions {
    readonly config: SalesforceConfig
    /** Risks to check (default: all). */
    readonly only?: readonly RiskId[]
    /** The test user's profile; default the source's Default Profile ID. */
    readonly profileId?: string
    /** The test user's username domain; default the integration user's. */
    readonly domain?: string
    /** A queue's id (`00G…`), which makes R14 decidable in an org where no queue shows. */
    readonly queueId?: string
    /** The permission set R1 gives the test user; default the first of the org's it can take. */
    readonly permissionSetId?: string
    /** The public group R8, E12 and B2 use; default the org's first. */
    readonly groupId?: string
    /**
     * A user locked out by failed logins that B3 may unlock (the API cannot lock one); without it B3 only counts
     * the locked users.
     */
    readonly lockedUserId?: string
    /** Asked with the plan before anything is sent; false stops the probe. Default: yes. */
    readonly confirm?: (plan: string) => Promise<boolean>
    /** One line per step, as the probe goes. */
    readonly progress?: (line: string) => void
    readonly timing?: RetryTiming
}

export interface ProbeResult {
    readonly findings: readonly Finding[]
    /** The Markdown block for a bug report. */
    readonly report: string
    readonly testUser?: { readonly id: string; readonly userName: string; readonly deactivated: boolean }
    /** Why the probe stopped early (the confirmation was refused, or no test user could be made). */
    readonly stopped?: string
}

/** Thrown for options the probe cannot run with; its message is meant to be printed alone. */
export class ProbeSetupError extends Error {
    override readonly name = 'ProbeSetupError'
}

const tagOf = (length: number): string =>
    [...randomBytes(length)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('')

/** The test user: a username over 40 characters (R12 needs one), the integration user's mailbox (plus-addressed). */
function testUserPlan(domain: string, profileId: string, adminEmail: string | undefined): TestUserPlan {
    const tag = tagOf(6)
    const padding = tagOf(Math.max(0, 45 - `probe.${tag}@${domain}`.length))
    const userName = `probe.${tag}${padding}@${domain}`
    const email = adminEmail ?? userName
    const [local, mailDomain] = email.split('@')
    return {
        userName,
        email,
        changedEmail: `${local ?? 'probe'}+probe${tag}@${mailDomain ?? domain}`,
        alias: `pc${tag}`,
        profileId,
        tag,
    }
}

/** What each write check does to the test user, for the plan the admin confirms. */
function changesOf(id: RiskId, plan: TestUserPlan): string | undefined {
    switch (id) {
        case 'R1':
            return 'gives it one permission set, then takes it away (a filtered remove, then an empty replace)'
        case 'R8':
            return 'adds it to one public group (removed again at the end) and gives it a role'
        case 'R9':
            return 'changes its alias twice, then its userName, externalId and phone'
        case 'R11':
            return `changes its email to ${plan.changedEmail} (Salesforce may send a confirmation mail there)`
        case 'E12':
            return 'asks one public group to remove it while it is not a member'
        case 'B2':
            return 'adds it to one public group and gives it one permission set through REST, then deletes both rows'
        default:
            return undefined
    }
}

function planText(
    selected: readonly RiskId[],
    plan: TestUserPlan | undefined,
    instance: string,
    lockedUserId: string | undefined
): string {
    const reads = selected.filter((id) => READ_ONLY_RISKS.includes(id))
    const writes = selected.filter((id) => !READ_ONLY_RISKS.includes(id) && NOT_PROBED[id] === undefined)
    const lines = [`The conformance probe will run against the org at ${instance}:`]
    if (reads.length > 0)
        lines.push(
            `- read-only checks ${reads.join(', ')}: it lists users, entitlements and groups` +
                (reads.some((id) => REST_RISKS.includes(id)) ? ', and queries and describes objects through REST' : '')
        )
    if (lockedUserId !== undefined && selected.includes('B3'))
        lines.push(`- B3: it unlocks the user ${lockedUserId} you named (UserLogin IsPasswordLocked false)`)
    if (plan === undefined) {
        lines.push('- no write check: nothing in the org is changed')
        return lines.join('\n')
    }
    lines.push(
        `- write checks ${writes.join(', ')}, on ONE test user it creates:`,
        `    username ${plan.userName}, profile ${plan.profileId}, email ${plan.email}`
    )
    for (const id of writes) {
        const change = changesOf(id, plan)
        if (change !== undefined) lines.push(`  ${id}: ${change}`)
    }
    lines.push(
        '- then it deactivates the test user, whatever happened. Salesforce never deletes users: the inactive',
        '  test user stays, and its username stays taken.'
    )
    return lines.join('\n')
}

/**
 * The ids the admin named, each checked and in its 18-character form (Setup shows 15), as the answers carry them.
 * @throws ProbeSetupError naming the option, before anything is sent.
 */
function idsOf(
    options: ProbeOptions
): Pick<ProbeOptions, 'profileId' | 'permissionSetId' | 'groupId' | 'queueId' | 'lockedUserId'> {
    const named = [
        ['profileId', 'profile', '--profile'],
        ['permissionSetId', 'permissionSet', '--permission-set'],
        ['groupId', 'group', '--group'],
        ['queueId', 'group', '--queue'],
        ['lockedUserId', 'user', '--locked-user'],
    ] as const
    const out: Record<string, string> = {}
    for (const [key, kind, flag] of named) {
        const value = options[key]
        if (value === undefined) continue
        try {
            out[key] = requireSalesforceId(value, kind, flag)
        } catch (err) {
            throw new ProbeSetupError(err instanceof Error ? err.message : String(err))
        }
    }
    return out
}

/** Runs one check; a check that throws is reported undetermined, with why, and the probe goes on. */
async function attempt(
    scim: ScimSession,
    id: RiskId,
    run: () => Promise<Finding | readonly Finding[]>
): Promise<Finding[]> {
    try {
        const found = await run()
        return 'id' in found ? [found] : [...found]
    } catch (err) {
        const why = `the check failed: ${scim.redact(err instanceof Error ? err.message : String(err))}`
        return RISK_VARIANTS[id].map((variant) => undetermined(id, variant, why, []))
    }
}

/**
 * Runs the probe. Read-only checks come first; the write checks share one test user, deactivated in all cases.
 * @throws ProbeSetupError for a malformed id in the options, an unreadable /Me, or write checks without a profile
 *   or username domain for the test user; anything a failed step throws, after the test user is deactivated.
 */
export async function runProbe(given: ProbeOptions): Promise<ProbeResult> {
    const options = { ...given, ...idsOf(given) }
    const selected = RISK_IDS.filter((id) => options.only === undefined || options.only.includes(id))
    const progress = options.progress ?? ((): void => undefined)
    const scim: ScimSession = openScimSession(options.config, options.timing)
    // Its own pipeline, so the API usage B4 reads comes from REST answers alone, in the order sent.
    const rest: RestSession = openRestSession(options.config, options.timing)
    const needsUser = selected.some((id) => !READ_ONLY_RISKS.includes(id) && NOT_PROBED[id] === undefined)

    const me = await scim.send('GET', '/Me')
    if (!me.ok) throw new ProbeSetupError(`The probe cannot read /Me: ${me.message}`)
    const meBody = isRecord(me.body) ? me.body : {}
    const enterprise = meBody['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']
    const orgId = isRecord(enterprise) && typeof enterprise.organization === 'string' ? enterprise.organization : '?'
    const instance = await scim.instanceUrl()
    const adminEmail = Array.isArray(meBody.emails) && isRecord(meBody.emails[0]) ? meBody.emails[0].value : undefined
    let plan: TestUserPlan | undefined
    if (needsUser) {
        const profile = options.profileId ?? options.config.defaultProfileId
        if (profile === undefined)
            throw new ProbeSetupError(
                'The write checks need a profile for the test user: set SF_DEFAULT_PROFILE_ID in .env or pass ' +
                    '--profile 00e… (or pick read-only checks with --only)'
            )
        const domain = options.domain ?? (typeof meBody.userName === 'string' ? meBody.userName.split('@')[1] : '')
        if (domain === undefined || domain === '')
            throw new ProbeSetupError('No username domain: pass --domain <a domain of the org’s users>')
        plan = testUserPlan(domain.toLowerCase(), profile, typeof adminEmail === 'string' ? adminEmail : undefined)
    }
    const header = { org: `${orgId} at ${instance}`, when: new Date().toISOString() }
    const confirmed =
        options.confirm === undefined ||
        (await options.confirm(planText(selected, plan, instance, options.lockedUserId)))
    if (!confirmed) return { findings: [], report: '', stopped: 'not confirmed: nothing was sent past /Me' }

    const findings: Finding[] = []
    const readChecks: Partial<Record<RiskId, () => Promise<Finding>>> = {
        R2: () => checkIdCollation(scim),
        R3: () => checkEntitlementsCap(scim),
        R4: () => checkTotalResults(scim),
        R5: () => checkCountClamp(scim),
        R6: () => checkAppendedClause(scim),
        R13: () => checkPhotos(scim),
        R14: () => checkQueues(scim, options.queueId),
        B1: () => checkRestBatchSize(rest),
        B3: () => checkUnlock(rest, options.lockedUserId),
        B4: () => checkCompositeCalls(rest),
        B5: () => checkFeatureLicenseFlags(rest),
    }
    for (const id of READ_ONLY_RISKS.filter((r) => selected.includes(r))) {
        const check = readChecks[id]
        if (check === undefined) continue
        findings.push(
            ...(await attempt(scim, id, async () => {
                progress(`${id}: reading`)
                return check()
            }))
        )
    }

    let user: TestUser | undefined
    let retired: { ok: boolean; lines: string[] } | undefined
    let stopped: string | undefined
    if (plan !== undefined) {
        const p = plan
        try {
            progress(`creating the test user ${p.userName}`)
            const created = await createTestUser(scim, p, new Set(selected))
            findings.push(...created.findings)
            user = created.user
            if (created.failure !== undefined || user === undefined) stopped = created.failure ?? 'no test user'
            else {
                progress(`created the test user ${user.id}`)
                await writeChecks({ scim, rest }, user, p, options, selected, progress, findings)
            }
        } finally {
            if (user !== undefined) {
                progress(`deactivating the test user ${user.id}`)
                retired = await retireTestUser(scim, user)
            }
        }
    }
    for (const id of selected) {
        const reason = NOT_PROBED[id]
        if (reason !== undefined) for (const v of RISK_VARIANTS[id]) findings.push(undetermined(id, v, reason, []))
        else if (stopped !== undefined && !findings.some((f) => f.id === id))
            for (const v of RISK_VARIANTS[id]) findings.push(undetermined(id, v, stopped, []))
    }
    findings.sort((a, b) => RISK_IDS.indexOf(a.id) - RISK_IDS.indexOf(b.id))

    const userLine =
        user === undefined
            ? undefined
            : retired?.ok === true
              ? `Test user ${user.id} (${user.userName}) created and deactivated.`
              : `Test user ${user.id} (${user.userName}) could NOT be confirmed deactivated: deactivate it in Setup → Users. ${retired?.lines.join('; ') ?? ''}`
    const report = scim.redact(
        renderReport({ ...header, ...(userLine !== undefined ? { testUser: userLine } : {}) }, findings)
    )
    return {
        findings,
        report,
        ...(user !== undefined
            ? { testUser: { id: user.id, userName: user.userName, deactivated: retired?.ok === true } }
            : {}),
        ...(stopped !== undefined ? { stopped } : {}),
    }
}

async function writeChecks(
    { scim, rest }: { readonly scim: ScimSession; readonly rest: RestSession },
    user: TestUser,
    plan: TestUserPlan,
    options: Pick<ProbeOptions, 'permissionSetId' | 'groupId'>,
    selected: readonly RiskId[],
    progress: (line: string) => void,
    findings: Finding[]
): Promise<void> {
    const run = async (id: RiskId, check: () => Promise<Finding | readonly Finding[]>): Promise<void> => {
        if (!selected.includes(id)) return
        findings.push(
            ...(await attempt(scim, id, async () => {
                progress(`${id}: changing the test user`)
                return check()
            }))
        )
    }
    await run('R9', async () => [
        await checkExtensionKeys(scim, user, plan.tag),
        await checkIdentityFields(scim, user, plan.tag),
    ])
    await run('R11', () => checkEmailChange(scim, user, plan))
    const permissionSets = async (): Promise<string[]> =>
        options.permissionSetId !== undefined ? [options.permissionSetId] : permissionSetCandidates(scim)
    await run('R1', async () => checkEmptyReplace(scim, user, await permissionSets()))
    const group =
        options.groupId !== undefined
            ? options.groupId
            : selected.includes('E12') || selected.includes('R8') || selected.includes('B2')
              ? await publicGroup(scim)
              : undefined
    await run('E12', async () =>
        group === undefined
            ? undetermined('E12', 'groupRemoveNonMember', 'the org has no public group', [])
            : checkGroupRemoveNonMember(scim, user, group)
    )
    // Before R8, which leaves the test user in the group until it is retired.
    await run('B2', async () => checkDeletedJunctionRows(rest, user, group, await permissionSets()))
    await run('R8', async () => checkGroupsAndRoles(scim, user, group, await anyRole(scim)))
}
