/**
 * What the probe reports: for each unconfirmed behaviour (`real-org-review.md` §9 R1-R15 and §6 E12, and the REST
 * API's B1-B5), the variant of the emulator that models it (`emulator/variants.ts`), or the name of a REST behaviour
 * the emulator does not switch, and the value the org shows, or why it could not tell.
 */
import { VariantName, Variants } from '../../emulator'

/**
 * REST behaviours the docs leave open that the emulator has one answer for (no variant): the probe names them with
 * the values it can tell apart.
 */
export const REST_BEHAVIOUR_VALUES = {
    /** B3: `PATCH UserLogin {IsPasswordLocked: false}` on a locked-out user clears the lockout, or leaves it. */
    unlockClears: ['clears', 'staysLocked'],
    /** B4: a Composite request of several queries counts as one call in `Sforce-Limit-Info`, or one per query. */
    compositeCalls: ['one', 'perSubrequest'],
    /** B5: the feature-license flags (`UserPermissions*` booleans) the org's User describe shows: a list. */
    featureLicenseFlags: [],
} as const satisfies Readonly<Record<string, readonly string[]>>

export type RestBehaviour = keyof typeof REST_BEHAVIOUR_VALUES
/** What a finding is about: an emulator variant, or a REST behaviour it does not switch. */
export type Behaviour = VariantName | RestBehaviour

/** Each risk and the variants that model it, in the order the report lists them. */
export const RISK_VARIANTS = {
    R1: ['emptyEntitlementsReplace'],
    R2: ['idCollation'],
    R3: ['entitlementsCap'],
    R4: ['totalResults'],
    R5: ['countClamp'],
    R6: ['userFilterClause'],
    R7: ['replaceHiddenAssignments'],
    R8: ['userGroupsAndRoles'],
    R9: ['patchExtensionKeys', 'patchIdentityFields'],
    R10: ['createAliasUrn'],
    R11: ['emailChange'],
    R12: ['defaultNickName'],
    R13: ['photos'],
    R14: ['queues'],
    R15: ['createVisibility'],
    E12: ['groupRemoveNonMember'],
    B1: ['restBatchSize'],
    B2: ['deletedJunctionRows'],
    B3: ['unlockClears'],
    B4: ['compositeCalls'],
    B5: ['featureLicenseFlags'],
} as const satisfies Readonly<Record<string, readonly Behaviour[]>>

export type RiskId = keyof typeof RISK_VARIANTS
export const RISK_IDS = Object.keys(RISK_VARIANTS) as RiskId[]

/** Risks read without changing anything; the others need the test user. */
export const READ_ONLY_RISKS: readonly RiskId[] = ['R2', 'R3', 'R4', 'R5', 'R6', 'R13', 'R14', 'B1', 'B3', 'B4', 'B5']
/** Risks read through Salesforce's REST API rather than SCIM. */
export const REST_RISKS: readonly RiskId[] = ['B1', 'B2', 'B3', 'B4', 'B5']
/** Risks the probe does not try over SCIM, with why. */
export const NOT_PROBED: Partial<Record<RiskId, string>> = {
    R7: 'needs REST: not probed (permission-set-group assignments and expiry dates are invisible to SCIM; compare PermissionSetAssignment rows in SOQL before and after a replace)',
}

export interface Finding {
    readonly id: RiskId
    readonly variant: Behaviour
    /** One of `VARIANT_VALUES[variant]`, or undefined when the check could not decide. */
    readonly value: string | undefined
    /** Why the check could not decide (set when `value` is undefined). */
    readonly why?: string
    /** The requests made and the salient part of each answer. */
    readonly evidence: readonly string[]
}

export function observed<K extends VariantName>(
    id: RiskId,
    variant: K,
    value: Variants[K],
    evidence: readonly string[]
): Finding {
    return { id, variant, value, evidence }
}

/** A finding about a REST behaviour the emulator does not switch (`REST_BEHAVIOUR_VALUES`). */
export function observedBehaviour(
    id: RiskId,
    behaviour: RestBehaviour,
    value: string,
    evidence: readonly string[]
): Finding {
    return { id, variant: behaviour, value, evidence }
}

export function undetermined(id: RiskId, variant: Behaviour, why: string, evidence: readonly string[]): Finding {
    return { id, variant, value: undefined, why, evidence }
}

/** `R4 totalResults: remaining`, or `… undetermined (why)`. */
export function findingLine(f: Finding): string {
    return `${f.id} ${f.variant}: ${f.value ?? `undetermined (${f.why ?? 'no reason given'})`}`
}

function cell(text: string): string {
    return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

export interface ReportHeader {
    readonly org: string
    readonly when: string
    readonly testUser?: string
}

/** The Markdown block to paste into a bug report. */
export function renderReport(header: ReportHeader, findings: readonly Finding[]): string {
    const lines = [
        '### Salesforce SCIM and REST conformance probe (`npm run probe`)',
        '',
        `Org: ${header.org}; run at ${header.when}.${header.testUser !== undefined ? ` ${header.testUser}` : ''}`,
        'Variant names and values are those of the emulator (`emulator/variants.ts`); B3-B5 name REST behaviours it does not switch.',
        '',
        '| id | variant | observed | evidence |',
        '| --- | --- | --- | --- |',
    ]
    for (const f of findings) {
        const value = f.value !== undefined ? `\`${f.value}\`` : `undetermined: ${f.why ?? ''}`
        lines.push(`| ${f.id} | \`${f.variant}\` | ${cell(value)} | ${cell(f.evidence.join('; ') || '—')} |`)
    }
    return lines.join('\n')
}
