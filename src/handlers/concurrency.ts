/** Runs `task` on every item with at most `limit` in flight, and reports each outcome in item order. */
export async function settleLimited<T, R>(
    items: readonly T[],
    limit: number,
    task: (item: T) => Promise<R>
): Promise<PromiseSettledResult<R>[]> {
    const results: PromiseSettledResult<R>[] = new Array<PromiseSettledResult<R>>(items.length)
    let next = 0
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const index = next++
            try {
                results[index] = { status: 'fulfilled', value: await task(items[index] as T) }
            } catch (reason) {
                results[index] = { status: 'rejected', reason }
            }
        }
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
    return results
}
