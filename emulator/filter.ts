import { Filter, parse } from 'scim2-parse-filter'
import { ScimError } from './errors'

/**
 * SCIM filters with Salesforce's semantics. Salesforce translates a SCIM filter to SOQL, so:
 * - the filter is first checked token by token like the pilot's `FilterTranslator` (same error texts: `Unsupported
 *   attribute : x`, `Argument has to be a quoted string literal : true`, `Unbalanced brackets, check your filter`, …);
 *   attribute names are case-sensitive, every literal must be a double-quoted string (booleans too), and `not` and
 *   `[ ]` value paths are not supported;
 * - `and` does not take precedence over `or` (SOQL refuses to mix them without parentheses);
 * - string `eq`/`ne` are case-insensitive (SOQL `=`), `co`/`sw`/`ew` are `LIKE`, so `%` and `_` in the value are
 *   wildcards; `ne` matches empty values (SOQL `!=` includes nulls); ids compare as plain strings; datetimes as
 *   instants.
 * Parsing proper is done by scim2-parse-filter; evaluation of its AST is ours.
 */

export type Scalar = string | number | boolean | null | undefined

export type AttributeDef<T> =
    | { readonly kind: 'string' | 'id' | 'boolean' | 'datetime' | 'number'; readonly get: (item: T) => Scalar }
    | {
          readonly kind: 'membership'
          /** Name used in `Unsupported comparison for <label> field`. */
          readonly label: string
          readonly eq: (item: T, value: string) => boolean
          readonly ne: (item: T, value: string) => boolean
          readonly present: (item: T) => boolean
      }
    /** A complex attribute such as `name`: filtering needs a sub-attribute. */
    | { readonly kind: 'complex' }

export type AttributeMap<T> = ReadonlyMap<string, AttributeDef<T>>

export interface IdBound {
    readonly id: string
    readonly inclusive: boolean
}

/** A filter split for fast keyset paging: id bounds of a top-level AND, plus the rest as a predicate. */
export interface CompiledFilter<T> {
    readonly lower?: IdBound
    readonly upper?: IdBound
    /** The part of the filter that is not an id bound; absent when the filter is only id bounds (or empty). */
    readonly rest?: (item: T) => boolean
    /** Canonical text of `rest`, a cache key for its matches. */
    readonly restKey: string
    /** Top-level `attr eq "value"` terms, which an index may answer without a scan. */
    readonly eqTerms: readonly { readonly attr: string; readonly value: string }[]
}

const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])

function tokenize(filter: string): string[] {
    const tokens: string[] = []
    const re = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|[^\s()]+)/y
    let m: RegExpExecArray | null
    while ((m = re.exec(filter)) !== null) {
        if (m[1] !== undefined) tokens.push(m[1])
        if (re.lastIndex >= filter.length) break
    }
    return tokens
}

/** The pilot's state machine, which is what produces Salesforce's filter error texts. */
function validate<T>(filter: string, attributes: AttributeMap<T>): void {
    let state = 0
    let nest = 0
    let memberships = 0
    let current: AttributeDef<T> | undefined
    let operator = ''
    const logic: string[] = ['']
    for (const token of tokenize(filter)) {
        if (state === 0) {
            if (token === '(') {
                nest++
                logic.push('')
                continue
            }
            const name = token === 'emails.value' ? 'emails' : token
            current = attributes.get(name)
            if (!current) throw new ScimError(400, `Unsupported attribute : ${token}`)
            if (current.kind === 'complex')
                throw new ScimError(400, `Complex attribute ${token}. Please specify subattribute.`)
            state = 1
        } else if (state === 1) {
            const op = token.toLowerCase()
            if (OPERATORS.has(op)) {
                operator = op
                state = 2
            } else if (op === 'pr') state = 3
            else throw new ScimError(400, `Unsupported Operator : ${token}`)
        } else if (state === 2) {
            if (token.length < 2 || !token.startsWith('"') || !token.endsWith('"'))
                throw new ScimError(400, `Argument has to be a quoted string literal : ${token}`)
            if (operator === 'eq' && current?.kind === 'membership') memberships++
            state = 3
        } else {
            const t = token.toLowerCase()
            if (t === 'and' || t === 'or') {
                const level = logic.length - 1
                const seen = logic[level]
                // SOQL gives AND no precedence over OR: mixing them needs parentheses.
                if (seen && seen !== t) throw new ScimError(400, `unexpected token: '${t}'`)
                logic[level] = t
                state = 0
            } else if (t === ')') {
                nest--
                logic.pop()
                if (nest < 0) throw new ScimError(400, 'Unbalanced brackets, check your filter')
            } else throw new ScimError(400, `Illegal token : ${t}`)
        }
    }
    if (nest !== 0) throw new ScimError(400, 'Unbalanced brackets, check your filter')
    if (state !== 3) throw new ScimError(400, `Illegal token : ${filter.trim().split(/\s+/).pop() ?? ''}`)
    if (memberships > 1) throw new ScimError(400, 'Only one membership criteria allowed in filter.')
}

/** SOQL LIKE: `%` is any run of characters, `_` any one character; matching is case-insensitive. */
function likeRegex(value: string, anchorStart: boolean, anchorEnd: boolean): RegExp {
    const body = value
        .split('')
        .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('')
    return new RegExp(`${anchorStart ? '^' : ''}${body}${anchorEnd ? '$' : ''}`, 'is')
}

function compileCompare<T>(op: string, attrPath: string, raw: string, def: AttributeDef<T>): (item: T) => boolean {
    if (def.kind === 'complex') throw new ScimError(400, `Complex attribute ${attrPath}. Please specify subattribute.`)
    if (def.kind === 'membership') {
        if (op === 'eq') return (item) => def.eq(item, raw)
        if (op === 'ne') return (item) => def.ne(item, raw)
        throw new ScimError(400, `Unsupported comparison for ${def.label} field`)
    }
    const get = def.get
    if (def.kind === 'boolean') {
        const v = raw.toLowerCase()
        if (v !== 'true' && v !== 'false') throw new ScimError(400, `Illegal boolean value : ${raw}`)
        const want = v === 'true'
        if (op === 'eq') return (item) => get(item) === want
        if (op === 'ne') return (item) => get(item) !== want
        throw new ScimError(400, `Unsupported Operator : ${op} for boolean attribute ${attrPath}`)
    }
    if (def.kind === 'datetime' || def.kind === 'number') {
        const want = def.kind === 'datetime' ? Date.parse(raw) : Number(raw)
        if (raw.trim() === '' || Number.isNaN(want))
            throw new ScimError(400, `Illegal ${def.kind === 'datetime' ? 'date' : 'number'} value : ${raw}`)
        const num = (item: T): number | undefined => {
            const v = get(item)
            return typeof v === 'number' ? v : undefined
        }
        switch (op) {
            case 'eq':
                return (item) => num(item) === want
            case 'ne':
                return (item) => num(item) !== want
            case 'gt':
                return (item) => (num(item) ?? Number.NEGATIVE_INFINITY) > want
            case 'ge':
                return (item) => (num(item) ?? Number.NEGATIVE_INFINITY) >= want
            case 'lt':
                return (item) => (num(item) ?? Number.POSITIVE_INFINITY) < want
            case 'le':
                return (item) => (num(item) ?? Number.POSITIVE_INFINITY) <= want
            default:
                throw new ScimError(400, `Unsupported Operator : ${op} for attribute ${attrPath}`)
        }
    }
    // Strings. Ids compare exactly (they are case-sensitive); other text compares case-insensitively like SOQL.
    const exact = def.kind === 'id'
    const norm = (s: string): string => (exact ? s : s.toLowerCase())
    const want = norm(raw)
    const str = (item: T): string | undefined => {
        const v = get(item)
        return v === null || v === undefined || v === '' ? undefined : norm(String(v))
    }
    switch (op) {
        case 'eq':
            return (item) => str(item) === want
        case 'ne':
            return (item) => str(item) !== want
        case 'gt':
            return (item) => {
                const v = str(item)
                return v !== undefined && v > want
            }
        case 'ge':
            return (item) => {
                const v = str(item)
                return v !== undefined && v >= want
            }
        case 'lt':
            return (item) => {
                const v = str(item)
                return v !== undefined && v < want
            }
        case 'le':
            return (item) => {
                const v = str(item)
                return v !== undefined && v <= want
            }
        case 'co':
        case 'sw':
        case 'ew': {
            const re = likeRegex(raw, op === 'sw', op === 'ew')
            return (item) => {
                const v = get(item)
                return v !== null && v !== undefined && re.test(String(v))
            }
        }
        default:
            throw new ScimError(400, `Unsupported Operator : ${op}`)
    }
}

function compileNode<T>(node: Filter, attributes: AttributeMap<T>): (item: T) => boolean {
    switch (node.op) {
        case 'and': {
            const parts = node.filters.map((f) => compileNode(f, attributes))
            return (item) => parts.every((p) => p(item))
        }
        case 'or': {
            const parts = node.filters.map((f) => compileNode(f, attributes))
            return (item) => parts.some((p) => p(item))
        }
        case 'pr': {
            const def = lookup(node.attrPath, attributes)
            if (def.kind === 'membership') return (item) => def.present(item)
            if (def.kind === 'complex')
                throw new ScimError(400, `Complex attribute ${node.attrPath}. Please specify subattribute.`)
            const get = def.get
            return (item) => {
                const v = get(item)
                return v !== null && v !== undefined && v !== ''
            }
        }
        case 'not':
        case '[]':
            throw new ScimError(400, `Unsupported Operator : ${node.op}`)
        default: {
            const def = lookup(node.attrPath, attributes)
            return compileCompare(node.op, node.attrPath, String(node.compValue), def)
        }
    }
}

function lookup<T>(attrPath: string, attributes: AttributeMap<T>): AttributeDef<T> {
    const def = attributes.get(attrPath === 'emails.value' ? 'emails' : attrPath)
    if (!def) throw new ScimError(400, `Unsupported attribute : ${attrPath}`)
    return def
}

function tighterLower(a: IdBound | undefined, b: IdBound): IdBound {
    if (!a) return b
    if (b.id > a.id) return b
    if (b.id === a.id) return { id: a.id, inclusive: a.inclusive && b.inclusive }
    return a
}

function tighterUpper(a: IdBound | undefined, b: IdBound): IdBound {
    if (!a) return b
    if (b.id < a.id) return b
    if (b.id === a.id) return { id: a.id, inclusive: a.inclusive && b.inclusive }
    return a
}

/**
 * Validate and compile a filter for a resource type.
 * @throws ScimError 400 with Salesforce's texts for any filter Salesforce would refuse.
 */
export function compileFilter<T>(filter: string | undefined, attributes: AttributeMap<T>): CompiledFilter<T> {
    if (filter === undefined || filter.trim() === '') return { restKey: '', eqTerms: [] }
    validate(filter, attributes)
    let ast: Filter
    try {
        ast = parse(filter)
    } catch (e) {
        throw new ScimError(400, `Illegal token : ${e instanceof Error ? e.message : String(e)}`)
    }
    const terms = ast.op === 'and' ? ast.filters : [ast]
    let lower: IdBound | undefined
    let upper: IdBound | undefined
    const rest: Filter[] = []
    const eqTerms: { attr: string; value: string }[] = []
    for (const term of terms) {
        if (term.op === 'eq' || term.op === 'gt' || term.op === 'ge' || term.op === 'lt' || term.op === 'le') {
            const value = String(term.compValue)
            if (term.attrPath === 'id') {
                if (term.op === 'eq' || term.op === 'gt' || term.op === 'ge')
                    lower = tighterLower(lower, { id: value, inclusive: term.op !== 'gt' })
                if (term.op === 'eq' || term.op === 'lt' || term.op === 'le')
                    upper = tighterUpper(upper, { id: value, inclusive: term.op !== 'lt' })
                continue
            }
            if (term.op === 'eq') eqTerms.push({ attr: term.attrPath, value })
        }
        rest.push(term)
    }
    const restFilter: Filter | undefined =
        rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { op: 'and', filters: rest }
    return {
        ...(lower ? { lower } : {}),
        ...(upper ? { upper } : {}),
        ...(restFilter ? { rest: compileNode(restFilter, attributes) } : {}),
        restKey: restFilter ? JSON.stringify(restFilter) : '',
        eqTerms,
    }
}

/** The logical operators (`and`, `or`) a filter has outside any brackets. */
export function topLevelOperators(filter: string): Set<'and' | 'or'> {
    const out = new Set<'and' | 'or'>()
    let depth = 0
    for (const token of tokenize(filter)) {
        if (token === '(') depth++
        else if (token === ')') depth--
        // Quoted literals keep their quotes as tokens, so only a bare `and`/`or` is an operator.
        const t = token.toLowerCase()
        if (depth === 0 && (t === 'and' || t === 'or')) out.add(t)
    }
    return out
}
