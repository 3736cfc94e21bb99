/**
 * `npm run bench`: account aggregation of orgs of 1,000, 10,000 and 100,000 users on the emulator with a simulated
 * latency per request. The connector runs in a process of its own; the emulator counts the requests.
 * Options: --latency <ms> (default 50), --sizes 1000,10000,100000, --repeat <runs of each size> (default 3).
 * BENCH_NODE_FLAGS passes V8 flags to the connector's process (e.g. --max-semi-space-size=4).
 */
import { execFile } from 'child_process'
import * as path from 'path'
import { promisify } from 'util'
import { RunningEmulator, buildOrg, startEmulator } from '../emulator'
import { emulatorConfig } from './local-config'

const run = promisify(execFile)
const ROOT = path.resolve(__dirname, '..')

function option(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`)
    return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback
}

interface WorkerResult {
    count: number
    outOfOrder: number
    wallMs: number
    peakRss: number
    heapAfterGc: number
    keepAlives: number
}

type Row = Awaited<ReturnType<typeof measureOnce>>

/** One aggregation of the emulator's org by a fresh connector process. */
async function measureOnce(emulator: RunningEmulator, latencyMs: number) {
    const config = emulatorConfig(emulator.url, { spConnEnableStatefulCommands: false })
    const expected = emulator.store.listUsers().length
    emulator.resetStats()
    const { stdout } = await run(
        process.execPath,
        [
            ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
            '--expose-gc',
            path.join(__dirname, 'bench-worker.js'),
            path.join(ROOT, 'dist', 'index.js'),
            'std:account:list',
            '{}',
        ],
        {
            env: { ...process.env, CONNECTOR_CONFIG: Buffer.from(JSON.stringify(config)).toString('base64') },
            maxBuffer: 64 * 1024 * 1024,
        }
    )
    // The connector's own log lines share the worker's stdout; the result line is marked.
    const resultLine = stdout.split('\n').find((line) => line.startsWith('BENCH-RESULT '))
    if (!resultLine) throw new Error(`the benchmark worker printed no result:\n${stdout.slice(-2000)}`)
    const result = JSON.parse(resultLine.slice('BENCH-RESULT '.length)) as WorkerResult
    const stats = emulator.stats()
    const listRequests = stats.byRoute['GET /Users'] ?? 0
    const criticalPath = stats.tokenRequests + listRequests
    const floorMs = criticalPath * latencyMs
    return {
        users: expected,
        accounts: result.count,
        exactlyOnce: result.count === expected && result.outOfOrder === 0,
        wallS: result.wallMs / 1000,
        requests: stats.requests,
        listRequests,
        tokenRequests: stats.tokenRequests,
        perThousand: (listRequests / expected) * 1000,
        peakRssMb: result.peakRss / 1024 / 1024,
        heapAfterGcMb: result.heapAfterGc / 1024 / 1024,
        floorS: floorMs / 1000,
        ratio: result.wallMs / floorMs,
    }
}

/**
 * `repeat` aggregations of one org size; the run with the median wall time is reported, with the median peak RSS
 * of all of them (peak RSS moves by several MB between identical runs, with V8's heap sizing).
 */
async function benchSize(users: number, latencyMs: number, repeat: number): Promise<Row> {
    // The seed org's users count towards the size.
    const seedUsers = buildOrg().listUsers().length
    const emulator = await startEmulator({ port: 0, users: users - seedUsers, faults: { latencyMs } })
    try {
        const runs: Row[] = []
        for (let i = 0; i < repeat; i++) runs.push(await measureOnce(emulator, latencyMs))
        const median = <T>(values: T[], by: (v: T) => number): T =>
            [...values].sort((a, b) => by(a) - by(b))[Math.floor(values.length / 2)] as T
        const typical = median(runs, (r) => r.wallS)
        return {
            ...typical,
            exactlyOnce: runs.every((r) => r.exactlyOnce),
            peakRssMb: median(runs, (r) => r.peakRssMb).peakRssMb,
        }
    } finally {
        await emulator.close()
    }
}

async function main(): Promise<void> {
    const latencyMs = Number(option('latency', '50'))
    const sizes = option('sizes', '1000,10000,100000').split(',').map(Number)
    const repeat = Number(option('repeat', '3'))
    console.log(
        `Account aggregation, ${latencyMs} ms simulated latency per request, median of ${repeat} runs a size, ` +
            `Node ${process.version}\n`
    )
    const header =
        'users    accounts exactly-once wall(s) requests list-req list/1k token peakRSS(MB) heap-after(MB) floor(s) wall/floor'
    console.log(header)
    const rows = []
    for (const users of sizes) {
        const r = await benchSize(users, latencyMs, repeat)
        rows.push(r)
        console.log(
            [
                String(r.users).padEnd(8),
                String(r.accounts).padEnd(8),
                String(r.exactlyOnce).padEnd(12),
                r.wallS.toFixed(2).padStart(7),
                String(r.requests).padStart(8),
                String(r.listRequests).padStart(8),
                r.perThousand.toFixed(2).padStart(7),
                String(r.tokenRequests).padStart(5),
                r.peakRssMb.toFixed(1).padStart(11),
                r.heapAfterGcMb.toFixed(1).padStart(14),
                r.floorS.toFixed(2).padStart(8),
                r.ratio.toFixed(3).padStart(10),
            ].join(' ')
        )
    }
    const small = rows.find((r) => r.users >= 10000 && r.users < 100000)
    const large = rows.find((r) => r.users >= 100000)
    if (small && large) {
        const growth = (large.peakRssMb / small.peakRssMb - 1) * 100
        console.log(`\npeak RSS growth from ${small.users} to ${large.users} users: ${growth.toFixed(1)}%`)
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
