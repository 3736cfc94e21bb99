import { at, http, HttpResult, list, TestOrg } from './helpers'

export const API = '/services/data/v62.0'

/** A REST API call of the org's session, under `/services/data/v62.0` unless the path starts with `/services`. */
export function rest(
    org: TestOrg,
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}
): Promise<HttpResult> {
    const url = path.startsWith('/services') ? path : `${API}${path}`
    return http(`${org.url}${url}`, {
        ...init,
        headers: { Authorization: `Bearer ${org.accessToken}`, ...(init.headers ?? {}) },
    })
}

/** Run a SOQL query and follow every `nextRecordsUrl`; fails the test on any error. */
export async function soql(
    org: TestOrg,
    q: string,
    options: { all?: boolean; headers?: Record<string, string> } = {}
): Promise<Record<string, unknown>[]> {
    let res = await rest(org, `/${options.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(q)}`, options)
    if (res.status !== 200) throw new Error(`query failed: ${res.status} ${res.text}`)
    const records = [...list(res.body, 'records')]
    while (at(res.body, 'done') === false) {
        res = await rest(org, String(at(res.body, 'nextRecordsUrl')), options)
        if (res.status !== 200) throw new Error(`query more failed: ${res.status} ${res.text}`)
        records.push(...list(res.body, 'records'))
    }
    return records as Record<string, unknown>[]
}

/** The one error of a REST error array. */
export function restError(res: HttpResult): { errorCode: unknown; message: unknown; fields: unknown } {
    const errors = list(res.body)
    expect(errors).toHaveLength(1)
    return { errorCode: at(errors, 0, 'errorCode'), message: at(errors, 0, 'message'), fields: at(errors, 0, 'fields') }
}
