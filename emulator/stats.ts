import type { FaultKind } from './faults'

export interface EmulatorStats {
    /** All /services/* requests. */
    requests: number
    /** POST /services/oauth2/token. */
    tokenRequests: number
    /** e.g. 'GET /Users', 'GET /Users/:id', 'PATCH /Users/:id', 'POST /Users', 'PATCH /Groups/:id', 'POST /token'. */
    byRoute: Record<string, number>
    faultsInjected: number
    /** The faults injected, by the option that caused them, e.g. `{ errorRate: 3, dropRate: 1 }`. */
    faultsByOption: Partial<Record<FaultKind, number>>
    usersCreated: number
    /** Email-change confirmation mails Salesforce would have sent (variant `emailChange: 'held'`). */
    emailConfirmationsSent: number
}

export function emptyStats(): EmulatorStats {
    return {
        requests: 0,
        tokenRequests: 0,
        byRoute: {},
        faultsInjected: 0,
        faultsByOption: {},
        usersCreated: 0,
        emailConfirmationsSent: 0,
    }
}

const SCIM_PREFIX = '/services/scim/v2'

/** The route name a request is counted under, with ids collapsed to `:id`. */
export function routeKey(method: string, path: string): string {
    if (path === '/services/oauth2/token' || path === '/services/oauth2/token/') return `${method} /token`
    if (path.startsWith(SCIM_PREFIX + '/')) {
        const parts = path
            .slice(SCIM_PREFIX.length + 1)
            .split('/')
            .filter(Boolean)
        const [resource, id] = parts
        if (resource === undefined) return `${method} /`
        if (parts.length > 2) return `${method} /${resource}/:id/*`
        return id === undefined ? `${method} /${resource}` : `${method} /${resource}/:id`
    }
    return `${method} ${path}`
}
