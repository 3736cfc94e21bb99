import { StdEntitlementListHandler } from '@sailpoint/connector-sdk'
import {
    entitlementKindOf,
    fromScimEntitlement,
    fromScimGroup,
    fromScimRole,
    requireEntitlementType,
} from '../mapping/entitlement'
import { connect } from './connection'
import { withProgress } from './progress'

/** Streams one entitlement type. Profiles and permission sets share Salesforce's `/Entitlements` list. */
export const stdEntitlementList: StdEntitlementListHandler = async (_context, input, res) => {
    const type = requireEntitlementType(input.type)
    const { client } = await connect()
    await withProgress(res, `${type} entitlements`, async (progress) => {
        switch (type) {
            case 'profile':
            case 'permissionSet':
                for await (const page of client.entitlementPages()) {
                    const ofType = page.filter(
                        (entitlement) => entitlementKindOf(entitlement.id, entitlement.type) === type
                    )
                    for (const entitlement of ofType) res.send(fromScimEntitlement(type, entitlement))
                    progress.add(ofType.length)
                }
                return
            case 'role':
                for await (const page of client.rolePages()) {
                    for (const role of page) res.send(fromScimRole(role))
                    progress.add(page.length)
                }
                return
            case 'group':
                // Members are not entitlement attributes, and a big group's member list would bloat every page.
                for await (const page of client.groupPages({ excludedAttributes: ['members'] })) {
                    for (const group of page) res.send(fromScimGroup(group))
                    progress.add(page.length)
                }
                return
        }
    })
}
