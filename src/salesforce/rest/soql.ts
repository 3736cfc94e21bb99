/**
 * SOQL text the connector builds: literals quoted and escaped as SOQL reads them, ids checked before they are
 * put in a query, so that no value an admin or ISC sends can change a query's meaning.
 */
import { InvalidRequestError } from '../../errors'
import { toId18 } from '../ids'

/** A SOQL string literal: backslash, quote and control characters escaped as SOQL's grammar has them. */
export function soqlString(value: string): string {
    const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (char) => {
        switch (char) {
            case '\n':
                return '\\n'
            case '\r':
                return '\\r'
            case '\t':
                return '\\t'
            case '\b':
                return '\\b'
            case '\f':
                return '\\f'
            default:
                return `\\${char}`
        }
    })
    return `'${escaped}'`
}

/** The text of a SOQL id list, made only by `soqlIdList`: its ids are checked, so it may go into a query as it is. */
export type SoqlIdList = string & { readonly __checkedIds: true }

/**
 * `('005…','005…')` for an `IN`, every id checked and in its 18-character form. Built once where several queries
 * name the same ids (a page's five), and handed to each.
 */
export function soqlIdList(ids: readonly string[]): SoqlIdList {
    if (ids.length === 0) throw new InvalidRequestError('A SOQL id list needs at least one id')
    // A checked id is letters and digits only: quoted as it is, with nothing to escape.
    return `(${ids.map((id) => `'${toId18(id)}'`).join(',')})` as SoqlIdList
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/

/** A SOQL dateTime literal (unquoted) for an ISO instant in UTC, e.g. from a delta state. */
export function soqlDateTime(instant: string): string {
    if (!ISO_INSTANT.test(instant) || Number.isNaN(Date.parse(instant))) {
        throw new InvalidRequestError(`Not a UTC timestamp SOQL can compare: ${JSON.stringify(instant)}`)
    }
    return instant.replace(/\.\d+Z$/, 'Z')
}
