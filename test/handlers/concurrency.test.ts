import { settleLimited } from '../../src/handlers/concurrency'

describe('settleLimited', () => {
    it('never runs more than the limit at once, and reports outcomes in item order', async () => {
        let running = 0
        let peak = 0
        const outcomes = await settleLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
            running++
            peak = Math.max(peak, running)
            await new Promise((resolve) => setTimeout(resolve, 5 * (8 - n)))
            running--
            if (n === 4) throw new Error('four')
            return n * 10
        })
        expect(peak).toBe(3)
        expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
            10,
            20,
            30,
            'four',
            50,
            60,
            70,
        ])
    })

    it('handles no items', async () => {
        await expect(settleLimited([], 4, () => Promise.resolve(1))).resolves.toEqual([])
    })
})
