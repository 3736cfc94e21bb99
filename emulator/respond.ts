import { Response } from 'express'

/** Salesforce answers JSON with this exact content type. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8'

/** Set by the fault layer when a write must be applied and its answer then lost (socket destroyed). */
export const DROP_RESPONSE = 'dropResponse'

function dropIfAsked(res: Response): boolean {
    if (res.locals[DROP_RESPONSE] !== true) return false
    res.socket?.destroy()
    return true
}

/** Send a JSON body (pretty-printed when the client sent `X-PrettyPrint`, as Salesforce REST does). */
export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (dropIfAsked(res)) return
    const pretty = res.req.get('X-PrettyPrint') !== undefined
    res.status(status)
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
    res.setHeader('Content-Type', JSON_CONTENT_TYPE)
    res.end(pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body))
}

/** Send a status with no body (DELETE's 204, PUT /Groups' empty 200). */
export function sendEmpty(res: Response, status: number): void {
    if (dropIfAsked(res)) return
    res.status(status).end()
}
