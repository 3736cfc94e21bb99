import { readConfig } from '@sailpoint/connector-sdk'
import { parseConfig, SalesforceConfig } from '../config'
import { SalesforceClient } from '../salesforce/client'
import { createSalesforceClient } from '../salesforce/create-client'

/**
 * The parsed source config and a client for it. Read per command, never at module load: ISC supplies the
 * config with each invocation. Building the client is cheap; the token cache outlives it.
 * @throws InvalidConfigurationError naming the config field to fix.
 */
export async function connect(): Promise<{ readonly config: SalesforceConfig; readonly client: SalesforceClient }> {
    const config = parseConfig(await readConfig())
    return { config, client: createSalesforceClient(config) }
}
