import { SalesforceTokenResponse, TokenTransport } from '../auth/token-provider'
import { InvalidResponseError } from '../errors'
import { RequestPipeline } from './request-pipeline'

const TOKEN_PATH = '/services/oauth2/token'

/**
 * POSTs the grant form to the login host's token endpoint, through the request pipeline without a session. A
 * token request changes nothing in Salesforce, so unlike other POSTs it is retried on dropped connections and
 * 5xx answers.
 * @throws AuthenticationError (OAuth refusals, with what to check), TimeoutError, SalesforceServerError,
 * InvalidConfigurationError (unreachable host), InvalidResponseError.
 */
export function createTokenTransport(pipeline: RequestPipeline, loginUrl: URL): TokenTransport {
    return async (form) => {
        const { body } = await pipeline.send({
            method: 'POST',
            path: TOKEN_PATH,
            body: form,
            to: { origin: loginUrl.origin },
            changesNothing: true,
        })
        if (typeof body !== 'object' || body === null) {
            throw new InvalidResponseError(
                `The Salesforce token endpoint answered with an empty body (POST ${TOKEN_PATH}). Check Login URL`
            )
        }
        return body as SalesforceTokenResponse
    }
}
