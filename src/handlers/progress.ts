import { Response } from '@sailpoint/connector-sdk'
import { logger } from '../logger'

interface ProgressOptions {
    /** ISC ends a command that sends nothing for 3 minutes; a keep-alive well inside that covers slow pages. */
    readonly keepAliveMs?: number
    readonly logEveryMs?: number
}

interface Progress {
    /** Counts items sent. */
    add(count: number): void
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
    const progress: Progress = {
        add: (n) => {
            count += n
        },
        get count() {
            return count
        },
    }
    const rate = (): number => Math.round((count / Math.max(Date.now() - started, 1)) * 1000)
    const keepAlive = setInterval(() => res.keepAlive(), keepAliveMs)
    const report = setInterval(
        () => logger.info({ listed: count, perSecond: rate() }, `Listing ${what}: ${count} so far, ${rate()}/s`),
        logEveryMs
    )
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
