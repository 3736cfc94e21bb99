import {
    type FieldType,
    type OrderByClause,
    type Query,
    type QueryBase,
    type Subquery,
    type WhereClause,
} from 'soql-parser-js'
import {
    MAX_OFFSET,
    noSuchColumn,
    noSuchRelationship,
    offsetTooLarge,
    SoqlError,
    unexpectedToken,
    unsupported,
    unsupportedType,
} from './soql-errors'
import { parseSoql } from './soql-parse'
import type { SoqlFieldType, SoqlObject, SoqlRow, SoqlSchema } from './soql-schema'
import { compareValues, comparableOf, keyOf } from './soql-values'
import { compileWhere, type CompiledWhere, type SemiJoin, type WhereField } from './soql-where'

/**
 * The emulator's SOQL engine: runs one query of the SOQL subset a connector sends against the org's objects and
 * answers the records as Salesforce's REST `query` returns them. No HTTP here: the REST API pages the records
 * (`nextRecordsUrl`) and turns a `SoqlError` into Salesforce's error body.
 *
 * Supported: fields, parent relationship fields to any depth, one level of child subquery, `COUNT()`, WHERE with
 * `= != < > <= >= IN NOT IN LIKE`, AND / OR / NOT and brackets, semi- and anti-joins on ids, ORDER BY, LIMIT,
 * OFFSET. Anything else is refused with MALFORMED_QUERY rather than ignored.
 */

export { SoqlError } from './soql-errors'
export type { SoqlErrorCode } from './soql-errors'

export interface SoqlOptions {
    /** `queryAll`: also the deleted rows Salesforce keeps. */
    readonly includeDeleted: boolean
    /** The REST API version in records' `attributes.url`, e.g. `v62.0`. */
    readonly apiVersion: string
}

export interface SoqlAttributes {
    readonly type: string
    readonly url: string
}

/** One row as Salesforce's REST API returns it: `attributes`, then the selected fields in the object's spelling. */
export type SoqlRecord = { readonly attributes: SoqlAttributes } & Readonly<Record<string, unknown>>

/** A child subquery's value on a record; null when it has no rows, as Salesforce answers. */
export interface SoqlChildRecords {
    readonly totalSize: number
    readonly done: true
    readonly records: readonly SoqlRecord[]
}

export interface SoqlResult {
    /** The queried object's API name. */
    readonly object: string
    /** The number of rows: `records.length`, or the count of a `SELECT COUNT()` query (whose `records` is empty). */
    readonly totalSize: number
    readonly records: readonly SoqlRecord[]
}

export function runSoql(soql: string, schema: SoqlSchema, options: SoqlOptions): SoqlResult {
    const engine = new Engine(schema, options)
    const query = engine.compileQuery(parseSoql(soql))
    const rows = engine.select(query)
    if (query.countOnly) return { object: query.object.name, totalSize: rows.length, records: [] }
    return { object: query.object.name, totalSize: rows.length, records: engine.emit(query, rows) }
}

/** What a SELECT is: the query itself, a child subquery in its SELECT, or a semi-join's inner query. */
type Role = 'query' | 'child' | 'semi-join'

interface ParentStep {
    /** The relationship's name as the object spells it (`Profile`). */
    readonly relationship: string
    /** The lookup field on the child side (`ProfileId`). */
    readonly field: string
    readonly object: SoqlObject
}

interface ResolvedField extends WhereField {
    readonly steps: readonly ParentStep[]
}

/** A parent relationship in SELECT: one nested record holding every field selected through it. */
interface ParentColumn {
    readonly kind: 'parent'
    readonly name: string
    readonly step: ParentStep
    readonly columns: Column[]
}

/** A child subquery in SELECT, over the child rows whose `field` holds the parent's id. */
interface ChildrenColumn {
    readonly kind: 'children'
    readonly name: string
    readonly query: CompiledQuery
    readonly field: string
}

/** What one record shows, in SELECT order. */
type Column = { readonly kind: 'field'; readonly name: string } | ParentColumn | ChildrenColumn

interface SortKey {
    readonly field: ResolvedField
    readonly descending: boolean
    readonly nullsFirst: boolean
}

interface CompiledQuery {
    readonly object: SoqlObject
    readonly countOnly: boolean
    readonly columns: readonly Column[]
    readonly where: CompiledWhere
    readonly orderBy: readonly SortKey[]
    readonly limit: number | undefined
    readonly offset: number
}

/** Case-insensitive lookups on an object's fields and relationships, made once per object. */
interface ObjectIndex {
    readonly fields: ReadonlyMap<string, { readonly name: string; readonly type: SoqlFieldType }>
    readonly parents: ReadonlyMap<string, { readonly name: string; readonly object: string; readonly field: string }>
    readonly children: ReadonlyMap<string, { readonly name: string; readonly object: string; readonly field: string }>
}

const objectIndexes = new WeakMap<SoqlObject, ObjectIndex>()

function indexOf(object: SoqlObject): ObjectIndex {
    let index = objectIndexes.get(object)
    if (!index) {
        const byName = <T>(entries: Readonly<Record<string, T>> | undefined) =>
            new Map(Object.entries(entries ?? {}).map(([name, v]) => [name.toLowerCase(), { name, ...v }] as const))
        index = {
            fields: new Map(
                Object.entries(object.fields).map(([name, type]) => [name.toLowerCase(), { name, type }] as const)
            ),
            parents: byName(object.parents),
            children: byName(object.children),
        }
        objectIndexes.set(object, index)
    }
    return index
}

class Engine {
    constructor(
        private readonly schema: SoqlSchema,
        private readonly options: SoqlOptions
    ) {}

    private objectNamed(name: string): SoqlObject {
        const object = this.schema.object(name)
        if (!object) throw unsupportedType(name)
        return object
    }

    /** A field path (`Profile.UserLicense.Name`) from `object`, its parent relationships resolved. */
    private resolve(object: SoqlObject, path: readonly string[]): ResolvedField {
        const steps: ParentStep[] = []
        let current = object
        for (const relationship of path.slice(0, -1)) {
            const parent = indexOf(current).parents.get(relationship.toLowerCase())
            if (!parent) throw noSuchRelationship(relationship, 'field path')
            current = this.objectNamed(parent.object)
            steps.push({ relationship: parent.name, field: parent.field, object: current })
        }
        const last = path[path.length - 1] ?? ''
        const field = indexOf(current).fields.get(last.toLowerCase())
        if (!field) throw noSuchColumn(last, current.name)
        const name = field.name
        return {
            name,
            type: field.type,
            direct: steps.length === 0,
            steps,
            read: (row) => {
                const target = this.follow(row, steps)
                return target?.[name]
            },
        }
    }

    private follow(row: SoqlRow, steps: readonly ParentStep[]): SoqlRow | undefined {
        let current: SoqlRow | undefined = row
        for (const step of steps) {
            const id = current[step.field]
            if (typeof id !== 'string' || id === '') return undefined
            current = this.schema.rowById(step.object.name, id)
            if (!current) return undefined
        }
        return current
    }

    compileQuery(query: Query): CompiledQuery {
        if (!query.sObject) throw unexpectedToken('<EOF>')
        return this.compile(query, this.objectNamed(query.sObject), 'query')
    }

    private compile(query: QueryBase, object: SoqlObject, role: Role): CompiledQuery {
        refuseUnsupportedClauses(query)
        const fields = query.fields ?? []
        const countOnly = fields.some((f) => f.type === 'FieldFunctionExpression' && isCountStar(f))
        if (countOnly && (fields.length !== 1 || role !== 'query')) throw unexpectedToken('COUNT')
        const columns = countOnly ? [] : this.columns(fields, object, role)
        const offset = query.offset ?? 0
        if (offset > MAX_OFFSET) throw offsetTooLarge()
        if (role === 'semi-join' && (query.orderBy || query.limit !== undefined || query.offset !== undefined)) {
            throw unsupported('ORDER BY, LIMIT or OFFSET in a semi-join subquery')
        }
        return {
            object,
            countOnly,
            columns,
            where: this.where(query.where, object, role),
            orderBy: this.orderBy(query.orderBy, object),
            limit: query.limit,
            offset,
        }
    }

    private where(where: WhereClause | undefined, object: SoqlObject, role: Role): CompiledWhere {
        return compileWhere(where, {
            field: (path) => this.resolve(object, path.split('.')),
            semiJoin: (inner, outer) => {
                if (role === 'semi-join') {
                    throw new SoqlError('MALFORMED_QUERY', 'Nesting of semi join sub-selects is not supported')
                }
                return this.semiJoin(inner, outer, object)
            },
        })
    }

    private semiJoin(inner: Query, outer: WhereField, outerObject: SoqlObject): SemiJoin {
        if (outer.type !== 'id' && outer.type !== 'reference') {
            throw new SoqlError('INVALID_FIELD', `semi join sub-selects are only allowed on id fields: ${outer.name}`)
        }
        if (!inner.sObject) throw unexpectedToken('<EOF>')
        const innerObject = this.objectNamed(inner.sObject)
        if (innerObject === outerObject) {
            throw new SoqlError('MALFORMED_QUERY', 'The inner and outer selects should not be on the same object type')
        }
        const query = this.compile(inner, innerObject, 'semi-join')
        const [column] = query.columns
        const selected =
            column?.kind === 'field' ? indexOf(query.object).fields.get(column.name.toLowerCase()) : undefined
        if (!selected || query.columns.length !== 1 || (selected.type !== 'id' && selected.type !== 'reference')) {
            throw new SoqlError('MALFORMED_QUERY', 'The selected field in a semi-join subquery must be an id field')
        }
        let ids: string[] | undefined
        let keys: Set<string | number | boolean> | undefined
        const evaluate = (): string[] => {
            // The inner query runs once, the first time a row or the index lookup needs it.
            if (!ids) {
                const found = new Set<string>()
                for (const row of this.select(query)) {
                    const v = comparableOf(selected.type, row[selected.name])
                    if (v !== null) found.add(String(v))
                }
                ids = [...found]
                keys = new Set(ids.map((id) => keyOf('id', id)))
            }
            return ids
        }
        return {
            ids: evaluate,
            keys: () => {
                evaluate()
                return keys ?? new Set()
            },
        }
    }

    private orderBy(clause: OrderByClause | OrderByClause[] | undefined, object: SoqlObject): SortKey[] {
        const clauses = clause === undefined ? [] : Array.isArray(clause) ? clause : [clause]
        return clauses.map((c) => {
            if (!('field' in c) || c.field === undefined) throw unsupported('ORDER BY a function')
            const descending = c.order === 'DESC'
            // Salesforce sorts nulls as the lowest values: first ascending, last descending.
            const nullsFirst = c.nulls === undefined ? !descending : c.nulls === 'FIRST'
            return { field: this.resolve(object, c.field.split('.')), descending, nullsFirst }
        })
    }

    private columns(fields: readonly FieldType[], object: SoqlObject, role: Role): Column[] {
        const columns: Column[] = []
        const seen = new Set<string>()
        const duplicate = (path: string): void => {
            const key = path.toLowerCase()
            if (seen.has(key)) throw new SoqlError('MALFORMED_QUERY', `duplicate field selected: ${path}`)
            seen.add(key)
        }
        for (const field of fields) {
            switch (field.type) {
                case 'Field': {
                    if ('alias' in field && field.alias !== undefined) throw unsupported('A field alias')
                    if ('objectPrefix' in field) throw unsupported('An object prefix')
                    const resolved = this.resolve(object, [field.field])
                    duplicate(resolved.name)
                    columns.push({ kind: 'field', name: resolved.name })
                    break
                }
                case 'FieldRelationship': {
                    if ('objectPrefix' in field) throw unsupported('An object prefix')
                    const path = [...field.relationships, field.field]
                    duplicate(path.join('.'))
                    addParentColumn(columns, this.resolve(object, path))
                    break
                }
                case 'FieldSubquery': {
                    if (role !== 'query') throw unsupported('A subquery nested in a subquery')
                    columns.push(this.childColumn(field.subquery, object))
                    break
                }
                case 'FieldFunctionExpression':
                    throw unsupported(`The function ${field.rawValue ?? field.functionName}`)
                case 'FieldTypeof':
                    throw unsupported('TYPEOF')
            }
        }
        return columns
    }

    private childColumn(subquery: Subquery, object: SoqlObject): Column {
        if (subquery.sObjectPrefix?.length) throw unsupported('An object prefix in a subquery')
        const child = indexOf(object).children.get(subquery.relationshipName.toLowerCase())
        if (!child) throw noSuchRelationship(subquery.relationshipName, 'FROM part of query call')
        const childObject = this.objectNamed(child.object)
        const fk = indexOf(childObject).fields.get(child.field.toLowerCase())
        if (!fk) throw noSuchColumn(child.field, childObject.name)
        return {
            kind: 'children',
            name: child.name,
            query: this.compile(subquery, childObject, 'child'),
            field: fk.name,
        }
    }

    /** The rows a query selects, filtered, sorted and sliced. */
    select(query: CompiledQuery): SoqlRow[] {
        const { object, where } = query
        const opts = { includeDeleted: this.options.includeDeleted }
        const source =
            (where.lookup && object.rowsWhere?.(where.lookup.field, where.lookup.values(), opts)) ?? object.rows(opts)
        const rows: SoqlRow[] = []
        for (const row of source) if (where.test(row)) rows.push(row)
        return this.arrange(query, rows)
    }

    /** ORDER BY, then OFFSET and LIMIT. */
    private arrange(query: CompiledQuery, rows: SoqlRow[]): SoqlRow[] {
        const sorted = query.orderBy.length > 0 ? this.sort(rows, query.orderBy) : rows
        const end = query.limit === undefined ? undefined : query.offset + query.limit
        return query.offset > 0 || end !== undefined ? sorted.slice(query.offset, end) : sorted
    }

    private sort(rows: readonly SoqlRow[], keys: readonly SortKey[]): SoqlRow[] {
        const decorated = rows.map((row) => ({
            row,
            values: keys.map((k) => comparableOf(k.field.type, k.field.read(row))),
        }))
        decorated.sort((a, b) => {
            for (let i = 0; i < keys.length; i++) {
                const key = keys[i] as SortKey
                const x = a.values[i] ?? null
                const y = b.values[i] ?? null
                if (x === null || y === null) {
                    if (x === y) continue
                    return (x === null) === key.nullsFirst ? -1 : 1
                }
                const c = compareValues(key.field.type, x, y)
                if (c !== 0) return key.descending ? -c : c
            }
            return 0
        })
        return decorated.map((d) => d.row)
    }

    /** The records of the selected rows, child subqueries answered with one pass over each child object. */
    emit(query: CompiledQuery, rows: readonly SoqlRow[]): SoqlRecord[] {
        const childValues = new Map<Column, Map<string, SoqlChildRecords>>()
        for (const column of query.columns) {
            if (column.kind === 'children') childValues.set(column, this.children(column, rows))
        }
        return rows.map((row) => this.record(row, query.object, query.columns, childValues))
    }

    private children(column: ChildrenColumn, parents: readonly SoqlRow[]): Map<string, SoqlChildRecords> {
        const { query, field } = column
        const parentIds = [...new Set(parents.flatMap((p) => comparableOf('id', p.Id) ?? []).map(String))]
        const parentKeys = new Set(parentIds.map((id) => keyOf('id', id)))
        const opts = { includeDeleted: this.options.includeDeleted }
        const candidates = query.object.rowsWhere?.(field, parentIds, opts) ?? query.object.rows(opts)
        const byParent = new Map<string, SoqlRow[]>()
        for (const row of candidates) {
            const fk = comparableOf('reference', row[field])
            if (fk === null) continue
            const key = String(keyOf('reference', fk))
            if (!parentKeys.has(key) || !query.where.test(row)) continue
            const list = byParent.get(key)
            if (list) list.push(row)
            else byParent.set(key, [row])
        }
        const values = new Map<string, SoqlChildRecords>()
        for (const [key, list] of byParent) {
            // LIMIT and OFFSET apply to each parent's rows.
            const selected = this.arrange(query, list)
            if (selected.length === 0) continue
            const records = this.emit(query, selected)
            values.set(key, { totalSize: records.length, done: true, records })
        }
        return values
    }

    private record(
        row: SoqlRow,
        object: SoqlObject,
        columns: readonly Column[],
        childValues: ReadonlyMap<Column, ReadonlyMap<string, SoqlChildRecords>>
    ): SoqlRecord {
        const id = typeof row.Id === 'string' ? row.Id : ''
        const record: Record<string, unknown> = {
            attributes: {
                type: object.name,
                url: `/services/data/${this.options.apiVersion}/sobjects/${object.name}/${id}`,
            },
        }
        for (const column of columns) {
            switch (column.kind) {
                case 'field':
                    record[column.name] = row[column.name] ?? null
                    break
                case 'parent': {
                    const parent = this.follow(row, [column.step])
                    record[column.name] = parent
                        ? this.record(parent, column.step.object, column.columns, childValues)
                        : null
                    break
                }
                case 'children':
                    record[column.name] = childValues.get(column)?.get(String(keyOf('id', id))) ?? null
                    break
            }
        }
        return record as SoqlRecord
    }
}

/** Files `Profile.UserLicense.Name` under the `Profile` column, itself under… so that a parent appears once. */
function addParentColumn(columns: Column[], field: ResolvedField): void {
    let level = columns
    for (const step of field.steps) {
        const found = level.find((c): c is ParentColumn => c.kind === 'parent' && c.name === step.relationship)
        const column = found ?? { kind: 'parent', name: step.relationship, step, columns: [] }
        if (!found) level.push(column)
        level = column.columns
    }
    level.push({ kind: 'field', name: field.name })
}

function isCountStar(field: Extract<FieldType, { type: 'FieldFunctionExpression' }>): boolean {
    if (field.functionName.toUpperCase() !== 'COUNT') return false
    if (field.parameters.length > 0 || field.alias !== undefined)
        throw unsupported(`The aggregate ${field.rawValue ?? 'COUNT'}`)
    return true
}

function refuseUnsupportedClauses(query: QueryBase & { sObjectAlias?: string }): void {
    const refused: [unknown, string][] = [
        [query.sObjectAlias, 'An object alias'],
        [query.usingScope, 'USING SCOPE'],
        [query.groupBy, 'GROUP BY'],
        [query.having, 'HAVING'],
        [query.withDataCategory, 'WITH DATA CATEGORY'],
        [query.withSecurityEnforced, 'WITH SECURITY_ENFORCED'],
        [query.withAccessLevel, 'WITH USER_MODE / SYSTEM_MODE'],
        [query.for, 'FOR VIEW / UPDATE / REFERENCE'],
        [query.update, 'UPDATE TRACKING / VIEWSTAT'],
    ]
    for (const [value, clause] of refused) if (value !== undefined && value !== false) throw unsupported(clause)
}
