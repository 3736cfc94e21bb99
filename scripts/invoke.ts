/**
 * `npm run invoke -- <command> [input JSON]`: sends one command to the connector's local server (started by
 * `npm start`) with the emulator's or the `.env` org's configuration, and prints what the connector answered.
 */
import axios from 'axios'
import { CONNECTOR_PORT, localTarget } from './local-config'

interface RawChunk {
    readonly type: string
    readonly data: unknown
}

function usage(): never {
    console.error('usage: npm run invoke -- <command> [input JSON]')
    console.error(`  e.g. npm run invoke -- std:account:read '{"identity":"005..."}'`)
    process.exit(2)
}

async function main(): Promise<void> {
    const [rawType, rawInput] = process.argv.slice(2)
    if (!rawType) usage()
    const type = rawType.startsWith('std:') ? rawType : `std:${rawType}`
    let input: unknown = {}
    if (rawInput) {
        try {
            input = JSON.parse(rawInput)
        } catch {
            console.error(`The input is not valid JSON: ${rawInput}`)
            process.exit(2)
        }
    }
    if (type === 'std:account:list' || type === 'std:entitlement:list')
        input = { stateful: false, ...(input as object) }

    const { config } = localTarget()
    const url = `http://localhost:${CONNECTOR_PORT}/invoke`
    const started = Date.now()
    const response = await axios
        .post<string>(
            url,
            { type, input, config },
            {
                responseType: 'text',
                validateStatus: () => true,
                transformResponse: (body: string) => body,
            }
        )
        .catch((err: unknown) => {
            const code = (err as { code?: string }).code
            console.error(code === 'ECONNREFUSED' ? `Nothing listens on ${url}: run \`npm start\` first.` : String(err))
            process.exit(1)
        })

    let outputs = 0
    let failed = response.status !== 200
    for (const line of response.data.split('\n')) {
        if (!line.trim()) continue
        let chunk: RawChunk | undefined
        try {
            chunk = JSON.parse(line) as RawChunk
        } catch {
            // The SDK's server appends a failure as plain text, after any output already streamed.
            failed = true
            console.error(line)
            continue
        }
        if (chunk.type === 'output') {
            outputs++
            console.log(JSON.stringify(chunk.data, null, 2))
        } else if (chunk.type === 'state') {
            console.log(`saved state: ${JSON.stringify(chunk.data)}`)
        }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(2)
    console.error(`${type}: ${failed ? 'FAILED' : 'ok'}, ${outputs} output(s) in ${seconds} s`)
    process.exit(failed ? 1 : 0)
}

void main()
