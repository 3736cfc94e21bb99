import { Request, Router } from 'express'
import { ScimError } from '../errors'
import { AttributeDef, compileFilter } from '../filter'
import { Role } from '../model'
import { sendJson } from '../respond'
import { attributeList, isoSeconds, location, project, URN, version } from './common'
import { DEFAULT_PAGE_SIZE, ScimDeps } from './deps'
import { firstParam, LIST_RESPONSE_URN, listResponse, parsePaging, runQuery } from './list'
import { MemberBudget, memberWindow, windowOf } from './members'

/**
 * `/Roles` (UserRole), read-only. Like the pilot's RoleResource, the resource has no `meta.created` and does not
 * expose the role hierarchy.
 */
export function rolesRouter(deps: ScimDeps): Router {
    const { store } = deps
    const router = Router({ caseSensitive: true })
    const attributes = new Map<string, AttributeDef<Role>>([
        ['id', { kind: 'id', get: (r) => r.id }],
        ['displayName', { kind: 'string', get: (r) => r.name }],
        ['meta', { kind: 'complex' }],
        ['meta.lastModified', { kind: 'datetime', get: (r) => r.lastModified }],
    ])

    const serialize = (req: Request, r: Role, members: readonly string[]): Record<string, unknown> => {
        const ctx = deps.context(req)
        const body = {
            schemas: [URN.role],
            id: r.id,
            displayName: r.name,
            members: members.map((id) => ({ value: id, $ref: location(ctx, 'Users', id) })),
            meta: {
                lastModified: isoSeconds(r.lastModified),
                location: location(ctx, 'Roles', r.id),
                resourceType: 'Role',
                version: version(r.id, r.lastModified),
            },
        }
        return project(
            body,
            attributeList(req.query.attributes),
            attributeList(req.query.excludedAttributes),
            ['id', 'schemas'],
            []
        )
    }

    router.get('/Roles', (req, res) => {
        const paging = parsePaging(req.query, DEFAULT_PAGE_SIZE)
        const filter = compileFilter(firstParam(req.query.filter), attributes)
        const roles = store.sortedRoles()
        const { total, page } = runQuery({ items: () => roles, version: () => store.version }, filter, paging)
        if (page.length === 0) {
            sendJson(res, 200, { totalResults: 0, schemas: [LIST_RESPONSE_URN], Resources: [] })
            return
        }
        const budget = new MemberBudget()
        sendJson(
            res,
            200,
            listResponse(
                total,
                page.map((r) => serialize(req, r, budget.take(store.roleMemberIds(r.id)))),
                paging
            )
        )
    })

    router.get('/Roles/:id', (req, res) => {
        const window = memberWindow(req.query)
        const role = store.roles.get(req.params.id)
        if (!role) throw new ScimError(404, 'No such resource')
        sendJson(res, 200, serialize(req, role, windowOf(store.roleMemberIds(role.id), window)))
    })

    router.all(['/Roles', '/Roles/:id'], () => {
        throw new ScimError(501, 'Method not supported')
    })
    return router
}
