/**
 * CPU profiles of one account aggregation, for finding where the time of `npm run bench` goes: the connector's
 * process (started as the bench starts it, on ISC's heap, with `--cpu-prof`) and the emulator's (this process, by
 * the inspector), each summarised by self time per function.
 * `npx tsx scripts/bench-profile.ts --users 100000 --streams 4 [--out <dir>] [--latency 50] [--trace-gc]
 * [--beyond-scim on]` (on: with the REST data per page, Govern Access Beyond SCIM)
 * The profiles are written to `--out` (default a new temporary directory) for a closer look in a profile viewer.
 * With `--trace-gc` the connector's process traces its collections instead of being profiled, and their pauses
 * are summed by kind. With `--compare <bundle>,<bundle> [--rounds n]` nothing is profiled: the two built bundles
 * aggregate the same emulator's org in turn, `rounds` times each (default 3), after one run that fills the emulator's
 * JSON cache, and each run's wall time and the CPU time of both processes are printed (with `--beyond-scim on`, each
 * with the REST data; an entry `<bundle>@on` or `@off` decides for itself).
 */
import * as fs from 'fs'
import * as inspector from 'inspector'
import * as os from 'os'
import * as path from 'path'
import { RunningEmulator } from '../emulator'
import { INSTANCES, measureOnce, startOrgOfSize } from './bench-measure'

interface ProfileNode {
    readonly id: number
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
    readonly children?: readonly number[]
}
interface Profile {
    readonly nodes: readonly ProfileNode[]
    readonly samples: readonly number[]
    readonly timeDeltas: readonly number[]
    readonly startTime: number
    readonly endTime: number
}

function option(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`)
    return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback
}

/** The pauses of V8's `--trace-gc` lines, summed by kind of collection. */
function gcPauses(stdout: string): string {
    const byKind = new Map<string, { count: number; ms: number }>()
    for (const match of stdout.matchAll(
        /ms: (Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)[^,]*, ([\d.]+) \/ [\d.]+ ms/g
    )) {
        const kind = match[1] ?? ''
        const entry = byKind.get(kind) ?? { count: 0, ms: 0 }
        entry.count++
        entry.ms += Number(match[2])
        byKind.set(kind, entry)
    }
    return [...byKind.entries()]
        .map(([kind, e]) => `${kind}: ${e.count} pauses, ${(e.ms / 1000).toFixed(2)} s`)
        .join('\n')
}

/** Self time per function, the largest first, with the total sampled time. */
function summarise(profile: Profile, top: number): string {
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
    const selfUs = new Map<string, number>()
    let totalUs = 0
    profile.samples.forEach((id, i) => {
        const dt = profile.timeDeltas[i] ?? 0
        const frame = byNode.get(id)?.callFrame
        const where = frame?.url ? `${path.basename(frame.url)}:${frame.lineNumber + 1}` : ''
        const name = `${frame?.functionName || '(anonymous)'} ${where}`.trim()
        selfUs.set(name, (selfUs.get(name) ?? 0) + dt)
        if (name !== '(idle)') totalUs += dt
    })
    const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    const lines = rows.map(([name, us]) => `${(us / 1e6).toFixed(2).padStart(7)} s  ${name}`)
    return [`busy (not idle): ${(totalUs / 1e6).toFixed(2)} s`, ...lines].join('\n')
}

/** Bundles aggregating one org in turn: wall time and CPU time of each run, after one that warms the emulator. */
async function compare(
    emulator: RunningEmulator,
    latencyMs: number,
    bundles: readonly string[],
    rounds: number,
    streams: number,
    beyondScim: boolean
) {
    // `<bundle>@on` or `<bundle>@off` sets Govern Access Beyond SCIM for that entry alone.
    const runWith = async (entry: string) => {
        const [bundle = '', mode] = entry.split('@')
        process.env.BENCH_BUNDLE = bundle
        const cpuBefore = process.cpuUsage()
        const withRest = mode === undefined ? beyondScim : mode === 'on'
        const row = await measureOnce(emulator, latencyMs, INSTANCES.isc.nodeFlags, streams, undefined, withRest)
        const cpu = process.cpuUsage(cpuBefore)
        return { ...row, emulatorCpuS: (cpu.user + cpu.system) / 1e6 }
    }
    await runWith(bundles[0] ?? '')
    const totals = new Map<string, { wall: number; connector: number; emulator: number }>()
    for (let round = 0; round < rounds; round++) {
        for (const bundle of round % 2 === 0 ? bundles : [...bundles].reverse()) {
            const row = await runWith(bundle)
            const t = totals.get(bundle) ?? { wall: 0, connector: 0, emulator: 0 }
            totals.set(bundle, {
                wall: t.wall + row.wallS,
                connector: t.connector + row.connectorCpuS,
                emulator: t.emulator + row.emulatorCpuS,
            })
            console.log(
                `${bundle}: wall ${row.wallS.toFixed(2)} s (wall/floor ${row.ratio.toFixed(3)}), connector CPU ` +
                    `${row.connectorCpuS.toFixed(2)} s, emulator CPU ${row.emulatorCpuS.toFixed(2)} s, exactly once ` +
                    String(row.exactlyOnce)
            )
        }
    }
    for (const [bundle, t] of totals) {
        console.log(
            `mean of ${rounds}, ${bundle}: wall ${(t.wall / rounds).toFixed(3)} s, connector CPU ` +
                `${(t.connector / rounds).toFixed(2)} s, emulator CPU ${(t.emulator / rounds).toFixed(2)} s`
        )
    }
}

async function main(): Promise<void> {
    const users = Number(option('users', '100000'))
    const streams = Number(option('streams', '4'))
    const latencyMs = Number(option('latency', '50'))
    const traceGc = process.argv.includes('--trace-gc')
    const out = option('out', fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-')))
    fs.mkdirSync(out, { recursive: true })
    const emulator = await startOrgOfSize(users, { latencyMs })
    const bundles = option('compare', '')
    if (bundles !== '') {
        try {
            await compare(
                emulator,
                latencyMs,
                bundles.split(','),
                Number(option('rounds', '3')),
                streams,
                option('beyond-scim', 'off') === 'on'
            )
        } finally {
            await emulator.close()
        }
        return
    }
    const session = new inspector.Session()
    session.connect()
    const post = (method: string, params?: object): Promise<unknown> =>
        new Promise((resolve, reject) =>
            session.post(method, params, (err, result) => (err ? reject(err) : resolve(result)))
        )
    try {
        await post('Profiler.enable')
        await post('Profiler.start')
        const previous = process.env.BENCH_NODE_FLAGS
        const flags = traceGc ? '--trace-gc' : `--cpu-prof --cpu-prof-dir=${out}`
        process.env.BENCH_NODE_FLAGS = `${previous ?? ''} ${flags}`
        let workerOutput = ''
        const cpuBefore = process.cpuUsage()
        const row = await measureOnce(
            emulator,
            latencyMs,
            INSTANCES.isc.nodeFlags,
            streams,
            (stdout) => {
                workerOutput = stdout
            },
            option('beyond-scim', 'off') === 'on'
        )
        const emulatorCpu = process.cpuUsage(cpuBefore)
        process.env.BENCH_NODE_FLAGS = previous
        const { profile } = (await post('Profiler.stop')) as { profile: Profile }
        fs.writeFileSync(path.join(out, 'emulator.cpuprofile'), JSON.stringify(profile))
        console.log(
            `${users} users, ${streams} streams: wall ${row.wallS.toFixed(2)} s, ${row.listRequests} list requests, ` +
                `wall/floor ${row.ratio.toFixed(3)} (own floor), exactly once: ${row.exactlyOnce}; emulator CPU ` +
                `${((emulatorCpu.user + emulatorCpu.system) / 1e6).toFixed(2)} s`
        )
        if (traceGc) console.log(`\nConnector process's collections:\n${gcPauses(workerOutput)}`)
        const connector = fs.readdirSync(out).find((f) => f.startsWith('CPU.') && f.endsWith('.cpuprofile'))
        if (connector !== undefined) {
            const p = JSON.parse(fs.readFileSync(path.join(out, connector), 'utf8')) as Profile
            console.log(`\nConnector process (${path.join(out, connector)}):\n${summarise(p, 30)}`)
        }
        console.log(`\nEmulator (${path.join(out, 'emulator.cpuprofile')}):\n${summarise(profile, 20)}`)
    } finally {
        session.disconnect()
        await emulator.close()
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exit(1)
})
