import { InvalidRequestError } from '../errors'

/**
 * Salesforce record ids: their format, the key prefixes of the objects this connector touches, the 15-to-18
 * character normalisation, and the order Salesforce compares them in. Every id rule lives here.
 */

/** Key prefixes (first three characters, case-sensitive) of the objects this connector reads. */
export const SALESFORCE_ID_PREFIX = {
    user: '005',
    profile: '00e',
    permissionSet: '0PS',
    group: '00G',
    role: '00E',
    // A queue is a Group row of type Queue: the same prefix as a public group.
    queue: '00G',
    permissionSetGroup: '0PG',
    permissionSetLicense: '0PL',
    packageLicense: '050',
    permissionSetAssignment: '0Pa',
    permissionSetLicenseAssign: '2LA',
    userPackageLicense: '051',
    groupMember: '011',
    userLogin: '0Yw',
} as const
export type SalesforceIdKind = keyof typeof SALESFORCE_ID_PREFIX

const ID_LABEL: Readonly<Record<SalesforceIdKind, string>> = {
    user: 'user',
    profile: 'profile',
    permissionSet: 'permission set',
    group: 'public group',
    role: 'role',
    queue: 'queue',
    permissionSetGroup: 'permission set group',
    permissionSetLicense: 'permission set license',
    packageLicense: 'package license',
    permissionSetAssignment: 'permission set assignment',
    permissionSetLicenseAssign: 'permission set license assignment',
    userPackageLicense: 'package license assignment',
    groupMember: 'group member',
    userLogin: 'user login',
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/
/** The suffix alphabet: each suffix character encodes which of five id characters are upper-case letters. */
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'

function isUpper(char: string): boolean {
    return char >= 'A' && char <= 'Z'
}

/** The three-character suffix that makes a 15-character (case-sensitive) id safe to compare case-insensitively. */
export function idSuffix(id15: string): string {
    let suffix = ''
    for (let block = 0; block < 3; block++) {
        let bits = 0
        for (let i = 0; i < 5; i++) if (isUpper(id15.charAt(block * 5 + i))) bits |= 1 << i
        suffix += SUFFIX_ALPHABET.charAt(bits)
    }
    return suffix
}

function describe(kinds: readonly SalesforceIdKind[]): { what: string; prefixes: string } {
    return {
        what: kinds.length === 0 ? 'Salesforce' : kinds.map((k) => `Salesforce ${ID_LABEL[k]}`).join(' or '),
        prefixes: kinds.map((k) => SALESFORCE_ID_PREFIX[k]).join(' or '),
    }
}

function shown(id: string): string {
    return JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)
}

/**
 * The id in the 18-character form the API returns: a 15-character id (as Setup URLs show) gets its checksum
 * suffix, and a suffix written in lower case is upper-cased. The first fifteen characters are kept as they are:
 * Salesforce compares ids case-sensitively.
 * @throws InvalidRequestError for anything that is not a Salesforce id of one of the given kinds.
 */
export function toId18(id: string, ...kinds: readonly SalesforceIdKind[]): string {
    const prefixOk = kinds.length === 0 || kinds.some((kind) => String(id).startsWith(SALESFORCE_ID_PREFIX[kind]))
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || !prefixOk) {
        const { what, prefixes } = describe(kinds)
        throw new InvalidRequestError(
            `${shown(String(id))} is not a ${what} id: expected 15 or 18 letters and digits` +
                (prefixes !== '' ? ` starting with ${prefixes}` : '')
        )
    }
    const key = id.slice(0, 15)
    const suffix = idSuffix(key)
    // An 18-character id keeps its own suffix when that does not match: it is not one Salesforce issued, and
    // Salesforce, not the connector, should be the one to say it names nothing.
    const normalised = id.length === 15 || id.slice(15).toUpperCase() === suffix ? key + suffix : id
    return normalised
}

/**
 * Checks an id before it goes into a URL path, so nothing but a Salesforce id (of one of the given kinds, when
 * given) can change which resource a request addresses; returns it in its 18-character form.
 * @throws InvalidRequestError naming the expected kind and prefix.
 */
export function assertSalesforceId(id: string, ...kinds: readonly SalesforceIdKind[]): string {
    return toId18(id, ...kinds)
}

/** Whether `value` is a 15- or 18-character Salesforce id (of that kind: prefixes are case-sensitive). */
export function isSalesforceId(value: unknown, kind?: SalesforceIdKind): boolean {
    if (typeof value !== 'string') return false
    try {
        if (kind === undefined) toId18(value)
        else toId18(value, kind)
        return true
    } catch {
        return false
    }
}

/**
 * The value as an 18-character Salesforce id of that kind.
 * @throws InvalidRequestError naming `what` and the expected prefix, so nothing malformed reaches Salesforce.
 */
export function requireSalesforceId(value: string, kind: SalesforceIdKind, what: string): string {
    try {
        return toId18(value, kind)
    } catch (err) {
        if (err instanceof InvalidRequestError) throw new InvalidRequestError(`${what}: ${err.message}`)
        throw err
    }
}

/** Whether two ids name the same record, whichever length and suffix case each was written in. */
export function sameId(a: string, b: string): boolean {
    return a.slice(0, 15) === b.slice(0, 15) && a.length >= 15 && b.length >= 15
}

/**
 * Salesforce's id order: the 15-character key compared as a base-62 number in the alphabet `0-9A-Za-z`, which is
 * byte (ASCII) order. Never `localeCompare` or lower-casing: those disagree with SOQL's `Id >` on every case flip.
 * Negative, zero or positive as `a` sorts before, with or after `b`.
 */
export function compareIds(a: string, b: string): number {
    const ka = a.slice(0, 15)
    const kb = b.slice(0, 15)
    return ka < kb ? -1 : ka > kb ? 1 : 0
}

/** The digits of Salesforce's base-62 ids, in their order (byte order). */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const KEY_LENGTH = 15

/**
 * The id's 15-character key as the base-62 number Salesforce compares (`compareIds` order is this number's order),
 * so a point between two ids can be computed: `idFromPosition` turns it back into an id.
 */
export function idPosition(id: string): bigint {
    let n = 0n
    for (const char of id.slice(0, KEY_LENGTH)) n = n * 62n + BigInt(BASE62.indexOf(char))
    return n
}

/** The largest position an id can have (`zzzzzzzzzzzzzzz`). */
export const LAST_ID_POSITION = 62n ** BigInt(KEY_LENGTH) - 1n

/** The 18-character id at that position of Salesforce's id order (clamped into the id space). */
export function idFromPosition(position: bigint): string {
    let n = position < 0n ? 0n : position > LAST_ID_POSITION ? LAST_ID_POSITION : position
    let key = ''
    for (let i = 0; i < KEY_LENGTH; i++) {
        key = BASE62.charAt(Number(n % 62n)) + key
        n /= 62n
    }
    return key + idSuffix(key)
}
