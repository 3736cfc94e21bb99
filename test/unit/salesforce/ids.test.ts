import { InvalidRequestError } from '../../../src/errors'
import { compareIds, idSuffix, isSalesforceId, sameId, toId18 } from '../../../src/salesforce/ids'

describe('toId18', () => {
    it('adds the checksum suffix Salesforce adds to a 15-character id', () => {
        // Salesforce's documented example pair (Knowledge article "What are Salesforce IDs composed of?").
        expect(toId18('001D000000IqhSL')).toBe('001D000000IqhSLIAZ')
        expect(idSuffix('005000000000000')).toBe('AAA')
    })

    it('keeps an 18-character id, upper-casing a suffix written in lower case', () => {
        expect(toId18('001D000000IqhSLIAZ')).toBe('001D000000IqhSLIAZ')
        expect(toId18('001D000000IqhSLiaz')).toBe('001D000000IqhSLIAZ')
    })

    it('refuses what is not an id, or not of the kind asked for', () => {
        expect(() => toId18('001D000000IqhS')).toThrow(InvalidRequestError)
        expect(() => toId18('001D000000IqhS')).toThrow(
            /"001D000000IqhS" is not a Salesforce id: expected 15 or 18 letters and digits/
        )
        expect(() => toId18('005D000000IqhSL', 'profile')).toThrow(/starting with 00e/)
        expect(isSalesforceId(12345)).toBe(false)
    })

    it('treats both lengths of one id as the same record', () => {
        expect(sameId('001D000000IqhSL', '001D000000IqhSLIAZ')).toBe(true)
        expect(sameId('001D000000IqhSl', '001D000000IqhSLIAZ')).toBe(false)
    })
})

describe('compareIds', () => {
    it('orders ids as base-62 numbers: digits, then upper case, then lower case', () => {
        const ids = ['005a00000000001', '005Z00000000001', '005900000000001', '005A00000000001', '005z00000000001']
        expect([...ids].sort(compareIds)).toEqual([
            '005900000000001',
            '005A00000000001',
            '005Z00000000001',
            '005a00000000001',
            '005z00000000001',
        ])
    })

    it('ignores the suffix, so 15- and 18-character forms compare equal', () => {
        expect(compareIds('001D000000IqhSL', '001D000000IqhSLIAZ')).toBe(0)
    })
})
