/**
 * What the emulator's SOQL engine (`soql.ts`) needs to know of the org: its objects, their fields, and how
 * their rows relate. The REST API (`objects.ts`) implements it over the same store the SCIM API reads, so a
 * change through one shows through the other.
 */

/** A row of an sObject: field values by API name (`Id`, `AssigneeId`, `IsFrozen`…); relationship fields are not in it. */
export type SoqlRow = Readonly<Record<string, unknown>>

export type SoqlFieldType = 'id' | 'string' | 'boolean' | 'int' | 'double' | 'date' | 'datetime' | 'reference'

export interface SoqlObject {
    /** The API name, e.g. `PermissionSetAssignment`. */
    readonly name: string
    /** Field API names and types; a field not listed here is INVALID_FIELD. */
    readonly fields: Readonly<Record<string, SoqlFieldType>>
    /** Every row. `queryAll` also sees the rows deleted that Salesforce keeps (`IsDeleted` true). */
    rows(options: { readonly includeDeleted: boolean }): Iterable<SoqlRow>
    /**
     * Rows whose `field` equals one of `values`, when the object keeps an index on that field (Id, AssigneeId,
     * UserId, UserOrGroupId…): the engine uses it for `field = x` and `field IN (…)` at the top of a WHERE, so a
     * page's query over a 100,000-user org does not scan the org. Undefined when the field has no index.
     * The engine asks only for `id` and `reference` fields, with 18-character ids (text compares case-insensitively,
     * which an exact index would not), and it still applies the whole WHERE to the rows returned.
     */
    rowsWhere?(
        field: string,
        values: readonly string[],
        options: { readonly includeDeleted: boolean }
    ): Iterable<SoqlRow> | undefined
    /** Parent relationships by name (`Profile`, `Group`, `PermissionSet`, `UserLicense`…). */
    readonly parents?: Readonly<Record<string, { readonly object: string; readonly field: string }>>
    /** Child relationships by name (`PermissionSetAssignments` on User: PermissionSetAssignment by AssigneeId). */
    readonly children?: Readonly<Record<string, { readonly object: string; readonly field: string }>>
}

export interface SoqlSchema {
    /** The object by API name, case-insensitively as Salesforce reads it; undefined when it is not there. */
    object(name: string): SoqlObject | undefined
    /** The row with this Id (15 or 18 characters) in the object, for parent relationship fields. */
    rowById(object: string, id: string): SoqlRow | undefined
}
