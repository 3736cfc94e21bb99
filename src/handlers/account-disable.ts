import { ResultMessageLevel, ResultStatus, StdAccountDisableHandler } from '@sailpoint/connector-sdk'
import { CONFIG_LABELS, SalesforceConfig } from '../config'
import { InvalidRequestError, MissingEntitlementError } from '../errors'
import { logger } from '../logger'
import { SalesforceClient } from '../salesforce/client'
import { FreedSeats, freeSeatsOfUser, SeatAssignment } from '../salesforce/rest/leaver-seats'
import { ASSIGNMENT_OBJECTS, SEAT_LICENSE_TYPES, SeatLicenseType } from '../salesforce/rest/objects'
import { SalesforceRestClient } from '../salesforce/rest/rest-client'
import { requireUserLogin, setFrozen } from '../salesforce/rest/user-login'
import { ScimUser } from '../salesforce/types'
import { accountBeyondScim } from './account-beyond-scim'
import { connect } from './connection'
import { accountIdOf } from './input'
import { refuseCuttingOffIntegrationUser } from './integration-user'
import { AccountResult, requireBeyondScim, setActive, withResults } from './set-active'

const COMMAND = 'std:account:disable'

/**
 * Cuts the user's access as Disable Action says: deactivates (SCIM), freezes (UserLogin), or deactivates and
 * freezes instead when Salesforce refuses the deactivation. With Free License Seats on Disable, also removes the
 * user's permission set licenses and package licenses. The account says why a user was frozen rather than
 * deactivated, and which seats were freed.
 */
export const stdAccountDisable: StdAccountDisableHandler = async (_context, input, res) => {
    const id = accountIdOf(input)
    const clients = await connect()
    const { config, client, rest } = clients
    checkSettings(config)
    await refuseCuttingOffIntegrationUser(clients, id, 'disable')
    if (!config.governBeyondScim) {
        res.send(await accountBeyondScim({ config, rest }, await setActive(client, id, false)))
        return
    }
    const { user, results } = await cutAccess(config, client, rest, id)
    const account = await accountBeyondScim({ config, rest }, user)
    if (!config.freeLicensesOnDisable) {
        res.send(withResults(account, results))
        return
    }
    const seats = await freeSeatsOfUser(rest, id)
    logSeats(id, seats)
    res.send(
        withResults({ ...account, attributes: { ...account.attributes, ...seatsLeft(seats) } }, [
            ...results,
            ...seatResults(seats),
        ])
    )
}

/** Settings that need the REST API are refused before any request while Govern Access Beyond SCIM is off. */
function checkSettings(config: SalesforceConfig): void {
    if (config.disableAction !== 'deactivate') {
        requireBeyondScim(
            config,
            `${CONFIG_LABELS.disableAction} "${config.disableAction}"`,
            `set ${CONFIG_LABELS.disableAction} to deactivate`
        )
    }
    if (config.freeLicensesOnDisable) {
        requireBeyondScim(
            config,
            CONFIG_LABELS.freeLicensesOnDisable,
            `turn ${CONFIG_LABELS.freeLicensesOnDisable} off`
        )
    }
}

/**
 * The user as Salesforce holds them once access is cut, and what the command reports on the account. The login
 * state is not part of it: the account sent reads it again, as aggregation does.
 */
interface CutAccess {
    readonly user: ScimUser
    readonly results: readonly AccountResult[]
}

async function cutAccess(
    config: SalesforceConfig,
    client: SalesforceClient,
    rest: SalesforceRestClient,
    id: string
): Promise<CutAccess> {
    switch (config.disableAction) {
        case 'deactivate':
            return { user: await setActive(client, id, false), results: [] }
        case 'freeze': {
            // The user first: an unknown id is ISC's notFound, not a missing login record.
            const user = await client.getUser(id)
            await setFrozen(rest, await requireUserLogin(rest, id), true)
            return { user, results: [] }
        }
        case 'deactivateOrFreeze':
            return deactivateOrFreeze(client, rest, id)
    }
}

/**
 * Deactivates the user; when Salesforce refuses (the user is a default lead creator or case owner, the value of
 * a hierarchy field, the org's only administrator, a portal owner…), freezes them instead, so that their access is
 * cut at once, and says why.
 */
async function deactivateOrFreeze(
    client: SalesforceClient,
    rest: SalesforceRestClient,
    id: string
): Promise<CutAccess> {
    try {
        return { user: await setActive(client, id, false), results: [] }
    } catch (error) {
        if (!isDeactivationRefusal(error)) throw error
        const reason = (error as Error).message
        // Said before the freeze too, so that a freeze that fails still leaves why it was tried.
        logger.info(
            { userId: id, command: COMMAND },
            `Salesforce refused to deactivate user ${id}; freezing instead: ${reason}`
        )
        await setFrozen(rest, await requireUserLogin(rest, id), true)
        const message =
            `Frozen rather than deactivated: Salesforce refused to deactivate user ${id}, so the user was frozen ` +
            `(cannot log in, keeps the license). Salesforce's reason: ${reason}`
        logger.warn({ userId: id, command: COMMAND }, message)
        return {
            user: await client.getUser(id),
            results: [{ attribute: 'frozen', messages: [{ level: ResultMessageLevel.WARN, message }] }],
        }
    }
}

/**
 * Whether the deactivation itself was refused: Salesforce answers `active: false` it will not apply with a
 * refusal of the value (FIELD_INTEGRITY_EXCEPTION, INVALID, CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY, a validation
 * rule…), all InvalidRequestError. A missing permission, an unknown user, a limit or an outage is no reason to
 * freeze, and propagates.
 */
function isDeactivationRefusal(error: unknown): boolean {
    return error instanceof InvalidRequestError && !(error instanceof MissingEntitlementError)
}

const SEAT_ATTRIBUTE: Readonly<Record<SeatLicenseType, 'permissionSetLicenses' | 'packageLicenses'>> = {
    permissionSetLicense: 'permissionSetLicenses',
    packageLicense: 'packageLicenses',
}

const SEAT_LABEL: Readonly<Record<SeatLicenseType, string>> = {
    permissionSetLicense: 'permission set license',
    packageLicense: 'package license',
}

function seatName(seat: SeatAssignment): string {
    return seat.licenseName === seat.licenseId ? seat.licenseId : `${seat.licenseName} (${seat.licenseId})`
}

/** The license attributes as Salesforce now holds them: the seats it kept; a type that could not be read is left out. */
function seatsLeft(seats: FreedSeats): Record<string, string[]> {
    const left: Record<string, string[]> = {}
    for (const type of Object.keys(SEAT_LICENSE_TYPES) as SeatLicenseType[]) {
        if (seats.unread.some((unread) => unread.type === type)) continue
        left[SEAT_ATTRIBUTE[type]] = seats.kept
            .filter(({ seat }) => seat.type === type)
            .map(({ seat }) => seat.licenseId)
    }
    return left
}

function seatResults(seats: FreedSeats): AccountResult[] {
    return (Object.keys(SEAT_LICENSE_TYPES) as SeatLicenseType[]).flatMap((type): AccountResult[] => {
        const freed = seats.freed.filter((seat) => seat.type === type)
        const problems = [
            ...seats.kept
                .filter(({ seat }) => seat.type === type)
                .map(
                    ({ seat, error }) => `Salesforce kept the ${SEAT_LABEL[type]} ${seatName(seat)}: ${error.message}`
                ),
            ...seats.unread
                .filter((unread) => unread.type === type)
                .map(
                    ({ error }) =>
                        `The ${SEAT_LABEL[type]}s of the user could not be read, so none was freed (freeing them ` +
                        `needs ${ASSIGNMENT_OBJECTS[type].writePermission}): ${error.message}`
                ),
        ]
        const messages = [
            ...(freed.length > 0
                ? [
                      {
                          level: ResultMessageLevel.WARN,
                          message: `Freed ${SEAT_LABEL[type]} seats: ${freed.map(seatName).join(', ')}`,
                      },
                  ]
                : []),
            ...problems.map((message) => ({ level: ResultMessageLevel.ERROR, message })),
        ]
        if (messages.length === 0) return []
        return [
            {
                attribute: SEAT_ATTRIBUTE[type],
                ...(problems.length > 0 ? { status: ResultStatus.Error } : {}),
                messages,
            },
        ]
    })
}

function logSeats(userId: string, seats: FreedSeats): void {
    const freed = seats.freed.map((seat) => `${SEAT_LABEL[seat.type]} ${seatName(seat)}`)
    logger.info(
        { userId, command: COMMAND },
        freed.length > 0
            ? `${COMMAND}: freed the seats of user ${userId}: ${freed.join(', ')}`
            : `${COMMAND}: user ${userId} held no license seats the connector frees`
    )
    for (const { seat, error } of seats.kept) {
        logger.warn(
            { userId, command: COMMAND },
            `${COMMAND}: Salesforce kept the ${SEAT_LABEL[seat.type]} ${seatName(seat)} of user ${userId}: ${error.message}`
        )
    }
    for (const { type, error } of seats.unread) {
        logger.warn(
            { userId, command: COMMAND },
            `${COMMAND}: could not read the ${SEAT_LABEL[type]}s of user ${userId}, so none was freed: ${error.message}`
        )
    }
}
