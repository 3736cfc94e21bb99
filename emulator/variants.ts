/**
 * Behaviours of Salesforce's SCIM service that no source confirms (`real-org-review.md` §9, R1-R15, and E12). Each
 * is a named, switchable variant; the default is the most plausible form, Salesforce's SCIM pilot's where the docs
 * are silent. Set them at start (`variants` option, `--variant name=value`) or at run time (`setVariants()`,
 * `PUT /__emulator/variants`).
 */

export interface Variants {
    /** R1: `replace {entitlements: []}` on a user. */
    emptyEntitlementsReplace: 'ignored' | 'clears'
    /** R2: the collation of `ORDER BY Id` and of `id gt` (binary = base-62 byte order). */
    idCollation: 'binary' | 'orderByCaseInsensitive' | 'gtCaseInsensitive'
    /** R3: how unfiltered `/Entitlements` enforces its 200-record cap (filtered reads are never capped). */
    entitlementsCap: 'emptyBody' | 'cappedTotal' | 'emptyPage' | 'badRequest' | 'none'
    /** R4: what a list's `totalResults` counts. */
    totalResults: 'remaining' | 'filterTotal' | 'pageSize'
    /** R5: `count` above 100 silently served as 100, or honoured up to 200. */
    countClamp: 'none' | 'clamp100'
    /** R6: Salesforce wraps a `/Users` filter as `( <filter> AND userType in (…) )`; a top-level `or` is refused. */
    userFilterClause: 'appended' | 'none'
    /** R7: a permission-set `replace` deletes the assignments SCIM does not show (groups, expiry dates). */
    replaceHiddenAssignments: 'deletes' | 'keeps'
    /** R8: user resources carry `groups` and `roles` arrays. */
    userGroupsAndRoles: 'present' | 'omitted'
    /** R9: how PATCH reads custom fields and the alias: flat `"<urn>:<attr>"` keys, nested `{<urn>: {attr}}`, or both. */
    patchExtensionKeys: 'flat' | 'nested' | 'both'
    /** R9: PATCH of `userName`, `externalId`, `phoneNumbers`. */
    patchIdentityFields: 'ignored' | 'applied'
    /** R10: the URNs a create reads the alias from. */
    createAliasUrn: '2.0' | 'both'
    /** R11: an email change waits until the user confirms it (a confirmation mail each time), or applies at once. */
    emailChange: 'held' | 'immediate'
    /** R12: the default CommunityNickname on create: the userName uncut (over 40 characters fails) or cut to 40. */
    defaultNickName: 'userName' | 'cut40'
    /** R13: `photos` (and `excludedAttributes=photos`) where photos are not accessible: refused, or known. */
    photos: 'accepted' | 'refused'
    /** R14: queues among a user's `groups` and in the `/Groups` list (their single GET/PATCH answer 404), or hidden. */
    queues: 'listed' | 'hidden'
    /** R15: a created user is visible to reads at once, or only after a commit delay (its username taken at once). */
    createVisibility: 'immediate' | 'delayed'
    /** E12: a group `remove` of a user who is not a member: a 500 (pilot), or a silent success. */
    groupRemoveNonMember: 'error500' | 'ok'
    /** REST query batches: the size asked (`Sforce-Query-Options: batchSize`, default 2,000) or 250 whatever is asked. */
    restBatchSize: 'asked' | 'small'
    /** Deleted GroupMember, PermissionSetAssignment, PermissionSetLicenseAssign and UserPackageLicense rows: gone, or kept for queryAll with IsDeleted true. */
    deletedJunctionRows: 'gone' | 'queryAll'
}

export type VariantName = keyof Variants

/** Every value each variant can take, the default first: tests iterate over it. */
export const VARIANT_VALUES: { readonly [K in VariantName]: readonly Variants[K][] } = {
    emptyEntitlementsReplace: ['ignored', 'clears'],
    idCollation: ['binary', 'orderByCaseInsensitive', 'gtCaseInsensitive'],
    entitlementsCap: ['emptyBody', 'cappedTotal', 'emptyPage', 'badRequest', 'none'],
    totalResults: ['remaining', 'filterTotal', 'pageSize'],
    countClamp: ['none', 'clamp100'],
    userFilterClause: ['appended', 'none'],
    replaceHiddenAssignments: ['deletes', 'keeps'],
    userGroupsAndRoles: ['present', 'omitted'],
    patchExtensionKeys: ['flat', 'nested', 'both'],
    patchIdentityFields: ['ignored', 'applied'],
    createAliasUrn: ['2.0', 'both'],
    emailChange: ['held', 'immediate'],
    defaultNickName: ['userName', 'cut40'],
    photos: ['accepted', 'refused'],
    queues: ['listed', 'hidden'],
    createVisibility: ['immediate', 'delayed'],
    groupRemoveNonMember: ['error500', 'ok'],
    restBatchSize: ['asked', 'small'],
    deletedJunctionRows: ['gone', 'queryAll'],
}

/** The defaults, each with its reason in the README ("Variants"). */
export const DEFAULT_VARIANTS: Readonly<Variants> = Object.freeze({
    emptyEntitlementsReplace: 'ignored',
    idCollation: 'binary',
    entitlementsCap: 'emptyBody',
    totalResults: 'remaining',
    countClamp: 'none',
    userFilterClause: 'appended',
    replaceHiddenAssignments: 'deletes',
    userGroupsAndRoles: 'present',
    patchExtensionKeys: 'flat',
    patchIdentityFields: 'ignored',
    createAliasUrn: '2.0',
    emailChange: 'held',
    defaultNickName: 'userName',
    photos: 'accepted',
    queues: 'listed',
    createVisibility: 'immediate',
    groupRemoveNonMember: 'error500',
    restBatchSize: 'asked',
    deletedJunctionRows: 'gone',
})

/** How long a created user stays invisible to reads under `createVisibility: 'delayed'`. */
export const CREATE_COMMIT_DELAY_MS = 1_500

/** A variant value that does not exist, with the values it may take. */
export class UnknownVariantError extends Error {
    constructor(message: string) {
        super(message)
        this.name = 'UnknownVariantError'
    }
}

function isVariantName(name: string): name is VariantName {
    return Object.prototype.hasOwnProperty.call(VARIANT_VALUES, name)
}

/**
 * Merge a partial, untrusted variant setting (from code, the CLI or the admin endpoint) over the current one.
 * @throws UnknownVariantError naming the variant or value that does not exist and the values allowed.
 */
export function mergeVariants(current: Readonly<Variants>, patch: Readonly<Record<string, unknown>>): Variants {
    const next: Record<string, unknown> = { ...current }
    for (const [name, value] of Object.entries(patch)) {
        if (value === undefined) continue
        if (!isVariantName(name))
            throw new UnknownVariantError(
                `unknown variant "${name}"; variants are ${Object.keys(VARIANT_VALUES).join(', ')}`
            )
        const allowed: readonly string[] = VARIANT_VALUES[name]
        if (typeof value !== 'string' || !allowed.includes(value))
            throw new UnknownVariantError(
                `variant ${name} cannot be ${JSON.stringify(value)}; it is one of ${allowed.join(', ')}`
            )
        next[name] = value
    }
    return next as unknown as Variants
}

/** The variants as one mutable holder, shared by every route of a running emulator. */
export class VariantSwitch {
    private values: Variants

    constructor(initial: Readonly<Partial<Variants>> = {}) {
        this.values = mergeVariants(DEFAULT_VARIANTS, initial)
    }

    get current(): Readonly<Variants> {
        return this.values
    }

    set(patch: Readonly<Record<string, unknown>>): Variants {
        this.values = mergeVariants(this.values, patch)
        return { ...this.values }
    }
}
