/**
 * The source configuration, parsed once from what ISC sends (`readConfig()`) into a frozen, typed object.
 * Every key here is a `sourceConfig` item in connector-spec.json; a contract test keeps the two equal.
 */

export type AuthType = 'jwtBearer' | 'clientCredentials' | 'usernamePassword'

export interface JwtBearerAuth {
    readonly type: 'jwtBearer'
    readonly clientId: string
    readonly username: string
    /** PEM, RSA. */
    readonly privateKey: string
}

export interface ClientCredentialsAuth {
    readonly type: 'clientCredentials'
    readonly clientId: string
    readonly clientSecret: string
}

export interface UsernamePasswordAuth {
    readonly type: 'usernamePassword'
    readonly clientId: string
    readonly clientSecret: string
    readonly username: string
    /** Password with the security token appended, as Salesforce expects it. */
    readonly password: string
}

export type AuthConfig = JwtBearerAuth | ClientCredentialsAuth | UsernamePasswordAuth

export interface SalesforceConfig {
    /** https://login.salesforce.com, https://test.salesforce.com or the org's My Domain; http only on loopback (local emulator). */
    readonly loginUrl: URL
    readonly auth: AuthConfig
    /** Org session timeout: a token is reused until issued_at + this, less a safety margin. */
    readonly sessionTimeoutMinutes: number
    /** SCIM page size, 1..200 (Salesforce's maximum). */
    readonly pageSize: number
    /** Requests in flight at once for work that can overlap. */
    readonly maxConcurrency: number
    /** Optional SCIM filter that scopes account aggregation (e.g. `active eq "true"`). */
    readonly accountFilter?: string
    /** Profile a user is moved to when their profile is revoked, since Salesforce requires one. */
    readonly defaultProfileId?: string
    /** Minutes subtracted from the last delta high-water mark, against clock skew and late commits. */
    readonly deltaOverlapMinutes: number
    readonly requestTimeoutSeconds: number
    /** Attempts after the first for idempotent requests. */
    readonly maxRetries: number
    /** Log every Salesforce request and response, secrets redacted. */
    readonly traceHttp: boolean
    /** ISC's delta switch. */
    readonly statefulCommands: boolean
}
