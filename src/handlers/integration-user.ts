import { InvalidRequestError } from '../errors'
import { SalesforceClients } from '../salesforce/create-client'
import { sameId } from '../salesforce/ids'

/**
 * Refuses, before any write, to deactivate or freeze the user the source signs in as: Salesforce would carry it
 * out, and every later command of the source (the aggregation that would show the change included) would then
 * fail to sign in until an administrator reactivated the user in Setup.
 * @throws InvalidRequestError naming the user and what to do instead.
 */
export async function refuseCuttingOffIntegrationUser(
    clients: Pick<SalesforceClients, 'signedInUserId'>,
    userId: string,
    action: 'deactivate' | 'disable'
): Promise<void> {
    const integrationUserId = await clients.signedInUserId()
    if (integrationUserId === undefined || !sameId(integrationUserId, userId)) return
    throw new InvalidRequestError(
        `Salesforce user ${userId} is the integration user this source signs in as: to ${action} it would lock ` +
            'the connector out of Salesforce, so nothing was changed. Sign the source in as another user first, ' +
            `or ${action} this user in Salesforce Setup.`
    )
}
