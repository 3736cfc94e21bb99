import { Request, Router } from 'express'
import { ScimError } from '../errors'
import { AttributeDef } from '../filter'
import { Role } from '../model'
import { sendJson } from '../respond'
import { isoSeconds, location, URN, version } from './common'
import { ScimDeps } from './deps'
import { projectForRequest, sendMemberResourceList } from './member-resources'
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
        return projectForRequest(req, body)
    }

    router.get('/Roles', (req, res) => {
        const source = { items: () => store.sortedRoles(), version: () => store.version }
        sendMemberResourceList(
            req,
            res,
            source,
            attributes,
            (page) => {
                const budget = new MemberBudget()
                return page.map((r) => serialize(req, r, budget.take(store.roleMemberIds(r.id))))
            },
            deps.variants.current
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
