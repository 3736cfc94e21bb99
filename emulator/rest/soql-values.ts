import type { LiteralType } from 'soql-parser-js'
import { checksumSuffix } from '../ids'
import { invalidId, SoqlError, unsupported } from './soql-errors'
import type { SoqlFieldType } from './soql-schema'

/**
 * How the SOQL engine reads literals and compares values, by field type, as Salesforce does:
 * - ids (`id`, `reference`) are compared on their case-sensitive 15-character key, so a 15- or 18-character literal
 *   matches the row's 18-character id, and ordered by byte order (base-62);
 * - text is compared case-insensitively (`=`, `IN`, `LIKE`, `<`, ORDER BY);
 * - dateTimes are instants, whatever offset they are written with; dates are `YYYY-MM-DD`.
 */

/** A field's value ready to compare; null when the field is empty. */
export type Comparable = string | number | boolean | null

const ID_SHAPE = /^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/

function isIdShaped(s: string): boolean {
    return ID_SHAPE.test(s)
}

/** The 18-character form of a 15- or 18-character id (its first 15 characters are the key). */
function id18(id: string): string {
    const key = id.slice(0, 15)
    return key + checksumSuffix(key)
}

/** The id a literal names, in 18 characters; `invalid ID field` when it is not an id, as Salesforce answers. */
export function idLiteral(value: string): string {
    if (!isIdShaped(value)) throw invalidId(value)
    return id18(value)
}

/** A row's value as the engine compares it. Values of the wrong shape for the field's type read as empty. */
export function comparableOf(type: SoqlFieldType, value: unknown): Comparable {
    if (value === null || value === undefined) return null
    switch (type) {
        case 'id':
        case 'reference': {
            if (typeof value !== 'string' || value === '') return null
            return value.length === 15 ? id18(value) : value
        }
        case 'string':
            return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null
        case 'boolean':
            return typeof value === 'boolean' ? value : null
        case 'int':
        case 'double': {
            const n = typeof value === 'number' ? value : Number(value)
            return Number.isFinite(n) ? n : null
        }
        case 'date':
            if (value instanceof Date) return value.toISOString().slice(0, 10)
            return typeof value === 'string' && value.length >= 10 ? value.slice(0, 10) : null
        case 'datetime': {
            if (value instanceof Date) return value.getTime()
            if (typeof value === 'number') return value
            return typeof value === 'string' ? instantOf(value) : null
        }
    }
}

/** Milliseconds since the epoch of an ISO dateTime; Salesforce's `+0000` offset form is read as `+00:00`. */
function instantOf(text: string): number | null {
    const sign = text.charAt(text.length - 5)
    const withColon =
        (sign === '+' || sign === '-') && !text.slice(-4).includes(':')
            ? `${text.slice(0, -2)}:${text.slice(-2)}`
            : text
    const ms = Date.parse(withColon)
    return Number.isNaN(ms) ? null : ms
}

/** The key under which a non-null value is looked up in an `IN` set: equal keys are equal values. */
export function keyOf(type: SoqlFieldType, value: Exclude<Comparable, null>): string | number | boolean {
    if (type === 'id' || type === 'reference') return String(value).slice(0, 15)
    if (type === 'string') return String(value).toLowerCase()
    return value
}

/** Order of two non-null values of one field type; text ignores case, ids go by byte order. */
export function compareValues(type: SoqlFieldType, a: Exclude<Comparable, null>, b: Exclude<Comparable, null>): number {
    const x = type === 'string' ? String(a).toLowerCase() : a
    const y = type === 'string' ? String(b).toLowerCase() : b
    return x < y ? -1 : x > y ? 1 : 0
}

/** The text of a quoted SOQL string literal, its escapes resolved; `wildcard` marks an unescaped `%` or `_`. */
function scanString(quoted: string, onChar: (c: string, wildcard: boolean) => void): void {
    const body = quoted.slice(1, -1)
    for (let i = 0; i < body.length; i++) {
        const c = body.charAt(i)
        if (c !== '\\') {
            onChar(c, c === '%' || c === '_')
            continue
        }
        const next = body.charAt(++i)
        const escaped = ESCAPES[next]
        if (escaped === undefined) {
            throw new SoqlError(
                'MALFORMED_QUERY',
                `Invalid string literal ${quoted}. Illegal character sequence '\\${next}' in string literal.`
            )
        }
        onChar(escaped, false)
    }
}

const ESCAPES: Readonly<Record<string, string>> = {
    n: '\n',
    N: '\n',
    r: '\r',
    R: '\r',
    t: '\t',
    T: '\t',
    b: '\b',
    B: '\b',
    f: '\f',
    F: '\f',
    '"': '"',
    "'": "'",
    '\\': '\\',
    '%': '%',
    _: '_',
}

export function stringLiteral(quoted: string): string {
    // Most literals (every id) hold no escape: their text is what the quotes enclose.
    if (!quoted.includes('\\')) return quoted.slice(1, -1)
    let text = ''
    scanString(quoted, (c) => (text += c))
    return text
}

const ANY: unique symbol = Symbol('%')
const ONE: unique symbol = Symbol('_')

/** A LIKE pattern: `%` any run of characters, `_` one character, the rest literal and case-insensitive. */
export function likeMatcher(quoted: string): (text: string) => boolean {
    const pattern: (string | typeof ANY | typeof ONE)[] = []
    scanString(quoted, (c, wildcard) => pattern.push(wildcard ? (c === '%' ? ANY : ONE) : c.toLowerCase()))
    return (value) => {
        const text = value.toLowerCase()
        // Greedy match with one backtrack point: the last `%` seen.
        let t = 0
        let p = 0
        let starP = -1
        let starT = 0
        while (t < text.length) {
            const part = pattern[p]
            if (part === ONE || part === text.charAt(t)) {
                t++
                p++
            } else if (part === ANY) {
                starP = p++
                starT = t
            } else if (starP >= 0) {
                p = starP + 1
                t = ++starT
            } else {
                return false
            }
        }
        while (pattern[p] === ANY) p++
        return p === pattern.length
    }
}

const TYPE_NAMES: Readonly<Record<SoqlFieldType, string>> = {
    id: 'id',
    reference: 'reference',
    string: 'string',
    boolean: 'boolean',
    int: 'int',
    double: 'double',
    date: 'date',
    datetime: 'dateTime',
}

function wrongType(field: string, type: SoqlFieldType): SoqlError {
    const quoted = type === 'id' || type === 'reference' || type === 'string'
    return new SoqlError(
        'INVALID_FIELD',
        `value of filter criterion for field '${field}' must be of type ${TYPE_NAMES[type]} and should ` +
            `${quoted ? '' : 'not '}be enclosed in quotes`
    )
}

/** A WHERE literal read for a field of `type`: null for `null`, refused when its type does not fit the field's. */
export function literalValue(
    field: string,
    type: SoqlFieldType,
    literalType: LiteralType | undefined,
    raw: string
): Comparable {
    switch (literalType) {
        case 'NULL':
            return null
        case 'STRING': {
            if (type === 'id' || type === 'reference') return idLiteral(stringLiteral(raw))
            if (type === 'string') return stringLiteral(raw)
            throw wrongType(field, type)
        }
        case 'BOOLEAN':
            if (type !== 'boolean') throw wrongType(field, type)
            return raw.toUpperCase() === 'TRUE'
        case 'INTEGER':
        case 'DECIMAL':
            if (type !== 'int' && type !== 'double') throw wrongType(field, type)
            return Number(raw)
        case 'DATE':
            if (type !== 'date') throw wrongType(field, type)
            return raw
        case 'DATETIME': {
            if (type !== 'datetime') throw wrongType(field, type)
            const ms = instantOf(raw)
            if (ms === null) throw new SoqlError('MALFORMED_QUERY', `line 1:0 no viable alternative at ${raw}`)
            return ms
        }
        default:
            throw unsupported(`The literal ${raw} (${literalType ?? 'untyped'})`)
    }
}
