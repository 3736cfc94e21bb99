import { StdAccountListHandler } from '@sailpoint/connector-sdk'
import { logger } from '../logger'
import { UNMAPPED_USER_ATTRIBUTES, toAccount } from '../mapping/account'
import {
    DELTA_STATE_VERSION,
    deltaSince,
    DeltaState,
    highWaterMark,
    laterOf,
    parseDeltaState,
    scopeOf,
} from '../mapping/delta-state'
import { indexPageAccess, withRestAttributes } from '../mapping/rest-account'
import { SalesforceClient } from '../salesforce/client'
import { compareIds } from '../salesforce/ids'
import { ListPage } from '../salesforce/paginate'
import { SalesforceRestClient } from '../salesforce/rest/rest-client'
import {
    UserAccessReader,
    pagesInHand,
    readUserAccessPlan,
    usersWithAccessChangedSince,
    withPageAccess,
} from '../salesforce/rest/user-access'
import { and, quoteFilterValue } from '../salesforce/scim-filter'
import { ScimUser } from '../salesforce/types'
import { connect } from './connection'
import { withUnlistedMemberships } from './memberships'
import { checkApiUsage, withProgress } from './progress'

/** Users read by id after a delta's list, per SCIM request: a filter of this many `id eq` stays a short URL. */
const IDS_PER_REQUEST = 50
/** Accounts of a page mapped and sent between two turns of the event loop. */
const SEND_CHUNK = 50
/** A page costs one SCIM request, and with Govern Access Beyond SCIM one Composite call. */
const REQUESTS_PER_PAGE = 2

/**
 * Streams every account in scope, one `send` per user as each page arrives. With delta on and a usable saved
 * state, only users modified since the last run (less the overlap) are listed; the state saved at the end
 * carries the newest `meta.lastModified` seen, but never later than the run's start on Salesforce's clock. Where
 * Salesforce leaves `groups` and `roles` out of its users, they come from the member lists (`memberships.ts`).
 *
 * With Govern Access Beyond SCIM, each page's users get what only the REST API shows (one Composite call per
 * page, `user-access.ts`); a delta also lists the users whose assignment rows or login state changed though the
 * user did not; and the run stops before it would take the org's API usage past the configured share.
 */
export const stdAccountList: StdAccountListHandler = async (_context, input, res) => {
    const { config, client, rest, apiUsage } = await connect()
    const started = new Date()
    const beyondScim = config.governBeyondScim
    const scope = scopeOf(config.accountFilter, beyondScim ? config.additionalUserFields : undefined)

    let previous: DeltaState | undefined
    if (input.stateful === true && config.statefulCommands) {
        const saved = parseDeltaState(input.state, config.accountFilter, scope)
        if ('state' in saved) previous = saved.state
        else logger.info({ reason: saved.reason }, `Listing every account instead of a delta: ${saved.reason}`)
    }
    const since = previous && deltaSince(previous, config.deltaOverlapMinutes)
    const filter = and(config.accountFilter, since && `meta.lastModified gt ${quoteFilterValue(since)}`)
    if (since) logger.info({ since }, `Listing accounts modified since ${since}`)

    // The User describe is read while the first SCIM page is on its way; a misspelt Additional User Field fails
    // the run before any account is sent.
    const reader = beyondScim
        ? readUserAccessPlan(rest, config.additionalUserFields).then((plan) => new UserAccessReader(rest, plan))
        : undefined
    reader?.catch(() => undefined)

    let newestSeen = previous?.lastModified
    let runStart: string | undefined
    await withProgress(
        res,
        'accounts',
        async (progress) => {
            const listed = reader !== undefined && since !== undefined ? new Set<string>() : undefined
            const scimPages = userPages(client, {
                filter,
                accountFilter: config.accountFilter,
                streams: config.parallelStreams,
                listed,
                ...(listed !== undefined && since !== undefined ? { accessChangedSince: { rest, since } } : {}),
            })
            const pages = withUnlistedMemberships(client, scimPages, config.maxConcurrency)
            if (reader === undefined) {
                for await (const page of pages) {
                    runStart ??= page.date
                    for (const user of page.resources) {
                        res.send(toAccount(user))
                        newestSeen = laterOf(newestSeen, user.meta?.lastModified)
                    }
                    progress.add(page.resources.length, page.streams)
                }
                return
            }
            const withAccess = withPageAccess(
                pages,
                async (ids) => (await reader).read(ids),
                // The pages in hand and the next one: each costs a SCIM request and a Composite call still to be
                // counted.
                () =>
                    checkApiUsage(
                        apiUsage,
                        config.apiUsageLimitPercent,
                        REQUESTS_PER_PAGE * (pagesInHand(config.parallelStreams) + 1),
                        progress.count
                    )
            )
            for await (const { page, rows } of withAccess) {
                runStart ??= page.date
                const rowsOf = indexPageAccess(rows)
                const { plan } = await reader
                for (const [i, user] of page.resources.entries()) {
                    // The event loop is let through now and then, so that a page or a Composite answer that came
                    // meanwhile is taken up (and the next request sent) before the rest of this page is mapped.
                    if (i > 0 && i % SEND_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve))
                    res.send(withRestAttributes(toAccount(user), rowsOf(user.id), plan, user))
                    newestSeen = laterOf(newestSeen, user.meta?.lastModified)
                }
                progress.add(page.resources.length, page.streams)
            }
        },
        beyondScim ? { apiUsage } : {}
    )

    if (input.stateful === true || config.statefulCommands) {
        const state: DeltaState = {
            version: DELTA_STATE_VERSION,
            lastModified: highWaterMark(newestSeen, runStart, started),
            scope,
        }
        res.saveState(state)
    }
}

interface UserPagesOptions {
    readonly filter: string | undefined
    readonly accountFilter: string | undefined
    readonly streams: number
    /** Filled with the id of every user listed, when a delta goes on to the users whose access changed. */
    readonly listed?: Set<string> | undefined
    /** For a delta beyond SCIM: after the list, the users whose assignment rows or login state changed since. */
    readonly accessChangedSince?: { readonly rest: SalesforceRestClient; readonly since: string }
}

/**
 * The SCIM pages of the listing; for a delta beyond SCIM, then the pages of the users whose access changed since
 * the last run without the user changing (so SCIM's `meta.lastModified` did not list them), read by id within
 * the account filter. Their rows are read after the list, so whatever changed while it ran is in this run or,
 * from the state's mark on, in the next one.
 */
async function* userPages(client: SalesforceClient, options: UserPagesOptions): AsyncGenerator<ListPage<ScimUser>> {
    const list = client.userPages({
        ...(options.filter ? { filter: options.filter } : {}),
        excludedAttributes: UNMAPPED_USER_ATTRIBUTES,
        streams: options.streams,
    })
    for await (const page of list) {
        if (options.listed !== undefined) for (const user of page.resources) options.listed.add(user.id)
        yield page
    }
    const changes = options.accessChangedSince
    if (changes === undefined) return
    const changed = await usersWithAccessChangedSince(changes.rest, changes.since)
    const unlisted = [...changed].filter((id) => options.listed?.has(id) !== true).sort(compareIds)
    if (unlisted.length === 0) return
    logger.info(
        { users: unlisted.length, since: changes.since },
        `Listing ${unlisted.length} more accounts whose assignments or login state changed since ${changes.since}`
    )
    for (let i = 0; i < unlisted.length; i += IDS_PER_REQUEST) {
        const ids = unlisted.slice(i, i + IDS_PER_REQUEST)
        const byId = ids.map((id) => `id eq ${quoteFilterValue(id)}`).join(' or ')
        yield* client.userPages({
            filter: and(options.accountFilter, byId) as string,
            excludedAttributes: UNMAPPED_USER_ATTRIBUTES,
        })
    }
}
