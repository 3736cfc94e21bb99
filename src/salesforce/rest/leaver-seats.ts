/**
 * Freeing a leaver's license seats (setting Free License Seats on Disable): deactivating or freezing a user keeps
 * their permission set licenses and managed package licenses assigned, and each holds a paid seat
 * (salesforce-rest.md §2.3, leaver clean-up). The user's rows are read first, then deleted one by one in Composite
 * requests (each counts as one API call) so that a row Salesforce refuses to delete leaves the others freed.
 */
import { ASSIGNMENT_OBJECTS, SEAT_LICENSE_TYPES, SeatLicenseType, seatAssignmentsOfUserSoql } from './objects'
import { CompositeOutcome, CompositeRequest, SalesforceRestClient, SObjectRecord } from './rest-client'

/** One seat a user holds: the assignment row and the license it takes a seat of. */
export interface SeatAssignment {
    readonly type: SeatLicenseType
    /** The assignment row's id (2LA… or 051…). */
    readonly assignmentId: string
    readonly licenseId: string
    /** The license as an admin knows it: its label, or a package's namespace; its id when Salesforce gave none. */
    readonly licenseName: string
}

/** What freeing a user's seats did. */
export interface FreedSeats {
    readonly freed: readonly SeatAssignment[]
    /** Seats Salesforce refused to free (e.g. a license permission sets of the user still depend on), and why. */
    readonly kept: readonly { readonly seat: SeatAssignment; readonly error: Error }[]
    /** License types whose assignments could not be read (a permission the integration user lacks), and why. */
    readonly unread: readonly { readonly type: SeatLicenseType; readonly error: Error }[]
}

/** Package licenses first: no permission set depends on them, so they are freed even when a PSL is refused. */
const SEAT_TYPES: readonly SeatLicenseType[] = ['packageLicense', 'permissionSetLicense']

/** Salesforce allows 25 subrequests in one Composite request. */
const DELETES_PER_COMPOSITE = 25

function toSeat(type: SeatLicenseType, record: SObjectRecord): SeatAssignment | undefined {
    const { entitlementField } = ASSIGNMENT_OBJECTS[type]
    const { license, nameField } = SEAT_LICENSE_TYPES[type]
    const licenseId = record[entitlementField]
    if (typeof record.Id !== 'string' || typeof licenseId !== 'string') return undefined
    const parent = record[license] as Readonly<Record<string, unknown>> | null | undefined
    const name = parent?.[nameField]
    return {
        type,
        assignmentId: record.Id,
        licenseId,
        licenseName: typeof name === 'string' && name !== '' ? name : licenseId,
    }
}

/**
 * Removes every permission set license and package license assignment of the user, and says which were freed,
 * which Salesforce kept and why, and which could not be read. One Composite call reads both; deletes follow in
 * Composite calls of up to 25.
 */
export async function freeSeatsOfUser(rest: SalesforceRestClient, userId: string): Promise<FreedSeats> {
    const outcomes = await rest.queries(
        Object.fromEntries(SEAT_TYPES.map((type) => [type, seatAssignmentsOfUserSoql(type, userId)]))
    )
    const seats: SeatAssignment[] = []
    const unread: { type: SeatLicenseType; error: Error }[] = []
    for (const type of SEAT_TYPES) {
        const outcome = outcomes[type]
        if (outcome === undefined) continue
        if (!outcome.ok) unread.push({ type, error: outcome.error })
        else seats.push(...outcome.records.map((record) => toSeat(type, record)).filter(isSeat))
    }
    const freed: SeatAssignment[] = []
    const kept: { seat: SeatAssignment; error: Error }[] = []
    for (let start = 0; start < seats.length; start += DELETES_PER_COMPOSITE) {
        const chunk = seats.slice(start, start + DELETES_PER_COMPOSITE)
        const requests: CompositeRequest[] = chunk.map((seat, index) => ({
            referenceId: `delete${start + index}`,
            method: 'DELETE',
            url: `/sobjects/${ASSIGNMENT_OBJECTS[seat.type].object}/${encodeURIComponent(seat.assignmentId)}`,
        }))
        const results = await rest.composite(requests)
        chunk.forEach((seat, index) => {
            // composite() answers one outcome per subrequest, in order, or throws.
            const result = results[index] as CompositeOutcome
            if (result.ok) freed.push(seat)
            else kept.push({ seat, error: result.error })
        })
    }
    return { freed, kept, unread }
}

function isSeat(seat: SeatAssignment | undefined): seat is SeatAssignment {
    return seat !== undefined
}
