import { AccountSchema, SchemaAttribute } from '@sailpoint/connector-sdk'
import { ACCOUNT_ATTRIBUTES, AccountAttribute, attributeSpec } from '../schema'
import { ScimSchema, ScimSchemaAttribute } from '../salesforce/types'
import { orgIdOfExtension } from './account'

type FixedAttribute = SchemaAttribute & { readonly name: AccountAttribute }

function schemaAttribute(name: AccountAttribute): FixedAttribute {
    const { type, description, entitlement, multi } = attributeSpec(name)
    if (entitlement === undefined) return { name, type, description, ...(multi === true ? { multi: true } : {}) }
    return {
        name,
        type,
        description,
        entitlement: true,
        managed: true,
        multi: multi === true,
        schemaObjectType: entitlement,
    }
}

/**
 * The account attributes every Salesforce org has, from the attribute table, in its order. connector-spec.json's
 * `accountSchema` holds the same list (a contract test keeps them equal); entitlement attributes name their
 * entitlement type in `schemaObjectType`.
 */
export const FIXED_ACCOUNT_ATTRIBUTES: readonly FixedAttribute[] = ACCOUNT_ATTRIBUTES.map(schemaAttribute)

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

/** A User describe type → ISC schema type: whole numbers as int, booleans as boolean, everything else as text. */
function iscTypeOfUserField(describeType: string): 'string' | 'boolean' | 'int' {
    switch (describeType.toLowerCase()) {
        case 'boolean':
            return 'boolean'
        case 'int':
            return 'int'
        default:
            return 'string'
    }
}

/**
 * The schema with the further User fields read through REST (setting Additional User Fields), named by their API
 * names as on the account. A field already in the schema (a custom field SCIM shows too) keeps its entry.
 */
export function withAdditionalUserFields(
    schema: AccountSchema,
    fields: readonly { readonly name: string; readonly type: string; readonly label: string }[]
): AccountSchema {
    const known = new Set(schema.attributes.map((attribute) => attribute.name))
    const added = fields
        .filter((field) => !known.has(field.name))
        .map((field) => ({ name: field.name, type: iscTypeOfUserField(field.type), description: field.label }))
    return added.length === 0 ? schema : { ...schema, attributes: [...schema.attributes, ...added] }
}
