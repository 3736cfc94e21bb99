import { InvalidResponseError } from '../errors'
import { isRecord } from '../json'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a
const SPACE = 0x20
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d

/** The longest root member name worth remembering: only `Resources` matters. */
const MAX_KEY_BYTES = 32
const RESOURCES_KEY = 'Resources'
/** Depth of the `Resources` array's elements: inside the root object (1) and the array (2). */
const ELEMENT_DEPTH = 2

/**
 * The typed array's own indexOf, a V8 builtin: Buffer's override goes through a native binding, whose cost per
 * call is more than the short strings of a SCIM resource take to search.
 */
function indexOfByte(bytes: Uint8Array, byte: number, from: number): number {
    return Uint8Array.prototype.indexOf.call(bytes, byte, from)
}

/** Where `scanResource` stopped, and why: scratch state, so the scan allocates nothing. */
const scanned = { depth: 0, closed: false, openString: false }

/**
 * Scans a resource's bytes from `from`, at nesting `depth`: only strings and nesting matter there, and JSON.parse
 * checks the rest. Returns the index past the brace that closes the resource (`scanned.closed`), or the index
 * just inside a string it leaves to the careful path (`scanned.openString`: an escape before its closing quote, or
 * no closing quote in this chunk), or the chunk's length. The one loop most of each page goes through.
 */
function scanResource(chunk: Buffer, from: number, depth: number): number {
    const n = chunk.length
    scanned.closed = false
    scanned.openString = false
    for (let i = from; i < n; i++) {
        const byte = chunk[i]
        if (byte === QUOTE) {
            const quote = indexOfByte(chunk, QUOTE, i + 1)
            if (quote === -1 || chunk[quote - 1] === BACKSLASH) {
                scanned.depth = depth
                scanned.openString = true
                return i + 1
            }
            i = quote
        } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
            depth++
        } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
            depth--
            if (depth === ELEMENT_DEPTH) {
                scanned.depth = depth
                scanned.closed = true
                return i + 1
            }
        }
    }
    scanned.depth = depth
    return n
}

function isWhitespace(byte: number): boolean {
    return byte === SPACE || byte === LF || byte === CR || byte === TAB
}

/** One resource of the list as bytes; `number` counts from 1 in the order sent. */
export interface RawResource {
    /** The resource is `source[start..end)`: offsets, not a Buffer view, which would cost an object per user. */
    readonly source: Buffer
    readonly start: number
    readonly end: number
    readonly number: number
}

/**
 * Splits a SCIM ListResponse body into its `Resources` while the bytes arrive, chunk by chunk: each resource is
 * parsed (by the native JSON.parse) as soon as its last byte is in, so a page of 200 users never sits in memory
 * as one 400 KB string and one object graph, and its first users are handled while the rest is on the wire.
 * Only structure is scanned here (strings, nesting, the root's member names); values are left to JSON.parse.
 * The root's other members (`totalResults`, `itemsPerPage`, ...) come back from `end()`.
 */
export class ListResponseSplitter {
    private depth = 0
    private sawRoot = false
    private inString = false
    /** The previous chunk ended on an unpaired backslash inside a string: the next byte is escaped. */
    private escapePending = false
    /** Inside the root's `Resources` array. */
    private inResources = false
    /** In `Resources`, between elements: what may come next. */
    private expect: 'first' | 'separator' | 'element' = 'first'
    /** Inside one of its elements; the element's bytes so far from earlier chunks are in `elementParts`. */
    private inElement = false
    private elementParts: Buffer[] = []
    /** Bytes of a root member name being read across chunks, or undefined when not reading one. */
    private keyParts: Buffer[] | undefined
    private keyBytes = 0
    private lastKey = ''
    /** The body without the elements of `Resources`: `{"totalResults":..,"Resources":[]}`. */
    private envelopeParts: Buffer[] = []
    private resources = 0
    private offset = 0

    /** Takes the next chunk of the body; returns the resources it completed, parsed, in the order sent. */
    push(chunk: Buffer): unknown[] {
        return this.pushRaw(chunk).map((resource) => this.parse(resource))
    }

    /**
     * Takes the next chunk of the body; returns the resources it completed as bytes, unparsed, in the order sent.
     * The bytes may share memory with `chunk`: parse them before the chunk is reused.
     */
    pushRaw(chunk: Buffer): RawResource[] {
        const completed: RawResource[] = []
        const n = chunk.length
        let i = 0
        // Where the current run of envelope bytes started in this chunk (-1: inside Resources, not collecting).
        let envelopeStart = this.inResources ? -1 : 0
        // Where the current element started in this chunk (0 when it began in an earlier one).
        let elementStart = this.inElement ? 0 : -1
        let keyStart = this.keyParts !== undefined ? 0 : -1

        if (this.escapePending && n > 0) {
            this.escapePending = false
            i = 1
        }
        // State in locals while scanning (written back below): this loop sees every byte of every page.
        let depth = this.depth
        let inString = this.inString
        let inElement = this.inElement
        while (i < n) {
            if (inString) {
                const close = this.closingQuote(chunk, i)
                if (close === -1) break
                if (keyStart !== -1) {
                    this.lastKey = this.finishKey(chunk, keyStart, close)
                    keyStart = -1
                }
                inString = false
                i = close + 1
                continue
            }
            const byte = chunk[i] as number
            if (inElement) {
                const stop = scanResource(chunk, i, depth)
                depth = scanned.depth
                if (scanned.closed) {
                    completed.push(this.cutElement(chunk, elementStart, stop))
                    inElement = false
                    this.expect = 'separator'
                    elementStart = -1
                } else if (scanned.openString) inString = true
                i = stop
                continue
            }
            if (!this.sawRoot) {
                if (isWhitespace(byte)) {
                    i++
                    continue
                }
                if (byte !== OPEN_OBJECT) throw this.invalid('it is not a JSON object')
                this.sawRoot = true
            } else if (depth === 0 && !isWhitespace(byte)) {
                throw this.invalid(`it has more after its closing brace (at byte ${this.offset + i})`)
            }
            const betweenResources = this.inResources && depth === ELEMENT_DEPTH
            switch (byte) {
                case QUOTE:
                    if (betweenResources) throw this.invalid('its Resources holds a value that is not a resource')
                    inString = true
                    if (depth === 1) {
                        this.lastKey = ''
                        keyStart = i + 1
                        this.keyParts = []
                        this.keyBytes = 0
                    }
                    break
                case OPEN_OBJECT:
                case OPEN_ARRAY:
                    if (betweenResources) {
                        if (byte !== OPEN_OBJECT) throw this.invalid('its Resources holds a list, not a resource')
                        if (this.expect === 'separator') throw this.misplaced(i)
                        inElement = true
                        elementStart = i
                    } else if (byte === OPEN_ARRAY && depth === 1 && this.lastKey === RESOURCES_KEY) {
                        // The envelope keeps the `[`; the elements in between are handed out instead.
                        this.envelopeParts.push(Buffer.from(chunk.subarray(envelopeStart, i + 1)))
                        envelopeStart = -1
                        this.inResources = true
                        this.expect = 'first'
                    }
                    depth++
                    break
                case CLOSE_OBJECT:
                case CLOSE_ARRAY:
                    depth--
                    if (this.inResources && depth === 1) {
                        if (byte !== CLOSE_ARRAY || this.expect === 'element') throw this.misplaced(i)
                        this.inResources = false
                        envelopeStart = i
                    }
                    break
                case COMMA:
                case COLON:
                    if (betweenResources) {
                        if (byte === COLON || this.expect !== 'separator') throw this.misplaced(i)
                        this.expect = 'element'
                    }
                    break
                case SPACE:
                case LF:
                case CR:
                case TAB:
                    break
                default:
                    if (betweenResources) throw this.invalid('its Resources holds a value that is not a resource')
            }
            i++
        }
        this.depth = depth
        this.inString = inString
        this.inElement = inElement

        // Copied: the caller may reuse its chunk once push returns.
        if (this.inElement) this.elementParts.push(Buffer.from(chunk.subarray(elementStart)))
        if (keyStart !== -1) this.addKeyBytes(chunk.subarray(keyStart))
        if (envelopeStart !== -1) this.envelopeParts.push(Buffer.from(chunk.subarray(envelopeStart)))
        this.offset += n
        return completed
    }

    /** Ends the body; returns the ListResponse's members other than `Resources`. */
    end(): Record<string, unknown> {
        if (!this.sawRoot) throw this.invalid('it is empty')
        if (this.depth !== 0 || this.inString) throw this.invalid(`it ends mid-way, after ${this.offset} bytes`)
        let envelope: unknown
        try {
            envelope = JSON.parse(Buffer.concat(this.envelopeParts).toString('utf8'))
        } catch {
            throw this.invalid('its JSON is malformed outside the resources')
        }
        if (!isRecord(envelope)) throw this.invalid('it is not a JSON object')
        // A list's Resources was emptied above; anything else there was never handed out.
        if (RESOURCES_KEY in envelope && !Array.isArray(envelope[RESOURCES_KEY])) {
            throw this.invalid('its Resources is not a list')
        }
        delete envelope[RESOURCES_KEY]
        return envelope
    }

    /** Whether the root object has closed: every resource is out and `end()` can answer. */
    get complete(): boolean {
        return this.sawRoot && this.depth === 0 && !this.inString
    }

    /** How many resources have been cut from the body so far. */
    get resourceCount(): number {
        return this.resources
    }

    /**
     * The index of the quote that ends the string being read, or -1 when it goes on into the next chunk. A quote
     * preceded by an odd run of backslashes is escaped and does not end it.
     */
    private closingQuote(chunk: Buffer, from: number): number {
        for (let search = from; ;) {
            const quote = indexOfByte(chunk, QUOTE, search)
            const end = quote === -1 ? chunk.length : quote
            let backslashes = 0
            while (end - backslashes - 1 >= from && chunk[end - backslashes - 1] === BACKSLASH) backslashes++
            if (quote === -1) {
                this.escapePending = backslashes % 2 === 1
                return -1
            }
            if (backslashes % 2 === 0) return quote
            search = quote + 1
        }
    }

    private addKeyBytes(bytes: Buffer): void {
        if (this.keyParts === undefined) return
        this.keyBytes += bytes.length
        if (this.keyBytes > MAX_KEY_BYTES) this.keyParts = undefined
        else this.keyParts.push(Buffer.from(bytes))
    }

    private finishKey(chunk: Buffer, start: number, end: number): string {
        this.addKeyBytes(chunk.subarray(start, end))
        const parts = this.keyParts
        this.keyParts = undefined
        if (parts === undefined) return ''
        const raw = Buffer.concat(parts).toString('utf8')
        if (!raw.includes('\\')) return raw
        // A name written with escapes (`Re\u0073ources`) is the name JSON.parse will see.
        try {
            return JSON.parse(`"${raw}"`) as string
        } catch {
            return ''
        }
    }

    /** A resource as cut by `pushRaw`, parsed. */
    parse(resource: RawResource): unknown {
        try {
            return JSON.parse(resource.source.toString('utf8', resource.start, resource.end))
        } catch {
            throw this.invalid(`resource ${resource.number} of it is malformed JSON`)
        }
    }

    private cutElement(chunk: Buffer, start: number, end: number): RawResource {
        this.resources++
        const parts = this.elementParts
        if (parts.length === 0) return { source: chunk, start, end, number: this.resources }
        const joined = Buffer.concat([...parts, chunk.subarray(0, end)])
        this.elementParts = []
        return { source: joined, start: 0, end: joined.length, number: this.resources }
    }

    private misplaced(at: number): InvalidResponseError {
        return this.invalid(`its Resources is not a well-formed list (at byte ${this.offset + at})`)
    }

    private invalid(reason: string): InvalidResponseError {
        return new InvalidResponseError(`Salesforce sent a list that is not a SCIM ListResponse: ${reason}`)
    }
}
