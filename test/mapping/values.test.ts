import { isSalesforceId, requireSalesforceId } from '../../src/salesforce/ids'
import { toBoolean, toSingleText, toTextList } from '../../src/mapping/values'
import { InvalidRequestError } from '../../src/errors'

describe('toSingleText', () => {
    it.each([
        ['x', 'x'],
        ['  x  ', 'x'],
        [['x'], 'x'],
        [42, '42'],
        [true, 'true'],
        ['', undefined],
        ['   ', undefined],
        [null, undefined],
        [undefined, undefined],
        [[], undefined],
    ])('reads %p as %p', (value, expected) => {
        expect(toSingleText(value, 'field')).toBe(expected)
    })

    it.each([
        [['a', 'b'], /takes one value, got 2/],
        [{ value: 'x' }, /expected text, got an object/],
        [[['x']], /nested list/],
    ])('refuses %p', (value, message) => {
        expect(() => toSingleText(value, 'field')).toThrow(InvalidRequestError)
        expect(() => toSingleText(value, 'field')).toThrow(message)
    })
})

describe('toTextList', () => {
    it.each([
        ['a', ['a']],
        [
            ['a', 'b', 'a', ''],
            ['a', 'b'],
        ],
        [undefined, []],
        [null, []],
        [[], []],
    ])('reads %p as %p', (value, expected) => {
        expect(toTextList(value, 'field')).toEqual(expected)
    })
})

describe('toBoolean', () => {
    it.each([
        [true, true],
        [false, false],
        ['TRUE', true],
        ['false', false],
        [['true'], true],
        [undefined, undefined],
        ['', undefined],
    ])('reads %p as %p', (value, expected) => {
        expect(toBoolean(value, 'active')).toBe(expected)
    })

    it.each(['yes', 1, { a: 1 }])('refuses %p', (value) => {
        expect(() => toBoolean(value, 'active')).toThrow(/expected true or false/)
    })
})

describe('Salesforce Ids', () => {
    it.each([
        ['005RM000002FZAlYAO', 'user', true],
        ['005RM000002FZAl', 'user', true],
        ['005RM000002FZAlYAO', 'profile', false],
        ['00eRM000001VtbnYAC', 'profile', true],
        ['00ERM000000abcdEAA', 'profile', false],
        ['00ERM000000abcdEAA', 'role', true],
        ['005RM000002FZAlYA', undefined, false],
        ['005RM000002FZAlYAO\n', undefined, false],
        ['005RM000002FZAlYAO/../Groups', undefined, false],
        ['００５RM000002FZAlYAO', undefined, false],
    ] as const)('%p is a %s Id: %p', (value, kind, expected) => {
        expect(isSalesforceId(value, kind)).toBe(expected)
    })

    it('names the expected prefix when refusing an Id', () => {
        expect(() => requireSalesforceId('00ERM000000abcdEAA', 'profile', 'Set profile')).toThrow(
            'Set profile: "00ERM000000abcdEAA" is not a Salesforce profile id: expected 15 or 18 letters and digits starting with 00e'
        )
    })
})
