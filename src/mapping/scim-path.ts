/**
 * The small part of SCIM's attribute path grammar (RFC 7644 §3.10) the account attribute table uses:
 * `[schema URN ":"] attr ["[" filter "]"] ("." subAttr)*`, where a filter is `attr eq value` clauses joined by
 * `and`, each value a JSON string or boolean. One path says where a value lives on a Salesforce user and what
 * the `value` of a path-less replace that writes it looks like.
 */

interface Segment {
    readonly name: string
    /** The members an item of a multi-valued attribute must have (and that a write gives it). */
    readonly filter?: Readonly<Record<string, string | boolean>>
}

interface ScimPath {
    /** The value at the path on `resource`, or undefined when it has none. */
    readonly read: (resource: unknown) => unknown
    /** The object that holds `value` at the path, e.g. `{ name: { givenName: value } }`. */
    readonly write: (value: unknown) => Record<string, unknown>
}

const SEGMENT = /^([A-Za-z$][\w$]*)(?:\[(.+)\])?$/
const CLAUSE = /^([A-Za-z$][\w$]*) eq (".*"|true|false)$/

function parseSegment(text: string, path: string): Segment {
    const match = SEGMENT.exec(text)
    if (!match?.[1]) throw new Error(`Unsupported SCIM path ${path}`)
    if (match[2] === undefined) return { name: match[1] }
    const filter: Record<string, string | boolean> = {}
    for (const clause of match[2].split(' and ')) {
        const parts = CLAUSE.exec(clause.trim())
        if (!parts?.[1] || parts[2] === undefined) throw new Error(`Unsupported SCIM path filter in ${path}`)
        filter[parts[1]] = JSON.parse(parts[2]) as string | boolean
    }
    return { name: match[1], filter }
}

/**
 * Whether a list item has every member the filter names. SCIM compares `type` and similar members without regard
 * to case; Salesforce sends `primary` as text at times. `clauses` are [member, lower-cased value] pairs.
 */
function matches(item: unknown, clauses: readonly (readonly [string, string])[]): boolean {
    if (typeof item !== 'object' || item === null) return false
    for (const [key, wanted] of clauses) {
        if (String((item as Record<string, unknown>)[key]).toLowerCase() !== wanted) return false
    }
    return true
}

/** @throws Error for a path outside the supported grammar: the table is code, so this fails at load. */
export function scimPath(path: string): ScimPath {
    // A schema URN ends at the last colon: attribute names hold none.
    const urnEnd = path.startsWith('urn:') ? path.lastIndexOf(':') : -1
    const urn = urnEnd > 0 ? path.slice(0, urnEnd) : undefined
    const segments = path
        .slice(urnEnd + 1)
        .split('.')
        .map((text) => parseSegment(text, path))
    const steps: Segment[] = urn === undefined ? segments : [{ name: urn }, ...segments]
    if (steps[steps.length - 1]?.filter !== undefined) throw new Error(`SCIM path ${path} must end in a sub-attribute`)
    const names = steps.map((step) => step.name)
    const filters = steps.map((step) =>
        step.filter === undefined
            ? undefined
            : Object.entries(step.filter).map(([key, value]) => [key, String(value).toLowerCase()] as const)
    )

    return {
        // Runs for every attribute of every user of an aggregation: plain loops, nothing allocated.
        read: (resource) => {
            let value: unknown = resource
            for (let i = 0; i < names.length; i++) {
                if (typeof value !== 'object' || value === null) return undefined
                value = (value as Record<string, unknown>)[names[i] as string]
                const clauses = filters[i]
                if (clauses === undefined) continue
                if (!Array.isArray(value)) return undefined
                let found: unknown
                for (const item of value as unknown[]) {
                    if (matches(item, clauses)) {
                        found = item
                        break
                    }
                }
                value = found
            }
            return value
        },
        write: (value) => {
            let written: unknown = value
            for (let i = steps.length - 1; i >= 0; i--) {
                const { name, filter } = steps[i] as Segment
                // A filtered step is an item of a list: the filter's members and what the steps after it hold.
                written = { [name]: filter === undefined ? written : [{ ...filter, ...(written as object) }] }
            }
            return written as Record<string, unknown>
        },
    }
}
