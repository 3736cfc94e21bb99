/**
 * Every value the connector puts into SOQL goes through `soql.ts`: a literal stays a literal whatever it holds,
 * ids are checked before they reach a query, and instants are SOQL dateTime literals.
 */
import { soqlDateTime, soqlIdList, soqlString } from '../../../src/salesforce/rest/soql'

describe('soqlString', () => {
    it.each([
        ['plain text', 'Sales Ops', "'Sales Ops'"],
        ['a single quote', "O'Brien", "'O\\'Brien'"],
        ['a double quote', 'say "hi"', '\'say \\"hi\\"\''],
        ['a backslash, escaped before the quote', "back\\slash'", "'back\\\\slash\\''"],
        ['a newline, a return and a tab', 'a\nb\rc\td', "'a\\nb\\rc\\td'"],
        ['a form feed and a backspace', 'a\fb\bc', "'a\\fb\\bc'"],
        ['an empty string', '', "''"],
        ['unicode', 'Müller – 東京', "'Müller – 東京'"],
    ])('quotes %s', (_label, value, expected) => {
        expect(soqlString(value)).toBe(expected)
    })

    it.each([
        ["' OR Name != '", "'\\' OR Name != \\''"],
        ["x') OR (Id != '", "'x\\') OR (Id != \\''"],
        ["\\' OR Id != null --", "'\\\\\\' OR Id != null --'"],
    ])('keeps the injection attempt %s a single literal', (attempt, expected) => {
        const literal = soqlString(attempt)
        expect(literal).toBe(expected)
        // Read back as SOQL reads it: one literal from the first quote to the last, holding the attempt unchanged.
        expect(readSoqlLiteral(literal)).toEqual({ value: attempt, rest: '' })
    })
})

/** SOQL's reading of a quoted literal at the start of `text`: its value, and whatever follows the closing quote. */
function readSoqlLiteral(text: string): { value: string; rest: string } {
    const escapes: Record<string, string> = {
        n: '\n',
        r: '\r',
        t: '\t',
        b: '\b',
        f: '\f',
        '"': '"',
        "'": "'",
        '\\': '\\',
    }
    if (text[0] !== "'") throw new Error('not a literal')
    let value = ''
    for (let i = 1; i < text.length; i++) {
        const char = text[i] as string
        if (char === '\\') {
            const escaped = escapes[text[i + 1] ?? '']
            if (escaped === undefined) throw new Error(`bad escape at ${i}`)
            value += escaped
            i++
        } else if (char === "'") return { value, rest: text.slice(i + 1) }
        else value += char
    }
    throw new Error('unterminated literal')
}

describe('soqlIdList', () => {
    it('lists ids in their 18-character form', () => {
        expect(soqlIdList(['005RM000002FZAl', '005RM000002FZAmYAO'])).toBe(
            "('005RM000002FZAlYAO','005RM000002FZAmYAO')"
        )
    })

    it.each([
        ['an injection attempt', "005RM000002FZAl') OR Id != ('"],
        ['a value of the wrong length', '005RM00000'],
        ['a value with a space', '005RM000002 FZAlYAO'],
    ])('refuses %s before it reaches a query', (_label, id) => {
        expect(() => soqlIdList(['005RM000002FZAlYAO', id])).toThrow(
            expect.objectContaining({ name: 'InvalidRequestError' })
        )
    })

    it('refuses an empty list: `IN ()` is not SOQL', () => {
        expect(() => soqlIdList([])).toThrow(/at least one id/)
    })
})

describe('soqlDateTime', () => {
    it.each([
        ['2026-11-30T08:15:02Z', '2026-11-30T08:15:02Z'],
        // Milliseconds are cut: the instant only moves earlier, so a delta run misses nothing.
        ['2026-11-30T08:15:02.987Z', '2026-11-30T08:15:02Z'],
    ])('writes %s as %s, unquoted', (instant, expected) => {
        expect(soqlDateTime(instant)).toBe(expected)
    })

    it.each([
        ['a date without a time', '2026-11-30'],
        ['an offset instead of UTC', '2026-11-30T08:15:02+01:00'],
        ['an hour past 23', '2026-11-30T25:15:02Z'],
        ['a clause appended', '2026-11-30T08:15:02Z OR Id != null'],
        ['text', 'yesterday'],
    ])('refuses %s', (_label, instant) => {
        expect(() => soqlDateTime(instant)).toThrow(expect.objectContaining({ name: 'InvalidRequestError' }))
    })
})
