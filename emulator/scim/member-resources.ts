import { Request, Response } from 'express'
import { AttributeMap, compileFilter } from '../filter'
import { sendJson } from '../respond'
import { attributeList, project } from './common'
import { DEFAULT_PAGE_SIZE } from './deps'
import { firstParam, LIST_RESPONSE_URN, ListSource, listResponse, parsePaging, runQuery } from './list'

/** What groups, roles and entitlements (the resources that list their members inline) answer alike. */

/** The resource cut to the request's `attributes` / `excludedAttributes`; `id` and `schemas` always stay. */
export function projectForRequest(req: Request, body: Record<string, unknown>): Record<string, unknown> {
    return project(
        body,
        attributeList(req.query.attributes),
        attributeList(req.query.excludedAttributes),
        ['id', 'schemas'],
        []
    )
}

/**
 * Answers a list GET: paging and filter from the query, then one page serialized by `resources`. An empty page is
 * `Resources: []` with no `itemsPerPage`, as Salesforce answers for these resources (unlike `/Users`).
 */
export function sendMemberResourceList<T extends { readonly id: string }>(
    req: Request,
    res: Response,
    source: ListSource<T>,
    attributes: AttributeMap<T>,
    resources: (page: readonly T[]) => unknown[]
): void {
    const paging = parsePaging(req.query, DEFAULT_PAGE_SIZE)
    const filter = compileFilter(firstParam(req.query.filter), attributes)
    const { total, page } = runQuery(source, filter, paging)
    if (page.length === 0) {
        sendJson(res, 200, { totalResults: 0, schemas: [LIST_RESPONSE_URN], Resources: [] })
        return
    }
    sendJson(res, 200, listResponse(total, resources(page), paging))
}
