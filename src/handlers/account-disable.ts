import { StdAccountDisableHandler } from '@sailpoint/connector-sdk'
import { setActive } from './set-active'

export const stdAccountDisable: StdAccountDisableHandler = async (_context, input, res) => {
    await setActive(input, false, res)
}
