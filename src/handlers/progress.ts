import { Response } from '@sailpoint/connector-sdk'
import { CONFIG_LABELS } from '../config'
import { RateLimitError } from '../errors'
import { ApiUsageMeter, describeApiUsage } from '../http/api-usage'
import { logger } from '../logger'

interface ProgressOptions {
    /** ISC ends a command that sends nothing for 3 minutes; a keep-alive well inside that covers slow pages. */
    readonly keepAliveMs?: number
    readonly logEveryMs?: number
    /** The org's API usage, shown with each progress line (setting Govern Access Beyond SCIM). */
    readonly apiUsage?: ApiUsageMeter
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
    { keepAliveMs = 30_000, logEveryMs = 10_000, apiUsage }: ProgressOptions = {}
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
    const usage = (): { readonly fields: { apiUsage?: string }; readonly text: string } => {
        const reading = apiUsage?.latest()
        if (reading === undefined) return { fields: {}, text: '' }
        const described = describeApiUsage(reading)
        return { fields: { apiUsage: described }, text: `; the org has used ${described}` }
    }
    const report = setInterval(() => {
        const side = streams !== undefined ? `, ${streams} stream${streams === 1 ? '' : 's'}` : ''
        const { fields, text } = usage()
        logger.info(
            { listed: count, perSecond: rate(), ...(streams !== undefined ? { streams } : {}), ...fields },
            `Listing ${what}: ${count} so far, ${rate()}/s${side}${text}`
        )
    }, logEveryMs)
    try {
        const result = await work(progress)
        const { fields, text } = usage()
        logger.info(
            { listed: count, perSecond: rate(), seconds: Math.round((Date.now() - started) / 1000), ...fields },
            `Listed ${count} ${what}${text}`
        )
        return result
    } finally {
        clearInterval(keepAlive)
        clearInterval(report)
    }
}

/**
 * Stops a listing before its next requests would take the org's daily API usage past the share the admin allows
 * (setting API Usage Limit (%)): the figure is org-wide, and an aggregation must never lock the org's other
 * integrations out. Without a reading (no answer carried `Sforce-Limit-Info` yet) there is nothing to judge by.
 * @throws RateLimitError naming the setting and the figures.
 */
export function checkApiUsage(apiUsage: ApiUsageMeter, limitPercent: number, callsAhead: number, sent: number): void {
    const reading = apiUsage.latest()
    if (reading === undefined) return
    const allowed = Math.floor((reading.max * limitPercent) / 100)
    if (reading.used + callsAhead <= allowed) return
    throw new RateLimitError(
        `Stopped after ${sent} accounts: the org has used ${describeApiUsage(reading)}, and the pages in flight ` +
            `and the next one (${callsAhead} requests) would take it past ${limitPercent}% (${allowed} requests), the setting ` +
            `${CONFIG_LABELS.apiUsageLimitPercent}. Run the aggregation again once the org's 24-hour usage has ` +
            'fallen, or raise the setting if the org can spare the requests.'
    )
}
