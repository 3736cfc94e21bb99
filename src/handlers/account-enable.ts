import { StdAccountEnableHandler } from '@sailpoint/connector-sdk'
import { setActive } from './set-active'

export const stdAccountEnable: StdAccountEnableHandler = async (_context, input, res) => {
    await setActive(input, true, res)
}
