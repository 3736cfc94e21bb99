import { Readable } from 'stream'

/** A response body that sends `parts` one by one, each after a turn of the event loop; an Error part drops the connection there. */
export function wire(parts: readonly (string | Error)[]): Readable {
    return Readable.from(
        (async function* () {
            for (const part of parts) {
                await new Promise((resolve) => setImmediate(resolve))
                if (part instanceof Error) throw part
                yield Buffer.from(part)
            }
        })()
    )
}

/** A ListResponse body cut right after each of its users' closing brace: one chunk per user, `]}` with the last. */
export function cutAfterEachUser(body: string): string[] {
    const chunks: string[] = []
    let start = 0
    for (let at = body.indexOf('},{"schemas"'); at !== -1; at = body.indexOf('},{"schemas"', at + 1)) {
        chunks.push(body.slice(start, at + 1))
        start = at + 1
    }
    chunks.push(body.slice(start))
    return chunks
}
