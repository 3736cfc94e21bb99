import { readFileSync } from 'fs'
import { join } from 'path'

/**
 * Fixed credentials of the emulated org's connected app and integration user. The key pair under `emulator/keys` is a
 * throwaway made for local testing only; nothing here is valid against a real Salesforce org.
 */
export interface EmulatorCredentials {
    readonly clientId: string
    readonly clientSecret: string
    readonly username: string
    readonly password: string
    readonly securityToken: string
    readonly privateKeyPem: string
    readonly certificatePem: string
}

const KEY_DIR = join(__dirname, 'keys')

export const EMULATOR_CREDENTIALS: EmulatorCredentials = Object.freeze({
    clientId: '3MVG9EmulatorAcmeCorpSCIMConnectedApp0000000000000000000000000000000000000000000000',
    clientSecret: 'E7A1C0FFEE5C1M0000000000000000000000000000000000000000000000000',
    username: 'scim.integration@acme-corp.example.com',
    password: 'Emulat0rPassw0rd',
    securityToken: 'EmuSecToken0000000000000',
    privateKeyPem: readFileSync(join(KEY_DIR, 'emulator-jwt-private-key.pem'), 'utf8'),
    certificatePem: readFileSync(join(KEY_DIR, 'emulator-jwt-certificate.crt'), 'utf8'),
})
