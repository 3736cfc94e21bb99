import { readConfig } from '@sailpoint/connector-sdk'
import { parseConfig, SalesforceConfig } from '../config'
import { createSalesforceClients, SalesforceClients } from '../salesforce/create-client'

/**
 * The parsed source config and a client for it. Read per command, never at module load: ISC supplies the
 * config with each invocation. Building the client is cheap; the token cache outlives it.
 * @throws InvalidConfigurationError naming the config field to fix.
 */
export async function connect(): Promise<SalesforceClients & { readonly config: SalesforceConfig }> {
    const config = parseConfig(await readConfig())
    return { config, ...createSalesforceClients(config) }
}
