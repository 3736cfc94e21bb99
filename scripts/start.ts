/**
 * `npm start`: the connector's local server on the local Salesforce emulator (or on the org in `.env`),
 * ready for `npm run invoke -- <command> [input JSON]`.
 */
import { startEmulator } from '../emulator'
import { CONNECTOR_PORT, EMULATOR_PORT, localTarget } from './local-config'
import { startLocalServer } from './local-server'

async function main(): Promise<void> {
    const target = localTarget()
    const emulator =
        target.kind === 'emulator'
            ? await startEmulator({ port: EMULATOR_PORT, users: Number(process.env.EMULATOR_USERS ?? 0) })
            : undefined
    const server = await startLocalServer(CONNECTOR_PORT)

    console.log('')
    if (emulator) {
        console.log(`Salesforce emulator:      ${emulator.url}  (OAuth + SCIM 2.0, seeded org)`)
    } else {
        console.log(`Salesforce org:           ${String(target.config.loginUrl)}  (from .env)`)
    }
    console.log(`Connector local server:   ${server.url}  (SDK spcx, build/local/index.js)`)
    console.log('')
    console.log('In another terminal:')
    console.log('  npm run invoke -- std:test-connection')
    console.log('  npm run invoke -- std:account:list')
    console.log(`  npm run invoke -- std:entitlement:list '{"type":"permissionSet"}'`)
    console.log(`  npm run invoke -- std:account:read '{"identity":"<user id>"}'`)
    console.log('  npm run demo                    (a whole rollout, on its own emulator)')
    console.log('')
    console.log(`Raw: curl -s -X POST ${server.url}/invoke -H 'Content-Type: application/json' \\`)
    console.log(`       -d '{"type":"std:test-connection","input":{},"config":{...}}'   (note the /invoke path)`)
    console.log('Ctrl+C stops both.')

    const stop = async () => {
        await server.stop()
        await emulator?.close()
        process.exit(0)
    }
    process.once('SIGINT', () => void stop())
    process.once('SIGTERM', () => void stop())
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
})
