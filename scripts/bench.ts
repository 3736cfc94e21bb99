/**
 * `npm run bench`: account aggregation of orgs of 1,000, 10,000 and 100,000 users on the emulator with a simulated
 * latency per request. The connector runs in a process of its own; the emulator counts the requests.
 * Options: --latency <ms> (default 50), --sizes 1000,10000,100000, --repeat <runs of each setting, taken in rounds>
 * (default 5),
 * --beyond-scim off,on (Govern Access Beyond SCIM: SCIM only, and with the REST data per page; default both),
 * --streams <Parallel Streams settings measured side by side at each size> (default 1,4), --instance isc|host
 * (default isc, see INSTANCES). wall/floor divides each wall time by the one-stream floor: the requests one stream
 * makes one after the other (token and list requests) times the latency, so a ratio below 1 is what streams read
 * side by side gained. cpu(s) is the connector process's CPU time, emu-cpu(s) the emulator's (Salesforce's work, which
 * here shares the machine's cores with the connector). BENCH_NODE_FLAGS passes further V8 flags to the connector's
 * process.
 */
import { RunningEmulator } from '../emulator'
import { INSTANCES, Instance, Row, measureOnce, startOrgOfSize } from './bench-measure'

function option(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`)
    return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback
}

/**
 * The runs of one setting as one row: the run with the median wall time, with the median peak RSS of all of them
 * (peak RSS moves by several MB between identical runs, with V8's heap sizing).
 */
function typicalRun(runs: readonly Row[]): Row {
    const median = <T>(values: readonly T[], by: (v: T) => number): T =>
        [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)] as T
    const typical = median(runs, (r) => r.wallS)
    return {
        ...typical,
        exactlyOnce: runs.every((r) => r.exactlyOnce),
        peakRssMb: median(runs, (r) => r.peakRssMb).peakRssMb,
    }
}

/**
 * `repeat` aggregations of one org with each setting, taken in rounds (each round runs every setting once), so
 * that a machine growing slower or faster during the runs weighs on every setting alike rather than on the last.
 */
async function benchSize(
    emulator: RunningEmulator,
    latencyMs: number,
    repeat: number,
    nodeFlags: readonly string[],
    settings: readonly { readonly streams: number; readonly beyondScim: boolean }[]
): Promise<Row[]> {
    const runs: Row[][] = settings.map(() => [])
    for (let round = 0; round < repeat; round++) {
        for (const [i, { streams, beyondScim }] of settings.entries()) {
            runs[i]?.push(await measureOnce(emulator, latencyMs, nodeFlags, streams, undefined, beyondScim))
        }
    }
    return runs.map(typicalRun)
}

async function main(): Promise<void> {
    const latencyMs = Number(option('latency', '50'))
    const sizes = option('sizes', '1000,10000,100000').split(',').map(Number)
    const repeat = Number(option('repeat', '5'))
    const streamSettings = option('streams', '1,4').split(',').map(Number)
    // Govern Access Beyond SCIM off (SCIM only) and on (one Composite of REST queries per page of users).
    const beyondScimSettings = option('beyond-scim', 'off,on')
        .split(',')
        .map((value) => value.trim() === 'on')
    const instanceName = option('instance', 'isc')
    if (!Object.hasOwn(INSTANCES, instanceName)) {
        throw new Error(`--instance must be one of ${Object.keys(INSTANCES).join(', ')}`)
    }
    const instance: Instance = INSTANCES[instanceName as keyof typeof INSTANCES]
    console.log(
        `Account aggregation, ${latencyMs} ms simulated latency per request, median of ${repeat} runs a size, ` +
            `Node ${process.version}\nConnector process: ${instance.label}` +
            (instance.nodeFlags.length > 0 ? ` (${instance.nodeFlags.join(' ')})` : '') +
            '\n'
    )
    const header =
        'users    streams rest accounts exactly-once wall(s) requests req/1k list-req list/1k rest-req token cpu(s) emu-cpu(s) peakRSS(MB) heap-after(MB) floor(s) wall/floor'
    console.log(header)
    const rows: Row[] = []
    for (const users of sizes) {
        const emulator = await startOrgOfSize(users, { latencyMs })
        try {
            // One aggregation first, not measured, with everything the runs read: the emulator's caches of users'
            // JSON are then as full for the first measured run as for the last, so no setting is measured against
            // a colder server than another.
            await measureOnce(emulator, latencyMs, instance.nodeFlags, 4, undefined, true)
            const settings = beyondScimSettings.flatMap((beyondScim) =>
                streamSettings.map((streams) => ({ streams, beyondScim }))
            )
            const atSize = await benchSize(emulator, latencyMs, repeat, instance.nodeFlags, settings)
            // The one-stream floor: what one stream's requests, one after the other, cost at this latency (SCIM only).
            const one = atSize.find((r) => r.streams === 1 && !r.beyondScim) ?? atSize.find((r) => r.streams === 1)
            const oneStreamFloorS = one?.floorS ?? ((Math.ceil(users / 200) + 1) * latencyMs) / 1000
            for (const r of atSize) {
                rows.push(r)
                console.log(
                    [
                        String(r.users).padEnd(8),
                        String(r.streams).padStart(7),
                        (r.beyondScim ? 'on' : 'off').padStart(4),
                        String(r.accounts).padEnd(8),
                        String(r.exactlyOnce).padEnd(12),
                        r.wallS.toFixed(2).padStart(7),
                        String(r.requests).padStart(8),
                        r.requestsPerThousand.toFixed(2).padStart(6),
                        String(r.listRequests).padStart(8),
                        r.perThousand.toFixed(2).padStart(7),
                        String(r.restRequests).padStart(8),
                        String(r.tokenRequests).padStart(5),
                        r.connectorCpuS.toFixed(2).padStart(6),
                        r.emulatorCpuS.toFixed(2).padStart(10),
                        r.peakRssMb.toFixed(1).padStart(11),
                        r.heapAfterGcMb.toFixed(1).padStart(14),
                        oneStreamFloorS.toFixed(2).padStart(8),
                        (r.wallS / oneStreamFloorS).toFixed(3).padStart(10),
                    ].join(' ')
                )
            }
        } finally {
            await emulator.close()
        }
    }
    if (rows[0] !== undefined)
        console.log(`\nV8 heap limit of the connector's process: ${rows[0].heapLimitMb.toFixed(0)} MB`)
    for (const users of sizes) {
        for (const streams of streamSettings) {
            const at = rows.filter((r) => r.streams === streams && Math.abs(r.users - users) < 200)
            const off = at.find((r) => !r.beyondScim)
            const on = at.find((r) => r.beyondScim)
            if (off && on) {
                const extra = (on.wallS / off.wallS - 1) * 100
                const extraCpu = (on.connectorCpuS / off.connectorCpuS - 1) * 100
                console.log(
                    `${on.users} users, ${streams} stream(s): the data beyond SCIM adds ${extra.toFixed(1)}% wall time, ` +
                        `${extraCpu.toFixed(1)}% of the connector's CPU time, ` +
                        `${(((on.requests - off.requests) / on.users) * 1000).toFixed(2)} requests per 1,000 users`
                )
            }
        }
    }
    const small = rows.find((r) => r.users >= 10000 && r.users < 100000 && r.streams === 1 && !r.beyondScim)
    const large = rows.find((r) => r.users >= 100000 && r.streams === 1 && !r.beyondScim)
    if (small && large) {
        const growth = (large.peakRssMb / small.peakRssMb - 1) * 100
        console.log(`peak RSS growth from ${small.users} to ${large.users} users: ${growth.toFixed(1)}%`)
    }
    if (rows.some((r) => !r.exactlyOnce)) {
        console.error('an aggregation did not return every user exactly once')
        process.exit(1)
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exit(1)
})
