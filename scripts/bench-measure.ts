/**
 * One measured account aggregation for `npm run bench`: a fresh connector process (`bench-worker.js` on the built
 * bundle, or the bundle BENCH_BUNDLE names) lists every user of a running emulator, which counts the requests.
 */
import { execFile } from 'child_process'
import * as path from 'path'
import { promisify } from 'util'
import { FaultOptions, RunningEmulator, buildOrg, startEmulator } from '../emulator'
import { emulatorConfig } from './local-config'

const run = promisify(execFile)
const ROOT = path.resolve(__dirname, '..')

/**
 * The memory the connector's process runs with. ISC limits each running SaaS connector instance to 512 MB, and Node
 * sizes V8's heap from the memory its process may use: under a 512 MB limit (a cgroup, or a machine of that size)
 * it gives a 256 MB old generation and 1 MB semi-spaces, a heap limit of 259 MB. `isc` gives the connector's
 * process that same heap with the two V8 flags that set it, so the figures are those of the runtime it will meet.
 * `host` lets Node size the heap from this machine's memory, as for a process without a limit (here a 4 GB heap
 * limit and a young generation that may grow to 16 MB semi-spaces).
 */
export interface Instance {
    readonly label: string
    readonly nodeFlags: readonly string[]
}

export const INSTANCES: Readonly<Record<'isc' | 'host', Instance>> = {
    isc: {
        label: 'a 512 MB ISC connector instance',
        nodeFlags: ['--max-old-space-size=256', '--max-semi-space-size=1'],
    },
    host: { label: "this machine's memory, no limit", nodeFlags: [] },
}

interface WorkerResult {
    count: number
    repeated: number
    wallMs: number
    cpuMs: number
    peakRss: number
    heapAfterGc: number
    keepAlives: number
    heapLimit: number
}

/** An emulator whose org has `users` users in all: the seed org's users count towards the size. */
export function startOrgOfSize(users: number, faults: Partial<FaultOptions> = {}): Promise<RunningEmulator> {
    return startEmulator({ port: 0, users: users - buildOrg().listUsers().length, faults })
}

export type Row = Awaited<ReturnType<typeof measureOnce>>

/** One aggregation of the emulator's org by a fresh connector process, reading with `streams` Parallel Streams. */
export async function measureOnce(
    emulator: RunningEmulator,
    latencyMs: number,
    nodeFlags: readonly string[],
    streams = 1,
    /** Sees everything the worker printed (the connector's log lines, V8's traces), for closer study. */
    onWorkerOutput?: (stdout: string) => void,
    beyondScim = false
) {
    const config = emulatorConfig(emulator.url, {
        spConnEnableStatefulCommands: false,
        parallelStreams: streams,
        governBeyondScim: beyondScim,
    })
    const expected = emulator.store.listUsers().length
    emulator.resetStats()
    // The emulator runs in this process: its CPU time during the run is Salesforce's share of the two processes'.
    const emulatorCpuBefore = process.cpuUsage()
    const { stdout } = await run(
        process.execPath,
        [
            ...nodeFlags,
            ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
            '--expose-gc',
            path.join(__dirname, 'bench-worker.js'),
            process.env.BENCH_BUNDLE ?? path.join(ROOT, 'dist', 'index.js'),
            'std:account:list',
            '{}',
        ],
        {
            env: { ...process.env, CONNECTOR_CONFIG: Buffer.from(JSON.stringify(config)).toString('base64') },
            maxBuffer: 64 * 1024 * 1024,
        }
    )
    const emulatorCpu = process.cpuUsage(emulatorCpuBefore)
    onWorkerOutput?.(stdout)
    // The connector's own log lines share the worker's stdout; the result line is marked.
    const resultLine = stdout.split('\n').find((line) => line.startsWith('BENCH-RESULT '))
    if (!resultLine) throw new Error(`the benchmark worker printed no result:\n${stdout.slice(-2000)}`)
    const result = JSON.parse(resultLine.slice('BENCH-RESULT '.length)) as WorkerResult
    const stats = emulator.stats()
    const listRequests = stats.byRoute['GET /Users'] ?? 0
    // The REST requests the extra data costs (Composite calls, Query More, the User describe).
    const restRequests = Object.entries(stats.byRoute)
        .filter(([route]) => route.includes('/services/data/'))
        .reduce((sum, [, count]) => sum + count, 0)
    const criticalPath = stats.tokenRequests + listRequests
    const floorMs = criticalPath * latencyMs
    return {
        users: expected,
        streams,
        beyondScim,
        restRequests,
        requestsPerThousand: (stats.requests / expected) * 1000,
        accounts: result.count,
        exactlyOnce: result.count === expected && result.repeated === 0,
        wallS: result.wallMs / 1000,
        /** The connector process's CPU time during the aggregation, all threads. */
        connectorCpuS: result.cpuMs / 1000,
        /** This process's CPU time during the aggregation: the emulator answering (Salesforce's servers' work). */
        emulatorCpuS: (emulatorCpu.user + emulatorCpu.system) / 1e6,
        requests: stats.requests,
        listRequests,
        tokenRequests: stats.tokenRequests,
        perThousand: (listRequests / expected) * 1000,
        peakRssMb: result.peakRss / 1024 / 1024,
        heapAfterGcMb: result.heapAfterGc / 1024 / 1024,
        heapLimitMb: result.heapLimit / 1024 / 1024,
        floorS: floorMs / 1000,
        ratio: result.wallMs / floorMs,
    }
}
