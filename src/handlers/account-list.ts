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
import { and, quoteFilterValue } from '../salesforce/scim-filter'
import { connect } from './connection'
import { withUnlistedMemberships } from './memberships'
import { withProgress } from './progress'

/**
 * Streams every account in scope, one `send` per user as each page arrives. With delta on and a usable saved
 * state, only users modified since the last run (less the overlap) are listed; the state saved at the end
 * carries the newest `meta.lastModified` seen, but never later than the run's start on Salesforce's clock. Where
 * Salesforce leaves `groups` and `roles` out of its users, they come from the member lists (`memberships.ts`).
 */
export const stdAccountList: StdAccountListHandler = async (_context, input, res) => {
    const { config, client } = await connect()
    const started = new Date()
    const scope = scopeOf(config.accountFilter)

    let previous: DeltaState | undefined
    if (input.stateful === true && config.statefulCommands) {
        const saved = parseDeltaState(input.state, config.accountFilter)
        if ('state' in saved) previous = saved.state
        else logger.info({ reason: saved.reason }, `Listing every account instead of a delta: ${saved.reason}`)
    }
    const since = previous && deltaSince(previous, config.deltaOverlapMinutes)
    const filter = and(config.accountFilter, since && `meta.lastModified gt ${quoteFilterValue(since)}`)
    if (since) logger.info({ since }, `Listing accounts modified since ${since}`)

    let newestSeen = previous?.lastModified
    let runStart: string | undefined
    await withProgress(res, 'accounts', async (progress) => {
        const userPages = client.userPages({
            ...(filter ? { filter } : {}),
            excludedAttributes: UNMAPPED_USER_ATTRIBUTES,
            streams: config.parallelStreams,
        })
        const pages = withUnlistedMemberships(client, userPages, config.maxConcurrency)
        for await (const page of pages) {
            runStart ??= page.date
            for (const user of page.resources) {
                res.send(toAccount(user))
                newestSeen = laterOf(newestSeen, user.meta?.lastModified)
            }
            progress.add(page.resources.length, page.streams)
        }
    })

    if (input.stateful === true || config.statefulCommands) {
        const state: DeltaState = {
            version: DELTA_STATE_VERSION,
            lastModified: highWaterMark(newestSeen, runStart, started),
            scope,
        }
        res.saveState(state)
    }
}
