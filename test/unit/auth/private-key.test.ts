import { readPrivateKey, retryingStaleOpenSslError } from '../../../src/auth/private-key'
import { testKeys } from '../../helpers/nock'

describe('retryingStaleOpenSslError', () => {
    it('tries once more when the first attempt throws, as a stale OpenSSL error makes it', () => {
        let calls = 0
        const result = retryingStaleOpenSslError(() => {
            calls++
            if (calls === 1) throw new Error('error:068000A8:asn1 encoding routines::too long')
            return 'parsed'
        })
        expect(result).toBe('parsed')
        expect(calls).toBe(2)
    })

    it('throws the second failure, and tries no more than twice', () => {
        let calls = 0
        expect(() =>
            retryingStaleOpenSslError(() => {
                calls++
                throw new Error(`attempt ${calls}`)
            })
        ).toThrow('attempt 2')
        expect(calls).toBe(2)
    })
})

describe('readPrivateKey', () => {
    it('reads a PEM private key', () => {
        expect(readPrivateKey(testKeys().privateKey).asymmetricKeyType).toBe('rsa')
    })
})
