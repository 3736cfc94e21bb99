import { InvalidRequestError } from '../../../src/errors'
import { and, quoteFilterValue, scimFilterSyntaxError, validateFilterSyntax } from '../../../src/salesforce/scim-filter'
import { assertSalesforceId, toId18 } from '../../../src/salesforce/ids'

describe('quoteFilterValue', () => {
    it('escapes quotes and backslashes so a value cannot close the literal', () => {
        expect(quoteFilterValue('a"b\\c')).toBe('"a\\"b\\\\c"')
        expect(quoteFilterValue('x" or userName pr or "')).toBe('"x\\" or userName pr or \\""')
    })
    it('produces a literal the filter grammar accepts', () => {
        expect(() => validateFilterSyntax(`userName eq ${quoteFilterValue('o\'brien"x@acme.com')}`)).not.toThrow()
    })
})

describe('and', () => {
    it('parenthesises each part because Salesforce gives AND no precedence over OR', () => {
        expect(and('a eq "1" or b eq "2"', 'c eq "3"')).toBe('(a eq "1" or b eq "2") and (c eq "3")')
    })
    it('drops empty parts, and brackets a lone part too: Salesforce appends clauses of its own (B6)', () => {
        expect(and(undefined, '', 'id gt "1"', false, null)).toBe('(id gt "1")')
        expect(and('active eq "true" or userType eq "Standard"')).toBe('(active eq "true" or userType eq "Standard")')
        expect(and(undefined, '  ')).toBeUndefined()
    })
    it('does not bracket again a part wrapped whole in one pair, and reads brackets inside literals as text', () => {
        expect(and('(a eq "1" or b eq "2")', 'id gt "x"')).toBe('(a eq "1" or b eq "2") and (id gt "x")')
        expect(and('(a eq "1") or (b eq "2")')).toBe('((a eq "1") or (b eq "2"))')
        expect(and('(title eq "a) or (b")')).toBe('(title eq "a) or (b")')
        expect(and('(title eq "x\\")") or (b eq "2")')).toBe('((title eq "x\\")") or (b eq "2"))')
    })
})

describe('validateFilterSyntax', () => {
    it('throws InvalidRequestError naming the problem', () => {
        expect(() => validateFilterSyntax('active eq true')).toThrow(InvalidRequestError)
        expect(() => validateFilterSyntax('active eq true')).toThrow(/double-quoted string/)
    })
})

describe('assertSalesforceId', () => {
    it.each([
        ['005RM000002FZAlYAO', ['user']],
        ['005RM000002FZAl', ['user']],
        ['00eRM000001VtbnYAC', ['profile', 'permissionSet']],
        ['0PSRM000001VtbnYAC', ['profile', 'permissionSet']],
        ['00G4W000006IKBnUAO', ['group']],
        ['00E4W000006IKBnUAO', ['role']],
        ['a0B4W000006IKBnUAO', []],
    ] as const)('accepts %s', (id, kinds) => {
        expect(assertSalesforceId(id, ...kinds)).toBe(id.length === 15 ? toId18(id) : id)
    })

    it.each([
        [
            '../Groups/00G4W000006IKBn',
            'user',
            /is not a Salesforce user id: expected 15 or 18 letters and digits starting with 005/,
        ],
        ['005RM000002FZAlYA', 'user', /not a Salesforce user id/],
        ['005RM000002FZAl?x=1', 'user', /not a Salesforce user id/],
        ['00ERM000001VtbnYAC', 'profile', /starting with 00e/],
        ['', 'group', /"" is not a Salesforce public group id/],
    ] as const)('rejects %j', (id, kind, message) => {
        expect(() => assertSalesforceId(id, kind)).toThrow(InvalidRequestError)
        expect(() => assertSalesforceId(id, kind)).toThrow(message)
    })

    it('shortens very long input in the message', () => {
        expect(() => assertSalesforceId('x'.repeat(500))).toThrow(/^"x{40}…" is not a Salesforce id/)
    })
})

describe('scimFilterSyntaxError', () => {
    it.each([
        'userName eq "a@b.c"',
        'active eq "true"',
        'title pr',
        'meta.lastModified gt "2024-01-01T00:00:00Z"',
        '(active eq "true") and (userName sw "a" or userName ew "b")',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R\\"D"',
        'userName EQ "x" AND active Eq "true"',
        'userName eq "a" or userName eq "b" or userName eq "c"',
        '(userName eq "a" or userName eq "b") and active eq "true"',
        'active eq "true" and (userName eq "a" or (title pr and userType eq "Standard"))',
        'title eq "and or" and userName eq "a"',
        'userName eq "O\'Brien \\\\ {x} ☃"',
    ])('accepts %s', (filter) => {
        expect(scimFilterSyntaxError(filter)).toBeUndefined()
    })

    it.each([
        ['', /empty/],
        ['userName eq "open', /never closed/],
        ['userName eq "bad \\x escape"', /invalid escape/],
        ['(userName eq "a"', /unbalanced parentheses: a "\(" is never closed/],
        ['userName eq "a")', /unbalanced parentheses: a "\)" has no matching/],
        ['userName eq true', /double-quoted string.*got true/],
        ['userName eq', /double-quoted string.*end of the filter/],
        ['not (userName eq "a")', /does not support "not"/],
        ['emails[type eq "work"] pr', /value filters/],
        ['userName like "a"', /unknown operator "like"/],
        ['userName eq "a" xor active eq "true"', /expected "and", "or" or "\)" but found xor/],
        ['userName eq "a" and', /ends where a comparison was expected/],
        ['"a" eq userName', /expected an attribute name but found "a"/],
        ['user/name eq "a"', /is not an attribute name/],
        ['userName', /expected an operator after userName/],
        ['userName pr "x"', /expected "and", "or" or "\)" but found "x"/],
        ['userName eq 5', /double-quoted string.*got 5/],
        ['userName eq null', /double-quoted string.*got null/],
        ['userName eq "a" and not (title pr)', /does not support "not"/],
        ['emails[type eq "work"]', /value filters like emails\[\.\.\.\]/],
        ['()', /expected an attribute name but found "\)"/],
    ])('rejects %j', (filter, problem) => {
        expect(scimFilterSyntaxError(filter)).toMatch(problem)
    })

    it.each([
        'userName eq "a" or userName eq "b" and active eq "true"',
        'userName eq "a" and userName eq "b" or active eq "true"',
        '(userName eq "a" or title pr and active eq "true")',
        'active eq "true" and (userName eq "a" or userName eq "b" and title pr)',
        'userName eq "a" AND title pr OR active eq "true"',
    ])('refuses %j, which mixes and with or without brackets as Salesforce does', (filter) => {
        expect(scimFilterSyntaxError(filter)).toMatch(
            /^it mixes "and" and "or" without parentheses, which Salesforce refuses .*add brackets/
        )
    })
})
