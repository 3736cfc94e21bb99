/** Account attributes as ISC sends them to the connector's commands. */
import { IDS } from '../mapping/fixtures'

/** The least a `std:account:create` needs: a user name, an email, a last name and a profile. */
export const MINIMAL_CREATE: Readonly<Record<string, unknown>> = {
    userName: 'avery@acme.example',
    email: 'avery@acme.example',
    familyName: 'Stone',
    profile: IDS.standardProfile,
}
