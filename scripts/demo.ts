/**
 * `npm run demo`: the command sequence of a real rollout, run on the built bundle against a fresh emulator,
 * printing what each step did.
 */
import fs from 'fs'
import * as path from 'path'
import { SEED, startEmulator } from '../emulator'
import { emulatorConfig } from './local-config'
import { loadBundle, runBundleCommand } from './run-bundle'

type Attrs = Record<string, unknown>

/**
 * The connector logs through the SDK's pino logger, which writes to stdout asynchronously (fs.write), while this
 * script's console.log writes at once: a heading printed right after a command could overtake the command's last
 * log line. `logsWritten()` resolves once no asynchronous write to stdout or stderr is in flight.
 */
function trackAsyncOutput(): () => Promise<void> {
    let inFlight = 0
    let waiting: (() => void)[] = []
    const write = fs.write as (...args: unknown[]) => void
    fs.write = ((fd: unknown, ...rest: unknown[]) => {
        const callback = rest.pop()
        if ((fd !== 1 && fd !== 2) || typeof callback !== 'function') return write(fd, ...rest, callback)
        inFlight++
        write(fd, ...rest, (...result: unknown[]) => {
            inFlight--
            ;(callback as (...r: unknown[]) => void)(...result)
            // The logger issues its next buffered write from inside that callback.
            if (inFlight === 0) {
                const resolved = waiting
                waiting = []
                for (const resolve of resolved) resolve()
            }
        })
    }) as typeof fs.write
    return () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)))
}

const logsWritten = trackAsyncOutput()
const bundle = loadBundle(path.resolve(__dirname, '..', 'dist', 'index.js'))

function step(title: string): void {
    console.log(`\n== ${title}`)
}

function attrs(output: Record<string, unknown> | undefined): Attrs {
    return (output?.attributes ?? {}) as Attrs
}

function show(account: Record<string, unknown> | undefined): void {
    const a = attrs(account)
    console.log(
        `   ${String(a.userName)}  disabled=${String(account?.disabled)}  profile=${String(a.profile)}  ` +
            `permissionSets=${JSON.stringify(a.permissionSets)}  role=${String(a.role)}  groups=${JSON.stringify(a.groups)}`
    )
    // What only Salesforce's REST API shows (Govern Access Beyond SCIM).
    console.log(
        `      permissionSetGroups=${JSON.stringify(a.permissionSetGroups)}  ` +
            `permissionSetLicenses=${JSON.stringify(a.permissionSetLicenses)}  queues=${JSON.stringify(a.queues)}  ` +
            `featureLicenses=${JSON.stringify(a.featureLicenses)}  userLicense=${String(a.userLicense)}  ` +
            `frozen=${String(a.frozen)}  locked=${String(account?.locked)}`
    )
}

/** The messages the connector put in a command's results (a freeze instead of a deactivation, seats freed). */
function results(output: Record<string, unknown> | undefined): string[] {
    const list = (output?.results ?? []) as { messages?: { message?: string }[] }[]
    return list.flatMap((result) => (result.messages ?? []).map((m) => String(m.message)))
}

async function main(): Promise<void> {
    const emulator = await startEmulator({ port: 0 })
    const config = emulatorConfig(emulator.url)
    const run = async (type: string, input: unknown) => {
        const result = await runBundleCommand(bundle, type, input, config)
        await logsWritten()
        return result
    }
    try {
        step('Test connection')
        await run('std:test-connection', {})
        console.log(`   connected to ${emulator.url} with the JWT bearer flow`)

        step('Aggregate accounts (full; delta switched on)')
        const full = await run('std:account:list', { stateful: true })
        const disabled = full.outputs.filter((o) => o.disabled === true).length
        console.log(
            `   ${full.outputs.length} accounts, ${disabled} disabled; state saved: ${JSON.stringify(full.states[0])}`
        )

        step('Aggregate entitlements')
        const entitlements: Record<string, { id: string; name: string }[]> = {}
        const types = ['profile', 'permissionSet', 'role', 'group']
        const beyondScim = ['permissionSetGroup', 'permissionSetLicense', 'packageLicense', 'queue', 'featureLicense']
        for (const type of [...types, ...beyondScim]) {
            const list = await run('std:entitlement:list', { type })
            entitlements[type] = list.outputs.map((o) => ({ id: String(o.identity), name: String(attrs(o).name) }))
            console.log(
                `   ${type}: ${list.outputs.length} (${entitlements[type]
                    .slice(0, 4)
                    .map((e) => e.name)
                    .join(' | ')} | ...)`
            )
        }
        const byName = (type: string, name: string) => {
            const found = entitlements[type]?.find((e) => e.name === name) ?? entitlements[type]?.[0]
            if (!found) throw new Error(`no ${type} in the emulator's org`)
            return found
        }
        const standardUser = byName('profile', 'Standard User')
        const platformUser = byName('profile', 'Salesforce Platform User')
        const salesCloud = byName('permissionSet', 'Sales Cloud User')
        const apiEnabled = byName('permissionSet', 'API Enabled')
        const group = entitlements.group?.[0]
        const role = entitlements.role?.[1] ?? entitlements.role?.[0]
        const permissionSetGroup = byName('permissionSetGroup', 'Service Agent Bundle')
        const queue = byName('queue', 'Sales Escalations')
        const featureLicense = byName('featureLicense', 'Knowledge User')
        const license = byName('permissionSetLicense', 'Field Service Scheduling')

        step(
            `Access request: create a user with profile "${standardUser.name}" and permission set "${salesCloud.name}"`
        )
        const created = await run('std:account:create', {
            attributes: {
                userName: 'jordan.lee@acme-demo.example',
                email: 'jordan.lee@acme-demo.example',
                givenName: 'Jordan',
                familyName: 'Lee',
                alias: 'jlee',
                title: 'Account Executive',
                profile: standardUser.id,
                permissionSets: salesCloud.id,
            },
        })
        const account = created.outputs[0]
        const id = String(account?.identity)
        show(account)

        step(`Update: add "${apiEnabled.name}", join group "${group?.name}", set role "${role?.name}"`)
        const updated = await run('std:account:update', {
            key: { simple: { id } },
            changes: [
                { op: 'Add', attribute: 'permissionSets', value: apiEnabled.id },
                ...(group ? [{ op: 'Add', attribute: 'groups', value: group.id }] : []),
                ...(role ? [{ op: 'Set', attribute: 'role', value: role.id }] : []),
            ],
        })
        show(updated.outputs[0])

        step(
            `Update beyond SCIM: permission set group "${permissionSetGroup.name}", license "${license.name}", ` +
                `queue "${queue.name}", feature license "${featureLicense.name}"`
        )
        const extended = await run('std:account:update', {
            key: { simple: { id } },
            changes: [
                { op: 'Add', attribute: 'permissionSetGroups', value: permissionSetGroup.id },
                { op: 'Add', attribute: 'permissionSetLicenses', value: license.id },
                { op: 'Add', attribute: 'queues', value: queue.id },
                { op: 'Add', attribute: 'featureLicenses', value: featureLicense.id },
            ],
        })
        show(extended.outputs[0])

        step(
            `Update: remove "${salesCloud.name}" (that assignment only) and change the profile to "${platformUser.name}"`
        )
        const changed = await run('std:account:update', {
            key: { simple: { id } },
            changes: [
                { op: 'Remove', attribute: 'permissionSets', value: salesCloud.id },
                { op: 'Set', attribute: 'profile', value: platformUser.id },
            ],
        })
        show(changed.outputs[0])

        const fullLicense = byName('permissionSetLicense', 'Sales Cloud Einstein')
        step(`Access request for a license without a free seat ("${fullLicense.name}"): refused before any user exists`)
        try {
            await run('std:account:create', {
                attributes: {
                    userName: 'casey.ng@acme-demo.example',
                    email: 'casey.ng@acme-demo.example',
                    familyName: 'Ng',
                    profile: standardUser.id,
                    permissionSetLicenses: fullLicense.id,
                },
            })
        } catch (error) {
            console.log(`   refused: ${error instanceof Error ? error.message : String(error)}`)
        }

        step('Disable the integration user the source signs in as: refused before any write')
        try {
            await run('std:account:disable', { key: { simple: { id: SEED.users.integration } } })
        } catch (error) {
            console.log(`   refused: ${error instanceof Error ? error.message : String(error)}`)
        }

        step('Leaver: disable, then a rehire: enable')
        show((await run('std:account:disable', { key: { simple: { id } } })).outputs[0])
        show((await run('std:account:enable', { key: { simple: { id } } })).outputs[0])

        step(
            'Leaver Salesforce will not deactivate (the Web-to-Lead default creator), Disable Action deactivateOrFreeze'
        )
        const freezeConfig = { ...config, disableAction: 'deactivateOrFreeze' }
        const leaver = { key: { simple: { id: SEED.users.salesManagerWest } } }
        const frozen = await runBundleCommand(bundle, 'std:account:disable', leaver, freezeConfig)
        await logsWritten()
        show(frozen.outputs[0])
        for (const message of results(frozen.outputs[0])) console.log(`   ${message}`)
        show((await runBundleCommand(bundle, 'std:account:enable', leaver, freezeConfig)).outputs[0])
        await logsWritten()

        step('Unlock: a user locked out by failed logins, then one locked until an administrator resets')
        show((await run('std:account:unlock', { key: { simple: { id: SEED.users.locked } } })).outputs[0])
        try {
            await run('std:account:unlock', { key: { simple: { id: SEED.users.lockedUntilAdminReset } } })
        } catch (error) {
            console.log(`   refused: ${error instanceof Error ? error.message : String(error)}`)
        }

        step('Delta aggregation with the saved state: users changed since the last run (and its overlap window)')
        const delta = await run('std:account:list', { stateful: true, state: full.states[0] })
        console.log(
            `   ${delta.outputs.length} changed account(s): ${delta.outputs.map((o) => String(attrs(o).userName)).join(', ')}`
        )

        step('Discover the schema (custom fields of the org included)')
        const schema = (await run('std:account:discover-schema', {})).outputs[0] as { attributes?: { name: string }[] }
        const custom = (schema.attributes ?? []).filter((a) => a.name.endsWith('__c')).map((a) => a.name)
        console.log(`   ${schema.attributes?.length ?? 0} attributes; custom: ${custom.join(', ') || '(none)'}`)

        step('Delete (Salesforce deactivates; users are never deleted)')
        await run('std:account:delete', { key: { simple: { id } } })
        show((await run('std:account:read', { key: { simple: { id } } })).outputs[0])

        const stats = emulator.stats()
        console.log(`\nDone: ${stats.requests} Salesforce API requests, ${stats.tokenRequests} token request(s).`)
    } finally {
        await emulator.close()
    }
}

main().catch((err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
})
