/**
 * `npm run postman`: runs the two Postman collections with newman against a fresh local Salesforce emulator and the
 * built connector (`dist/index.js`) on the SDK's local server, each on a free port.
 *
 * The committed environment holds no secrets; the emulator's test secrets, private key and the connector config are
 * filled into an in-memory copy. newman's CLI reporter prints request names, URLs and assertion results, never
 * request bodies or variable values, so none of them reach the console.
 */
import * as fs from 'fs'
import * as net from 'net'
import * as path from 'path'
import newman, { NewmanEnvironment, NewmanRunSummary } from 'newman'
import { EMULATOR_CREDENTIALS, startEmulator } from '../emulator'
import { emulatorConfig } from './local-config'
import { startLocalServer } from './local-server'

const POSTMAN_DIR = path.resolve(__dirname, '..', 'postman')
const COLLECTIONS = [
    'salesforce-scim.postman_collection.json',
    'salesforce-rest.postman_collection.json',
    'connector-local-server.postman_collection.json',
]
const ENVIRONMENT = 'emulator.postman_environment.json'

/** Enough users for the list tests to need a second SCIM page (Salesforce pages at 200). */
const SEEDED_USERS = 450

function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(path.join(POSTMAN_DIR, file), 'utf8')) as T
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer()
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => {
            const address = server.address()
            const port = typeof address === 'object' && address ? address.port : 0
            server.close(() => (port ? resolve(port) : reject(new Error('no free port'))))
        })
    })
}

/** The committed environment with the run's URLs and secrets set; keys the file lacks are added. */
function environmentFor(values: Record<string, string>): NewmanEnvironment {
    const environment = readJson<NewmanEnvironment>(ENVIRONMENT)
    for (const [key, value] of Object.entries(values)) {
        const existing = environment.values.find((v) => v.key === key)
        if (existing) {
            existing.value = value
            existing.enabled = true
        } else {
            environment.values.push({ key, value, enabled: true })
        }
    }
    return environment
}

function runCollection(file: string, environment: NewmanEnvironment): Promise<NewmanRunSummary> {
    return new Promise((resolve, reject) => {
        newman.run(
            {
                collection: readJson<object>(file),
                environment,
                reporters: ['cli'],
                timeoutRequest: 120_000,
                timeoutScript: 30_000,
            },
            (err, summary) => (err ? reject(err) : resolve(summary))
        )
    })
}

interface Totals {
    requests: number
    assertions: number
    failedAssertions: number
    failures: number
}

async function main(): Promise<number> {
    const emulator = await startEmulator({ port: 0, users: SEEDED_USERS })
    const connector = await startLocalServer(await freePort()).catch(async (err: unknown) => {
        await emulator.close()
        throw err
    })
    const totals: Totals = { requests: 0, assertions: 0, failedAssertions: 0, failures: 0 }
    try {
        const environment = environmentFor({
            loginUrl: emulator.url,
            jwtAudience: emulator.url,
            clientId: EMULATOR_CREDENTIALS.clientId,
            clientSecret: EMULATOR_CREDENTIALS.clientSecret,
            username: EMULATOR_CREDENTIALS.username,
            password: EMULATOR_CREDENTIALS.password,
            securityToken: EMULATOR_CREDENTIALS.securityToken,
            jwtPrivateKey: EMULATOR_CREDENTIALS.privateKeyPem,
            connectorUrl: connector.url,
            connectorConfig: JSON.stringify(emulatorConfig(emulator.url)),
            minAccounts: String(SEEDED_USERS),
        })
        for (const file of COLLECTIONS) {
            const { run } = await runCollection(file, environment)
            totals.requests += run.stats.requests.total ?? 0
            totals.assertions += run.stats.assertions.total ?? 0
            totals.failedAssertions += run.stats.assertions.failed ?? 0
            totals.failures += run.failures.length
        }
    } finally {
        await connector.stop()
        await emulator.close()
    }
    const ok = totals.failures === 0
    console.log(
        `\nPostman: ${totals.requests} requests, ${totals.assertions - totals.failedAssertions}/${totals.assertions} ` +
            `assertions passed, ${totals.failures} failure(s): ${ok ? 'OK' : 'FAILED'}`
    )
    return ok ? 0 : 1
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(`postman run failed: ${err instanceof Error ? err.message : String(err)}`)
        process.exit(1)
    }
)
