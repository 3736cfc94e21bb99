import { Request, Response, Router } from 'express'
import { METHOD_NOT_ALLOWED, ScimError } from '../errors'
import { compileFilter, topLevelOperators } from '../filter'
import { UserRecord } from '../model'
import { sessionOf } from '../oauth'
import { sendEmpty, sendJson, sendJsonParts, wantsPrettyJson } from '../respond'
import { attributeList, checkAttributeNames, compileProjection, location } from './common'
import { ScimDeps } from './deps'
import { emptyUserList, firstParam, listResponse, parsePaging, runQuery, totalResultsOf } from './list'
import { applyPatch, draftFromResource } from './user-input'
import { CREATE_COMMIT_DELAY_MS } from '../variants'
import {
    listBodyParts,
    serializeUser,
    UserJsonCache,
    userAttributeNames,
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
    const listedJson = new UserJsonCache()
    const extensions = userExtensionUrns(store)

    const render = (req: Request, user: UserRecord, onList: boolean): Record<string, unknown> =>
        projectionFor(req, onList)(serializeUser(store, user, deps.context(req), deps.variants.current))

    const projectionFor = (
        req: Request,
        onList: boolean
    ): ((resource: Record<string, unknown>) => Record<string, unknown>) =>
        compileProjection(
            attributeList(req.query.attributes),
            attributeList(req.query.excludedAttributes),
            onList ? ['id', 'schemas', 'meta'] : ['id', 'schemas'],
            extensions
        )

    const checkProjection = (req: Request, single: boolean): void => {
        const wanted = attributeList(req.query.attributes)
        const excluded = attributeList(req.query.excludedAttributes)
        if (single && wanted && excluded)
            throw new ScimError(400, 'Cannot provide both attributes and excludedAttributes')
        const known = userAttributeNames(deps.variants.current.photos)
        checkAttributeNames(wanted, known, extensions)
        checkAttributeNames(excluded, known, extensions)
    }

    /**
     * R6: Salesforce sends `( <filter> AND userType in (…) )` to SOQL, where AND has no precedence over OR, so a
     * filter with an `or` outside brackets is refused like any mix of the two.
     */
    const checkAppendedClause = (filter: string | undefined): void => {
        if (deps.variants.current.userFilterClause !== 'appended' || filter === undefined) return
        if (topLevelOperators(filter).has('or')) throw new ScimError(400, "unexpected token: 'AND'")
    }

    /** R11: an email change is held until the user confirms it; Salesforce mails the new address each time. */
    const holdEmailChange = (user: UserRecord, draft: ReturnType<typeof store.draftFor>): string | undefined => {
        if (deps.variants.current.emailChange !== 'held') return undefined
        const wanted = draft.fields.email
        if (wanted === null || wanted.toLowerCase() === (user.email ?? '').toLowerCase()) return undefined
        draft.fields.email = user.email
        return wanted
    }
    const emailHeld = (user: UserRecord, email: string | undefined): void => {
        if (email === undefined) return
        store.holdEmailChange(user.id, email)
        deps.stats.emailConfirmationsSent++
    }

    /** Single-user answer: the resource, or Salesforce's empty list shape when the user is filtered out. */
    const sendOne = (req: Request, res: Response, user: UserRecord): void => {
        const filter = compileFilter(firstParam(req.query.filter), attributes)
        const matches =
            store.isVisible(user) &&
            store.isReadable(user) &&
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
        const v = deps.variants.current
        const paging = parsePaging(req.query, deps.defaultUserPageSize, v.countClamp)
        const rawFilter = firstParam(req.query.filter)
        const filter = compileFilter(rawFilter, attributes)
        checkAppendedClause(rawFilter)
        const result = runQuery(source, filter, paging, cache, v.idCollation)
        const { page } = result
        // Salesforce answers an empty page (even past the end of a non-empty result) with zeros and no Resources.
        if (page.length === 0) {
            sendJson(res, 200, emptyUserList())
            return
        }
        const paged = { ...paging, countSent: true }
        const total = totalResultsOf(result, v.totalResults)
        const ctx = deps.context(req)
        const projectListed = projectionFor(req, true)
        const renderListed = (u: UserRecord): Record<string, unknown> => projectListed(serializeUser(store, u, ctx, v))
        if (wantsPrettyJson(res)) {
            sendJson(res, 200, listResponse(total, page.map(renderListed), paged))
            return
        }
        // Everything a listed user's JSON depends on besides the store's data.
        const shape = JSON.stringify([
            ctx.baseUrl,
            v.photos,
            v.queues,
            v.userGroupsAndRoles,
            firstParam(req.query.attributes) ?? null,
            firstParam(req.query.excludedAttributes) ?? null,
        ])
        const version = store.version
        const resources = page.map((u) => listedJson.get(version, shape, u.id, () => renderListed(u)))
        sendJsonParts(res, 200, listBodyParts(listResponse(total, page, paged), resources))
    })

    router.get('/Users/:id', (req, res) => {
        checkProjection(req, true)
        const user = store.getUser(req.params.id)
        if (!user || !store.isReadable(user)) throw new ScimError(404, 'No such resource')
        sendOne(req, res, user)
    })

    router.get('/Me', (req, res) => {
        checkProjection(req, true)
        const user = store.getUser(sessionOf(res).userId)
        if (!user) throw new ScimError(404, 'No such resource')
        sendOne(req, res, user)
    })

    router.post('/Users', (req, res) => {
        const draft = draftFromResource(store, req.body, deps.variants.current)
        const user = store.insertUser(draft)
        deps.stats.usersCreated++
        // R15: the create may still be committing when a lookup after a lost answer runs.
        if (deps.variants.current.createVisibility === 'delayed')
            store.hideUntilCommitted(user.id, CREATE_COMMIT_DELAY_MS)
        const ctx = deps.context(req)
        sendJson(res, 201, serializeUser(store, user, ctx, deps.variants.current), {
            Location: location(ctx, 'Users', user.id),
        })
    })

    router.put('/Users/:id', (req, res) => {
        const user = store.getUser(req.params.id)
        if (!user) throw new ScimError(404, `Resource ${location(deps.context(req), 'Users', req.params.id)} not found`)
        const draft = draftFromResource(store, req.body, deps.variants.current, { user, draft: store.draftFor(user) })
        const heldEmail = holdEmailChange(user, draft)
        try {
            store.commitUser(user.id, draft)
        } catch (e) {
            // Every PUT failure, validation or DML, is a 409 (pilot doCreateOrUpdate).
            if (e instanceof ScimError) throw new ScimError(409, e.detail)
            throw e
        }
        emailHeld(user, heldEmail)
        sendJson(res, 200, serializeUser(store, user, deps.context(req), deps.variants.current))
    })

    router.patch('/Users/:id', (req, res) => {
        const user = store.getUser(req.params.id)
        if (!user) throw new ScimError(404, 'No such resource')
        const draft = store.draftFor(user)
        applyPatch(store, draft, req.body, deps.variants.current)
        const heldEmail = holdEmailChange(user, draft)
        store.commitUser(user.id, draft)
        emailHeld(user, heldEmail)
        if (!user.isActive) deps.sessions.revokeUser(user.id)
        sendJson(res, 200, serializeUser(store, user, deps.context(req), deps.variants.current))
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
