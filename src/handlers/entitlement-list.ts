import { StdEntitlementListHandler } from '@sailpoint/connector-sdk'
import {
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
import { logger } from '../logger'
import { EntitlementType, RestEntitlementType } from '../schema'
import { SalesforceClient } from '../salesforce/client'
import { isPublicGroup } from '../salesforce/queues'
import { EntitlementCatalog } from '../salesforce/rest/catalog'
import { isPermissionRefusal } from '../salesforce/rest/refusal'
import { connect } from './connection'
import { withProgress } from './progress'

/**
 * Streams one entitlement type. Profiles and permission sets share Salesforce's `/Entitlements` list.
 * Members are not entitlement attributes, and the assignees Salesforce lists with each profile, permission set,
 * role or group would bloat every page, so they are left out.
 */
const WITHOUT_MEMBERS = { excludedAttributes: ['members'] } as const

/** What a listing reports as it goes. */
interface Counter {
    add(count: number): void
}

/** Sends each batch's entitlements as they arrive. */
async function sendBatches<T>(
    batches: AsyncIterable<readonly T[]>,
    map: (row: T) => EntitlementOutput,
    send: (output: EntitlementOutput) => void,
    progress: Counter
): Promise<void> {
    for await (const batch of batches) {
        for (const row of batch) send(map(row))
        progress.add(batch.length)
    }
}

/**
 * The permission sets no permission set list shows (profile-owned ones, and the aggregate set behind each
 * permission set group), when the REST API is in use. Salesforce's SCIM list leaves out the profile-owned ones;
 * whether it shows the aggregate sets is not documented, so they are read and left out here. Without the
 * permission to read them, the list is sent as SCIM has it, with one warning.
 */
async function hiddenPermissionSetIds(catalog: EntitlementCatalog | undefined): Promise<ReadonlySet<string>> {
    if (catalog === undefined) return new Set()
    try {
        return await catalog.hiddenPermissionSetIds()
    } catch (error) {
        if (!isPermissionRefusal(error)) throw error
        logger.warn(
            `Permission sets are listed as Salesforce's SCIM API has them, aggregate sets of permission set groups ` +
                `included if it lists them: ${error.message}`
        )
        return new Set()
    }
}

/** A type SCIM carries; `catalog` (the REST API, when the source uses it) leaves hidden permission sets out. */
async function sendScimEntitlements(
    type: Exclude<EntitlementType, RestEntitlementType>,
    client: SalesforceClient,
    catalog: EntitlementCatalog | undefined,
    send: (output: EntitlementOutput) => void,
    progress: Counter
): Promise<void> {
    switch (type) {
        case 'profile':
        case 'permissionSet': {
            const hidden = type === 'permissionSet' ? await hiddenPermissionSetIds(catalog) : new Set<string>()
            for await (const page of client.entitlementPages(WITHOUT_MEMBERS)) {
                const ofType = page.resources.filter(
                    (entitlement) =>
                        entitlementKindOf(entitlement.id, entitlement.type) === type && !hidden.has(entitlement.id)
                )
                for (const entitlement of ofType) send(fromScimEntitlement(type, entitlement))
                progress.add(ofType.length)
            }
            return
        }
        case 'role':
            for await (const page of client.rolePages(WITHOUT_MEMBERS)) {
                for (const role of page.resources) send(fromScimRole(role))
                progress.add(page.resources.length)
            }
            return
        case 'group': {
            // Salesforce may list queues among its groups; a queue is no public group (see queues.ts).
            let queues = 0
            for await (const page of client.groupPages(WITHOUT_MEMBERS)) {
                const publicGroups = page.resources.filter(isPublicGroup)
                for (const group of publicGroups) send(fromScimGroup(group))
                queues += page.resources.length - publicGroups.length
                progress.add(publicGroups.length)
            }
            if (queues > 0) logger.info({ queues }, `Left out ${queues} queues Salesforce lists among its groups`)
            return
        }
    }
}

/** A type only the REST API reaches, from its catalog. */
async function sendRestEntitlements(
    type: RestEntitlementType,
    catalog: EntitlementCatalog,
    send: (output: EntitlementOutput) => void,
    progress: Counter
): Promise<void> {
    switch (type) {
        case 'permissionSetGroup':
            return sendBatches(catalog.permissionSetGroupPages(), fromPermissionSetGroup, send, progress)
        case 'permissionSetLicense':
            return sendBatches(catalog.permissionSetLicensePages(), fromPermissionSetLicense, send, progress)
        case 'packageLicense':
            return sendBatches(catalog.packageLicensePages(), fromPackageLicense, send, progress)
        case 'queue':
            return sendBatches(catalog.queuePages(), fromQueue, send, progress)
        case 'featureLicense': {
            const licenses = await catalog.featureLicenses()
            for (const license of licenses) send(fromFeatureLicense(license))
            progress.add(licenses.length)
            return
        }
    }
}

export const stdEntitlementList: StdEntitlementListHandler = async (_context, input, res) => {
    const type = requireEntitlementType(input.type)
    const { client, rest, config } = await connect()
    const send = (output: EntitlementOutput): void => res.send(output)
    if (isRestEntitlementType(type)) {
        if (!config.governBeyondScim) throw restEntitlementsOff(type)
        const catalog = new EntitlementCatalog(rest)
        await withProgress(res, `${type} entitlements`, (progress) =>
            sendRestEntitlements(type, catalog, send, progress)
        )
        return
    }
    const catalog = config.governBeyondScim ? new EntitlementCatalog(rest) : undefined
    await withProgress(res, `${type} entitlements`, (progress) =>
        sendScimEntitlements(type, client, catalog, send, progress)
    )
}
