import { createPrivateKey, KeyObject } from 'crypto'

/**
 * Runs work that parses a private key a second time when the first attempt throws: OpenSSL can leave an unrelated
 * error (e.g. from a failed TLS connection earlier in the process) on its thread's error queue, which makes the
 * next parse of a valid key fail once with "asn1 encoding routines::too long".
 */
export function retryingStaleOpenSslError<T>(work: () => T): T {
    try {
        return work()
    } catch {
        return work()
    }
}

/**
 * @throws Error from Node's crypto when the PEM does not hold a private key it can read.
 */
export function readPrivateKey(pem: string): KeyObject {
    return retryingStaleOpenSslError(() => createPrivateKey(pem))
}
