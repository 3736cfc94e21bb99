/**
 * The part of newman's Node API that `scripts/postman.ts` uses. newman ships no type declarations and
 * `@types/newman` is not a dependency.
 */
declare module 'newman' {
    import { EventEmitter } from 'events'

    export interface NewmanVariable {
        key: string
        value: string
        type?: string
        enabled?: boolean
    }

    export interface NewmanEnvironment {
        id?: string
        name?: string
        values: NewmanVariable[]
    }

    export interface NewmanRunOptions {
        /** A collection object or a path to its JSON file. */
        collection: object | string
        environment?: NewmanEnvironment | string
        reporters?: string | string[]
        reporter?: Record<string, Record<string, unknown>>
        color?: 'on' | 'off' | 'auto'
        /** Milliseconds per request. */
        timeoutRequest?: number
        /** Milliseconds per script. */
        timeoutScript?: number
        bail?: boolean | string[]
    }

    export interface NewmanStat {
        total?: number
        pending?: number
        failed?: number
    }

    export interface NewmanFailure {
        error: { name: string; message: string; test?: string }
        at?: string
        source?: { name?: string }
    }

    export interface NewmanRunSummary {
        run: {
            stats: {
                iterations: NewmanStat
                items: NewmanStat
                scripts: NewmanStat
                prerequests: NewmanStat
                requests: NewmanStat
                tests: NewmanStat
                assertions: NewmanStat
                testScripts: NewmanStat
                prerequestScripts: NewmanStat
            }
            failures: NewmanFailure[]
            error?: unknown
        }
    }

    export function run(
        options: NewmanRunOptions,
        callback?: (err: Error | null, summary: NewmanRunSummary) => void
    ): EventEmitter

    const newman: { run: typeof run }
    export default newman
}
