/**
 * The org's daily API usage as Salesforce reports it on every REST (and SCIM) answer:
 * `Sforce-Limit-Info: api-usage=10018/100000`. The figure is org-wide (every integration's calls), so it is what
 * decides whether an aggregation may go on without locking the org's other integrations out.
 */
export interface ApiUsageReading {
    readonly used: number
    readonly max: number
}

const API_USAGE = /(?:^|[,;\s])api-usage=(\d+)\/(\d+)/

/** The reading in a `Sforce-Limit-Info` header value; undefined when it holds none (or a malformed one). */
export function parseLimitInfo(header: string | undefined): ApiUsageReading | undefined {
    if (header === undefined) return undefined
    const match = API_USAGE.exec(header)
    if (match === null) return undefined
    const used = Number(match[1])
    const max = Number(match[2])
    return max > 0 ? { used, max } : undefined
}

/** The latest reading seen by one request pipeline (one command). */
export class ApiUsageMeter {
    private reading: ApiUsageReading | undefined

    record(header: string | undefined): void {
        const reading = parseLimitInfo(header)
        if (reading !== undefined) this.reading = reading
    }

    /** The newest reading, if any answer carried one. */
    latest(): ApiUsageReading | undefined {
        return this.reading
    }
}

/** `10018 of 100000 daily API requests (10%)`. */
export function describeApiUsage(reading: ApiUsageReading): string {
    const percent = Math.floor((reading.used / reading.max) * 100)
    return `${reading.used} of ${reading.max} daily API requests (${percent}%)`
}
