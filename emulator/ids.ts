import { prng } from './random'

/**
 * Salesforce record ids: a 3-character key prefix (005 User, 00e Profile, 0PS PermissionSet, 0PG PermissionSetGroup,
 * 00G Group, 00E UserRole, 00D Organization, and the junction and license objects the REST API serves: 0Pa
 * PermissionSetAssignment, 0PL PermissionSetLicense, 2LA PermissionSetLicenseAssign, 050 PackageLicense, 051
 * UserPackageLicense, 011 GroupMember, 0Yw UserLogin, 100 UserLicense; 01g is a query cursor), a 2-character pod (instance) code, a reserved digit and a 9-character
 * base-62 counter, plus the 3-character case-safe checksum that turns the 15-character id into the 18-character form
 * the API returns.
 *
 * Real ids are not tidy, and neither are these:
 * - the org lives on more than one pod: records made before the org moved carry the legacy pod's code, later ones
 *   the current pod's, which sorts *below* it; users created through the API while the emulator runs land on a third
 *   pod code that sorts below both, so a new user can get an id below a keyset cursor;
 * - counters are handed out in chunks (one per app server), so consecutive records have gaps between chunks;
 * - the counter alphabet is `0-9A-Z a-z`, so consecutive ids flip case in their last character (`…Z` then `…a`).
 * Salesforce compares ids as base-62 numbers, i.e. byte order: `0-9 < A-Z < a-z`.
 */

export const KEY_PREFIX = {
    user: '005',
    profile: '00e',
    permissionSet: '0PS',
    permissionSetGroup: '0PG',
    group: '00G',
    role: '00E',
    org: '00D',
    account: '001',
    contact: '003',
    permissionSetAssignment: '0Pa',
    permissionSetGroupComponent: '0PH',
    permissionSetLicense: '0PL',
    permissionSetLicenseAssign: '2LA',
    packageLicense: '050',
    userPackageLicense: '051',
    groupMember: '011',
    userLogin: '0Yw',
    userLicense: '100',
    queryLocator: '01g',
} as const

export type KeyPrefix = (typeof KEY_PREFIX)[keyof typeof KEY_PREFIX]

/** Pod codes (id characters 4-5). Each sorts below the one before it in byte order. */
export const POD = {
    /** Where the org started: the seed's oldest records. */
    legacy: 'i0',
    /** Where the org was moved to: records made after the move, the generated users among them. */
    current: '8d',
    /** Where users created through the API while the emulator runs land. */
    api: '1U',
} as const

export type Pod = (typeof POD)[keyof typeof POD]

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'
const COUNTER_WIDTH = 9

function base62(n: number, width: number): string {
    let out = ''
    let rest = Math.floor(n)
    while (rest > 0) {
        out = BASE62.charAt(rest % 62) + out
        rest = Math.floor(rest / 62)
    }
    if (out.length > width) throw new RangeError(`id counter ${n} does not fit in ${width} base-62 digits`)
    return out.padStart(width, '0')
}

/**
 * The 3-character suffix of an 18-character id: for each 5-character chunk of the 15-character id, a 5-bit number
 * whose bit i is set when the chunk's character i is an upper-case letter, written in `A-Z0-5`.
 */
export function checksumSuffix(id15: string): string {
    let suffix = ''
    for (let chunk = 0; chunk < 3; chunk++) {
        let bits = 0
        for (let i = 0; i < 5; i++) {
            const c = id15.charAt(chunk * 5 + i)
            if (c >= 'A' && c <= 'Z') bits |= 1 << i
        }
        suffix += CHECKSUM_ALPHABET.charAt(bits)
    }
    return suffix
}

export function makeId15(prefix: KeyPrefix, counter: number, pod: Pod = POD.legacy): string {
    return `${prefix}${pod}0${base62(counter, COUNTER_WIDTH)}`
}

export function makeId(prefix: KeyPrefix, counter: number, pod: Pod = POD.legacy): string {
    const id15 = makeId15(prefix, counter, pod)
    return id15 + checksumSuffix(id15)
}

/** The counter at which the last character of consecutive ids goes from `Y` to `Z`, then flips case to `a`. */
export function counterBeforeCaseFlip(block: number): number {
    return block * 62 + BASE62.indexOf('Y')
}

/** How an app server hands out ids: chunks of consecutive counters, each chunk after a gap. */
export interface ChunkShape {
    readonly minChunk: number
    readonly maxChunk: number
    readonly minGap: number
    readonly maxGap: number
}

/**
 * Hands out ids of one key prefix on one pod in chunks with gaps, deterministically from a seed. Ids rise within a
 * pod in the order they are taken.
 */
export class ChunkedIds {
    private readonly rand: () => number
    private next: number
    private leftInChunk: number

    constructor(
        private readonly prefix: KeyPrefix,
        private readonly pod: Pod,
        start: number,
        private readonly shape: ChunkShape,
        seed: number
    ) {
        this.rand = prng(seed)
        this.next = start
        this.leftInChunk = this.chunkLength()
    }

    take(): string {
        if (this.leftInChunk <= 0) {
            this.next += this.between(this.shape.minGap, this.shape.maxGap)
            this.leftInChunk = this.chunkLength()
        }
        this.leftInChunk--
        return makeId(this.prefix, this.next++, this.pod)
    }

    private chunkLength(): number {
        return this.between(this.shape.minChunk, this.shape.maxChunk)
    }

    private between(lo: number, hi: number): number {
        return lo + Math.floor(this.rand() * (hi - lo + 1))
    }
}

/** Ids of records created through the API at run time: one chunked sequence per key prefix, on the API pod. */
export class RuntimeIds {
    private readonly sequences = new Map<KeyPrefix, ChunkedIds>()

    constructor(private readonly seed: number) {}

    take(prefix: KeyPrefix): string {
        let seq = this.sequences.get(prefix)
        if (!seq) {
            // The first chunk starts just before a case flip, so the first few creates show one.
            seq = new ChunkedIds(
                prefix,
                POD.api,
                counterBeforeCaseFlip(4_000 + prefix.charCodeAt(2)),
                { minChunk: 3, maxChunk: 12, minGap: 2, maxGap: 900 },
                this.seed ^ prefix.charCodeAt(2)
            )
            this.sequences.set(prefix, seq)
        }
        return seq.take()
    }
}

export function hasPrefix(id: string, prefix: KeyPrefix): boolean {
    return id.startsWith(prefix)
}
