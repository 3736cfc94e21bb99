/**
 * A 10,000-user aggregation read in id ranges side by side (Parallel Streams): every account exactly once under
 * each meaning of `totalResults`, a plan that does not add up read as one sequential stream with one log line
 * saying why, and a 503 halving the streams. Counts only, no timings.
 */
import * as http from 'http'
import { AddressInfo } from 'net'
import { RunningEmulator, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { BundleLogLine, runOnBundle, withBundleLogs } from '../helpers/bundle'

let emulator: RunningEmulator
beforeAll(async () => {
    emulator = await startEmulator({ port: 0, users: 10000 })
})
afterAll(async () => {
    await emulator.close()
})
afterEach(() => {
    emulator.setVariants({ totalResults: 'remaining' })
    emulator.setFaults({ latencyMs: 0 })
})

/** Runs an aggregation, capturing the connector's log lines and the identities it sent. */
async function aggregate(config: Record<string, unknown>): Promise<{ ids: string[]; logs: BundleLogLine[] }> {
    const ids: string[] = []
    const { logs } = await withBundleLogs(() =>
        runOnBundle('std:account:list', {}, config, (o) => ids.push(String(o.identity)))
    )
    return { ids, logs }
}

function expectExactlyOnce(ids: readonly string[], expected: readonly string[]): void {
    expect(ids.length).toBe(expected.length)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual([...expected].sort())
}

const planned = (logs: readonly BundleLogLine[]): BundleLogLine[] =>
    logs.filter((l) => /in \d+ id ranges side by side/.test(l.message ?? ''))
const sequential = (logs: readonly BundleLogLine[]): BundleLogLine[] =>
    logs.filter((l) => (l.message ?? '').startsWith('Reading users as one sequential stream'))

it('reads 10,000 users in 4 id ranges, each exactly once, in a few more requests than one stream', async () => {
    const expected = emulator.store.listUsers().map((u) => u.id)
    emulator.resetStats()
    const { ids, logs } = await aggregate(emulatorConfig(emulator.url, { parallelStreams: 4 }))
    expectExactlyOnce(ids, expected)
    expect(planned(logs)).toHaveLength(1)
    expect(sequential(logs)).toHaveLength(0)
    const listRequests = emulator.stats().byRoute['GET /Users'] ?? 0
    expect(listRequests).toBeLessThanOrEqual(Math.ceil(expected.length / 200) + 20)
})

it('reads exactly the users of the Account Filter inside each range', async () => {
    const active = emulator.store
        .listUsers()
        .filter((u) => u.active)
        .map((u) => u.id)
    expect(active.length).toBeGreaterThan(1600)
    const config = emulatorConfig(emulator.url, { parallelStreams: 4, accountFilter: 'active eq "true"' })
    const full = await aggregate(config)
    expectExactlyOnce(full.ids, active)
    expect(planned(full.logs)).toHaveLength(1)
})

it('reads one sequential stream, with one line saying why, when totalResults counts the whole filter', async () => {
    emulator.setVariants({ totalResults: 'filterTotal' })
    const expected = emulator.store.listUsers().map((u) => u.id)
    const { ids, logs } = await aggregate(emulatorConfig(emulator.url, { parallelStreams: 4 }))
    expectExactlyOnce(ids, expected)
    expect(planned(logs)).toHaveLength(0)
    expect(sequential(logs)).toHaveLength(1)
})

it('reads every user exactly once when totalResults is the page size', async () => {
    emulator.setVariants({ totalResults: 'pageSize' })
    const expected = emulator.store.listUsers().map((u) => u.id)
    const { ids, logs } = await aggregate(emulatorConfig(emulator.url, { parallelStreams: 4 }))
    expectExactlyOnce(ids, expected)
    expect(planned(logs)).toHaveLength(0)
})

/**
 * A proxy in front of the emulator that answers one list request of a range with 503, and records when each page
 * request (not a count=1 probe) started and ended. The token answer's instance_url is rewritten to the proxy.
 */
async function startPushbackProxy(target: string): Promise<{
    url: string
    refusedAt: () => number | undefined
    pages: { start: number; end: number }[]
    close: () => Promise<void>
}> {
    let refusedAt: number | undefined
    const pages: { start: number; end: number }[] = []
    let listRequests = 0
    const server = http.createServer((req, res) => {
        const url = req.url ?? ''
        const isPage = url.startsWith('/services/scim/v2/Users?') && url.includes('count=200')
        if (isPage && ++listRequests === 20 && refusedAt === undefined) {
            refusedAt = performance.now()
            res.writeHead(503, { 'Content-Type': 'application/json' })
            res.end(JSON.stringify([{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]))
            return
        }
        const start = performance.now()
        const upstream = http.request(
            `${target}${url}`,
            { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
            (answer) => {
                const chunks: Buffer[] = []
                answer.on('data', (c: Buffer) => chunks.push(c))
                answer.on('end', () => {
                    let body = Buffer.concat(chunks)
                    if (url.startsWith('/services/oauth2/token')) {
                        body = Buffer.from(body.toString('utf8').split(target).join(proxyUrl))
                    }
                    const headers = { ...answer.headers, 'content-length': String(body.length) }
                    delete headers['transfer-encoding']
                    res.writeHead(answer.statusCode ?? 502, headers)
                    res.end(body)
                    if (isPage) pages.push({ start, end: performance.now() })
                })
            }
        )
        req.pipe(upstream)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return {
        url: proxyUrl,
        refusedAt: () => refusedAt,
        pages,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    }
}

/** The emulator's latency while streams are halved: a page takes a little more. */
const LATENCY_MS = 20

it('halves the streams for the rest of the run after a 503, and still reads every user exactly once', async () => {
    emulator.setFaults({ latencyMs: LATENCY_MS })
    const proxy = await startPushbackProxy(emulator.url)
    try {
        const expected = emulator.store.listUsers().map((u) => u.id)
        const config = emulatorConfig(emulator.url, { parallelStreams: 4, maxRetries: 0 })
        const { ids, logs } = await aggregate({ ...config, loginUrl: proxy.url, audience: emulator.url })
        expectExactlyOnce(ids, expected)
        const refusedAt = proxy.refusedAt()
        expect(refusedAt).toBeDefined()
        const pushedBack = logs.filter((l) => /pushed back.*with 2 streams from now on/.test(l.message ?? ''))
        expect(pushedBack).toHaveLength(1)
        // Page requests started once the connector halved its streams (it logs that as it does so): at most two in
        // flight at any time. A stream past the two may still be answered a request it sent before, but sends none.
        // The proxy shares this process's event loop with the connector, so a request sent just before the halving
        // can reach it a little after the log line (while the connector is busy with a page): requests arriving
        // within a few pages' time of the halving are not counted.
        const halvedAt = pushedBack[0]?.writtenAt ?? Infinity
        expect(halvedAt).toBeGreaterThan(refusedAt ?? Infinity)
        const settled = halvedAt + 5 * LATENCY_MS
        const later = proxy.pages.filter((p) => p.start > settled)
        expect(later.length).toBeGreaterThan(5)
        const mostInFlight = Math.max(
            ...later.map((p) => later.filter((q) => q.start <= p.start && q.end > p.start).length)
        )
        expect(mostInFlight).toBeLessThanOrEqual(2)
    } finally {
        await proxy.close()
    }
})

it('reads every user exactly once side by side while connections drop and Salesforce answers 5xx', async () => {
    const expected = emulator.store.listUsers().map((u) => u.id)
    emulator.setFaults({ errorRate: 0.05, dropRate: 0.05 })
    try {
        const { ids, logs } = await aggregate(emulatorConfig(emulator.url, { parallelStreams: 4, maxRetries: 8 }))
        expectExactlyOnce(ids, expected)
        expect(emulator.stats().faultsInjected).toBeGreaterThan(2)
        expect(planned(logs).length + sequential(logs).length).toBe(1)
    } finally {
        emulator.setFaults({ errorRate: 0, dropRate: 0 })
    }
})
