/**
 * A table of sObject rows kept under their API field names (`Id`, `AssigneeId`, `SystemModstamp`…), so the REST API
 * serves them as they are: indexed by Id, by a natural key (the pair that makes a junction row unique), and by the
 * fields queries filter on. Deleted rows go to a bounded recycle bin, which `queryAll` may show.
 */

/**
 * Formatted dateTimes by epoch ms. A page's rows repeat a few times (a user's created and modified times, its
 * profile's), and formatting is the larger part of building a row; the text depends on the number alone, so an entry
 * never goes stale. Cleared when full, to keep memory flat.
 */
const dateTimeTexts = new Map<number, string>()
const DATE_TIME_TEXTS = 100_000

/** Salesforce's JSON form of a dateTime: `2021-03-15T16:00:00.000+0000`. */
export function sfDateTime(ms: number): string {
    let text = dateTimeTexts.get(ms)
    if (text === undefined) {
        text = new Date(ms).toISOString().replace('Z', '+0000')
        if (dateTimeTexts.size >= DATE_TIME_TEXTS) dateTimeTexts.clear()
        dateTimeTexts.set(ms, text)
    }
    return text
}

/** Salesforce's JSON form of a date: `2027-06-30`. */
export function sfDate(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10)
}

/** Salesforce empties the recycle bin after 15 days; a bound keeps a long benchmark's memory flat. */
const RECYCLE_BIN_ROWS = 5_000

export type Row = { readonly Id: string; IsDeleted: boolean }

export class RowTable<R extends Row> {
    private readonly byId = new Map<string, R>()
    /** Arrays, not sets: most keys hold a row or two, and a 100,000-user org has a key per user. */
    private readonly indexes = new Map<string, Map<string, R[]>>()
    private readonly bin: R[] = []

    constructor(
        readonly object: string,
        /** Fields kept indexed: `where` on them does not scan. */
        indexed: readonly (keyof R & string)[],
        /** The natural key: no two live rows share it. */
        private readonly keyOf: (row: R) => string,
        /**
         * The indexed field a natural key is looked up by, and its value in a key: a key is found among that
         * index's few rows rather than in a map of its own (a 100,000-user org has a key per row).
         */
        private readonly keyIndex: { readonly field: keyof R & string; readonly valueIn: (key: string) => string }
    ) {
        for (const f of indexed) this.indexes.set(f, new Map())
        if (!this.indexes.has(keyIndex.field)) this.indexes.set(keyIndex.field, new Map())
    }

    get size(): number {
        return this.byId.size
    }

    get(id: string): R | undefined {
        return this.byId.get(id)
    }

    byNaturalKey(key: string): R | undefined {
        return this.where(this.keyIndex.field, this.keyIndex.valueIn(key)).find((r) => this.keyOf(r) === key)
    }

    all(): IterableIterator<R> {
        return this.byId.values()
    }

    deleted(): readonly R[] {
        return this.bin
    }

    isIndexed(field: string): boolean {
        return field === 'Id' || this.indexes.has(field)
    }

    /** Live rows whose indexed `field` is `value`. */
    where(field: keyof R & string, value: string): readonly R[] {
        return this.indexes.get(field)?.get(value) ?? EMPTY
    }

    count(field: keyof R & string, value: string): number {
        return this.where(field, value).length
    }

    add(row: R): R {
        this.byId.set(row.Id, row)
        for (const [field, index] of this.indexes) {
            const v = row[field as keyof R]
            if (typeof v === 'string') setAdd(index, v, row)
        }
        return row
    }

    /** Delete a live row; it stays in the recycle bin (with IsDeleted true) until the bin's bound pushes it out. */
    remove(id: string): R | undefined {
        const row = this.byId.get(id)
        if (!row) return undefined
        this.byId.delete(id)
        for (const [field, index] of this.indexes) {
            const v = row[field as keyof R]
            if (typeof v === 'string') setRemove(index, v, row)
        }
        row.IsDeleted = true
        this.bin.push(row)
        if (this.bin.length > RECYCLE_BIN_ROWS) this.bin.shift()
        return row
    }

    /** Change fields of a live row, its indexes and natural key with them. */
    update(row: R, changes: Partial<R>): void {
        for (const [field, index] of this.indexes) {
            if (!(field in changes)) continue
            const old = row[field as keyof R]
            if (typeof old === 'string') setRemove(index, old, row)
        }
        Object.assign(row, changes)
        for (const [field, index] of this.indexes) {
            if (!(field in changes)) continue
            const v = row[field as keyof R]
            if (typeof v === 'string') setAdd(index, v, row)
        }
    }
}

const EMPTY: readonly never[] = []

function setAdd<R>(index: Map<string, R[]>, key: string, row: R): void {
    const rows = index.get(key)
    if (rows) rows.push(row)
    else index.set(key, [row])
}

function setRemove<R>(index: Map<string, R[]>, key: string, row: R): void {
    const rows = index.get(key)
    if (!rows) return
    const i = rows.lastIndexOf(row)
    if (i >= 0) rows.splice(i, 1)
    if (rows.length === 0) index.delete(key)
}
