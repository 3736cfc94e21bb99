import { createHash } from 'crypto'
import { ScimError } from '../errors'

export const SCIM_BASE_PATH = '/services/scim/v2'

export const URN = {
    user: 'urn:ietf:params:scim:schemas:core:2.0:User',
    group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
    enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    /** Salesforce writes the alias under 1.0 and has advertised 2.0 in /Schemas; both are read. */
    salesforce10: 'urn:salesforce:schemas:extension:1.0',
    salesforce20: 'urn:salesforce:schemas:extension:2.0',
    external: 'urn:salesforce:schemas:extension:external:1.0',
    communities: 'urn:salesforce:schemas:extension:communities:1.0',
    entitlement: 'urn:salesforce:schemas:extension:1.0:Entitlement',
    role: 'urn:salesforce:schemas:extension:1.0:Role',
    patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
    serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
    resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
    schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const

/** Custom User fields live under an extension named after the 18-character org id. */
export function customUrn(orgId: string): string {
    return `urn:salesforce:schemas:extension:${orgId}`
}

/** Second-precision UTC with a `Z` suffix, e.g. `2020-10-25T09:27:40Z`. */
export function isoSeconds(ms: number): string {
    // toISOString always ends in `.sssZ`.
    return new Date(ms).toISOString().slice(0, -5) + 'Z'
}

/** `meta.version`: a SHA-1 of the id and the last-modified time, as the pilot computes it. */
export function version(id: string, lastModified: number): string {
    return createHash('sha1')
        .update(id + isoSeconds(lastModified))
        .digest('hex')
}

export interface RequestContext {
    /** Scheme and host the client used, e.g. `http://127.0.0.1:8787`. */
    readonly baseUrl: string
}

export function location(ctx: RequestContext, resource: string, id: string): string {
    return `${ctx.baseUrl}${SCIM_BASE_PATH}/${resource}/${id}`
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * `attributes` / `excludedAttributes` projection. Paths are top-level names, `parent.sub`, or extension URNs with an
 * optional `:attr` / `:attr.sub` tail. `always` members (`id`, `schemas`, and `meta` on lists) are never dropped.
 */
export function project(
    resource: Record<string, unknown>,
    attributes: readonly string[] | undefined,
    excluded: readonly string[] | undefined,
    always: readonly string[],
    extensionUrns: readonly string[]
): Record<string, unknown> {
    return compileProjection(attributes, excluded, always, extensionUrns)(resource)
}

/**
 * `project` with its paths split once, for a list that projects every resource of a page the same way.
 */
export function compileProjection(
    attributes: readonly string[] | undefined,
    excluded: readonly string[] | undefined,
    always: readonly string[],
    extensionUrns: readonly string[]
): (resource: Record<string, unknown>) => Record<string, unknown> {
    if (!attributes && !excluded) return (resource) => resource
    const split = (path: string): [string, string | undefined] => {
        const urn = extensionUrns
            .filter((u) => path === u || path.startsWith(u + ':'))
            .sort((a, b) => b.length - a.length)[0]
        if (urn) return [urn, path.length > urn.length ? path.slice(urn.length + 1) : undefined]
        const dot = path.indexOf('.')
        return dot < 0 ? [path, undefined] : [path.slice(0, dot), path.slice(dot + 1)]
    }
    if (attributes) {
        const wanted = new Map<string, Set<string> | 'all'>()
        for (const a of attributes) {
            const [top, sub] = split(a)
            const cur = wanted.get(top)
            if (sub === undefined || cur === 'all') wanted.set(top, 'all')
            else wanted.set(top, (cur ?? new Set()).add(sub.split('.')[0] ?? sub))
        }
        return (resource) => {
            const out: Record<string, unknown> = {}
            for (const [key, value] of Object.entries(resource)) {
                const want = wanted.get(key)
                if (always.includes(key) || want === 'all') out[key] = value
                else if (want) out[key] = pickSubs(value, want)
            }
            return out
        }
    }
    const drops = (excluded ?? []).map(split).filter(([top]) => !always.includes(top))
    // Members kept in the resource's order, as copying the resource and deleting the excluded ones would leave them.
    const dropped = new Set<string>()
    const dropSubsOf = new Map<string, string[]>()
    for (const [top, sub] of drops) {
        if (sub === undefined) dropped.add(top)
        else dropSubsOf.set(top, [...(dropSubsOf.get(top) ?? []), sub.split('.')[0] ?? sub])
    }
    return (resource) => {
        const out: Record<string, unknown> = {}
        for (const key of Object.keys(resource)) {
            if (dropped.has(key)) continue
            let value = resource[key]
            for (const sub of dropSubsOf.get(key) ?? []) value = dropSubs(value, sub)
            out[key] = value
        }
        return out
    }
}

function pickSubs(value: unknown, subs: Set<string>): unknown {
    if (Array.isArray(value)) return value.map((v) => pickSubs(v, subs))
    if (!isRecord(value)) return value
    return Object.fromEntries(Object.entries(value).filter(([k]) => subs.has(k)))
}

function dropSubs(value: unknown, sub: string): unknown {
    if (Array.isArray(value)) return value.map((v) => dropSubs(v, sub))
    if (!isRecord(value)) return value
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== sub))
}

/** Parse `attributes` / `excludedAttributes` (spaces stripped, as the pilot does). */
export function attributeList(raw: unknown): string[] | undefined {
    const s = typeof raw === 'string' ? raw : Array.isArray(raw) && typeof raw[0] === 'string' ? raw[0] : undefined
    if (s === undefined) return undefined
    return s
        .replace(/\s+/g, '')
        .split(',')
        .filter((a) => a.length > 0)
}

/** @throws ScimError 400 `Unsupported attribute: x` for names the resource does not have (pilot text). */
export function checkAttributeNames(
    names: readonly string[] | undefined,
    known: ReadonlySet<string>,
    extensionUrns: readonly string[]
): void {
    for (const n of names ?? []) {
        const top = extensionUrns.some((u) => n === u || n.startsWith(u + ':')) ? 'urn' : (n.split('.')[0] ?? n)
        if (top !== 'urn' && !known.has(top)) throw new ScimError(400, `Unsupported attribute: ${n}`)
    }
}
