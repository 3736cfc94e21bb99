import type { ConditionWithValueQuery, LiteralType, Query, WhereClause } from 'soql-parser-js'
import { SoqlError, unexpectedToken, unsupported } from './soql-errors'
import type { SoqlFieldType, SoqlRow } from './soql-schema'
import { type Comparable, compareValues, comparableOf, keyOf, likeMatcher, literalValue } from './soql-values'

/**
 * WHERE clauses: soql-parser-js gives a right-leaning chain of conditions with bracket counts on them; this turns it
 * back into the expression the brackets spell, as Salesforce reads it (AND and OR may not be mixed without brackets),
 * and compiles it into a predicate over rows.
 */

export type Predicate = (row: SoqlRow) => boolean

/** A field a condition reads, resolved against the query's object (possibly through parent relationships). */
export interface WhereField {
    /** The field's API name as the object spells it (the last part of a path). */
    readonly name: string
    readonly type: SoqlFieldType
    /** True when the field is on the queried object itself, not reached through a parent relationship. */
    readonly direct: boolean
    read(row: SoqlRow): unknown
}

/** The ids a semi-join's inner query selects, computed once per query. */
export interface SemiJoin {
    /** The 15-character keys, for membership. */
    keys(): ReadonlySet<string | number | boolean>
    /** The 18-character ids, for an index lookup. */
    ids(): readonly string[]
}

export interface WhereContext {
    field(path: string): WhereField
    semiJoin(query: Query, outer: WhereField): SemiJoin
}

/** A top-level `Field = 'x'` / `Field IN (...)` conjunct on an indexed-kind field: the rows to start from. */
export interface IndexLookup {
    readonly field: string
    values(): readonly string[]
}

export interface CompiledWhere {
    readonly test: Predicate
    readonly lookup: IndexLookup | undefined
}

type Expr =
    | { readonly kind: 'and' | 'or'; readonly items: readonly Expr[] }
    | { readonly kind: 'not'; readonly item: Expr }
    | { readonly kind: 'condition'; readonly condition: ConditionWithValueQuery }

type Token = '(' | ')' | 'NOT' | 'AND' | 'OR' | ConditionWithValueQuery

/** The chain as the tokens it was written with. */
function tokens(where: WhereClause): Token[] {
    const out: Token[] = []
    let node: WhereClause | undefined = where
    while (node) {
        const left: WhereClause['left'] = node.left
        const operator = 'operator' in node ? node.operator : undefined
        if (left === null || !('field' in left || 'fn' in left)) {
            // A negation: `NOT …`, with the brackets opened before it.
            for (let i = 0; i < (left?.openParen ?? 0); i++) out.push('(')
            out.push('NOT')
        } else {
            for (let i = 0; i < (left.openParen ?? 0); i++) out.push('(')
            out.push(left)
            for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(')')
            if (operator !== undefined) out.push(operator)
        }
        node = 'right' in node ? node.right : undefined
    }
    return out
}

function parseExpr(toks: readonly Token[]): Expr {
    let at = 0
    const peek = (): Token | undefined => toks[at]
    const name = (t: Token | undefined): string =>
        t === undefined ? '<EOF>' : typeof t === 'string' ? t : 'field' in t ? t.field : 'condition'

    const unary = (): Expr => {
        const t = toks[at++]
        if (t === 'NOT') return { kind: 'not', item: unary() }
        if (t === '(') {
            const inner = expr()
            if (toks[at++] !== ')') throw unexpectedToken(name(toks[at - 1]))
            return inner
        }
        if (t === undefined || typeof t === 'string') throw unexpectedToken(name(t))
        return { kind: 'condition', condition: t }
    }
    const expr = (): Expr => {
        const first = unary()
        const op = peek()
        if (op !== 'AND' && op !== 'OR') return first
        const items = [first]
        while (peek() === 'AND' || peek() === 'OR') {
            // Salesforce needs brackets to mix AND and OR.
            if (peek() !== op) throw unexpectedToken(name(peek()))
            at++
            items.push(unary())
        }
        return { kind: op === 'AND' ? 'and' : 'or', items }
    }

    const e = expr()
    if (at !== toks.length) throw unexpectedToken(name(peek()))
    return e
}

interface Leaf {
    readonly test: Predicate
    readonly lookup?: IndexLookup
}

function literalsOf(condition: {
    value: string | string[]
    literalType?: LiteralType | LiteralType[]
}): { raw: string; type: LiteralType | undefined }[] {
    const values = Array.isArray(condition.value) ? condition.value : [condition.value]
    const types = condition.literalType
    return values.map((raw, i) => ({ raw, type: Array.isArray(types) ? types[i] : types }))
}

/** Where a condition sits: Salesforce takes a semi-join only as a conjunct, never under OR or NOT. */
type Nesting = 'top' | 'OR' | 'NOT'

function compileCondition(condition: ConditionWithValueQuery, ctx: WhereContext, nesting: Nesting): Leaf {
    if (!('field' in condition)) throw unsupported('A function in WHERE')
    const field = ctx.field(condition.field)
    const { type } = field
    const read = (row: SoqlRow): Comparable => comparableOf(type, field.read(row))
    const op = condition.operator
    const isIdField = type === 'id' || type === 'reference'

    if ('valueQuery' in condition && condition.valueQuery) {
        if (op !== 'IN' && op !== 'NOT IN') throw unexpectedToken(op)
        if (nesting !== 'top') {
            throw new SoqlError(
                'MALFORMED_QUERY',
                `Semi join sub-selects are not allowed with the '${nesting}' operator`
            )
        }
        const join = ctx.semiJoin(condition.valueQuery, field)
        const inJoin = (row: SoqlRow): boolean => {
            const v = read(row)
            return v !== null && join.keys().has(keyOf(type, v))
        }
        if (op === 'NOT IN') return { test: (row) => !inJoin(row) }
        return {
            test: inJoin,
            ...(field.direct && isIdField ? { lookup: { field: field.name, values: () => join.ids() } } : {}),
        }
    }
    if (!('value' in condition)) throw unsupported('This condition')
    if ('dateLiteralVariable' in condition) throw unsupported(`The date literal ${String(condition.value)}`)
    const literals = literalsOf(condition).map(({ raw, type: literalType }) => ({
        raw,
        value: literalValue(condition.field, type, literalType, raw),
    }))

    switch (op) {
        case '=':
        case '!=': {
            const only = single(literals, op)
            const eq = equality(type, only.value, read)
            const lookup =
                op === '=' && field.direct && isIdField && only.value !== null
                    ? { field: field.name, values: () => [String(only.value)] }
                    : undefined
            return op === '=' ? { test: eq, ...(lookup ? { lookup } : {}) } : { test: (row) => !eq(row) }
        }
        case 'IN':
        case 'NOT IN': {
            // One pass over the list: a page's `Id IN (…)` holds 200 ids.
            const keys = new Set<string | number | boolean>()
            const distinct = new Set<string>()
            let withNull = false
            for (const { value } of literals) {
                if (value === null) {
                    withNull = true
                    continue
                }
                keys.add(keyOf(type, value))
                distinct.add(String(value))
            }
            const inList = (row: SoqlRow): boolean => {
                const v = read(row)
                return v === null ? withNull : keys.has(keyOf(type, v))
            }
            if (op === 'NOT IN') return { test: (row) => !inList(row) }
            const ids = [...distinct]
            return {
                test: inList,
                ...(field.direct && isIdField && !withNull ? { lookup: { field: field.name, values: () => ids } } : {}),
            }
        }
        case '<':
        case '>':
        case '<=':
        case '>=': {
            if (type === 'boolean') throw filterOperator(op, condition.field, type)
            const bound = single(literals, op).value
            if (bound === null) return { test: () => false }
            const holds = ORDERINGS[op]
            return {
                test: (row) => {
                    const v = read(row)
                    return v !== null && holds(compareValues(type, v, bound))
                },
            }
        }
        case 'LIKE': {
            if (type !== 'string') throw filterOperator(op, condition.field, type)
            const only = single(literals, op)
            if (only.value === null) return { test: () => false }
            const matches = likeMatcher(only.raw)
            return {
                test: (row) => {
                    const v = read(row)
                    return typeof v === 'string' && matches(v)
                },
            }
        }
        default:
            throw unsupported(`The operator ${op}`)
    }
}

const ORDERINGS: Readonly<Record<'<' | '>' | '<=' | '>=', (c: number) => boolean>> = {
    '<': (c) => c < 0,
    '>': (c) => c > 0,
    '<=': (c) => c <= 0,
    '>=': (c) => c >= 0,
}

function single<T>(literals: readonly T[], op: string): T {
    const [only] = literals
    if (only === undefined || literals.length !== 1) throw unexpectedToken(op)
    return only
}

function equality(type: SoqlFieldType, expected: Comparable, read: (row: SoqlRow) => Comparable): Predicate {
    if (expected === null) return (row) => read(row) === null
    const key = keyOf(type, expected)
    return (row) => {
        const v = read(row)
        return v !== null && keyOf(type, v) === key
    }
}

function filterOperator(op: string, field: string, type: SoqlFieldType): SoqlError {
    return new SoqlError(
        'INVALID_QUERY_FILTER_OPERATOR',
        `invalid operator on ${type === 'id' || type === 'reference' ? 'id' : type} field: ${field} ${op}`
    )
}

function compileExpr(e: Expr, ctx: WhereContext, nesting: Nesting): Leaf {
    switch (e.kind) {
        case 'condition':
            return compileCondition(e.condition, ctx, nesting)
        case 'not': {
            const inner = compileExpr(e.item, ctx, 'NOT').test
            return { test: (row) => !inner(row) }
        }
        case 'and': {
            const items = e.items.map((item) => compileExpr(item, ctx, nesting))
            const tests = items.map((i) => i.test)
            const lookup = items.find((i) => i.lookup)?.lookup
            return { test: (row) => tests.every((t) => t(row)), ...(lookup ? { lookup } : {}) }
        }
        case 'or': {
            const tests = e.items.map((item) => compileExpr(item, ctx, nesting === 'NOT' ? 'NOT' : 'OR').test)
            return { test: (row) => tests.some((t) => t(row)) }
        }
    }
}

/** The WHERE clause as a predicate, with the index lookup a top-level conjunct offers, if any. */
export function compileWhere(where: WhereClause | undefined, ctx: WhereContext): CompiledWhere {
    if (!where) return { test: () => true, lookup: undefined }
    const { test, lookup } = compileExpr(parseExpr(tokens(where)), ctx, 'top')
    return { test, lookup }
}
