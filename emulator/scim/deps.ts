import { Request } from 'express'
import { SessionStore } from '../sessions'
import { EmulatorStats } from '../stats'
import { OrgStore } from '../store'
import { VariantSwitch } from '../variants'
import { RequestContext } from './common'

/** What every SCIM route module needs from the running emulator. */
export interface ScimDeps {
    readonly store: OrgStore
    readonly sessions: SessionStore
    readonly stats: EmulatorStats
    /** Read `variants.current` per request: variants can change while the emulator runs. */
    readonly variants: VariantSwitch
    readonly defaultUserPageSize: number
    /** Scheme and host as the client addressed the emulator; used for `meta.location` and member `$ref`s. */
    context(req: Request): RequestContext
}

/** Page size of /Groups, /Entitlements and /Roles when no `count` is sent (pilot: 200). */
export const DEFAULT_PAGE_SIZE = 200
