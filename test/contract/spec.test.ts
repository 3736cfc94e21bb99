/**
 * What reviewers cannot see by reading one file: connector-spec.json against the handlers, parseConfig and the
 * mappers.
 */
import spec from '../../connector-spec.json'
import { connector } from '../../src/index'
import { CONFIG_LABELS, parseConfig } from '../../src/config'
import { FIXED_ACCOUNT_ATTRIBUTES } from '../../src/mapping/account-schema'
import {
    fromFeatureLicense,
    fromPackageLicense,
    fromPermissionSetGroup,
    fromPermissionSetLicense,
    fromQueue,
    fromScimEntitlement,
    fromScimGroup,
    fromScimRole,
} from '../../src/mapping/entitlement'
import { toAccountAttributes } from '../../src/mapping/account'
import { indexPageAccess, toRestAttributes } from '../../src/mapping/rest-account'
import { ACCOUNT_ATTRIBUTES, ENTITLEMENT_TYPES } from '../../src/schema'
import { USER } from '../mapping/fixtures'
import { fixture } from '../helpers/nock'
import { lookedUpProfiles } from '../helpers/rest-bodies'

interface ConfigItem {
    readonly key: string
    readonly label: string
    readonly type: string
    readonly parentKey?: string
    readonly parentValue?: string
    readonly options?: readonly { readonly value: string }[]
}

const items: ConfigItem[] = spec.sourceConfig.flatMap((menu) =>
    menu.items.flatMap((section) => section.items as ConfigItem[])
)

describe('connector-spec.json', () => {
    it('lists exactly the commands the connector registers (std:spec:read is the SDK’s own)', () => {
        const registered = [...connector.handlers.keys()].filter((command) => command !== 'std:spec:read')
        expect([...spec.commands].sort()).toEqual(registered.sort())
    })

    it('asks for exactly the config keys parseConfig reads, with the labels its messages name', () => {
        expect(items.map((item) => item.key).sort()).toEqual(Object.keys(CONFIG_LABELS).sort())
        for (const item of items) expect(item.label).toBe(CONFIG_LABELS[item.key as keyof typeof CONFIG_LABELS])
    })

    it('uses secret field types for every secret', () => {
        const types = Object.fromEntries(items.map((item) => [item.key, item.type]))
        expect(types).toMatchObject({
            clientSecret: 'secret',
            password: 'secret',
            securityToken: 'secret',
            privateKey: 'secrettextarea',
            spConnEnableStatefulCommands: 'checkbox',
        })
    })

    it('offers the JWT Audience override as an optional URL shown for JWT bearer only', () => {
        expect(items.find((item) => item.key === 'audience')).toMatchObject({
            label: 'Audience',
            type: 'url',
            parentKey: 'authType',
            parentValue: 'jwtBearer',
        })
        expect(items.find((item) => item.key === 'audience')).not.toHaveProperty('required', true)
    })

    it('makes fields depend only on existing select options', () => {
        for (const item of items.filter((i) => i.parentKey !== undefined)) {
            const parent = items.find((i) => i.key === item.parentKey)
            expect(parent?.options?.map((o) => o.value)).toContain(item.parentValue)
        }
    })

    it('has initial values that parseConfig reads back as its own defaults', () => {
        const initial = spec.sourceConfigInitialValues
        for (const key of Object.keys(initial)) expect(Object.keys(CONFIG_LABELS)).toContain(key)
        const parsed = parseConfig({
            ...initial,
            authType: 'clientCredentials',
            loginUrl: 'https://acme.my.salesforce.com',
            clientId: 'cid',
            clientSecret: 'secret',
        })
        const fromDefaults = parseConfig({
            authType: 'clientCredentials',
            loginUrl: 'https://acme.my.salesforce.com',
            clientId: 'cid',
            clientSecret: 'secret',
        })
        expect(parsed).toEqual(fromDefaults)
        expect(parsed).toMatchObject({
            sessionTimeoutMinutes: initial.sessionTimeoutMinutes,
            pageSize: initial.pageSize,
            maxConcurrency: initial.maxConcurrency,
            deltaOverlapMinutes: initial.deltaOverlapMinutes,
            requestTimeoutSeconds: initial.requestTimeoutSeconds,
            maxRetries: initial.maxRetries,
            traceHttp: initial.traceHttp,
        })
    })

    it('declares the account attributes of ACCOUNT_ATTRIBUTES, as discover-schema does', () => {
        expect(spec.accountSchema.attributes.map((a) => a.name)).toEqual([...ACCOUNT_ATTRIBUTES])
        expect(spec.accountSchema.attributes).toEqual(JSON.parse(JSON.stringify(FIXED_ACCOUNT_ATTRIBUTES)))
        expect(spec.accountSchema).toMatchObject({
            identityAttribute: 'id',
            displayAttribute: 'userName',
            groupAttribute: 'groups',
        })
    })

    it('declares every attribute the account mappers emit for a user without custom fields', () => {
        // The REST mapping's attributes from Salesforce's Composite answer for the user's page (one row per query).
        const answer = fixture<{ compositeResponse: { referenceId: string; body: { records: unknown[] } }[] }>(
            'rest/composite.user-access'
        )
        const rows = Object.fromEntries(answer.compositeResponse.map((r) => [r.referenceId, r.body.records]))
        const rest = toRestAttributes(indexPageAccess(rows)(USER.id), {
            featureLicenseFields: [],
            additionalUserFields: [],
            lookedUp: lookedUpProfiles(fixture('rest/query.profiles')),
        })
        const emitted = Object.keys({
            ...toAccountAttributes({ ...USER, 'urn:salesforce:schemas:extension:00DRM000000abcdEAA': undefined }),
            ...rest,
        })
        expect(emitted.sort()).toEqual(spec.accountSchema.attributes.map((a) => a.name).sort())
    })

    it('has one entitlement schema per entitlement type, and each entitlement attribute names one', () => {
        expect(spec.entitlementSchemas.map((s) => s.type).sort()).toEqual([...ENTITLEMENT_TYPES].sort())
        const types = spec.entitlementSchemas.map((s) => s.type)
        const entitlementAttributes = spec.accountSchema.attributes.filter((a) => 'entitlement' in a && a.entitlement)
        expect(entitlementAttributes).toHaveLength(ENTITLEMENT_TYPES.length)
        for (const attribute of entitlementAttributes) expect(types).toContain(attribute.schemaObjectType)
    })

    it.each([
        ['profile', fromScimEntitlement('profile', { id: '00eRM000001VtbnYAC', displayName: 'P', type: 'Profile' })],
        ['permissionSet', fromScimEntitlement('permissionSet', { id: '0PSRM0000004aBcDEF', displayName: 'PS' })],
        ['role', fromScimRole({ id: '00ERM000000abcdEAA', displayName: 'R' })],
        ['group', fromScimGroup({ id: '00G4W000006IKBnUAO', displayName: 'G', type: 'Regular' })],
        ['permissionSetGroup', fromPermissionSetGroup({ group: { Id: '0PG5f000000XyZaGAK' }, permissionSetIds: [] })],
        ['permissionSetLicense', fromPermissionSetLicense({ Id: '0PL5f000000LiCaGAK' })],
        ['packageLicense', fromPackageLicense({ Id: '0505f000000PkGaAAK' })],
        ['queue', fromQueue({ Id: '00G5f000004QuEaEAK' })],
        ['featureLicense', fromFeatureLicense({ field: 'UserPermissionsMarketingUser', label: 'Marketing User' })],
    ])('declares exactly the %s attributes the entitlement mapper emits', (type, output) => {
        const schema = spec.entitlementSchemas.find((s) => s.type === type)
        expect(schema?.attributes.map((a) => a.name).sort()).toEqual(Object.keys(output.attributes).sort())
        expect(schema).toMatchObject({ identityAttribute: 'id', displayAttribute: 'name' })
    })

    it('has a create template of account attributes that requires what Salesforce requires', () => {
        const fields = spec.accountCreateTemplate.fields
        for (const field of fields) expect(ACCOUNT_ATTRIBUTES as readonly string[]).toContain(field.key)
        expect(
            fields
                .filter((f) => f.required)
                .map((f) => f.key)
                .sort()
        ).toEqual(['email', 'familyName', 'profile', 'userName'])
    })

    it('supports delta aggregation and debug logging, with simple keys', () => {
        expect(spec).toMatchObject({
            name: 'Salesforce (SCIM 2.0)',
            keyType: 'simple',
            supportsStatefulCommands: true,
            showDebugLoggingOption: true,
        })
    })
})
