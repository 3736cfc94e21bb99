/**
 * What `npm start` and `npm run invoke` make of `.env`: which target, which settings, and which mistakes they refuse
 * with a message a person can act on.
 */
import { execFileSync } from 'child_process'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import * as dotenv from 'dotenv'
import spec from '../../connector-spec.json'
import { EMULATOR_CREDENTIALS } from '../../emulator'
import { parseConfig } from '../../src/config'
import {
    describeTarget,
    ENV_SETTINGS,
    envKeyFor,
    LocalConfigError,
    PRIVATE_KEY_FILE,
    readLocalSettings,
    REQUIRED_ENV_KEYS,
} from '../../scripts/local-config'

const ROOT = path.resolve(__dirname, '..', '..')
const roots: string[] = []

/** A project root holding only this `.env` (or none). */
function rootWith(env?: string, files: Record<string, string> = {}): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-config-'))
    roots.push(root)
    if (env !== undefined) fs.writeFileSync(path.join(root, '.env'), env)
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(root, name), content)
    return root
}

afterAll(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true })
})

function refusal(root: string, environment: Record<string, string> = {}): string {
    try {
        readLocalSettings(root, environment)
    } catch (err) {
        expect(err).toBeInstanceOf(LocalConfigError)
        return (err as Error).message
    }
    throw new Error('expected the settings to be refused')
}

const JWT_ORG = [
    'SF_LOGIN_URL=https://acme.my.salesforce.com',
    'SF_CLIENT_ID=3MVG9consumerkey',
    'SF_USERNAME=scim.integration@acme.example.com',
    `SF_PRIVATE_KEY="${EMULATOR_CREDENTIALS.privateKeyPem.replace(/\n/g, '\\n')}"`,
].join('\n')

describe('the target', () => {
    it('is the emulator without a .env, and says so', () => {
        const settings = readLocalSettings(rootWith(), {})
        expect(settings.target.kind).toBe('emulator')
        expect(describeTarget(settings.target)).toBe(
            'Target: the local Salesforce emulator at http://127.0.0.1:8787 (no SF_LOGIN_URL in .env)'
        )
        expect([settings.connectorPort, settings.emulatorPort]).toEqual([3000, 8787])
    })

    it('is the org of SF_LOGIN_URL, named with the user, never a secret', () => {
        const settings = readLocalSettings(rootWith(JWT_ORG), {})
        const line = describeTarget(settings.target)
        expect(line).toBe(
            'Target: the Salesforce org at https://acme.my.salesforce.com (SF_LOGIN_URL in .env), jwtBearer as scim.integration@acme.example.com'
        )
        expect(line).not.toContain('3MVG9')
        expect(settings.target.config.privateKey).toBe(EMULATOR_CREDENTIALS.privateKeyPem)
    })

    it('takes the ports from .env or the environment, the environment winning', () => {
        const root = rootWith('CONNECTOR_PORT=3100\nEMULATOR_PORT=8800')
        expect(readLocalSettings(root, { CONNECTOR_PORT: '3200' })).toMatchObject({
            connectorPort: 3200,
            emulatorPort: 8800,
        })
        expect(refusal(rootWith('CONNECTOR_PORT=abc'))).toBe('CONNECTOR_PORT must be a whole number (got "abc")')
    })
})

describe('a half-filled .env', () => {
    it('with credentials but no SF_LOGIN_URL is refused, naming the keys, instead of using the emulator', () => {
        const withoutUrl = JWT_ORG.replace(/^SF_LOGIN_URL=.*$/m, '# SF_LOGIN_URL=https://acme.my.salesforce.com')
        const message = refusal(rootWith(withoutUrl))
        expect(message).toContain('.env sets SF_CLIENT_ID, SF_USERNAME, SF_PRIVATE_KEY but not SF_LOGIN_URL')
        expect(message).toContain('comment out those keys to use the local emulator')
        expect(message).not.toContain('BEGIN')
    })

    it.each(Object.entries(REQUIRED_ENV_KEYS))(
        'with SF_LOGIN_URL but nothing for %s is refused, naming every missing key',
        (authType, keys) => {
            const root = rootWith(`SF_AUTH_TYPE=${authType}\nSF_LOGIN_URL=https://acme.my.salesforce.com`)
            const named = keys.map((key) =>
                key === 'SF_PRIVATE_KEY' ? `SF_PRIVATE_KEY (or ${PRIVATE_KEY_FILE})` : key
            )
            expect(refusal(root)).toContain(`missing ${named.join(', ')} for SF_AUTH_TYPE=${authType}`)
        }
    )

    it('copied unchanged from .env.example gets one readable message, not an ENOENT trace', () => {
        const root = rootWith(fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8'))
        const message = refusal(root)
        expect(message).toContain('missing SF_CLIENT_ID for SF_AUTH_TYPE=jwtBearer')
        expect(message).toContain('SF_LOGIN_URL, SF_USERNAME still hold the <placeholders> of .env.example')
        expect(message).toContain(
            `SF_PRIVATE_KEY_FILE=./salesforce-jwt.key (${path.join(root, 'salesforce-jwt.key')}): there is no such file`
        )
        expect(message).not.toMatch(/ENOENT|\n\s+at /)
    })

    it('with a wrong key path names the path and how to make the key', () => {
        const env = JWT_ORG.replace(/^SF_PRIVATE_KEY=.*$/m, 'SF_PRIVATE_KEY_FILE=keys/missing.pem')
        expect(refusal(rootWith(env))).toBe(
            '.env is incomplete for the org at https://acme.my.salesforce.com: SF_PRIVATE_KEY_FILE=keys/missing.pem ' +
                `(${path.join(roots[roots.length - 1] ?? '', 'keys', 'missing.pem')}): there is no such file; create it ` +
                'with the openssl command in the README (Salesforce setup) or fix the path.'
        )
    })

    it('reads the key file relative to the project root', () => {
        const env = JWT_ORG.replace(/^SF_PRIVATE_KEY=.*$/m, 'SF_PRIVATE_KEY_FILE=./salesforce-jwt.key')
        const root = rootWith(env, { 'salesforce-jwt.key': EMULATOR_CREDENTIALS.privateKeyPem })
        expect(readLocalSettings(root, {}).target.config.privateKey).toBe(EMULATOR_CREDENTIALS.privateKeyPem)
    })

    it('with a value the connector refuses names the .env key and the ISC label', () => {
        expect(refusal(rootWith(`${JWT_ORG}\nSF_MAX_RETRIES=50`))).toBe(
            '.env: SF_MAX_RETRIES: Max Retries: must be a whole number from 0 to 10 (got "50"); leave it empty for 4'
        )
        expect(refusal(rootWith('SF_PAGE_SIZE=500'))).toContain('.env: SF_PAGE_SIZE: Page Size:')
    })
})

describe('every source setting', () => {
    const specKeys = spec.sourceConfig.flatMap((menu) =>
        menu.items.flatMap((section) => section.items.map((item) => item.key))
    )

    it('has a .env variable: one per sourceConfig field of connector-spec.json', () => {
        expect(ENV_SETTINGS.map((setting) => setting.configKey)).toEqual(specKeys)
        expect(envKeyFor('sessionTimeoutMinutes')).toBe('SF_SESSION_TIMEOUT_MINUTES')
        expect(envKeyFor('spConnEnableStatefulCommands')).toBe('SF_ENABLE_STATEFUL_COMMANDS')
    })

    it('is listed in .env.example, with SF_PRIVATE_KEY_FILE and the local ports', () => {
        const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8')
        const listed = new Set([...example.matchAll(/^#?\s*([A-Z_]+)=/gm)].map((m) => m[1]))
        for (const key of [...ENV_SETTINGS.map((s) => s.envKey), PRIVATE_KEY_FILE, 'CONNECTOR_PORT', 'EMULATOR_PORT'])
            expect(listed).toContain(key)
        expect(example).not.toMatch(/demo[^\n]*use \.env|postman[^\n]*use \.env/i)
    })

    it('reaches the connector from .env: page size, concurrency, timeout, retries, overlap and the rest', () => {
        const values: Record<string, string> = {
            SF_ACCOUNT_FILTER: 'active eq "true"',
            SF_ENABLE_STATEFUL_COMMANDS: 'false',
            SF_DELTA_OVERLAP_MINUTES: '7',
            SF_DEFAULT_PROFILE_ID: '00eDn0000000002IAA',
            SF_PAGE_SIZE: '150',
            SF_MAX_CONCURRENCY: '3',
            SF_PARALLEL_STREAMS: '2',
            SF_REQUEST_TIMEOUT_SECONDS: '45',
            SF_MAX_RETRIES: '2',
            SF_SESSION_TIMEOUT_MINUTES: '60',
            SF_TRACE_HTTP: 'true',
            SF_GOVERN_BEYOND_SCIM: 'false',
            SF_ADDITIONAL_USER_FIELDS: 'CompanyName, Cost_Center__c',
            SF_DISABLE_ACTION: 'deactivateOrFreeze',
            SF_FREE_LICENSES_ON_DISABLE: 'true',
            SF_API_USAGE_LIMIT_PERCENT: '75',
        }
        const env = Object.entries(values)
            .map(([key, value]) => `${key}='${value}'`)
            .join('\n')
        for (const root of [rootWith(`${JWT_ORG}\n${env}`), rootWith(env)]) {
            const parsed = parseConfig(readLocalSettings(root, {}).target.config)
            expect(parsed).toMatchObject({
                accountFilter: 'active eq "true"',
                statefulCommands: false,
                deltaOverlapMinutes: 7,
                defaultProfileId: '00eDn0000000002IAA',
                pageSize: 150,
                maxConcurrency: 3,
                parallelStreams: 2,
                requestTimeoutSeconds: 45,
                maxRetries: 2,
                sessionTimeoutMinutes: 60,
                traceHttp: true,
                governBeyondScim: false,
                additionalUserFields: ['CompanyName', 'Cost_Center__c'],
                disableAction: 'deactivateOrFreeze',
                freeLicensesOnDisable: true,
                apiUsageLimitPercent: 75,
            })
        }
        const nonConnection = ENV_SETTINGS.filter((s) => !s.connection).map((s) => s.envKey)
        expect(Object.keys(values).sort()).toEqual(nonConnection.sort())
    })

    it('warns about an unknown SF_ key, naming the closest known one', () => {
        const settings = readLocalSettings(rootWith('SF_PAGESIZE=100\nSF_TRACE=true'), {})
        expect(settings.warnings).toEqual([
            'SF_PAGESIZE is not a setting and is ignored; did you mean SF_PAGE_SIZE?',
            'SF_TRACE is not a setting and is ignored; did you mean SF_TRACE_HTTP?',
        ])
    })
})

describe('REQUIRED_ENV_KEYS', () => {
    const valid: Record<string, string> = {
        SF_CLIENT_ID: 'cid',
        SF_CLIENT_SECRET: 'secret',
        SF_USERNAME: 'user@acme.example.com',
        SF_PRIVATE_KEY: EMULATOR_CREDENTIALS.privateKeyPem,
        SF_PASSWORD: 'password',
    }
    const configOf = (authType: string, keys: readonly string[]) => ({
        authType,
        loginUrl: 'https://acme.my.salesforce.com',
        ...Object.fromEntries(keys.map((key) => [ENV_SETTINGS.find((s) => s.envKey === key)?.configKey, valid[key]])),
    })

    it.each(Object.entries(REQUIRED_ENV_KEYS))('are what the connector needs for %s', (authType, keys) => {
        expect(() => parseConfig(configOf(authType, keys))).not.toThrow()
        for (const key of keys) {
            const without = keys.filter((k) => k !== key)
            const configKey = ENV_SETTINGS.find((s) => s.envKey === key)?.configKey
            expect(() => parseConfig(configOf(authType, without))).toThrow(
                expect.objectContaining({ fields: [configKey] })
            )
        }
    })

    it('cover every authentication type the screen offers', () => {
        const authType = spec.sourceConfig[0]?.items[0]?.items.find((item) => item.key === 'authType') as
            { options: { value: string }[] } | undefined
        expect(Object.keys(REQUIRED_ENV_KEYS).sort()).toEqual(authType?.options.map((o) => o.value).sort())
    })
})

describe('secrets an admin creates in the project root', () => {
    const files = ['salesforce-jwt.key', 'salesforce-jwt.crt', 'config.json', '.env', 'other.pem', '.dev.yaml']

    it('are ignored by git, .env.example is not', () => {
        const ignored = execFileSync('git', ['check-ignore', ...files, '.env.example'], { cwd: ROOT, encoding: 'utf8' })
            .split('\n')
            .filter(Boolean)
        expect(ignored).toEqual(files)
    })

    it('are skipped by prettier, so a config.json in the root does not fail the check', () => {
        const prettier = path.join(ROOT, 'node_modules', '.bin', 'prettier')
        for (const file of files) {
            const info = JSON.parse(execFileSync(prettier, ['--file-info', file], { cwd: ROOT, encoding: 'utf8' }))
            expect({ file, ignored: info.ignored }).toEqual({ file, ignored: true })
        }
    })

    it('parse back as dotenv files the way the README says (a PEM in double quotes with \\n)', () => {
        expect(dotenv.parse(JWT_ORG).SF_PRIVATE_KEY).toBe(EMULATOR_CREDENTIALS.privateKeyPem)
    })
})
