import axios, { AxiosResponseTransformer, InternalAxiosRequestConfig } from 'axios'
import { exchange, readBody } from '../../../src/http/exchange'
import { JSON_UTF8, usersPage } from '../../helpers/scim-bodies'
import { nock, useNock } from '../../helpers/nock'

/**
 * `readBody` must read every body exactly as axios's default response handling did before the connector took the
 * bytes: the error mapping (HTML pages, empty bodies, text) and the JSON the handlers see depend on it.
 */

useNock()

const HOST = 'https://body.test'

/** What axios's defaults make of a body: UTF-8 with the BOM dropped, then its default JSON transform. */
function axiosDefault(bytes: Buffer): unknown {
    let text = bytes.toString('utf8')
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    const [transform] = axios.defaults.transformResponse as AxiosResponseTransformer[]
    return transform?.call(axios.defaults as unknown as InternalAxiosRequestConfig, text, {} as never)
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8')
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

const BODIES: readonly (readonly [string, Buffer])[] = [
    ['ASCII JSON', utf8('{"totalResults":1,"Resources":[{"id":"005"}]}')],
    ['JSON with accents, CJK, an emoji and U+2028', utf8('{"a":"José Müller","b":["日本語","😀"],"c":"x\u2028y"}')],
    ['JSON with escapes next to accents', utf8('{"a":"\\\\é","b":"\\"é\\"","c":"\\u00e9é","d":"\\\\\\\\ü"}')],
    ['an escape of an accented character (invalid JSON)', utf8('{"a":"\\é"}')],
    ['a broken \\u escape with an accent in it', utf8('{"a":"\\u00é9"}')],
    ['an accent outside a string', utf8('{"a":1}é')],
    ['an accented key without quotes', utf8('{é:1}')],
    ['a BOM before JSON', Buffer.concat([BOM, utf8('{"a":"é"}')])],
    ['a BOM alone', BOM],
    ['a BOM before text', Buffer.concat([BOM, utf8('Désolé')])],
    ['empty', Buffer.alloc(0)],
    ['whitespace', utf8('  \n')],
    ['JSON with surrounding whitespace', utf8(' \n{"a":"é"}\n ')],
    ['an HTML page', utf8('<html><head><title>Maintenance – Désolé</title></head><body>ü</body></html>')],
    ['plain text', utf8('INVALID_SESSION_ID: Session expired or invalid: é')],
    ['JSON scalars', utf8('"é"')],
    ['a number', utf8('123')],
    ['null', utf8('null')],
    ['a REST error array', utf8('[{"message":"Champ obligatoire: Nom","errorCode":"REQUIRED_FIELD_MISSING"}]')],
    ['invalid UTF-8 in a string', Buffer.concat([utf8('{"a":"'), Buffer.from([0xff, 0xc3]), utf8('"}')])],
    ['UTF-8 cut at the end', Buffer.concat([utf8('{"a":"é"}'), Buffer.from([0xe2, 0x82])])],
    ['a lone continuation byte before ASCII', Buffer.concat([utf8('{"a":"'), Buffer.from([0x80]), utf8('b"}')])],
]

describe('readBody', () => {
    it.each(BODIES)('reads %s as axios did', (_name, bytes) => {
        const read = readBody(bytes)
        const expected = axiosDefault(bytes)
        expect(read).toEqual(expected)
        expect(typeof read).toBe(typeof expected)
    })

    it('reads a page of Salesforce users with accented names as axios did', () => {
        const user = {
            id: '005RM000002FZAlYAO',
            userName: 'josé.müller@example.com',
            name: { formatted: 'José Müller 😀' },
        }
        const page = utf8(usersPage([user]))
        const read = readBody(page)
        expect(read).toEqual(axiosDefault(page))
        expect(JSON.stringify(read)).toContain('José Müller 😀')
    })

    it('reads random mixes of JSON syntax, escapes and characters past ASCII as axios did', () => {
        const pieces = [
            '{',
            '}',
            '[',
            ']',
            '"',
            '\\',
            '\\\\',
            '\\u',
            '00e9',
            'é',
            '😀',
            '日',
            'a',
            '1',
            ':',
            ',',
            ' ',
            'u',
        ]
        let seed = 7
        const random = (n: number): number => {
            seed = (seed * 1103515245 + 12345) % 2147483648
            return seed % n
        }
        for (let round = 0; round < 2000; round++) {
            let text = ''
            for (let k = random(12) + 1; k > 0; k--) text += pieces[random(pieces.length)] ?? ''
            // Half of them as a JSON string value, where most of them are valid JSON.
            const bytes = utf8(round % 2 === 0 ? text : `{"v":"${text}"}`)
            expect([text, readBody(bytes)]).toEqual([text, axiosDefault(bytes)])
        }
    })

    it('reads long bodies, with runs of backslashes and characters past ASCII across every chunk boundary, as axios did', () => {
        // ASCII runs are copied 256 bytes at a time: a run of backslashes, an escape or a character past ASCII
        // may fall on either side of a boundary, or straddle it.
        const tails = ['\\', '\\\\', '\\\\\\', '\\"', '\\u00e9', 'é', '😀', '日本', '\\é', 'a']
        for (let padding = 240; padding < 275; padding++) {
            for (const tail of tails) {
                const text = `${'x'.repeat(padding - 7)}${tail}${'\\'.repeat(padding % 5)}é${'y'.repeat(300)}ü`
                for (const body of [`{"v":"${text}"}`, `["${'\\\\'.repeat(padding)}","${text}"]`]) {
                    const bytes = utf8(body)
                    expect([padding, tail, readBody(bytes)]).toEqual([padding, tail, axiosDefault(bytes)])
                }
            }
        }
    })

    it('reads a body too large for the reused buffer (over 1.3 MB, past ASCII) as axios did, and a small one after it', () => {
        const large = utf8(`{"v":"${'é日😀\\\\'.repeat(140_000)}"}`)
        expect(large.length).toBeGreaterThan(1_400_000)
        expect(readBody(large)).toEqual(axiosDefault(large))
        const small = utf8('{"a":"José"}')
        expect(readBody(small)).toEqual({ a: 'José' })
    })

    it('leaves a value that is not bytes as it came', () => {
        expect(readBody({ a: 1 })).toEqual({ a: 1 })
        expect(readBody(undefined)).toBeUndefined()
    })
})

describe('the answer a request gets', () => {
    it('is the JSON a JSON body holds, and the text of any other, as axios gave them', async () => {
        const page = { totalResults: 1, Resources: [{ id: '005RM000002FZAlYAO', name: { formatted: 'Zoë Ångström' } }] }
        nock(HOST).get('/json').reply(200, JSON.stringify(page), JSON_UTF8)
        nock(HOST).get('/html').reply(503, '<html><title>Désolé</title></html>', { 'Content-Type': 'text/html' })
        nock(HOST).get('/empty').reply(204)
        const http = axios.create()
        const outcomes = await Promise.all(
            ['/json', '/html', '/empty'].map((path) =>
                exchange(http, { method: 'GET', url: `${HOST}${path}` }, Date.now)
            )
        )
        expect(outcomes.map((o) => (o.kind === 'response' ? [o.status, o.data] : o))).toEqual([
            [200, page],
            [503, '<html><title>Désolé</title></html>'],
            [204, ''],
        ])
    })
})
