/**
 * The errors the SOQL engine raises, with Salesforce's `errorCode` and message forms, so that the REST API can
 * answer them as Salesforce does (`[{ "errorCode": "INVALID_FIELD", "message": "No such column ..." }]`, HTTP 400).
 */

export type SoqlErrorCode =
    | 'MALFORMED_QUERY'
    | 'INVALID_FIELD'
    | 'INVALID_TYPE'
    | 'INVALID_QUERY_FILTER_OPERATOR'
    | 'NUMBER_OUTSIDE_VALID_RANGE'

export class SoqlError extends Error {
    override readonly name = 'SoqlError'

    constructor(
        readonly errorCode: SoqlErrorCode,
        message: string
    ) {
        super(message)
    }
}

/** A clause or form the engine does not evaluate: refused loudly rather than ignored. */
export function unsupported(what: string): SoqlError {
    return new SoqlError('MALFORMED_QUERY', `${what} is not supported by the emulator's SOQL engine`)
}

export function unexpectedToken(token: string): SoqlError {
    return new SoqlError('MALFORMED_QUERY', `unexpected token: ${token}`)
}

export function noSuchColumn(field: string, object: string): SoqlError {
    return new SoqlError(
        'INVALID_FIELD',
        `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to ` +
            `append the '__c' after the custom field name. Please reference your WSDL or the describe call for the ` +
            `appropriate names.`
    )
}

export function noSuchRelationship(relationship: string, where: 'field path' | 'FROM part of query call'): SoqlError {
    return new SoqlError(
        where === 'field path' ? 'INVALID_FIELD' : 'INVALID_TYPE',
        `Didn't understand relationship '${relationship}' in ${where}. If you are attempting to use a custom ` +
            `relationship, be sure to append the '__r' after the custom relationship name. Please reference your ` +
            `WSDL or the describe call for the appropriate names.`
    )
}

export function unsupportedType(object: string): SoqlError {
    return new SoqlError(
        'INVALID_TYPE',
        `sObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to ` +
            `append the '__c' after the entity name. Please reference your WSDL or the describe call for the ` +
            `appropriate names.`
    )
}

export function invalidId(literal: string): SoqlError {
    return new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${literal}`)
}

export const MAX_OFFSET = 2000

export function offsetTooLarge(): SoqlError {
    return new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`)
}
