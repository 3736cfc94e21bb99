import { StdEntitlementReadHandler } from '@sailpoint/connector-sdk'
import { InvalidRequestError, MissingEntitlementError, NotFoundError } from '../errors'
import { isSalesforceId } from '../salesforce/ids'
import {
    ENTITLEMENT_ID_KIND,
    EntitlementOutput,
    entitlementKindOf,
    fromScimEntitlement,
    fromScimGroup,
    fromScimRole,
    requireEntitlementType,
} from '../mapping/entitlement'
import { EntitlementType } from '../schema'
import { SalesforceClient } from '../salesforce/client'
import { isPublicGroup } from '../salesforce/queues'
import { connect } from './connection'
import { objectIdOf } from './input'

async function readEntitlement(
    client: SalesforceClient,
    type: EntitlementType,
    id: string
): Promise<EntitlementOutput> {
    switch (type) {
        case 'profile':
        case 'permissionSet': {
            const entitlement = await client.getEntitlement(id)
            if (entitlementKindOf(entitlement.id, entitlement.type) !== type) throw notFound(type, id)
            return fromScimEntitlement(type, entitlement)
        }
        case 'role':
            return fromScimRole(await client.getRole(id))
        case 'group': {
            // Salesforce's single GET serves public groups only, as far as known; a queue it served is not one.
            const group = await client.getGroup(id)
            if (!isPublicGroup(group)) throw notFound(type, id)
            return fromScimGroup(group)
        }
        default:
            throw new InvalidRequestError(`Reading a ${type} entitlement is not available on this source yet`)
    }
}

function notFound(type: EntitlementType, id: string): NotFoundError {
    return new NotFoundError(`No Salesforce ${type} has Id ${id}`)
}

/** An Id of another kind than the type (e.g. a permission set Id read as a profile) is not found. */
export const stdEntitlementRead: StdEntitlementReadHandler = async (_context, input, res) => {
    const type = requireEntitlementType(input.type)
    const id = objectIdOf(input, 'Entitlement')
    if (type !== 'featureLicense' && !isSalesforceId(id, ENTITLEMENT_ID_KIND[type])) throw notFound(type, id)
    const { client } = await connect()
    try {
        res.send(await readEntitlement(client, type, id))
    } catch (error) {
        // Here the entitlement is the object the command reads, so a missing one is ISC's notFound.
        if (error instanceof MissingEntitlementError) throw new NotFoundError(error.message, error)
        throw error
    }
}
