/**
 * Salesforce's "Total API Requests" allocation is a rolling 24-hour window (not per minute, and there is no 429 on
 * the core API): once it is used up, every call gets 403 REQUEST_LIMIT_EXCEEDED until old calls age out.
 * Calls are counted in one-minute buckets.
 */
export class RollingDailyCounter {
    private readonly buckets: { minute: number; count: number }[] = []
    private total = 0
    private static readonly WINDOW_MINUTES = 24 * 60

    constructor(
        public limit: number,
        private readonly clock: () => number = Date.now
    ) {}

    private prune(minute: number): void {
        while (
            this.buckets.length > 0 &&
            (this.buckets[0]?.minute ?? minute) <= minute - RollingDailyCounter.WINDOW_MINUTES
        ) {
            this.total -= this.buckets.shift()?.count ?? 0
        }
    }

    /** Requests counted in the last 24 hours. */
    used(): number {
        this.prune(Math.floor(this.clock() / 60_000))
        return this.total
    }

    /** Count one request; false when the allocation was already used up (the request is refused, not counted). */
    tryConsume(): boolean {
        const minute = Math.floor(this.clock() / 60_000)
        this.prune(minute)
        if (this.total >= this.limit) return false
        const last = this.buckets[this.buckets.length - 1]
        if (last && last.minute === minute) last.count++
        else this.buckets.push({ minute, count: 1 })
        this.total++
        return true
    }

    reset(): void {
        this.buckets.length = 0
        this.total = 0
    }
}
