import { Request, Response, Router } from 'express'
import { METHOD_NOT_ALLOWED, ScimError } from '../errors'
import { compileFilter } from '../filter'
import { UserRecord } from '../model'
import { sessionOf } from '../oauth'
import { sendEmpty, sendJson } from '../respond'
import { attributeList, checkAttributeNames, location, project } from './common'
import { ScimDeps } from './deps'
import { emptyUserList, firstParam, listResponse, parsePaging, runQuery } from './list'
import { applyPatch, draftFromResource } from './user-input'
import {
    serializeUser,
    USER_ATTRIBUTE_NAMES,
    userExtensionUrns,
    userFilterAttributes,
    userListSource,
    userMatchCache,
} from './user-resource'

/** `/Users` and `/Me`. */
export function usersRouter(deps: ScimDeps): Router {
    const { store } = deps
    const router = Router({ caseSensitive: true })
    const attributes = userFilterAttributes(store)
    const source = userListSource(store)
    const cache = userMatchCache()
    const extensions = userExtensionUrns(store)

    const render = (req: Request, user: UserRecord, onList: boolean): Record<string, unknown> => {
        const wanted = attributeList(req.query.attributes)
        const excluded = attributeList(req.query.excludedAttributes)
        return project(
            serializeUser(store, user, deps.context(req)),
            wanted,
            excluded,
            onList ? ['id', 'schemas', 'meta'] : ['id', 'schemas'],
            extensions
        )
    }

    const checkProjection = (req: Request, single: boolean): void => {
        const wanted = attributeList(req.query.attributes)
        const excluded = attributeList(req.query.excludedAttributes)
        if (single && wanted && excluded)
            throw new ScimError(400, 'Cannot provide both attributes and excludedAttributes')
        checkAttributeNames(wanted, USER_ATTRIBUTE_NAMES, extensions)
        checkAttributeNames(excluded, USER_ATTRIBUTE_NAMES, extensions)
    }

    /** Single-user answer: the resource, or Salesforce's empty list shape when the user is filtered out. */
    const sendOne = (req: Request, res: Response, user: UserRecord): void => {
        const filter = compileFilter(firstParam(req.query.filter), attributes)
        const matches =
            store.isVisible(user) &&
            (!filter.lower || (filter.lower.inclusive ? user.id >= filter.lower.id : user.id > filter.lower.id)) &&
            (!filter.upper || (filter.upper.inclusive ? user.id <= filter.upper.id : user.id < filter.upper.id)) &&
            (!filter.rest || filter.rest(user))
        if (!matches) {
            sendJson(res, 200, emptyUserList())
            return
        }
        sendJson(res, 200, render(req, user, false), { Location: location(deps.context(req), 'Users', user.id) })
    }

    router.get('/Users', (req, res) => {
        checkProjection(req, false)
        const paging = parsePaging(req.query, deps.defaultUserPageSize)
        const filter = compileFilter(firstParam(req.query.filter), attributes)
        const { total, page } = runQuery(source, filter, paging, cache)
        // Salesforce answers an empty page (even past the end of a non-empty result) with zeros and no Resources.
        if (page.length === 0) {
            sendJson(res, 200, emptyUserList())
            return
        }
        const paged = { ...paging, countSent: true }
        sendJson(
            res,
            200,
            listResponse(
                total,
                page.map((u) => render(req, u, true)),
                paged
            )
        )
    })

    router.get('/Users/:id', (req, res) => {
        checkProjection(req, true)
        const user = store.getUser(req.params.id)
        if (!user) throw new ScimError(404, 'No such resource')
        sendOne(req, res, user)
    })

    router.get('/Me', (req, res) => {
        checkProjection(req, true)
        const user = store.getUser(sessionOf(res).userId)
        if (!user) throw new ScimError(404, 'No such resource')
        sendOne(req, res, user)
    })

    router.post('/Users', (req, res) => {
        const draft = draftFromResource(store, req.body)
        const user = store.insertUser(draft)
        deps.stats.usersCreated++
        const ctx = deps.context(req)
        sendJson(res, 201, serializeUser(store, user, ctx), { Location: location(ctx, 'Users', user.id) })
    })

    router.put('/Users/:id', (req, res) => {
        const user = store.getUser(req.params.id)
        if (!user) throw new ScimError(404, `Resource ${location(deps.context(req), 'Users', req.params.id)} not found`)
        const draft = draftFromResource(store, req.body, { user, draft: store.draftFor(user) })
        try {
            store.commitUser(user.id, draft)
        } catch (e) {
            // Every PUT failure, validation or DML, is a 409 (pilot doCreateOrUpdate).
            if (e instanceof ScimError) throw new ScimError(409, e.detail)
            throw e
        }
        sendJson(res, 200, serializeUser(store, user, deps.context(req)))
    })

    router.patch('/Users/:id', (req, res) => {
        const user = store.getUser(req.params.id)
        if (!user) throw new ScimError(404, 'No such resource')
        const draft = store.draftFor(user)
        applyPatch(store, draft, req.body)
        store.commitUser(user.id, draft)
        if (!user.isActive) deps.sessions.revokeUser(user.id)
        sendJson(res, 200, serializeUser(store, user, deps.context(req)))
    })

    // DELETE deactivates: "the result is the same as deactivating a user with a PATCH request … the response code
    // only includes an HTTP code" (Salesforce docs). Deactivating an already inactive user is a no-op.
    router.delete('/Users/:id', (req, res) => {
        const user = store.getUser(req.params.id)
        if (!user) throw new ScimError(404, `Resource ${location(deps.context(req), 'Users', req.params.id)} not found`)
        if (user.isActive) {
            const draft = store.draftFor(user)
            draft.fields.isActive = false
            store.commitUser(user.id, draft)
            deps.sessions.revokeUser(user.id)
        }
        sendEmpty(res, 204)
    })

    router.all('/Users', (req) => {
        throw METHOD_NOT_ALLOWED(req.method, ['GET', 'POST'])
    })
    router.all('/Users/:id', (req) => {
        throw METHOD_NOT_ALLOWED(req.method, ['GET', 'PATCH', 'PUT', 'DELETE'])
    })
    router.all('/Me', (req) => {
        throw METHOD_NOT_ALLOWED(req.method, ['GET'])
    })
    return router
}
