import { parseQuery, type Query } from 'soql-parser-js'
import { unexpectedToken } from './soql-errors'

/**
 * SOQL text to soql-parser-js's syntax tree, each shape of query parsed once. A connector sends the same query
 * again and again with other ids in it (a page's `WHERE Id IN ('005…', …)`), and parsing is most of what a query
 * costs: the text with its string literals taken out names its shape, whose tree is kept and given the literals of
 * each query. The literals are cut as soql-parser-js's lexer cuts them (its very pattern), and anything the tree
 * could hold of a literal other than a whole value sends the query to the parser as it is, so a query answers
 * exactly as a fresh parse would, errors included.
 */

/** soql-parser-js's `StringIdentifier` token, sticky: a quoted literal starting at `lastIndex`. */
const STRING_LITERAL = /(')(?:(?=(\\?))\2.)*?\1/y

/** What stands for the n-th literal in a shape: a plain literal of its own, as the lexer reads any other. */
const placeholder = (n: number): string => `'#${n}'`
const PLACEHOLDER = /^'#(\d+)'$/

/** The text with each string literal replaced by its placeholder, and the literals; undefined when one does not lex. */
function shapeOf(soql: string): { readonly shape: string; readonly literals: readonly string[] } | undefined {
    if (!soql.includes("'")) return { shape: soql, literals: [] }
    const literals: string[] = []
    let shape = ''
    let from = 0
    for (let at = soql.indexOf("'"); at >= 0; at = soql.indexOf("'", from)) {
        STRING_LITERAL.lastIndex = at
        const m = STRING_LITERAL.exec(soql)
        if (!m) return undefined
        shape += soql.slice(from, at) + placeholder(literals.length)
        literals.push(m[0])
        from = at + m[0].length
    }
    return { shape: shape + soql.slice(from), literals }
}

/** A copy of a shape's tree with its literals put back; undefined when a literal is not exactly one whole value. */
function withLiterals(tree: Query, literals: readonly string[]): Query | undefined {
    let used = 0
    let faithful = true
    const copy = (node: unknown): unknown => {
        if (typeof node === 'string') {
            // No text of the shape holds a `#` but its placeholders: any other string with one holds a literal.
            if (!node.includes('#')) return node
            const m = PLACEHOLDER.exec(node)
            const literal = m ? literals[Number(m[1])] : undefined
            if (literal === undefined) faithful = false
            else used++
            return literal ?? node
        }
        if (Array.isArray(node)) return node.map(copy)
        if (typeof node !== 'object' || node === null) return node
        const out: Record<string, unknown> = {}
        for (const key of Object.keys(node)) out[key] = copy((node as Record<string, unknown>)[key])
        return out
    }
    const result = copy(tree) as Query
    return faithful && used === literals.length ? result : undefined
}

/** Shapes by text; the oldest goes when full. */
const shapes = new Map<string, Query | null>()
const MAX_SHAPES = 256

function parseText(soql: string): Query {
    try {
        return parseQuery(soql)
    } catch (e) {
        throw unexpectedToken(foundToken(e instanceof Error ? e.message : String(e)))
    }
}

/** The query's syntax tree. @throws SoqlError MALFORMED_QUERY naming the token the parser stopped at. */
export function parseSoql(soql: string): Query {
    const cut = shapeOf(soql)
    if (!cut) return parseText(soql)
    let tree = shapes.get(cut.shape)
    if (tree === undefined) {
        try {
            tree = parseQuery(cut.shape)
        } catch {
            // A shape that does not parse is no shape: the query's own text gives the error (or the tree).
            tree = null
        }
        if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value ?? '')
        shapes.set(cut.shape, tree)
    }
    return (tree && withLiterals(tree, cut.literals)) ?? parseText(soql)
}

/** The tree a plain parse gives, without the shapes: the reference the shapes are checked against. */
export function parseSoqlUncached(soql: string): Query {
    return parseText(soql)
}

/**
 * The token a soql-parser-js error names: chevrotain's "… but found: 'X'", "… but found --> 'X' <--",
 * "… but found: X", or its lexer's "unexpected character: ->X<-"; an empty token is the end of the query.
 */
function foundToken(message: string): string {
    const lexed = message.indexOf('->')
    const found = message.lastIndexOf('but found')
    let token: string
    if (found >= 0) {
        token = message.slice(found + 'but found'.length).trim()
        for (const lead of [':', '-->']) if (token.startsWith(lead)) token = token.slice(lead.length).trim()
        if (token.endsWith('<--')) token = token.slice(0, -'<--'.length).trim()
        if (token.length >= 2 && token.startsWith("'") && token.endsWith("'")) token = token.slice(1, -1)
    } else if (lexed >= 0) {
        token = message.slice(lexed + 2, message.indexOf('<-', lexed + 2))
    } else {
        return message
    }
    return token === '' ? '<EOF>' : token
}
