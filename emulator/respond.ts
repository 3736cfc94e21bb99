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

/** Whether the client asked for an indented body with `X-PrettyPrint`, as Salesforce REST honours. */
export function wantsPrettyJson(res: Response): boolean {
    return res.req.get('X-PrettyPrint') !== undefined
}

/** Send a JSON body (pretty-printed when the client sent `X-PrettyPrint`, as Salesforce REST does). */
export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
    sendJsonText(res, status, wantsPrettyJson(res) ? JSON.stringify(body, null, 2) : JSON.stringify(body), headers)
}

/** The status and headers of a JSON answer; false when a dropped connection was asked for instead. */
function startJson(res: Response, status: number, headers: Record<string, string>): boolean {
    if (dropIfAsked(res)) return false
    res.status(status)
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
    res.setHeader('Content-Type', JSON_CONTENT_TYPE)
    return true
}

/** Send a body already written as JSON text or its UTF-8 bytes (the caller honours `X-PrettyPrint`). */
export function sendJsonText(
    res: Response,
    status: number,
    body: string | Buffer,
    headers: Record<string, string> = {}
): void {
    if (!startJson(res, status, headers)) return
    // Encoded here, to its exact size: a large string handed to the socket is encoded into a buffer sized for its
    // worst case, which costs more than the answer's own bytes.
    res.end(typeof body === 'string' ? Buffer.from(body) : body)
}

/**
 * Send a body given as the parts of its UTF-8 JSON, in order, with the Content-Length of the whole: the same bytes
 * on the wire as `sendJsonText` of their concatenation, without copying them into one buffer first.
 */
export function sendJsonParts(
    res: Response,
    status: number,
    parts: readonly Buffer[],
    headers: Record<string, string> = {}
): void {
    if (!startJson(res, status, headers)) return
    let length = 0
    for (const part of parts) length += part.length
    res.setHeader('Content-Length', String(length))
    // Corked, the parts leave in one writev with the headers.
    res.cork()
    for (const part of parts) res.write(part)
    res.end()
    res.uncork()
}

/** Send a status with no body (DELETE's 204, PUT /Groups' empty 200). */
export function sendEmpty(res: Response, status: number): void {
    if (dropIfAsked(res)) return
    res.status(status).end()
}
