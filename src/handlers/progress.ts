import { Response } from '@sailpoint/connector-sdk'
import { logger } from '../logger'

interface ProgressOptions {
    /** ISC ends a command that sends nothing for 3 minutes; a keep-alive well inside that covers slow pages. */
    readonly keepAliveMs?: number
    readonly logEveryMs?: number
}

interface Progress {
    /** Counts items sent, and how many streams are reading side by side when the list is read in id ranges. */
    add(count: number, streams?: number): void
    readonly count: number
}

/**
 * Runs a long listing with a keep-alive timer and a progress log line (count so far, rate), both stopped
 * however the work ends.
 */
export async function withProgress<T>(
    res: Response<unknown>,
    what: string,
    work: (progress: Progress) => Promise<T>,
    { keepAliveMs = 30_000, logEveryMs = 10_000 }: ProgressOptions = {}
): Promise<T> {
    const started = Date.now()
    let count = 0
    let streams: number | undefined
    const progress: Progress = {
        add: (n, reading) => {
            count += n
            if (reading !== undefined) streams = reading
        },
        get count() {
            return count
        },
    }
    const rate = (): number => Math.round((count / Math.max(Date.now() - started, 1)) * 1000)
    const keepAlive = setInterval(() => res.keepAlive(), keepAliveMs)
    const report = setInterval(() => {
        const side = streams !== undefined ? `, ${streams} stream${streams === 1 ? '' : 's'}` : ''
        logger.info(
            { listed: count, perSecond: rate(), ...(streams !== undefined ? { streams } : {}) },
            `Listing ${what}: ${count} so far, ${rate()}/s${side}`
        )
    }, logEveryMs)
    try {
        const result = await work(progress)
        logger.info(
            { listed: count, perSecond: rate(), seconds: Math.round((Date.now() - started) / 1000) },
            `Listed ${count} ${what}`
        )
        return result
    } finally {
        clearInterval(keepAlive)
        clearInterval(report)
    }
}
