/**
 * `npm start`: the connector's local server on the local Salesforce emulator (or on the org in `.env`),
 * ready for `npm run invoke -- <command> [input JSON]`.
 */
import { RunningEmulator, startEmulator } from '../emulator'
import { describeTarget, LocalConfigError, readLocalSettings } from './local-config'
import { LocalServer, PortInUseError, startLocalServer } from './local-server'

/** Says which port is taken and how to pick another, instead of the SDK's "listening" on a port it never got. */
function portTakenMessage(port: number, envKey: 'CONNECTOR_PORT' | 'EMULATOR_PORT', what: string): string {
    return (
        `Port ${port} is already in use, so ${what} cannot listen on it. Stop the program that holds it ` +
        `(perhaps another npm start; \`lsof -i :${port}\` shows it), or choose another port: ` +
        `${envKey}=${port + 1} npm start, or ${envKey}=${port + 1} in .env` +
        (envKey === 'CONNECTOR_PORT' ? ` (npm run invoke reads it too).` : '.')
    )
}

async function main(): Promise<void> {
    const settings = readLocalSettings()
    for (const warning of settings.warnings) console.error(`Warning: ${warning}`)
    const { target } = settings
    console.log(describeTarget(target))

    let emulator: RunningEmulator | undefined
    if (target.kind === 'emulator') {
        emulator = await startEmulator({ port: settings.emulatorPort, users: settings.emulatorUsers }).catch(
            (err: NodeJS.ErrnoException) => {
                if (err.code !== 'EADDRINUSE') throw err
                throw new LocalConfigError(
                    portTakenMessage(settings.emulatorPort, 'EMULATOR_PORT', 'the Salesforce emulator')
                )
            }
        )
    }
    let server: LocalServer
    try {
        server = await startLocalServer(settings.connectorPort)
    } catch (err) {
        await emulator?.close()
        if (!(err instanceof PortInUseError)) throw err
        throw new LocalConfigError(
            portTakenMessage(settings.connectorPort, 'CONNECTOR_PORT', 'the connector’s local server')
        )
    }

    console.log('')
    if (emulator) {
        console.log(`Salesforce emulator:      ${emulator.url}  (OAuth + SCIM 2.0, seeded org)`)
    } else {
        console.log(`Salesforce org:           ${target.kind === 'salesforce' ? target.loginUrl : ''}  (from .env)`)
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

    let stopping = false
    const stop = async (code: number) => {
        stopping = true
        await server.stop()
        await emulator?.close()
        process.exit(code)
    }
    process.once('SIGINT', () => void stop(0))
    process.once('SIGTERM', () => void stop(0))
    void server.exited.then(async (code) => {
        if (stopping) return
        console.error(`The connector's local server stopped (exit code ${String(code)}); npm start stops too.`)
        await stop(1)
    })
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exit(1)
})
