import { AccountSchema, SchemaAttribute } from '@sailpoint/connector-sdk'
import { AccountAttribute } from '../schema'
import { ScimSchema, ScimSchemaAttribute } from '../salesforce/types'
import { orgIdOfExtension } from './account'

type FixedAttribute = SchemaAttribute & { readonly name: AccountAttribute }

const text = (name: AccountAttribute, description: string): FixedAttribute => ({ name, type: 'string', description })

/**
 * The account attributes every Salesforce org has, in the order of `ACCOUNT_ATTRIBUTES`. connector-spec.json's
 * `accountSchema` holds the same list (a contract test keeps them equal); entitlement attributes name their
 * entitlement type in `schemaObjectType`.
 */
export const FIXED_ACCOUNT_ATTRIBUTES: readonly FixedAttribute[] = [
    text('id', 'Salesforce User Id (18 characters)'),
    text('userName', 'Username, unique across all Salesforce orgs'),
    text('email', 'Email address'),
    text('givenName', 'First name'),
    text('familyName', 'Last name'),
    text('displayName', 'Full name (read-only)'),
    text('nickName', 'Nickname (CommunityNickname)'),
    text('alias', 'Alias, at most 8 characters'),
    text('title', 'Title'),
    text('department', 'Department'),
    text('division', 'Division'),
    text('employeeNumber', 'Employee number'),
    { name: 'active', type: 'boolean', description: 'Whether the user is active' },
    {
        name: 'profile',
        type: 'string',
        description: 'Profile Id: every Salesforce user has exactly one',
        entitlement: true,
        managed: true,
        multi: false,
        schemaObjectType: 'profile',
    },
    {
        name: 'permissionSets',
        type: 'string',
        description: 'Ids of the permission sets assigned to the user',
        entitlement: true,
        managed: true,
        multi: true,
        schemaObjectType: 'permissionSet',
    },
    {
        name: 'role',
        type: 'string',
        description: 'Role Id (UserRole), at most one',
        entitlement: true,
        managed: true,
        multi: false,
        schemaObjectType: 'role',
    },
    {
        name: 'groups',
        type: 'string',
        description: 'Ids of the public groups the user belongs to',
        entitlement: true,
        managed: true,
        multi: true,
        schemaObjectType: 'group',
    },
    text('manager', "Manager's User Id"),
    text('managerName', "Manager's name (read-only)"),
    text('federationIdentifier', 'Federation Id used for single sign-on (SCIM externalId)'),
    text('userType', 'User type, e.g. Standard (read-only)'),
    text('locale', 'Locale, e.g. en_US'),
    text('timezone', 'Time zone, e.g. America/Los_Angeles'),
    text('preferredLanguage', 'Language, e.g. en_US'),
    text('phone', 'Work phone'),
    text('mobilePhone', 'Mobile phone'),
    text('created', 'When the user was created (read-only)'),
    text('lastModified', 'When the user was last modified (read-only)'),
]

/** SCIM attribute type → ISC schema type: ISC has string, boolean, int and long. */
export function iscTypeOf(scimType: string | undefined): 'string' | 'boolean' | 'int' {
    switch (scimType?.toLowerCase()) {
        case 'boolean':
            return 'boolean'
        case 'integer':
            return 'int'
        default:
            return 'string'
    }
}

function customAttribute(attribute: ScimSchemaAttribute): SchemaAttribute {
    return {
        name: attribute.name,
        type: iscTypeOf(attribute.type),
        description: attribute.description || attribute.name,
    }
}

/**
 * The account schema of this org: the fixed attributes plus every scalar attribute of the org's custom-field
 * extension schema (`urn:salesforce:schemas:extension:<org Id>`), named as on the account (e.g. `Cost_Center__c`).
 */
export function toAccountSchema(schemas: readonly ScimSchema[]): AccountSchema {
    const fixedNames = new Set<string>(FIXED_ACCOUNT_ATTRIBUTES.map((attribute) => attribute.name))
    const custom = schemas
        .filter((schema) => orgIdOfExtension(schema.id) !== undefined)
        .flatMap((schema) => schema.attributes ?? [])
        // Accounts carry the scalar custom fields only; the fixed names win over a clash.
        .filter(
            (attribute) =>
                attribute.type?.toLowerCase() !== 'complex' && !attribute.multiValued && !fixedNames.has(attribute.name)
        )
        .map(customAttribute)
    return {
        identityAttribute: 'id',
        displayAttribute: 'userName',
        groupAttribute: 'groups',
        attributes: [...FIXED_ACCOUNT_ATTRIBUTES.map((attribute) => ({ ...attribute })), ...custom],
    }
}
