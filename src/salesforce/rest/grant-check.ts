/**
 * Before a user is created: the permission set groups and licenses the create grants, checked against what the org
 * holds, in one Composite call. Salesforce refuses a grant of a license without a free seat only once the user
 * exists, and a user cannot be deleted: a create that would fail so is refused before the user is made. The check
 * cannot promise the grant (another admin may take the last seat in between; the create then takes back its
 * grants, as before), and a query Salesforce refuses checks nothing: the grant itself then decides.
 */
import { LicenseLimitError, MissingEntitlementError } from '../../errors'
import { sameId } from '../ids'
import { PackageLicenseRow, PermissionSetLicenseRow, licenseSeats } from './catalog'
import { isPermissionRefusal } from './refusal'
import { CATALOG_OBJECTS, PROVISIONING_LABEL, catalogSoql } from './objects'
import { SObjectRecord, SalesforceRestClient } from './rest-client'

/** The entitlement types whose rows say, before the grant, whether it can be made. */
export type CheckedGrantType = 'permissionSetGroup' | 'permissionSetLicense' | 'packageLicense'

export const CHECKED_GRANT_TYPES: readonly CheckedGrantType[] = [
    'permissionSetGroup',
    'permissionSetLicense',
    'packageLicense',
]

/** Why a grant of this row cannot be made, in words, or undefined when nothing in the row stands in its way. */
function grantObstacle(type: CheckedGrantType, row: SObjectRecord): string | undefined {
    if (type === 'permissionSetGroup') return undefined
    const seats = licenseSeats(type, row as PermissionSetLicenseRow | PackageLicenseRow)
    if (seats.siteWide) return 'is licensed site-wide: every user has it already, and Salesforce assigns no seats of it'
    if (seats.free === 0) return `has no free seat (${seats.used} of ${seats.total} in use)`
    return undefined
}

/**
 * Refuses grants that the org's rows show cannot be made: an entitlement the org no longer has, a license without
 * a free seat, a package licensed site-wide.
 * @throws MissingEntitlementError (an id the org does not have) or LicenseLimitError (no seat to give), naming
 * every such grant; the mapped Salesforce error of a failure that is not a refusal to read.
 */
export async function refuseUngrantable(
    rest: SalesforceRestClient,
    grants: Readonly<Partial<Record<CheckedGrantType, readonly string[]>>>
): Promise<void> {
    const asked = CHECKED_GRANT_TYPES.filter((type) => (grants[type]?.length ?? 0) > 0)
    if (asked.length === 0) return
    const outcomes = await rest.queries(
        Object.fromEntries(asked.map((type) => [type, catalogSoql(type, grants[type] as readonly string[])]))
    )
    const missing: string[] = []
    const blocked: string[] = []
    for (const type of asked) {
        const outcome = outcomes[type]
        if (outcome === undefined) continue
        if (!outcome.ok) {
            if (isPermissionRefusal(outcome.error)) continue
            throw outcome.error
        }
        for (const id of grants[type] as readonly string[]) {
            const row = outcome.records.find((record) => typeof record.Id === 'string' && sameId(record.Id, id))
            const label = `${PROVISIONING_LABEL[type]} ${id}`
            if (row === undefined) {
                missing.push(`${label} (not a ${CATALOG_OBJECTS[type].object} of this org)`)
                continue
            }
            const obstacle = grantObstacle(type, row)
            if (obstacle !== undefined) blocked.push(`${label} ${obstacle}`)
        }
    }
    if (missing.length > 0) {
        throw new MissingEntitlementError(
            `Nothing was created: ${missing.join('; ')}. It was deleted since the last entitlement aggregation, or ` +
                'the id is wrong: aggregate entitlements again and request one the org has.'
        )
    }
    if (blocked.length > 0) {
        throw new LicenseLimitError(
            `Nothing was created: the ${blocked.join('; the ')}. Free a seat (remove the license from a user who no ` +
                'longer needs it) or buy more, or request the access without it.'
        )
    }
}
