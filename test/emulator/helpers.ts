import jwt from 'jsonwebtoken'
import { EMULATOR_CREDENTIALS, EmulatorOptions, RunningEmulator, startEmulator } from '../../emulator'

export const SCIM = '/services/scim/v2'
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error'

export interface HttpResult {
    readonly status: number
    readonly headers: Headers
    readonly text: string
    /** Parsed JSON body, or undefined when the body is empty or not JSON. */
    readonly body: unknown
}

/** Read a property path of an untyped JSON body (tests assert on the value, so a wrong path fails the test). */
export function at(value: unknown, ...path: (string | number)[]): unknown {
    let cur = value
    for (const key of path) {
        if (cur === null || typeof cur !== 'object') return undefined
        cur = (cur as Record<string | number, unknown>)[key]
    }
    return cur
}

export function list(value: unknown, ...path: (string | number)[]): unknown[] {
    const v = at(value, ...path)
    if (!Array.isArray(v)) throw new Error(`expected an array at ${path.join('.')}, got ${JSON.stringify(v)}`)
    return v
}

export async function http(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown; form?: Record<string, string> } = {}
): Promise<HttpResult> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) }
    let body: string | undefined
    if (init.form) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
        body = new URLSearchParams(init.form).toString()
    } else if (init.body !== undefined) {
        headers['Content-Type'] = headers['Content-Type'] ?? 'application/json'
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
    }
    const res = await fetch(url, { method: init.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) })
    const text = await res.text()
    let parsed: unknown
    try {
        parsed = text ? JSON.parse(text) : undefined
    } catch {
        parsed = undefined
    }
    return { status: res.status, headers: res.headers, text, body: parsed }
}

export function clientCredentialsForm(): Record<string, string> {
    return {
        grant_type: 'client_credentials',
        client_id: EMULATOR_CREDENTIALS.clientId,
        client_secret: EMULATOR_CREDENTIALS.clientSecret,
    }
}

export function signAssertion(claims: Record<string, unknown>): string {
    return jwt.sign(claims, EMULATOR_CREDENTIALS.privateKeyPem, { algorithm: 'RS256', noTimestamp: true })
}

export async function token(url: string): Promise<string> {
    const res = await http(`${url}/services/oauth2/token`, { method: 'POST', form: clientCredentialsForm() })
    const t = at(res.body, 'access_token')
    if (res.status !== 200 || typeof t !== 'string') throw new Error(`token request failed: ${res.status} ${res.text}`)
    return t
}

/** A started emulator with a session, and helpers bound to it. */
export interface TestOrg {
    readonly emulator: RunningEmulator
    readonly url: string
    accessToken: string
    scim(
        path: string,
        init?: { method?: string; body?: unknown; headers?: Record<string, string> }
    ): Promise<HttpResult>
    close(): Promise<void>
}

export async function startOrg(options: EmulatorOptions = {}): Promise<TestOrg> {
    const emulator = await startEmulator(options)
    const org: TestOrg = {
        emulator,
        url: emulator.url,
        accessToken: await token(emulator.url),
        scim: (path, init = {}) =>
            http(`${emulator.url}${SCIM}${path}`, {
                ...init,
                headers: { Authorization: `Bearer ${org.accessToken}`, ...(init.headers ?? {}) },
            }),
        close: () => emulator.close(),
    }
    return org
}

/**
 * Starts an emulator before the enclosing describe block's tests and closes it after them. The returned org stands
 * for the one started, so it can be declared where the tests see it; using it outside a test throws.
 */
export function useOrg(options: EmulatorOptions = {}): TestOrg {
    let started: TestOrg | undefined
    const current = (): TestOrg => {
        if (started === undefined) throw new Error('the emulator starts in beforeAll: use the org inside a test')
        return started
    }
    beforeAll(async () => {
        started = await startOrg(options)
    })
    afterAll(async () => {
        await current().close()
    })
    return {
        get emulator() {
            return current().emulator
        },
        get url() {
            return current().url
        },
        get accessToken() {
            return current().accessToken
        },
        set accessToken(value: string) {
            current().accessToken = value
        },
        scim: (path, init) => current().scim(path, init),
        close: () => current().close(),
    }
}

export function patchBody(...operations: Record<string, unknown>[]): Record<string, unknown> {
    return { schemas: [PATCH_OP], Operations: operations }
}

/** Filter query parameter, URL-encoded. */
export function f(filter: string): string {
    return `filter=${encodeURIComponent(filter)}`
}

export function newUserBody(
    userName: string,
    profileId: string,
    extra: Record<string, unknown> = {}
): Record<string, unknown> {
    return {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName,
        name: { familyName: 'Tester', givenName: 'Terry' },
        emails: [{ type: 'work', primary: 'true', value: 'terry.tester@example.com' }],
        entitlements: [{ value: profileId }],
        ...extra,
    }
}
