import { ScimUser } from '../../src/salesforce/types'
import activeUser from '../fixtures/handlers/scim/user.json'
import inactiveUser from '../fixtures/handlers/scim/user.inactive.json'

/** Salesforce's documented create response, completed with the members Salesforce adds when they have values. */
export const USER = activeUser as unknown as ScimUser
/** An inactive user with two emails (the second primary) and only a profile. */
export const INACTIVE_USER = inactiveUser as unknown as ScimUser

export const IDS = {
    user: '005RM000002FZAlYAO',
    manager: '0054W00000CVREkQAP',
    /** The user the token endpoint's identity URL names: the one the source signs in as. */
    integrationUser: '005RM000001IntgYAC',
    adminProfile: '00eRM000001VtbnYAC',
    standardProfile: '00eRM000001VtbmYAC',
    salesCloud: '0PSRM0000004aBcDEF',
    // Ids of different records differ in their first 15 characters: the last three only encode their case.
    apiEnabled: '0PSRM0000004aBd4AI',
    reports: '0PSRM0000004aBe4AI',
    westGroup: '00G4W000006IKBnUAO',
    eastGroup: '00G4W000006IKBoUAO',
    ceoRole: '00ERM000000abcdEAA',
    vpRole: '00ERM000000abceEAA',
    org: '00DRM000000abcdEAA',
} as const

/** A copy of `user` with some members replaced. */
export function withUser(user: ScimUser, changes: Record<string, unknown>): ScimUser {
    return { ...user, ...changes }
}
