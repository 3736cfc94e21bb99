import { createConnector } from '@sailpoint/connector-sdk'
import { stdAccountCreate } from './handlers/account-create'
import { stdAccountDelete } from './handlers/account-delete'
import { stdAccountDisable } from './handlers/account-disable'
import { stdAccountDiscoverSchema } from './handlers/account-discover-schema'
import { stdAccountEnable } from './handlers/account-enable'
import { stdAccountList } from './handlers/account-list'
import { stdAccountRead } from './handlers/account-read'
import { stdAccountUnlock } from './handlers/account-unlock'
import { stdAccountUpdate } from './handlers/account-update'
import { stdChangePassword } from './handlers/change-password'
import { stdEntitlementList } from './handlers/entitlement-list'
import { stdEntitlementRead } from './handlers/entitlement-read'
import { stdTestConnection } from './handlers/test-connection'

/** Every command in connector-spec.json, and nothing else (a contract test checks both ways). */
export const connector = createConnector()
    .stdTestConnection(stdTestConnection)
    .stdAccountList(stdAccountList)
    .stdAccountRead(stdAccountRead)
    .stdAccountCreate(stdAccountCreate)
    .stdAccountUpdate(stdAccountUpdate)
    .stdAccountDelete(stdAccountDelete)
    .stdAccountEnable(stdAccountEnable)
    .stdAccountDisable(stdAccountDisable)
    .stdAccountUnlock(stdAccountUnlock)
    .stdAccountDiscoverSchema(stdAccountDiscoverSchema)
    .stdEntitlementList(stdEntitlementList)
    .stdEntitlementRead(stdEntitlementRead)
    .stdChangePassword(stdChangePassword)
