import { StdEntitlementReadHandler } from '@sailpoint/connector-sdk'
import { MissingEntitlementError, NotFoundError } from '../errors'
import { isSalesforceId, toId18 } from '../salesforce/ids'
import {
    ENTITLEMENT_ID_KIND,
    EntitlementOutput,
    entitlementKindOf,
    fromFeatureLicense,
    fromPackageLicense,
    fromPermissionSetGroup,
    fromPermissionSetLicense,
    fromQueue,
    fromScimEntitlement,
    fromScimGroup,
    fromScimRole,
    isRestEntitlementType,
    requireEntitlementType,
    restEntitlementsOff,
} from '../mapping/entitlement'
import { EntitlementType, RestEntitlementType } from '../schema'
import { SalesforceClient } from '../salesforce/client'
import { isPublicGroup } from '../salesforce/queues'
import { EntitlementCatalog } from '../salesforce/rest/catalog'
import { isPermissionRefusal } from '../salesforce/rest/refusal'
import { logger } from '../logger'
import { connect } from './connection'
import { objectIdOf, objectKeyOf } from './input'

/**
 * A type SCIM carries, by its 18-character id. With the REST API in use (`catalog`), a permission set no list
 * shows (profile-owned, or a permission set group's aggregate set) is not found either.
 */
async function readScimEntitlement(
    client: SalesforceClient,
    catalog: EntitlementCatalog | undefined,
    type: Exclude<EntitlementType, RestEntitlementType>,
    id: string
): Promise<EntitlementOutput> {
    switch (type) {
        case 'profile':
        case 'permissionSet': {
            const entitlement = await client.getEntitlement(id)
            if (entitlementKindOf(entitlement.id, entitlement.type) !== type) throw notFound(type, id)
            if (type === 'permissionSet' && (await isHiddenPermissionSet(catalog, id))) throw notFound(type, id)
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
    }
}

/** Whether the permission set is one no list shows; unknown (false) without the permission to read it. */
async function isHiddenPermissionSet(catalog: EntitlementCatalog | undefined, id: string): Promise<boolean> {
    if (catalog === undefined) return false
    try {
        return (await catalog.hiddenPermissionSetIds([id])).size > 0
    } catch (error) {
        if (!isPermissionRefusal(error)) throw error
        logger.warn(`The permission set is read as Salesforce's SCIM API has it: ${error.message}`)
        return false
    }
}

/** Each type only the REST API reaches that is keyed by a Salesforce id: read by its 18-character id, and mapped. */
const READ_BY_ID: {
    readonly [T in Exclude<RestEntitlementType, 'featureLicense'>]: (
        catalog: EntitlementCatalog,
        id: string
    ) => Promise<EntitlementOutput | undefined>
} = {
    permissionSetGroup: (catalog, id) => catalog.permissionSetGroup(id).then((g) => g && fromPermissionSetGroup(g)),
    permissionSetLicense: (catalog, id) =>
        catalog.permissionSetLicense(id).then((l) => l && fromPermissionSetLicense(l)),
    packageLicense: (catalog, id) => catalog.packageLicense(id).then((l) => l && fromPackageLicense(l)),
    // A public group has the queue's id prefix: the catalog finds queues only.
    queue: (catalog, id) => catalog.queue(id).then((q) => q && fromQueue(q)),
}

/**
 * A type only the REST API reaches, by the key as given: anything but an id of the type's kind (for a feature
 * license, a `UserPermissions*` field the org's User describe shows) names nothing, and is not found.
 */
async function readRestEntitlement(
    catalog: EntitlementCatalog,
    type: RestEntitlementType,
    key: unknown
): Promise<EntitlementOutput> {
    const shown = typeof key === 'string' ? key : JSON.stringify(key)
    if (type === 'featureLicense') {
        const license = typeof key === 'string' ? await catalog.featureLicense(key) : undefined
        if (license === undefined)
            throw new NotFoundError(`No Salesforce feature license (User field) is named ${shown}`)
        return fromFeatureLicense(license)
    }
    if (typeof key !== 'string' || !isSalesforceId(key, ENTITLEMENT_ID_KIND[type])) throw notFound(type, shown)
    const id = toId18(key)
    const found = await READ_BY_ID[type](catalog, id)
    if (found === undefined) throw notFound(type, id)
    return found
}

function notFound(type: EntitlementType, id: string): NotFoundError {
    return new NotFoundError(`No Salesforce ${type} has Id ${id}`)
}

/** An Id of another kind than the type (e.g. a permission set Id read as a profile) is not found. */
export const stdEntitlementRead: StdEntitlementReadHandler = async (_context, input, res) => {
    const type = requireEntitlementType(input.type)
    if (isRestEntitlementType(type)) {
        const key = objectKeyOf(input, 'Entitlement')
        const { rest, config } = await connect()
        if (!config.governBeyondScim) throw restEntitlementsOff(type)
        res.send(await readRestEntitlement(new EntitlementCatalog(rest), type, key))
        return
    }
    const id = objectIdOf(input, 'Entitlement')
    if (!isSalesforceId(id, ENTITLEMENT_ID_KIND[type])) throw notFound(type, id)
    const { client, rest, config } = await connect()
    const catalog = config.governBeyondScim ? new EntitlementCatalog(rest) : undefined
    try {
        res.send(await readScimEntitlement(client, catalog, type, id))
    } catch (error) {
        // Here the entitlement is the object the command reads, so a missing one is ISC's notFound.
        if (error instanceof MissingEntitlementError) throw new NotFoundError(error.message, error)
        throw error
    }
}
