/**
 * `npm run invoke -- <command> [input JSON] [--verbose]`: sends one command to the connector's local server
 * (started by `npm start`) with the emulator's or the `.env` org's configuration, and prints what the connector
 * answered. A failure prints the connector's message alone; `--verbose` adds the SDK server's full report (stack
 * and error properties).
 */
import axios from 'axios'
import { describeTarget, readLocalSettings } from './local-config'

interface RawChunk {
    readonly type: string
    readonly data: unknown
}

function usage(): never {
    console.error('usage: npm run invoke -- <command> [input JSON] [--verbose]')
    console.error(`  e.g. npm run invoke -- std:account:read '{"identity":"005..."}'`)
    process.exit(2)
}

/**
 * The connector's message out of the SDK local server's failure text, `<type> error: \n + <util.inspect(err)>`:
 * the first lines of the error's stack, without the stack frames, the error's class name and its properties.
 */
export function failureMessage(text: string): string {
    const match = /^(\w+) error: \n \+ ([\s\S]*)$/.exec(text)
    if (!match) return text.trim()
    const [, type, inspected = ''] = match
    const lines: string[] = []
    for (const line of inspected.split('\n')) {
        if (/^\s+at /.test(line) || /^\s*\{\s*$/.test(line)) break
        lines.push(line)
    }
    const message = lines
        .join('\n')
        .replace(/^\w*Error: /, '')
        .replace(/ \{$/, '')
        .trim()
    return type === 'generic' ? message : `${message} (${type})`
}

async function main(): Promise<void> {
    const args = process.argv.slice(2)
    const verbose = args.includes('--verbose')
    const [rawType, rawInput] = args.filter((arg) => arg !== '--verbose')
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

    const settings = readLocalSettings()
    for (const warning of settings.warnings) console.error(`Warning: ${warning}`)
    console.error(describeTarget(settings.target))
    const url = `http://localhost:${settings.connectorPort}/invoke`
    const started = Date.now()
    const response = await axios
        .post<string>(
            url,
            { type, input, config: settings.target.config },
            {
                responseType: 'text',
                validateStatus: () => true,
                transformResponse: (body: string) => body,
            }
        )
        .catch((err: unknown) => {
            const code = (err as { code?: string }).code
            console.error(
                code === 'ECONNREFUSED'
                    ? `Nothing listens on ${url}: run \`npm start\` first (with the same CONNECTOR_PORT).`
                    : `Could not reach ${url}: ${err instanceof Error ? err.message : String(err)}`
            )
            process.exit(1)
        })

    let outputs = 0
    let failed = response.status !== 200
    const body = response.data
    // The SDK's server appends a failure as plain text, after any output already streamed.
    const failureAt = body.search(/^\w+ error: \n \+ /m)
    const ndjson = failureAt === -1 ? body : body.slice(0, failureAt)
    for (const line of ndjson.split('\n')) {
        if (!line.trim()) continue
        let chunk: RawChunk | undefined
        try {
            chunk = JSON.parse(line) as RawChunk
        } catch {
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
    if (failureAt !== -1) {
        failed = true
        const failure = body.slice(failureAt)
        console.error(verbose ? failure.trimEnd() : failureMessage(failure))
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(2)
    console.error(`${type}: ${failed ? 'FAILED' : 'ok'}, ${outputs} output(s) in ${seconds} s`)
    process.exit(failed ? 1 : 0)
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(err instanceof Error ? err.message : String(err))
        process.exit(1)
    })
}
