/**
 * The message `npm run invoke` prints for a failure, out of the SDK local server's text
 * (`<type> error: \n + <util.inspect(err)>`).
 */
import { inspect } from 'util'
import { failureMessage } from '../../scripts/invoke'

class InvalidRequestError extends Error {
    override readonly name = 'InvalidRequestError'
    readonly type = 'generic'
    readonly fields = ['type']
}

describe('failureMessage', () => {
    it('keeps the connector’s message and drops the class name, stack and properties', () => {
        const err = new InvalidRequestError('Unknown entitlement type undefined: this source has profile, group')
        expect(failureMessage(`generic error: \n + ${inspect(err)}`)).toBe(
            'Unknown entitlement type undefined: this source has profile, group'
        )
    })

    it('says when ISC would see a typed error, such as notFound', () => {
        const err = Object.assign(new Error('Not found in Salesforce: No such resource'), { type: 'notFound' })
        expect(failureMessage(`notFound error: \n + ${inspect(err)}`)).toBe(
            'Not found in Salesforce: No such resource (notFound)'
        )
    })

    it('keeps a message of several lines whole', () => {
        const err = new Error('first line\nsecond line')
        expect(failureMessage(`generic error: \n + ${inspect(err)}`)).toBe('first line\nsecond line')
    })

    it('passes on text in another shape unchanged', () => {
        expect(failureMessage('Cannot POST /\n')).toBe('Cannot POST /')
    })
})
