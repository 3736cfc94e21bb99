import { Filter, parse } from 'scim2-parse-filter'
import { InvalidRequestError } from '../errors'

/**
 * A SCIM filter literal: a JSON string, so quotes and backslashes in the value are escaped and a value can
 * never close the literal and inject filter syntax.
 */
export function quoteFilterValue(value: string): string {
    return JSON.stringify(value)
}

/**
 * Joins filters with `and`, each part in parentheses, a lone one too: Salesforce gives AND no precedence over OR
 * and adds clauses of its own to what it receives (its pilot sends `( <filter> AND userType in (…) )`), so a bare
 * `a or b` would not mean what it says. A part already wrapped whole in one pair is not wrapped again. Empty parts
 * are dropped; undefined when nothing is left.
 */
export function and(...filters: readonly (string | undefined | null | false)[]): string | undefined {
    /** Whether the opening parenthesis closes only at the very end, string literals (`"a)\"b"`) skipped. */
    const wrappedWhole = (part: string): boolean => {
        if (!part.startsWith('(') || !part.endsWith(')')) return false
        let depth = 0
        let inString = false
        for (let i = 0; i < part.length; i++) {
            const char = part.charAt(i)
            if (inString) {
                if (char === '\\') i++
                else if (char === '"') inString = false
            } else if (char === '"') inString = true
            else if (char === '(') depth++
            else if (char === ')' && --depth === 0 && i < part.length - 1) return false
        }
        return depth === 0 && !inString
    }
    const parts = filters.flatMap((f) => (typeof f === 'string' && f.trim() !== '' ? [f.trim()] : []))
    if (parts.length === 0) return undefined
    return parts.map((p) => (wrappedWhole(p) ? p : `(${p})`)).join(' and ')
}

/**
 * @throws InvalidRequestError describing the first syntax problem Salesforce would reject the filter for.
 */
export function validateFilterSyntax(filter: string): void {
    const problem = scimFilterSyntaxError(filter)
    if (problem !== undefined) throw new InvalidRequestError(`The SCIM filter ${filter} is not valid: ${problem}`)
}

const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])
const NOT_SUPPORTED = 'Salesforce does not support "not"; rewrite it with ne or the opposite operator'
const VALUE_PATH_NOT_SUPPORTED = (attribute: string): string =>
    `value filters like ${attribute}[...] are not supported by Salesforce`

/**
 * Checks a SCIM filter against what Salesforce accepts: `attr op "value"`, `attr pr`, `and`/`or`, parentheses;
 * every literal double-quoted (booleans too: `active eq "true"`); no `not`, no `[...]` value paths; and `and`
 * mixed with `or` only in separate parentheses, since Salesforce gives AND no precedence over OR and refuses
 * `a or b and c`. scim2-parse-filter parses; a walk over its tree finds what Salesforce refuses.
 * @returns a description of the first problem, or undefined when Salesforce accepts the filter.
 */
export function scimFilterSyntaxError(filter: string): string | undefined {
    if (filter.trim() === '') return 'it is empty'
    const literalProblem = quotedValueProblem(filter)
    if (literalProblem !== undefined) return literalProblem
    const tokens = tokenize(filter)
    let tree: Filter
    try {
        tree = parse(filter)
    } catch {
        return syntaxProblem(tokens) ?? 'it is not a SCIM filter'
    }
    return refusedPart(tree) ?? unbracketedMix(tokens)
}

/** Each `"…"` literal closed and a valid JSON string (the escapes `quoteFilterValue` writes). */
function quotedValueProblem(filter: string): string | undefined {
    for (const match of filter.matchAll(/"(?:[^"\\]|\\.)*("?)/g)) {
        if (match[1] === '') return `the quoted value starting at position ${match.index + 1} is never closed`
        try {
            JSON.parse(match[0])
        } catch {
            return `the quoted value ${match[0]} has an invalid escape`
        }
    }
    return undefined
}

function refusedPart(filter: Filter): string | undefined {
    switch (filter.op) {
        case 'and':
        case 'or':
            for (const part of filter.filters) {
                const problem = refusedPart(part)
                if (problem !== undefined) return problem
            }
            return undefined
        case 'not':
            return NOT_SUPPORTED
        case '[]':
            return VALUE_PATH_NOT_SUPPORTED(filter.attrPath)
        case 'pr':
            return attributeProblem(filter.attrPath)
        default: {
            const value = filter.compValue
            if (typeof value === 'string') return attributeProblem(filter.attrPath)
            return (
                attributeProblem(filter.attrPath) ??
                valueProblem(filter.attrPath, filter.op, value === null ? 'null' : String(value))
            )
        }
    }
}

function attributeProblem(attribute: string): string | undefined {
    return /^[A-Za-z][\w$.:-]*[\w$]$|^[A-Za-z]$/.test(attribute) ? undefined : `"${attribute}" is not an attribute name`
}

function valueProblem(attribute: string, operator: string, got: string): string {
    return `the value after "${attribute} ${operator}" must be a double-quoted string, e.g. ${attribute} ${operator} "x" (got ${got})`
}

/** Parentheses, square brackets, quoted literals and words, as Salesforce's own filter check reads them. */
function tokenize(filter: string): string[] {
    return filter.match(/[()[\]]|"(?:[^"\\]|\\.)*"|[^\s()[\]"]+/g) ?? []
}

function shown(token: string | undefined): string {
    return token === undefined ? 'the end of the filter' : token === '(' || token === ')' ? `"${token}"` : token
}

/**
 * Where and why scim2-parse-filter refused the filter, in the admin's terms. Its own errors name tokens, not
 * what was expected, so this reads the tokens once more: a comparison, then `and`/`or` and the next one.
 */
function syntaxProblem(tokens: readonly string[]): string | undefined {
    let depth = 0
    let expect: 'comparison' | 'operator' | 'value' | 'joiner' = 'comparison'
    let attribute = ''
    let operator = ''
    for (const token of tokens) {
        const word = token.toLowerCase()
        if (token === '[' || token === ']') return VALUE_PATH_NOT_SUPPORTED(attribute)
        if (expect === 'comparison') {
            if (token === '(') depth++
            else if (word === 'not') return NOT_SUPPORTED
            else if (token === ')' || token.startsWith('"'))
                return `expected an attribute name but found ${shown(token)}`
            else [attribute, expect] = [token, 'operator']
        } else if (expect === 'operator') {
            if (token === '(' || token === ')' || token.startsWith('"'))
                return `expected an operator after ${attribute} but found ${shown(token)}`
            if (word !== 'pr' && !OPERATORS.has(word))
                return `unknown operator "${token}"; use eq, ne, co, sw, ew, gt, ge, lt, le or pr`
            ;[operator, expect] = [token, word === 'pr' ? 'joiner' : 'value']
        } else if (expect === 'value') {
            if (!token.startsWith('"')) return valueProblem(attribute, operator, shown(token))
            expect = 'joiner'
        } else if (token === ')') {
            if (--depth < 0) return 'unbalanced parentheses: a ")" has no matching "("'
        } else if (word === 'and' || word === 'or') {
            expect = 'comparison'
        } else {
            return `expected "and", "or" or ")" but found ${shown(token)}`
        }
    }
    if (expect === 'comparison') return 'it ends where a comparison was expected'
    if (expect === 'operator') return `expected an operator after ${attribute} but found the end of the filter`
    if (expect === 'value') return valueProblem(attribute, operator, shown(undefined))
    if (depth > 0) return 'unbalanced parentheses: a "(" is never closed'
    return undefined
}

/**
 * `and` and `or` side by side at one level of parentheses. scim2-parse-filter cannot show this: it gives AND
 * precedence over OR and drops the parentheses, so `a or b and c` and `a or (b and c)` make the same tree.
 * Salesforce gives neither precedence and refuses the first, so the parentheses are counted on the tokens.
 */
function unbracketedMix(tokens: readonly string[]): string | undefined {
    const joinerAt: (string | undefined)[] = [undefined]
    for (const token of tokens) {
        const word = token.toLowerCase()
        if (token === '(') joinerAt.push(undefined)
        else if (token === ')') joinerAt.pop()
        else if (word === 'and' || word === 'or') {
            const seen = joinerAt[joinerAt.length - 1]
            if (seen !== undefined && seen !== word) {
                return (
                    `it mixes "and" and "or" without parentheses, which Salesforce refuses (neither takes precedence); ` +
                    `add brackets to say which goes first, e.g. (a eq "1" and b eq "2") or c eq "3"`
                )
            }
            joinerAt[joinerAt.length - 1] = word
        }
    }
    return undefined
}
