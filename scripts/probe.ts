/**
 * `npm run probe`: which variant of each unconfirmed Salesforce behaviour (R1-R15, E12, REST B1-B5) the org in `.env` shows,
 * as a Markdown block for a bug report. See the README, "Conformance probe".
 */
import * as readline from 'readline/promises'
import { parseArgs } from 'util'
import { RunningEmulator, SEED, startEmulator } from '../emulator'
import { SalesforceConfig, parseConfig } from '../src/config'
import { RISK_IDS, RiskId, findingLine } from './probe/findings'
import { ProbeOptions, ProbeSetupError, runProbe } from './probe/run'
import { LocalConfigError, describeTarget, emulatorConfig, readLocalSettings } from './local-config'

const USAGE = `Usage: npm run probe -- [options]

Runs against the org of .env (SF_LOGIN_URL: use a sandbox). Creates one test user, changes it, and deactivates it.

  --yes                  do not ask for confirmation
  --only R4,R6           run only these checks (${RISK_IDS.join(', ')})
  --profile 00e…         the test user's profile (default: SF_DEFAULT_PROFILE_ID)
  --domain example.com   the test user's username domain (default: the integration user's)
  --queue 00G…           a queue's id, so R14 can tell a hidden queue from none
  --permission-set 0PS…  the permission set R1 gives the test user (default: the first it can take)
  --group 00G…           the public group R8, E12 and B2 use (default: the org's first)
  --locked-user 005…     a user locked out by failed logins that B3 may unlock (without it B3 only counts them)
  --emulator             run against a fresh local emulator instead of .env
  --help                 this text`

/** Hosts of sandboxes: `*.sandbox.my.salesforce.com`, `test.salesforce.com`, the old `csNN` instances. */
function looksLikeSandbox(url: string): boolean {
    const host = new URL(url).hostname.toLowerCase()
    return (
        host === 'test.salesforce.com' ||
        host.endsWith('.sandbox.my.salesforce.com') ||
        /^cs\d+\./.test(host) ||
        host === '127.0.0.1' ||
        host === 'localhost'
    )
}

function parseOnly(text: string | undefined): RiskId[] | undefined {
    if (text === undefined) return undefined
    const ids = text.split(',').map((id) => id.trim().toUpperCase())
    const unknown = ids.filter((id) => !(RISK_IDS as readonly string[]).includes(id))
    if (unknown.length > 0)
        throw new ProbeSetupError(`--only: unknown check ${unknown.join(', ')}; known: ${RISK_IDS.join(', ')}`)
    return ids as RiskId[]
}

async function askOnTerminal(plan: string): Promise<boolean> {
    if (!process.stdin.isTTY) throw new ProbeSetupError('No terminal to confirm on: pass --yes to run without asking')
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr })
    try {
        return (await rl.question(`${plan}\n\nType yes to go on: `)).trim().toLowerCase() === 'yes'
    } finally {
        rl.close()
    }
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            yes: { type: 'boolean' },
            only: { type: 'string' },
            profile: { type: 'string' },
            domain: { type: 'string' },
            queue: { type: 'string' },
            'permission-set': { type: 'string' },
            group: { type: 'string' },
            'locked-user': { type: 'string' },
            emulator: { type: 'boolean' },
            help: { type: 'boolean' },
        },
    })
    if (values.help === true) {
        console.log(USAGE)
        return 0
    }
    const only = parseOnly(values.only)
    let emulator: RunningEmulator | undefined
    let config: SalesforceConfig
    let queueId = values.queue
    if (values.emulator === true) {
        // Enough users and permission sets for every check to decide (R3 needs over 200 entitlements, R5 over 100).
        emulator = await startEmulator({ users: 150, permissionSets: 250 })
        config = parseConfig(emulatorConfig(emulator.url, { defaultProfileId: SEED.profiles.standardUser }))
        queueId ??= SEED.groups.supportQueue
        console.error(`Target: a fresh local Salesforce emulator at ${emulator.url}`)
    } else {
        const settings = readLocalSettings()
        if (settings.target.kind === 'emulator')
            throw new ProbeSetupError(
                'No SF_LOGIN_URL in .env: the probe is for a real org (a sandbox). Use --emulator for the local emulator.'
            )
        settings.warnings.forEach((w) => console.error(w))
        console.error(describeTarget(settings.target))
        config = parseConfig(settings.target.config)
    }
    try {
        const options: ProbeOptions = {
            config,
            ...(only !== undefined ? { only } : {}),
            ...(values.profile !== undefined ? { profileId: values.profile } : {}),
            ...(values.domain !== undefined ? { domain: values.domain } : {}),
            ...(queueId !== undefined ? { queueId } : {}),
            ...(values['permission-set'] !== undefined ? { permissionSetId: values['permission-set'] } : {}),
            ...(values.group !== undefined ? { groupId: values.group } : {}),
            ...(values['locked-user'] !== undefined ? { lockedUserId: values['locked-user'] } : {}),
            progress: (line) => console.error(`  ${line}`),
            confirm: async (plan) => {
                const warning = looksLikeSandbox(config.loginUrl.origin)
                    ? ''
                    : `\nWARNING: ${config.loginUrl.origin} does not look like a sandbox; run the probe on a sandbox.`
                if (values.yes === true) {
                    console.error(`${plan}${warning}\n(--yes: not asking)`)
                    return true
                }
                return askOnTerminal(`${plan}${warning}`)
            },
        }
        const result = await runProbe(options)
        if (result.stopped !== undefined && result.findings.length === 0) {
            console.error(`Stopped: ${result.stopped}`)
            return 1
        }
        console.error('')
        result.findings.forEach((f) => console.error(findingLine(f)))
        console.error('\nPaste this into the bug report:\n')
        console.log(result.report)
        return result.testUser !== undefined && !result.testUser.deactivated ? 2 : 0
    } finally {
        await emulator?.close()
    }
}

main().then(
    (code) => {
        process.exitCode = code
    },
    (err: unknown) => {
        const known = err instanceof ProbeSetupError || err instanceof LocalConfigError
        console.error(known ? err.message : err instanceof Error ? `Probe failed: ${err.message}` : String(err))
        process.exitCode = 1
    }
)
