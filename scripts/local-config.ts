/**
 * What the local scripts (`npm start`, `npm run invoke`) run against: a real org configured in `.env`, or the local
 * Salesforce emulator. Every source setting of connector-spec.json can be set in `.env` as `SF_<KEY>` (the key in
 * upper snake case), so the list of variables cannot drift from the ISC screen. Secrets stay in memory; nothing
 * here prints them.
 */
import * as fs from 'fs'
import * as path from 'path'
import * as dotenv from 'dotenv'
import spec from '../connector-spec.json'
import { EMULATOR_CREDENTIALS } from '../emulator'
import { parseConfig } from '../src/config'
import { InvalidConfigurationError } from '../src/errors'

/** Thrown for a `.env` or environment the local scripts cannot use; its message is meant to be printed alone. */
export class LocalConfigError extends Error {
    override readonly name = 'LocalConfigError'
}

interface SpecItem {
    readonly key: string
    readonly label: string
}

interface SpecMenu {
    readonly label: string
    readonly items: readonly { readonly items: readonly SpecItem[] }[]
}

/** One source setting as the `.env` file names it. */
export interface EnvSetting {
    readonly envKey: string
    readonly configKey: string
    /** The label on the ISC screen. */
    readonly label: string
    /** A setting of the spec's Connection menu: it says which org to sign in to, and how. */
    readonly connection: boolean
}

/** `loginUrl` → `SF_LOGIN_URL`; ISC's own `spConn` prefix is dropped (`SF_ENABLE_STATEFUL_COMMANDS`). */
export function envKeyFor(configKey: string): string {
    const name = configKey.replace(/^spConn(?=[A-Z])/, '')
    return `SF_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`
}

/** Every sourceConfig item of connector-spec.json, in screen order. */
export const ENV_SETTINGS: readonly EnvSetting[] = (spec.sourceConfig as readonly SpecMenu[]).flatMap((menu) =>
    menu.items.flatMap((section) =>
        section.items.map((item) => ({
            envKey: envKeyFor(item.key),
            configKey: item.key,
            label: item.label,
            connection: menu.label === 'Connection',
        }))
    )
)

/** A local alternative to SF_PRIVATE_KEY: the path of the PEM file, relative to the project root. */
export const PRIVATE_KEY_FILE = 'SF_PRIVATE_KEY_FILE'

/**
 * The `.env` keys each authentication type cannot do without (a test checks them against parseConfig), so a
 * half-filled `.env` is refused with all of them named at once rather than one per run.
 */
export const REQUIRED_ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
    jwtBearer: ['SF_CLIENT_ID', 'SF_USERNAME', 'SF_PRIVATE_KEY'],
    clientCredentials: ['SF_CLIENT_ID', 'SF_CLIENT_SECRET'],
    usernamePassword: ['SF_CLIENT_ID', 'SF_CLIENT_SECRET', 'SF_USERNAME', 'SF_PASSWORD'],
}

export type LocalTarget =
    | { readonly kind: 'emulator'; readonly url: string; readonly config: Record<string, unknown> }
    | { readonly kind: 'salesforce'; readonly loginUrl: string; readonly config: Record<string, unknown> }

export interface LocalSettings {
    readonly connectorPort: number
    readonly emulatorPort: number
    readonly emulatorUsers: number
    readonly target: LocalTarget
    /** Unknown SF_* keys, each with the closest known one. */
    readonly warnings: readonly string[]
}

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

type Env = Readonly<Record<string, string | undefined>>

/**
 * Reads `<root>/.env` (if any) under the process environment (which wins, as with dotenv) and decides the
 * target: the org when SF_LOGIN_URL is set, the emulator when no connection setting is.
 * @throws LocalConfigError for a half-filled `.env`, naming every missing key, or for a setting the connector
 *   would refuse, naming its `.env` key and ISC label.
 */
export function readLocalSettings(root = process.cwd(), environment: Env = process.env): LocalSettings {
    const envFile = path.join(root, '.env')
    const fromFile = fs.existsSync(envFile) ? dotenv.parse(fs.readFileSync(envFile)) : {}
    const env: Env = { ...fromFile, ...environment }
    const value = (key: string): string | undefined => {
        const v = env[key]?.trim()
        return v === undefined || v === '' ? undefined : v
    }

    const connectorPort = port(value('CONNECTOR_PORT'), 'CONNECTOR_PORT', 3000)
    const emulatorPort = port(value('EMULATOR_PORT'), 'EMULATOR_PORT', 8787)
    const emulatorUsers = wholeNumber(value('EMULATOR_USERS'), 'EMULATOR_USERS', 0)

    const known = new Set([...ENV_SETTINGS.map((s) => s.envKey), PRIVATE_KEY_FILE])
    const warnings = Object.keys(env)
        .filter((key) => key.startsWith('SF_') && !known.has(key))
        .sort()
        .map((key) => `${key} is not a setting and is ignored; did you mean ${closest(key, [...known])}?`)

    // Settings outside the Connection menu (page size, tracing, ...) apply to either target.
    const settings: Record<string, unknown> = {}
    for (const setting of ENV_SETTINGS) {
        const v = value(setting.envKey)
        if (v !== undefined && !setting.connection) settings[setting.configKey] = v
    }
    const statefulKey = envKeyFor('spConnEnableStatefulCommands')
    if (value(statefulKey) === undefined) settings.spConnEnableStatefulCommands = true

    const connectionKeys = [
        ...ENV_SETTINGS.filter((s) => s.connection && value(s.envKey) !== undefined).map((s) => s.envKey),
        ...(value(PRIVATE_KEY_FILE) !== undefined ? [PRIVATE_KEY_FILE] : []),
    ]
    const loginUrl = value('SF_LOGIN_URL')
    if (loginUrl === undefined) {
        if (connectionKeys.length > 0) {
            throw new LocalConfigError(
                `.env sets ${connectionKeys.join(', ')} but not SF_LOGIN_URL, so it names no org to sign in to. ` +
                    'Set SF_LOGIN_URL to the org’s login URL (e.g. https://mycompany.my.salesforce.com) to use that ' +
                    'org, or comment out those keys to use the local emulator.'
            )
        }
        const url = value('EMULATOR_URL') ?? `http://127.0.0.1:${emulatorPort}`
        const config = emulatorConfig(url, settings)
        checkWithConnector(config)
        return { connectorPort, emulatorPort, emulatorUsers, target: { kind: 'emulator', url, config }, warnings }
    }

    const config: Record<string, unknown> = { ...settings }
    for (const setting of ENV_SETTINGS) {
        const v = value(setting.envKey)
        // Secrets are taken verbatim: a trailing space may belong to a password.
        if (v !== undefined && setting.connection) config[setting.configKey] = env[setting.envKey]
    }
    const problems: string[] = []
    const placeholders = connectionKeys.filter((key) => /<[^>]*>/.test(value(key) ?? ''))
    if (placeholders.length > 0) {
        problems.push(`${placeholders.join(', ')} still hold the <placeholders> of .env.example`)
    }
    const keyFile = value(PRIVATE_KEY_FILE)
    if (keyFile !== undefined) {
        if (value('SF_PRIVATE_KEY') !== undefined) problems.push(`set SF_PRIVATE_KEY or ${PRIVATE_KEY_FILE}, not both`)
        const read = readKeyFile(root, keyFile)
        if (read.problem !== undefined) problems.push(read.problem)
        else config.privateKey = read.pem
    }
    const authType = value('SF_AUTH_TYPE') ?? 'jwtBearer'
    const missing = (REQUIRED_ENV_KEYS[authType] ?? []).filter((key) =>
        key === 'SF_PRIVATE_KEY' ? value(key) === undefined && keyFile === undefined : value(key) === undefined
    )
    if (missing.length > 0) {
        const names = missing.map((key) => (key === 'SF_PRIVATE_KEY' ? `SF_PRIVATE_KEY (or ${PRIVATE_KEY_FILE})` : key))
        problems.unshift(`missing ${names.join(', ')} for SF_AUTH_TYPE=${authType}`)
    }
    if (problems.length > 0) {
        throw new LocalConfigError(`.env is incomplete for the org at ${loginUrl}: ${problems.join('; ')}.`)
    }
    checkWithConnector(config, keyFile !== undefined)
    return {
        connectorPort,
        emulatorPort,
        emulatorUsers,
        target: { kind: 'salesforce', loginUrl: new URL(loginUrl).origin, config },
        warnings,
    }
}

/**
 * Runs the connector's own config check, so a mistake is reported before any request, under its `.env` key.
 * @throws LocalConfigError naming the `.env` key and the ISC label.
 */
function checkWithConnector(config: Record<string, unknown>, keyFromFile = false): void {
    try {
        parseConfig(config)
    } catch (err) {
        if (!(err instanceof InvalidConfigurationError)) throw err
        const keys = (err.fields ?? []).map((key) =>
            key === 'privateKey' && keyFromFile ? PRIVATE_KEY_FILE : envKeyFor(key)
        )
        throw new LocalConfigError(`.env: ${keys.length > 0 ? `${keys.join(', ')}: ` : ''}${err.message}`)
    }
}

/** One line saying what every command of this run talks to (printed on every run, never a secret). */
export function describeTarget(target: LocalTarget): string {
    if (target.kind === 'emulator') {
        return `Target: the local Salesforce emulator at ${target.url} (no SF_LOGIN_URL in .env)`
    }
    const authType = typeof target.config.authType === 'string' ? target.config.authType : 'jwtBearer'
    const user = typeof target.config.username === 'string' ? ` as ${target.config.username}` : ''
    return `Target: the Salesforce org at ${target.loginUrl} (SF_LOGIN_URL in .env), ${authType}${user}`
}

function readKeyFile(root: string, file: string): { pem?: string; problem?: string } {
    const full = path.resolve(root, file)
    try {
        return { pem: fs.readFileSync(full, 'utf8') }
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        const why =
            code === 'ENOENT'
                ? 'there is no such file; create it with the openssl command in the README (Salesforce setup) or fix the path'
                : code === 'EISDIR'
                  ? 'it is a folder, not a key file'
                  : `it cannot be read (${code ?? 'unknown error'})`
        return { problem: `${PRIVATE_KEY_FILE}=${file} (${full}): ${why}` }
    }
}

function port(text: string | undefined, key: string, fallback: number): number {
    const n = wholeNumber(text, key, fallback)
    if (n < 1 || n > 65535) throw new LocalConfigError(`${key} must be a port number from 1 to 65535 (got "${text}")`)
    return n
}

function wholeNumber(text: string | undefined, key: string, fallback: number): number {
    if (text === undefined) return fallback
    const n = Number(text)
    if (!Number.isInteger(n) || n < 0) throw new LocalConfigError(`${key} must be a whole number (got "${text}")`)
    return n
}

/** The candidate that contains `key` (or is contained in it), else the one with the fewest single-character edits. */
function closest(key: string, candidates: readonly string[]): string {
    const rank = (candidate: string): [number, number] => [
        candidate.includes(key) || key.includes(candidate) ? 0 : 1,
        editDistance(key, candidate),
    ]
    let best = candidates[0] ?? ''
    let bestRank: [number, number] = [2, Infinity]
    for (const candidate of candidates) {
        const [contained, distance] = rank(candidate)
        if (contained < bestRank[0] || (contained === bestRank[0] && distance < bestRank[1])) {
            best = candidate
            bestRank = [contained, distance]
        }
    }
    return best
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
    for (let i = 1; i <= a.length; i++) {
        const current = [i]
        for (let j = 1; j <= b.length; j++) {
            const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
            current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
        }
        previous = current
    }
    return previous[b.length] ?? 0
}
