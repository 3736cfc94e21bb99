/**
 * nock at the Salesforce HTTP boundary for handler tests: the token endpoint and the SCIM API of a My Domain
 * org, answering with payloads shaped like Salesforce's. Every test must use every stub it sets up, and no
 * request may go anywhere unstubbed.
 */
import type Nock from 'nock'
import nock from './nock'
import { clearTokenCache } from '../../src/auth/token-provider'
import { clearQueueCache } from '../../src/salesforce/queues'
import { ScimUser } from '../../src/salesforce/types'

export const INSTANCE = 'https://acme.my.salesforce.com'
export const SCIM = '/services/scim/v2'
export const ACCESS_TOKEN = '00DRM000000abcd!AQ4AQFakeTokenForHandlerTests.X9'

export const CONFIG: Record<string, unknown> = {
    authType: 'clientCredentials',
    loginUrl: INSTANCE,
    clientId: 'cid',
    clientSecret: 'secret',
}

/** Requests nock had no stub for: each is a request the code under test should not have made. */
export const unmatched: string[] = []

/** Installs the suite-wide rules: no real network, a cold token cache per test, every stub used. */
export function useSalesforceStubs(): void {
    const recordUnmatched = (req: { method: string; url: string }) => unmatched.push(`${req.method} ${req.url}`)
    beforeAll(() => {
        nock.disableNetConnect()
        nock.emitter.on('no match', recordUnmatched)
    })
    afterAll(() => {
        nock.emitter.removeListener('no match', recordUnmatched)
        nock.enableNetConnect()
    })
    beforeEach(() => {
        clearTokenCache()
        clearQueueCache()
        unmatched.length = 0
    })
    afterEach(() => {
        const pending = nock.pendingMocks()
        nock.cleanAll()
        expect({ unused: pending, unexpected: unmatched }).toEqual({ unused: [], unexpected: [] })
    })
}

/**
 * The token endpoint (client credentials) and the SCIM API, authorised with the token it hands out. The connector
 * lists `/Groups` to tell queues from public groups when it reads a user in some group; that list answers
 * `listedGroups` (none by default) if asked, or is left to the test to stub when `listedGroups` is false.
 */
export function salesforce(options: { readonly listedGroups?: readonly object[] | false } = {}): Nock.Scope {
    const listedGroups = options.listedGroups ?? []
    if (listedGroups !== false)
        nock(INSTANCE)
            .get(`${SCIM}/Groups`)
            .query((query) => query.excludedAttributes === 'members' && query.filter === undefined)
            .optionally()
            .reply(200, listResponse(listedGroups))
            .persist()
    nock(INSTANCE)
        .post('/services/oauth2/token', (body: Record<string, string>) => body.grant_type === 'client_credentials')
        .reply(200, {
            access_token: ACCESS_TOKEN,
            signature: 'nUFHwtfIGLKDTHcLWmDBG8frv0t+HQGl/iCZFIQUarE=',
            token_format: 'opaque',
            instance_url: INSTANCE,
            id: 'https://login.salesforce.com/id/00DRM000000abcdEAA/005RM000000IntgUAA',
            token_type: 'Bearer',
            issued_at: String(Date.now()),
        })
    return nock(INSTANCE).matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`)
}

export function listResponse<T>(resources: readonly T[], totalResults = resources.length): Record<string, unknown> {
    return {
        totalResults,
        itemsPerPage: resources.length,
        startIndex: 1,
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        ...(resources.length > 0 ? { Resources: resources } : {}),
    }
}

/** Salesforce's SCIM 2.0 error body, with its stringified `schemas`. */
export function scimError(status: number, detail: string): Record<string, unknown> {
    return { schemas: '["urn:ietf:params:scim:api:messages:2.0:Error"]', detail, status }
}

/** A PatchOp body as the connector must send it. */
export function patchOp(...operations: unknown[]): Record<string, unknown> {
    return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }
}

/** A copy of `user` with other members, e.g. another id or other entitlements. */
export function userWith(user: ScimUser, changes: Record<string, unknown>): ScimUser {
    return { ...user, ...changes }
}

/**
 * Collects the request bodies a stub matches, so the test can assert them exactly afterwards. Use it as the
 * stub's body matcher: `.patch(path, patches.match)`. (A reply function that takes the body stalls under nock 15.)
 */
export function recorder(): { readonly bodies: unknown[]; readonly match: (body: unknown) => boolean } {
    const bodies: unknown[] = []
    return {
        bodies,
        match: (body) => {
            bodies.push(body)
            return true
        },
    }
}
