import { Response } from '@sailpoint/connector-sdk'
import { withProgress } from '../../src/handlers/progress'
import { logger } from '../../src/logger'

function fakeResponse(): Response<unknown> & { keepAlives: number } {
    const res = {
        keepAlives: 0,
        send: jest.fn(),
        saveState: jest.fn(),
        patchConfig: jest.fn(),
        keepAlive: () => {
            res.keepAlives++
        },
    }
    return res
}

describe('withProgress', () => {
    let info: jest.SpyInstance
    beforeEach(() => {
        jest.useFakeTimers()
        info = jest.spyOn(logger, 'info').mockImplementation(() => undefined)
    })
    afterEach(() => {
        jest.useRealTimers()
        info.mockRestore()
    })

    it('sends a keep-alive every 30 s and logs the count and rate every 10 s while the work runs', async () => {
        const res = fakeResponse()
        let finish: () => void = () => undefined
        const done = withProgress(res, 'accounts', (progress) => {
            progress.add(400)
            return new Promise<void>((resolve) => (finish = resolve))
        })
        await jest.advanceTimersByTimeAsync(65_000)
        expect(res.keepAlives).toBe(2)
        const progressLines = info.mock.calls.filter(([, message]) => String(message).startsWith('Listing accounts'))
        expect(progressLines).toHaveLength(6)
        expect(progressLines[0]?.[0]).toEqual({ listed: 400, perSecond: 40 })
        finish()
        await done
        expect(info).toHaveBeenLastCalledWith(expect.objectContaining({ listed: 400 }), 'Listed 400 accounts')
    })

    it('says how many streams read side by side, as the reading changes', async () => {
        const res = fakeResponse()
        let finish: () => void = () => undefined
        let progress: Parameters<Parameters<typeof withProgress>[2]>[0] | undefined
        const done = withProgress(res, 'accounts', (given) => {
            progress = given
            given.add(200, 4)
            return new Promise<void>((resolve) => (finish = resolve))
        })
        await jest.advanceTimersByTimeAsync(10_000)
        progress?.add(200, 1)
        await jest.advanceTimersByTimeAsync(10_000)
        const lines = info.mock.calls.filter(([, message]) => String(message).startsWith('Listing accounts'))
        expect(lines.map(([fields, message]) => [fields, message])).toEqual([
            [{ listed: 200, perSecond: 20, streams: 4 }, 'Listing accounts: 200 so far, 20/s, 4 streams'],
            [{ listed: 400, perSecond: 20, streams: 1 }, 'Listing accounts: 400 so far, 20/s, 1 stream'],
        ])
        finish()
        await done
    })

    it('stops both timers when the work fails', async () => {
        const res = fakeResponse()
        await expect(withProgress(res, 'accounts', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
        await jest.advanceTimersByTimeAsync(120_000)
        expect(res.keepAlives).toBe(0)
        expect(info).not.toHaveBeenCalled()
    })

    it('returns what the work returns', async () => {
        await expect(withProgress(fakeResponse(), 'groups', async () => 7)).resolves.toBe(7)
    })
})
