/**
 * The connector configuration the local scripts send: a real org from `.env` when one is configured,
 * otherwise the local Salesforce emulator. Secrets stay in memory; nothing here prints them.
 */
import * as fs from 'fs'
import * as path from 'path'
import * as dotenv from 'dotenv'
import { EMULATOR_CREDENTIALS } from '../emulator'

export const EMULATOR_PORT = Number(process.env.EMULATOR_PORT ?? 8787)
export const CONNECTOR_PORT = Number(process.env.CONNECTOR_PORT ?? 3000)

export type LocalTarget =
    { kind: 'emulator'; config: Record<string, unknown> } | { kind: 'salesforce'; config: Record<string, unknown> }

/** Connector config for the emulator at `url`, using the JWT bearer flow as a production source would. */
export function emulatorConfig(url: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        authType: 'jwtBearer',
        loginUrl: url,
        clientId: EMULATOR_CREDENTIALS.clientId,
        username: EMULATOR_CREDENTIALS.username,
        privateKey: EMULATOR_CREDENTIALS.privateKeyPem,
        spConnEnableStatefulCommands: true,
        ...overrides,
    }
}

const ENV_KEYS: Record<string, string> = {
    SF_AUTH_TYPE: 'authType',
    SF_LOGIN_URL: 'loginUrl',
    SF_CLIENT_ID: 'clientId',
    SF_CLIENT_SECRET: 'clientSecret',
    SF_USERNAME: 'username',
    SF_PRIVATE_KEY: 'privateKey',
    SF_PASSWORD: 'password',
    SF_SECURITY_TOKEN: 'securityToken',
    SF_ACCOUNT_FILTER: 'accountFilter',
    SF_DEFAULT_PROFILE_ID: 'defaultProfileId',
    SF_SESSION_TIMEOUT_MINUTES: 'sessionTimeoutMinutes',
    SF_TRACE_HTTP: 'traceHttp',
}

/** Reads `.env` (if any). `SF_LOGIN_URL` there switches every local command to that org. */
export function localTarget(): LocalTarget {
    dotenv.config({ path: path.resolve(process.cwd(), '.env'), quiet: true })
    if (!process.env.SF_LOGIN_URL) {
        const url = process.env.EMULATOR_URL ?? `http://127.0.0.1:${EMULATOR_PORT}`
        return { kind: 'emulator', config: emulatorConfig(url) }
    }
    const config: Record<string, unknown> = {}
    for (const [envKey, configKey] of Object.entries(ENV_KEYS)) {
        const value = process.env[envKey]
        if (value !== undefined && value !== '') config[configKey] = value
    }
    const keyFile = process.env.SF_PRIVATE_KEY_FILE
    if (keyFile) config.privateKey = fs.readFileSync(path.resolve(keyFile), 'utf8')
    config.spConnEnableStatefulCommands = true
    return { kind: 'salesforce', config }
}
