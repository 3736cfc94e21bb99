import { StdEntitlementListHandler } from '@sailpoint/connector-sdk'
import {
    entitlementKindOf,
    fromScimEntitlement,
    fromScimGroup,
    fromScimRole,
    requireEntitlementType,
} from '../mapping/entitlement'
import { logger } from '../logger'
import { isPublicGroup } from '../salesforce/queues'
import { connect } from './connection'
import { withProgress } from './progress'

/**
 * Streams one entitlement type. Profiles and permission sets share Salesforce's `/Entitlements` list.
 * Members are not entitlement attributes, and the assignees Salesforce lists with each profile, permission set,
 * role or group would bloat every page, so they are left out.
 */
const WITHOUT_MEMBERS = { excludedAttributes: ['members'] } as const

export const stdEntitlementList: StdEntitlementListHandler = async (_context, input, res) => {
    const type = requireEntitlementType(input.type)
    const { client } = await connect()
    await withProgress(res, `${type} entitlements`, async (progress) => {
        switch (type) {
            case 'profile':
            case 'permissionSet':
                for await (const page of client.entitlementPages(WITHOUT_MEMBERS)) {
                    const ofType = page.resources.filter(
                        (entitlement) => entitlementKindOf(entitlement.id, entitlement.type) === type
                    )
                    for (const entitlement of ofType) res.send(fromScimEntitlement(type, entitlement))
                    progress.add(ofType.length)
                }
                return
            case 'role':
                for await (const page of client.rolePages(WITHOUT_MEMBERS)) {
                    for (const role of page.resources) res.send(fromScimRole(role))
                    progress.add(page.resources.length)
                }
                return
            case 'group': {
                // Salesforce may list queues among its groups; a queue is no public group (see queues.ts).
                let queues = 0
                for await (const page of client.groupPages(WITHOUT_MEMBERS)) {
                    const publicGroups = page.resources.filter(isPublicGroup)
                    for (const group of publicGroups) res.send(fromScimGroup(group))
                    queues += page.resources.length - publicGroups.length
                    progress.add(publicGroups.length)
                }
                if (queues > 0) logger.info({ queues }, `Left out ${queues} queues Salesforce lists among its groups`)
                return
            }
        }
    })
}
