/**
 * Salesforce record ids: a 3-character key prefix (005 User, 00e Profile, 0PS PermissionSet, 00G Group,
 * 00E UserRole, 00D Organization), a 2-character pod code, a reserved digit and a 9-character base-62 counter,
 * plus the 3-character case-safe checksum that turns the 15-character id into the 18-character form the API returns.
 *
 * The counter alphabet is in ASCII order (digits, then upper case, then lower case), so plain string comparison of
 * two ids with the same prefix follows creation order. That is what makes `filter=id gt "<last id>"` keyset paging
 * behave like Salesforce's `ORDER BY Id`.
 */

export const KEY_PREFIX = {
    user: '005',
    profile: '00e',
    permissionSet: '0PS',
    group: '00G',
    role: '00E',
    org: '00D',
    account: '001',
    contact: '003',
} as const

export type KeyPrefix = (typeof KEY_PREFIX)[keyof typeof KEY_PREFIX]

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'
const POD = 'Dn'
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

/** The 3-character suffix of an 18-character id: one character per 5-character chunk, encoding which are upper case. */
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

export function makeId15(prefix: KeyPrefix, counter: number): string {
    return `${prefix}${POD}0${base62(counter, COUNTER_WIDTH)}`
}

export function makeId(prefix: KeyPrefix, counter: number): string {
    const id15 = makeId15(prefix, counter)
    return id15 + checksumSuffix(id15)
}

/** Hands out ids per key prefix in ascending order. */
export class IdSequence {
    private readonly next = new Map<KeyPrefix, number>()

    constructor(private readonly start = 1) {}

    take(prefix: KeyPrefix): string {
        const n = this.next.get(prefix) ?? this.start
        this.next.set(prefix, n + 1)
        return makeId(prefix, n)
    }

    /** Advance a prefix's counter so later ids sort after ones made elsewhere (e.g. by the generator). */
    reserve(prefix: KeyPrefix, upTo: number): void {
        const n = this.next.get(prefix) ?? this.start
        if (upTo + 1 > n) this.next.set(prefix, upTo + 1)
    }

    peek(prefix: KeyPrefix): number {
        return this.next.get(prefix) ?? this.start
    }
}

export function hasPrefix(id: string, prefix: KeyPrefix): boolean {
    return id.startsWith(prefix)
}
