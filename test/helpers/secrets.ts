/**
 * Every secret the test suite hands the connector. Nothing the connector logs or throws may contain one.
 */
import { EMULATOR_CREDENTIALS } from '../../emulator'

/** Distinctive fake secrets of the unit tests, so a leak is easy to find in any output. */
export const SECRETS = {
    clientSecret: 'CS-5e4f8a9b7c6d-client-secret',
    password: 'Pw-9f8e7d6c5b4a-password',
    securityToken: 'ST-1a2b3c4d5e6f',
    accessToken: '00DRM000000TEST!AQ4AQFakeAccessTokenValue.abcdefghijklmnopqrstuvwxyz0123456789',
} as const

/** Distinctive lines of the emulator's private key: a leaked key would contain them. */
function keyLines(pem: string): string[] {
    return pem
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length >= 40 && !l.startsWith('-----'))
}

export const TEST_SECRETS: readonly string[] = [
    ...Object.values(SECRETS),
    EMULATOR_CREDENTIALS.clientSecret,
    EMULATOR_CREDENTIALS.password,
    EMULATOR_CREDENTIALS.securityToken,
    ...keyLines(EMULATOR_CREDENTIALS.privateKeyPem),
]

/** Everything an error exposes: String(error) plus every own property, JSON-encoded. */
export function describeError(error: unknown): string {
    if (!(error instanceof Error)) return JSON.stringify(error)
    const own: Record<string, unknown> = {}
    for (const key of Object.getOwnPropertyNames(error)) own[key] = (error as unknown as Record<string, unknown>)[key]
    return `${String(error)} ${JSON.stringify(own)}`
}

/** Throws, naming which kind of secret leaked (never the secret itself), if `value` contains one. */
export function assertNoSecrets(value: unknown): void {
    const text = typeof value === 'string' ? value : describeError(value)
    for (const secret of TEST_SECRETS) {
        if (secret.length >= 6 && text.includes(secret)) {
            throw new Error(
                `a secret (${secret.length} chars) appears at offset ${text.indexOf(secret)} of what the connector produced`
            )
        }
    }
}
