import { Request, Router } from 'express'
import { ApexQueryException, MalformedPayloadError, METHOD_NOT_ALLOWED, ScimError } from '../errors'
import { AttributeMap } from '../filter'
import { Group } from '../model'
import { sendEmpty, sendJson } from '../respond'
import { isoSeconds, isRecord, location, URN, version } from './common'
import { ScimDeps } from './deps'
import { projectForRequest, sendMemberResourceList } from './member-resources'
import { groupMember, MemberBudget, memberWindow, windowOf } from './members'

/** Public groups (Group.Type = Regular). Membership changes use Salesforce's wrapped PATCH value `{members:[…]}`. */

function groupFilterAttributes(): AttributeMap<Group> {
    return new Map([
        ['id', { kind: 'id', get: (g: Group) => g.id }],
        ['displayName', { kind: 'string', get: (g: Group) => g.name }],
        [
            'members',
            {
                kind: 'membership',
                label: 'members',
                eq: (g: Group, v: string) => g.members.has(v),
                ne: (g: Group, v: string) => !g.members.has(v),
                present: (g: Group) => g.members.size > 0,
            },
        ],
        ['meta', { kind: 'complex' }],
        ['meta.created', { kind: 'datetime', get: (g: Group) => g.created }],
        ['meta.lastModified', { kind: 'datetime', get: (g: Group) => g.lastModified }],
    ])
}

const MEMBER_FILTER_PATH = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i

export function groupsRouter(deps: ScimDeps): Router {
    const { store } = deps
    const router = Router({ caseSensitive: true })
    const attributes = groupFilterAttributes()

    const serialize = (req: Request, g: Group, members: readonly string[]): Record<string, unknown> => {
        const ctx = deps.context(req)
        const body = {
            schemas: [URN.group],
            id: g.id,
            displayName: g.name,
            type: g.type,
            members: members.map((m) => groupMember(ctx, m)),
            meta: {
                created: isoSeconds(g.created),
                lastModified: isoSeconds(g.lastModified),
                location: location(ctx, 'Groups', g.id),
                resourceType: 'Group',
                version: version(g.id, g.lastModified),
            },
        }
        return projectForRequest(req, body)
    }

    const publicGroup = (id: string): Group | undefined => {
        const g = store.groups.get(id)
        return g && g.type === 'Regular' ? g : undefined
    }

    router.get('/Groups', (req, res) => {
        const v = deps.variants.current
        // The pilot's list holds queues too (type Queue), though its single GET and PATCH take public groups only (R14).
        const items = (): Group[] => (v.queues === 'listed' ? store.groupsAndQueues() : store.publicGroups())
        const source = { items, version: () => store.version }
        sendMemberResourceList(
            req,
            res,
            source,
            attributes,
            (page) => {
                const budget = new MemberBudget()
                return page.map((g) => serialize(req, g, budget.take(g.members)))
            },
            v
        )
    })

    router.get('/Groups/:id', (req, res) => {
        const window = memberWindow(req.query)
        const g = publicGroup(req.params.id)
        if (!g) throw new ScimError(404, `Resource ${location(deps.context(req), 'Groups', req.params.id)} not found`)
        sendJson(res, 200, serialize(req, g, windowOf(g.members, window)))
    })

    router.patch('/Groups/:id', (req, res) => {
        const g = publicGroup(req.params.id)
        if (!g) throw new ScimError(404, 'No such resource.')
        const body: unknown = req.body
        if (!isRecord(body)) throw new MalformedPayloadError()
        if (!Array.isArray(body.schemas) || body.schemas[0] !== URN.patchOp)
            throw new ScimError(400, 'Improper Schema.')
        if (!Array.isArray(body.Operations)) throw new MalformedPayloadError()
        const members = new Set(g.members)
        const removeNamed: string[] = []
        let newName: string | undefined
        for (const operation of body.Operations) {
            if (!isRecord(operation)) throw new MalformedPayloadError()
            const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : ''
            const path = typeof operation.path === 'string' ? operation.path : undefined
            const value = operation.value
            // Salesforce wants `value: {members: [...]}`; the RFC form `value: [...]` is a malformed payload.
            if (value !== undefined && !isRecord(value)) throw new MalformedPayloadError()
            const listed: string[] = []
            if (value && value.members !== undefined) {
                if (!Array.isArray(value.members)) throw new MalformedPayloadError()
                for (const m of value.members) if (isRecord(m) && typeof m.value === 'string') listed.push(m.value)
            }
            const filtered = path ? MEMBER_FILTER_PATH.exec(path)?.[1] : undefined
            if (filtered) listed.push(filtered)
            if (op === 'add') listed.forEach((m) => members.add(m))
            else if (op === 'remove') {
                if (listed.length === 0 && path === 'members') members.clear()
                listed.forEach((m) => members.delete(m))
                removeNamed.push(...listed)
            } else if (op === 'replace') {
                if (value && typeof value.displayName === 'string') newName = value.displayName
                if (value?.members !== undefined) {
                    members.clear()
                    listed.forEach((m) => members.add(m))
                }
            } else throw new ScimError(400, 'Improper Operations')
        }
        const add = [...members].filter((m) => !g.members.has(m))
        const remove = [...g.members].filter((m) => !members.has(m))
        // E12: the pilot answers a remove of a non-member with a 500 (its `[… limit 1]` finds no row).
        const removedNonMember = removeNamed.some((m) => !g.members.has(m))
        if (removedNonMember && deps.variants.current.groupRemoveNonMember === 'error500')
            throw new ApexQueryException()
        store.changeGroupMembers(g.id, add, remove)
        if (newName !== undefined) store.renameGroup(g.id, newName)
        sendJson(res, 200, serialize(req, g, windowOf(g.members, { offset: 0, limit: 200 })))
    })

    // Salesforce answers a group PUT with an empty body; clients have to read the group again (Tirasa's connector).
    router.put('/Groups/:id', (req, res) => {
        const g = publicGroup(req.params.id)
        if (!g) throw new ScimError(404, 'No such resource.')
        const body: unknown = req.body
        if (!isRecord(body)) throw new MalformedPayloadError()
        const listed = Array.isArray(body.members)
            ? body.members.filter(isRecord).flatMap((m) => (typeof m.value === 'string' ? [m.value] : []))
            : []
        const wanted = new Set(listed)
        store.changeGroupMembers(
            g.id,
            listed.filter((m) => !g.members.has(m)),
            [...g.members].filter((m) => !wanted.has(m))
        )
        if (typeof body.displayName === 'string') store.renameGroup(g.id, body.displayName)
        sendEmpty(res, 200)
    })

    router.all('/Groups', (req) => {
        throw METHOD_NOT_ALLOWED(req.method, ['GET'])
    })
    router.all('/Groups/:id', (req) => {
        throw METHOD_NOT_ALLOWED(req.method, ['GET', 'PATCH', 'PUT'])
    })
    return router
}
