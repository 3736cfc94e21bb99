import { Request, Response } from 'express'
import { AttributeMap, compileFilter } from '../filter'
import { sendJson } from '../respond'
import { attributeList, project } from './common'
import { DEFAULT_PAGE_SIZE } from './deps'
import { Variants } from '../variants'
import {
    firstParam,
    LIST_RESPONSE_URN,
    ListSource,
    listResponse,
    parsePaging,
    Paging,
    QueryResult,
    runQuery,
    totalResultsOf,
} from './list'

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
    resources: (page: readonly T[]) => unknown[],
    variants: Pick<Variants, 'countClamp' | 'idCollation' | 'totalResults'>,
    /** Changes the answer before it is sent: `/Entitlements`' cap. Return undefined to send it as it is. */
    override?: (query: { paging: Paging; filtered: boolean; result: QueryResult<T> }) => ListAnswer<T> | undefined
): void {
    const paging = parsePaging(req.query, DEFAULT_PAGE_SIZE, variants.countClamp)
    const rawFilter = firstParam(req.query.filter)
    const filter = compileFilter(rawFilter, attributes)
    const queried = runQuery(source, filter, paging, undefined, variants.idCollation)
    const answer = override?.({ paging, filtered: rawFilter !== undefined && rawFilter.trim() !== '', result: queried })
    if (answer?.kind === 'emptyBody') {
        res.status(200).end()
        return
    }
    const result = answer?.kind === 'result' ? answer.result : queried
    if (result.page.length === 0) {
        sendJson(res, 200, { totalResults: 0, schemas: [LIST_RESPONSE_URN], Resources: [] })
        return
    }
    sendJson(res, 200, listResponse(totalResultsOf(result, variants.totalResults), resources(result.page), paging))
}

/** What an override makes of a list answer: another result, or a 200 with an empty HTTP body. */
export type ListAnswer<T> =
    { readonly kind: 'result'; readonly result: QueryResult<T> } | { readonly kind: 'emptyBody' }
