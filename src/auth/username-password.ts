import { UsernamePasswordAuth } from '../config'

/**
 * Form fields of the username-password grant. `password` already carries the security token appended.
 * Salesforce retires this flow for connected apps in Winter '27; prefer JWT bearer.
 */
export function usernamePasswordForm(auth: UsernamePasswordAuth): URLSearchParams {
    return new URLSearchParams({
        grant_type: 'password',
        client_id: auth.clientId,
        client_secret: auth.clientSecret,
        username: auth.username,
        password: auth.password,
    })
}
