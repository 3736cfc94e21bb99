/**
 * The shapes Salesforce's error bodies come in, read into one form: SCIM errors (`detail`, a stringified
 * `schemas`), REST arrays, OAuth errors, the SCIM 1.1 `Errors` list, DML exception text, HTML and empty bodies.
 */
import { parseErrorBody, parseScimDetail } from '../../../src/http/error-body'

const KNOWN = new Set(['REQUIRED_FIELD_MISSING', 'DUPLICATE_USERNAME', 'INVALID_EMAIL_ADDRESS'])
const known = (code: string): boolean => KNOWN.has(code)

describe('parseErrorBody', () => {
    it('reads a REST error array with its fields, leading with the code the connector knows', () => {
        const body = [
            { message: 'Email: invalid email address: x', errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] },
            { message: 'no such column', errorCode: 'INVALID_FIELD', fields: [7] },
        ]
        expect(parseErrorBody(body, 'application/json', known)).toEqual({
            errorCode: 'INVALID_EMAIL_ADDRESS',
            text: 'Email: invalid email address: x; INVALID_FIELD: no such column',
            fields: ['Email'],
            codes: ['INVALID_EMAIL_ADDRESS', 'INVALID_FIELD'],
        })
    })

    it('reads an array without error records as its JSON text', () => {
        expect(parseErrorBody(['x'], 'application/json', known)).toEqual({ text: '["x"]', codes: [] })
    })

    it('reads an OAuth error, with or without its description', () => {
        expect(parseErrorBody({ error: 'invalid_grant', error_description: 'expired' }, undefined, known)).toEqual({
            errorCode: 'invalid_grant',
            text: 'expired',
            codes: ['invalid_grant'],
        })
        expect(parseErrorBody({ error: 'invalid_client' }, undefined, known).text).toBe('invalid_client')
    })

    it('reads the SCIM 1.1 Errors list', () => {
        const body = { Errors: [{ description: 'DUPLICATE_USERNAME:Duplicate Username.', code: 409 }, 'noise'] }
        expect(parseErrorBody(body, undefined, known)).toMatchObject({
            errorCode: 'DUPLICATE_USERNAME',
            text: 'Duplicate Username.',
        })
    })

    it('reads a body with only a message, or only an errorCode', () => {
        expect(parseErrorBody({ message: 'Session expired or invalid' }, undefined, known)).toMatchObject({
            text: 'Session expired or invalid',
            codes: [],
        })
        expect(parseErrorBody({ errorCode: 'INVALID_SESSION_ID' }, undefined, known)).toMatchObject({
            errorCode: 'INVALID_SESSION_ID',
            text: 'INVALID_SESSION_ID',
        })
    })

    it('reads an object of no known shape, or a value that is not one, as its JSON text', () => {
        expect(parseErrorBody({ status: 500 }, undefined, known)).toEqual({ text: '{"status":500}', codes: [] })
        expect(parseErrorBody(42, undefined, known)).toEqual({ text: '42', codes: [] })
    })

    it('says an empty body is empty, and names the title of an HTML page', () => {
        expect(parseErrorBody('  ', undefined, known)).toMatchObject({
            text: 'the response body is empty',
            notApi: true,
        })
        expect(parseErrorBody('<html><title>Maintenance</title></html>', 'text/html', known)).toMatchObject({
            text: 'an HTML page ("Maintenance") instead of JSON',
            notApi: true,
        })
        expect(parseErrorBody('<p>down</p>', undefined, known).text).toBe('an HTML page instead of JSON')
    })

    it('reads JSON sent as text, and plain text as a SCIM detail', () => {
        expect(parseErrorBody('{"detail":"DUPLICATE_USERNAME:taken"}', 'text/plain', known)).toMatchObject({
            errorCode: 'DUPLICATE_USERNAME',
            text: 'taken',
        })
        expect(parseErrorBody('Gateway timeout;', 'text/plain', known)).toMatchObject({ text: 'Gateway timeout' })
    })
})

describe('parseScimDetail', () => {
    it('splits CODE:reason segments', () => {
        expect(
            parseScimDetail('REQUIRED_FIELD_MISSING:user_must_have_one_entitlement_which_must_be_a_profileid;')
        ).toEqual([
            { code: 'REQUIRED_FIELD_MISSING', reason: 'user_must_have_one_entitlement_which_must_be_a_profileid' },
        ])
        expect(parseScimDetail('DUPLICATE_USERNAME:taken; INVALID_EMAIL_ADDRESS:bad')).toEqual([
            { code: 'DUPLICATE_USERNAME', reason: 'taken' },
            { code: 'INVALID_EMAIL_ADDRESS', reason: 'bad' },
        ])
    })

    it('reads the code of DML exception text', () => {
        expect(
            parseScimDetail(
                'Insert failed. First exception on row 0; first error: DUPLICATE_USERNAME, Duplicate Username.: []'
            )
        ).toEqual([{ code: 'DUPLICATE_USERNAME', reason: 'Duplicate Username.' }])
    })

    it('takes a code buried in free text only when the connector knows it', () => {
        expect(parseScimDetail('The request failed with DUPLICATE_USERNAME here', known)).toEqual([
            { code: 'DUPLICATE_USERNAME', reason: 'The request failed with DUPLICATE_USERNAME here' },
        ])
        expect(parseScimDetail('PLEASE try again', known)).toEqual([{ reason: 'PLEASE try again' }])
    })
})
