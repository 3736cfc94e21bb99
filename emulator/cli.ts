import { parseArgs } from 'util'
import { EMULATOR_CREDENTIALS, EmulatorOptions, FaultOptions, ORG_ID, SEED, startEmulator } from './index'
import { DEFAULT_VARIANTS, mergeVariants, UnknownVariantError, VARIANT_VALUES, Variants } from './variants'

/**
 * Run the Salesforce emulator from a shell:
 *   npx tsx emulator/cli.ts --port 8787 --users 100000 --latency 50 --error-rate 0.1
 * Prints where it listens and who to log in as (never the secrets or the key), and stops on SIGINT/SIGTERM.
 */

const USAGE = `Usage: npx tsx emulator/cli.ts [options]
  --port <n>                 HTTP port (default 8787; 0 = any free port)
  --host <addr>              bind address (default 127.0.0.1)
  --users <n>                generated users on top of the seed org (default 0)
  --seed <n>                 random seed for generated data (default 42)
  --page-size <n>            /Users page size when no count is sent (default 10)
  --session-timeout <s>      sliding session inactivity timeout in seconds (default 7200)
  --api-daily-limit <n>      API requests per rolling 24 h (default 5000000)
  --extra-licenses <n>       free Salesforce seats (default 3)
  --rfc-error-schemas        send SCIM error "schemas" as an array instead of Salesforce's JSON string
  --latency <ms>             added latency per /services request
  --error-rate <0..1>        fraction of SCIM requests answered 500/503
  --drop-rate <0..1>         fraction of SCIM requests whose connection is dropped
  --write-drop-rate <0..1>   fraction of user writes applied but answered by a dropped connection
  --revoke-after <n>         revoke all sessions once after n SCIM requests
  --api-limit-reached        answer every SCIM request 403 REQUEST_LIMIT_EXCEEDED
  --permission-sets <n>      extra permission sets on top of the seed's (default 0)
  --clock-skew <ms>          Salesforce's clock runs this far ahead of this machine's (negative: behind)
  --variant <name=value>     an unconfirmed Salesforce behaviour (repeatable); --variants lists them all
  --variants                 list every variant, its values and its default, then exit
  --help                     show this help`

function variantList(): string {
    return (Object.keys(VARIANT_VALUES) as (keyof Variants)[])
        .map((name) => `  ${name.padEnd(26)} ${VARIANT_VALUES[name].join(' | ')}  (default ${DEFAULT_VARIANTS[name]})`)
        .join('\n')
}

function parseVariants(list: readonly string[]): Partial<Variants> {
    const patch: Record<string, string> = {}
    for (const item of list) {
        const eq = item.indexOf('=')
        if (eq <= 0) {
            console.error(`--variant expects name=value, got "${item}"`)
            process.exit(2)
        }
        patch[item.slice(0, eq)] = item.slice(eq + 1)
    }
    try {
        mergeVariants(DEFAULT_VARIANTS, patch)
    } catch (e) {
        if (!(e instanceof UnknownVariantError)) throw e
        console.error(e.message)
        process.exit(2)
    }
    return patch
}

function num(value: string | undefined, name: string): number | undefined {
    if (value === undefined) return undefined
    const n = Number(value)
    if (!Number.isFinite(n)) {
        console.error(`--${name} expects a number, got "${value}"`)
        process.exit(2)
    }
    return n
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            port: { type: 'string' },
            host: { type: 'string' },
            users: { type: 'string' },
            seed: { type: 'string' },
            'page-size': { type: 'string' },
            'session-timeout': { type: 'string' },
            'api-daily-limit': { type: 'string' },
            'extra-licenses': { type: 'string' },
            'rfc-error-schemas': { type: 'boolean' },
            latency: { type: 'string' },
            'error-rate': { type: 'string' },
            'drop-rate': { type: 'string' },
            'write-drop-rate': { type: 'string' },
            'revoke-after': { type: 'string' },
            'api-limit-reached': { type: 'boolean' },
            'permission-sets': { type: 'string' },
            'clock-skew': { type: 'string' },
            variant: { type: 'string', multiple: true },
            variants: { type: 'boolean' },
            help: { type: 'boolean' },
        },
        strict: true,
    })
    if (values.help) {
        console.log(USAGE)
        return
    }
    if (values.variants) {
        console.log(`Variants (--variant name=value):\n${variantList()}`)
        return
    }
    const variants = parseVariants(values.variant ?? [])
    const faults: Partial<FaultOptions> = {}
    const latency = num(values.latency, 'latency')
    if (latency !== undefined) faults.latencyMs = latency
    const errorRate = num(values['error-rate'], 'error-rate')
    if (errorRate !== undefined) faults.errorRate = errorRate
    const dropRate = num(values['drop-rate'], 'drop-rate')
    if (dropRate !== undefined) faults.dropRate = dropRate
    const writeDropRate = num(values['write-drop-rate'], 'write-drop-rate')
    if (writeDropRate !== undefined) faults.writeDropRate = writeDropRate
    const revokeAfter = num(values['revoke-after'], 'revoke-after')
    if (revokeAfter !== undefined) faults.revokeSessionsAfterRequests = revokeAfter
    if (values['api-limit-reached']) faults.apiLimitReached = true

    const options: EmulatorOptions = {
        port: num(values.port, 'port') ?? 8787,
        host: values.host ?? '127.0.0.1',
        users: num(values.users, 'users') ?? 0,
        randomSeed: num(values.seed, 'seed') ?? 42,
        defaultPageSize: num(values['page-size'], 'page-size') ?? 10,
        sessionTimeoutSeconds: num(values['session-timeout'], 'session-timeout') ?? 7200,
        apiDailyLimit: num(values['api-daily-limit'], 'api-daily-limit') ?? 5_000_000,
        extraLicenses: num(values['extra-licenses'], 'extra-licenses') ?? 3,
        stringifiedErrorSchemas: !values['rfc-error-schemas'],
        permissionSets: num(values['permission-sets'], 'permission-sets') ?? 0,
        clockSkewMs: num(values['clock-skew'], 'clock-skew') ?? 0,
        faults,
        variants,
    }
    const started = Date.now()
    const emulator = await startEmulator(options)
    const visible = emulator.store.visibleUsers().length
    console.log(`Salesforce emulator listening on ${emulator.url} (started in ${Date.now() - started} ms)`)
    console.log(`  login URL / instance_url : ${emulator.url}`)
    console.log(`  token endpoint           : ${emulator.url}/services/oauth2/token`)
    console.log(`  SCIM base                : ${emulator.url}/services/scim/v2`)
    console.log(`  org id                   : ${ORG_ID}`)
    console.log(`  client id                : ${EMULATOR_CREDENTIALS.clientId}`)
    console.log(`  integration username     : ${EMULATOR_CREDENTIALS.username} (${SEED.users.integration})`)
    console.log(`  users served by /Users   : ${visible}`)
    console.log(`  admin                    : ${emulator.url}/__emulator/health`)
    if (Object.keys(faults).length > 0) console.log(`  faults                   : ${JSON.stringify(faults)}`)
    if (Object.keys(variants).length > 0) console.log(`  variants                 : ${JSON.stringify(variants)}`)

    let stopping = false
    const stop = (signal: string): void => {
        if (stopping) return
        stopping = true
        console.log(`\n${signal}: stopping emulator`)
        emulator.close().then(
            () => process.exit(0),
            (err: unknown) => {
                console.error(err)
                process.exit(1)
            }
        )
    }
    process.on('SIGINT', () => stop('SIGINT'))
    process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
})
