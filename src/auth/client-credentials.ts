import { ClientCredentialsAuth } from '../config'

/** Form fields of the client credentials grant; the token runs as the connected app's "Run As" user. */
export function clientCredentialsForm(auth: ClientCredentialsAuth): URLSearchParams {
    return new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
    })
}
