// Runs one account aggregation on the built bundle in a process of its own, so that its peak RSS is the
// connector's alone, and prints a JSON summary on a line marked BENCH-RESULT. Plain JavaScript: no loader in the way.
'use strict'
const { PassThrough } = require('stream')
const fs = require('fs')
const v8 = require('v8')

async function main() {
    const [bundlePath, command = 'std:account:list', inputJson = '{}'] = process.argv.slice(2)
    const { connector } = require(bundlePath)
    let peakRss = process.memoryUsage.rss()
    const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss())
    }, 50)
    let count = 0
    let repeated = 0
    let keepAlives = 0
    // Pages read side by side arrive in no id order: each id is remembered (a few MB at 100,000 users, counted in
    // the peak RSS, so the figure is if anything high).
    const seen = new Set()
    const sink = new PassThrough({ objectMode: true })
    sink.on('data', (chunk) => {
        if (chunk.type === 'keepAlive') keepAlives++
        if (chunk.type !== 'output') return
        const id = String(chunk.data.identity)
        // No id twice proves no account was sent twice; the count then proves none was missed.
        if (seen.has(id)) repeated++
        seen.add(id)
        count++
    })
    const context = { commandType: command, reloadConfig: async () => ({}), assumeAwsRole: async () => ({}) }
    const started = process.hrtime.bigint()
    const cpuBefore = process.cpuUsage()
    await connector._exec(command, context, JSON.parse(inputJson), sink)
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6
    // CPU time of the process (every thread: V8's helpers collect garbage beside the main one).
    const cpu = process.cpuUsage(cpuBefore)
    const cpuMs = (cpu.user + cpu.system) / 1000
    clearInterval(sampler)
    peakRss = Math.max(peakRss, process.memoryUsage.rss(), highWaterRss())
    // What the connector still holds once the aggregation is over: flat if nothing grows with the org.
    if (global.gc) global.gc()
    const heapAfterGc = process.memoryUsage().heapUsed
    // The heap V8 was given, so the report shows the instance the figures are for.
    const heapLimit = v8.getHeapStatistics().heap_size_limit
    console.log(
        'BENCH-RESULT ' +
            JSON.stringify({ count, repeated, wallMs, cpuMs, peakRss, heapAfterGc, keepAlives, heapLimit })
    )
}

/**
 * The process's own peak RSS, spikes between samples included. On Linux that is VmHWM: `resourceUsage().maxRSS`
 * keeps the high-water mark across exec, so there it starts at the RSS of the bench process (the emulator's
 * org) that forked this one.
 */
function highWaterRss() {
    try {
        const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))
        if (match) return Number(match[1]) * 1024
    } catch {
        // No procfs: fall back below.
    }
    return process.resourceUsage().maxRSS * 1024
}

main().catch((err) => {
    console.error(err && err.message ? err.message : String(err))
    process.exit(1)
})
