import { Request, Router } from 'express'
import { ScimError } from '../errors'
import { AttributeDef } from '../filter'
import { displayName, PermissionSet, Profile } from '../model'
import { sendJson } from '../respond'
import { OrgStore } from '../store'
import { isoSeconds, location, URN, version } from './common'
import { ScimDeps } from './deps'
import { ListAnswer, projectForRequest, sendMemberResourceList } from './member-resources'
import { MemberBudget, memberWindow, windowOf } from './members'
import { Paging, QueryResult } from './list'
import { Variants } from '../variants'

/** "When querying for all entitlements in an org, this endpoint returns a maximum of 200 records" (Salesforce). */
export const ENTITLEMENTS_CAP = 200
export const ENTITLEMENTS_CAP_TEXT =
    'This endpoint returns a maximum of 200 records. To view more than 200 records, query for specific entitlements.'

/**
 * R3: how an unfiltered `/Entitlements` read enforces the cap. Rows past the 200th are never served; what the answer
 * says about them is the variant. A filtered read (`id gt "…"` included) is not capped. Under `emptyBody`, any empty
 * page is a 200 with no body, as the pilot answers when a page has no rows (`EntitlementsResource.cls`).
 */
function capEntitlements<T>(
    cap: Variants['entitlementsCap'],
    query: { paging: Paging; filtered: boolean; result: QueryResult<T> }
): ListAnswer<T> | undefined {
    const { paging, filtered, result } = query
    if (cap === 'none') return undefined
    if (filtered) return cap === 'emptyBody' && result.page.length === 0 ? { kind: 'emptyBody' } : undefined
    if (cap === 'badRequest' && paging.startIndex > ENTITLEMENTS_CAP) throw new ScimError(400, ENTITLEMENTS_CAP_TEXT)
    const page = result.page.slice(0, Math.max(0, ENTITLEMENTS_CAP - (paging.startIndex - 1)))
    if (cap === 'emptyBody' && page.length === 0) return { kind: 'emptyBody' }
    const capped = cap === 'cappedTotal'
    return {
        kind: 'result',
        result: {
            page,
            total: capped ? Math.min(result.total, ENTITLEMENTS_CAP) : result.total,
            filterTotal: capped ? Math.min(result.filterTotal, ENTITLEMENTS_CAP) : result.filterTotal,
        },
    }
}

/**
 * `/Entitlements`: profiles, then permission sets not owned by a profile, as one virtual list ordered by id within
 * each block. Read-only: writes get 501 `Method not supported`. Members are active users only.
 */

type Entitlement =
    | { readonly kind: 'Profile'; readonly record: Profile }
    | { readonly kind: 'Permission Set'; readonly record: PermissionSet }

interface Item {
    readonly id: string
    readonly entitlement: Entitlement
}

function filterAttributes(): Map<string, AttributeDef<Item>> {
    return new Map<string, AttributeDef<Item>>([
        ['id', { kind: 'id', get: (e) => e.id }],
        ['displayName', { kind: 'string', get: (e) => e.entitlement.record.name }],
        ['meta', { kind: 'complex' }],
        ['meta.created', { kind: 'datetime', get: (e) => e.entitlement.record.created }],
        ['meta.lastModified', { kind: 'datetime', get: (e) => e.entitlement.record.lastModified }],
    ])
}

function memberIds(store: OrgStore, e: Entitlement): ReadonlySet<string> {
    return e.kind === 'Profile' ? store.profileMemberIds(e.record.id) : store.permissionSetMemberIds(e.record.id)
}

export function entitlementsRouter(deps: ScimDeps): Router {
    const { store } = deps
    const router = Router({ caseSensitive: true })
    const attributes = filterAttributes()
    const isActive = (id: string): boolean => store.getUser(id)?.isActive === true

    const serialize = (req: Request, e: Entitlement, members: readonly string[]): Record<string, unknown> => {
        const ctx = deps.context(req)
        const r = e.record
        const body = {
            schemas: [URN.entitlement],
            id: r.id,
            displayName: r.name,
            type: e.kind,
            members: members.map((id) => {
                const u = store.getUser(id)
                return { value: id, display: u ? displayName(u) : '', $ref: location(ctx, 'Users', id) }
            }),
            meta: {
                created: isoSeconds(r.created),
                lastModified: isoSeconds(r.lastModified),
                location: location(ctx, 'Entitlements', r.id),
                resourceType: 'Entitlement',
                version: version(r.id, r.lastModified),
            },
        }
        return projectForRequest(req, body)
    }

    const allItems = (): Item[] => {
        const profiles: Item[] = store
            .listedProfiles()
            .map((p) => ({ id: p.id, entitlement: { kind: 'Profile', record: p } }))
        const permissionSets: Item[] = store
            .sortedPermissionSets()
            .map((p) => ({ id: p.id, entitlement: { kind: 'Permission Set', record: p } }))
        // One list, profiles block first: `00e` sorts before `0PS`, so id order and block order agree.
        return [...profiles, ...permissionSets]
    }

    router.get('/Entitlements', (req, res) => {
        const v = deps.variants.current
        sendMemberResourceList(
            req,
            res,
            { items: allItems, version: () => store.version },
            attributes,
            (page) => {
                // 200 assignee rows across the page's profiles and 200 across its permission sets (two LIMIT 200 queries).
                const profileBudget = new MemberBudget()
                const psBudget = new MemberBudget()
                return page.map((item) => {
                    const e = item.entitlement
                    const budget = e.kind === 'Profile' ? profileBudget : psBudget
                    return serialize(req, e, budget.take(memberIds(store, e), isActive))
                })
            },
            v,
            (query) => capEntitlements(v.entitlementsCap, query)
        )
    })

    router.get('/Entitlements/:id', (req, res) => {
        const window = memberWindow(req.query)
        const id = req.params.id
        const profile = store.listedProfiles().find((p) => p.id === id)
        const ps = store.permissionSets.get(id)
        const e: Entitlement | undefined = profile
            ? { kind: 'Profile', record: profile }
            : ps
              ? { kind: 'Permission Set', record: ps }
              : undefined
        if (!e) throw new ScimError(404, 'No such resource')
        sendJson(res, 200, serialize(req, e, windowOf(memberIds(store, e), window, isActive)))
    })

    router.all(['/Entitlements', '/Entitlements/:id'], () => {
        throw new ScimError(501, 'Method not supported')
    })
    return router
}
