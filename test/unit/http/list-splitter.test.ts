import * as fs from 'fs'
import * as path from 'path'
import { isDeepStrictEqual } from 'util'
import { InvalidResponseError } from '../../../src/errors'
import { prng } from '../../../emulator/random'
import { ListResponseSplitter } from '../../../src/http/list-splitter'

const NOT_A_LIST = 'Salesforce sent a list that is not a SCIM ListResponse'

/**
 * A page of `GET /services/scim/v2/Users` as Salesforce sends it. The first user is the documented create
 * response (the docs' sample, verbatim down to the first entitlement), completed with the members the pilot
 * serialiser writes after it (../shared/reference/salesforce-scim.md §2.2); the envelope is §2.6's.
 */
const SALESFORCE_USERS = `{
    "totalResults": 2,
    "itemsPerPage": 2,
    "startIndex": 1,
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "Resources": [
        {
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
            ],
            "id": "005RM000002FZAlYAO",
            "userName": "scimuser@mycompany.com",
            "externalId": "scimUser",
            "name": { "formatted": "User Scim", "familyName": "Scim", "givenName": "User" },
            "displayName": "User Scim",
            "nickName": "scimUser@mycompany.com",
            "emails": [ { "type": "work", "primary": true, "value": "user@mycompany.com" } ],
            "photos": [
                { "type": "photo", "value": "https://mycompany.file.force.com/profilephoto/005/F" },
                { "type": "thumbnail", "value": "https://mycompany.file.force.com/profilephoto/005/T" }
            ],
            "userType": "Standard",
            "preferredLanguage": "en_US",
            "emailEncodingKey": "UTF-8",
            "locale": "en_US",
            "timezone": "America/Los_Angeles",
            "active": true,
            "entitlements": [
                {
                    "value": "00eRM000001VtbnYAC",
                    "$ref": "/Entitlements/00eRM000001VtbnYAC",
                    "display": "System Administrator",
                    "type": "Profile",
                    "primary": true
                },
                {
                    "value": "0PSRM0000004aBcDEF",
                    "$ref": "/Entitlements/0PSRM0000004aBcDEF",
                    "display": "Sales Cloud User",
                    "type": "Permission Set",
                    "primary": false
                }
            ],
            "groups": [ { "value": "00G4W000006IKBnUAO", "$ref": "/Groups/00G4W000006IKBnUAO", "display": "mycompany-West" } ],
            "roles": [ { "value": "00ERM000000abcdEAA", "$ref": "/Roles/00ERM000000abcdEAA", "display": "CEO" } ],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "organization": "00DDn000000HgmiMAC",
                "division": "Americas",
                "employeeNumber": "E-1042",
                "department": "Sales",
                "manager": { "value": "0054W00000CVREkQAP", "$ref": "/Users/0054W00000CVREkQAP", "displayName": "Mona Manager" }
            },
            "urn:salesforce:schemas:extension:00DDn000000HgmiMAC": {
                "Cost_Center__c": "CC-100",
                "Badge_Number__c": 4711,
                "Is_Contractor__c": false
            },
            "urn:salesforce:schemas:extension:1.0": { "alias": "uscim" },
            "meta": {
                "created": "2020-10-25T09:27:40Z",
                "lastModified": "2020-10-25T09:27:40Z",
                "location": "https://mycompany.my.salesforce.com/services/scim/v2/Users/005RM000002FZAlYAO",
                "resourceType": "User",
                "version": "2aa9ea6605cb4c31403cdfd1b020cde5dd255300"
            }
        },
        {
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
            ],
            "id": "0054W00000CVREkQAP",
            "userName": "mona.manager@mycompany.com",
            "name": { "formatted": "Mona Manager", "familyName": "Manager", "givenName": "Mona" },
            "displayName": "Mona Manager",
            "nickName": "mona.manager",
            "emails": [ { "type": "work", "primary": true, "value": "mona.manager@mycompany.com" } ],
            "userType": "Standard",
            "preferredLanguage": "en_US",
            "emailEncodingKey": "UTF-8",
            "locale": "en_US",
            "timezone": "America/Los_Angeles",
            "active": false,
            "entitlements": [
                {
                    "value": "00eRM000001VtboYAC",
                    "$ref": "/Entitlements/00eRM000001VtboYAC",
                    "display": "Standard User",
                    "type": "Profile",
                    "primary": true
                }
            ],
            "groups": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "organization": "00DDn000000HgmiMAC",
                "department": "Sales"
            },
            "urn:salesforce:schemas:extension:00DDn000000HgmiMAC": { "Cost_Center__c": "CC-200" },
            "urn:salesforce:schemas:extension:1.0": { "alias": "mmana" },
            "meta": {
                "created": "2019-03-02T17:01:12Z",
                "lastModified": "2021-11-30T08:45:00Z",
                "location": "https://mycompany.my.salesforce.com/services/scim/v2/Users/0054W00000CVREkQAP",
                "resourceType": "User",
                "version": "7f3c1a0e5b9d2c4e6a8b0c2d4e6f8a0b1c3d5e7f"
            }
        }
    ]
}`

/** The same page without whitespace, as the wire usually carries it. */
const SALESFORCE_USERS_COMPACT = JSON.stringify(JSON.parse(SALESFORCE_USERS))

interface Outcome {
    /** What each push returned. */
    readonly batches: unknown[][]
    /** The batches concatenated. */
    readonly resources: unknown[]
    readonly envelope: Record<string, unknown>
}

interface Expected {
    readonly resources: unknown[]
    readonly envelope: Record<string, unknown>
}

function bytes(body: string | Buffer): Buffer {
    return typeof body === 'string' ? Buffer.from(body, 'utf8') : body
}

/** What a whole-body JSON.parse makes of the body: its `Resources`, and the rest. */
function expectedOf(body: string | Buffer): Expected {
    const { Resources, ...envelope } = JSON.parse(bytes(body).toString('utf8')) as Record<string, unknown>
    return { resources: (Resources as unknown[] | undefined) ?? [], envelope }
}

/** Pushes the chunks in turn, then ends the body. */
function feed(chunks: readonly Buffer[]): Outcome {
    const splitter = new ListResponseSplitter()
    const batches = chunks.map((chunk) => splitter.push(chunk))
    return { batches, resources: batches.flat(), envelope: splitter.end() }
}

/** Copies, like the fresh buffers a socket hands out. */
function splitAt(body: string | Buffer, ...points: number[]): Buffer[] {
    const all = bytes(body)
    const bounds = [0, ...points, all.length]
    return bounds.slice(1).map((end, k) => Buffer.from(all.subarray(bounds[k], end)))
}

function chunksOf(body: string | Buffer, size: number): Buffer[] {
    const all = bytes(body)
    const points: number[] = []
    for (let at = size; at < all.length; at += size) points.push(at)
    return splitAt(all, ...points)
}

/** Chunks of 1..maxSize bytes (and now and then an empty one), drawn from the seed. */
function randomChunks(body: string | Buffer, seed: number, maxSize: number): Buffer[] {
    const all = bytes(body)
    const random = prng(seed)
    const points: number[] = []
    for (let at = 0; at < all.length;) {
        at = random() < 0.05 ? at : Math.min(all.length, at + 1 + Math.floor(random() * maxSize))
        points.push(at)
    }
    return splitAt(all, ...points.slice(0, -1))
}

/** Why feeding these chunks does not give what JSON.parse gives, or undefined when it does. */
function mismatch(chunks: readonly Buffer[], expected: Expected): string | undefined {
    try {
        const outcome = feed(chunks)
        if (!isDeepStrictEqual(outcome.resources, expected.resources)) return 'different resources'
        if (!isDeepStrictEqual(outcome.envelope, expected.envelope)) return 'a different envelope'
        return undefined
    } catch (error: unknown) {
        return error instanceof Error ? error.message : String(error)
    }
}

/** Every way of cutting the body in two: the split points (and the trouble) where it goes wrong. */
function twoChunkFailures(body: string | Buffer): { at: number; problem: string }[] {
    const all = bytes(body)
    const expected = expectedOf(all)
    const failures: { at: number; problem: string }[] = []
    for (let at = 0; at <= all.length; at++) {
        const problem = mismatch(splitAt(all, at), expected)
        if (problem !== undefined) failures.push({ at, problem })
    }
    return failures
}

function expectSameAsJsonParse(body: string | Buffer, chunks: readonly Buffer[] = [bytes(body)]): Outcome {
    const outcome = feed(chunks)
    const expected = expectedOf(body)
    expect(outcome.resources).toEqual(expected.resources)
    expect(outcome.envelope).toEqual(expected.envelope)
    return outcome
}

/** The InvalidResponseError the action throws. */
function invalidFrom(action: () => unknown): InvalidResponseError {
    try {
        action()
    } catch (error: unknown) {
        expect(error).toBeInstanceOf(InvalidResponseError)
        return error as InvalidResponseError
    }
    throw new Error('expected an InvalidResponseError, but nothing was thrown')
}

/** Pushes every chunk, then ends: for bodies that must be refused somewhere along the way. */
function pushAllThenEnd(splitter: ListResponseSplitter, chunks: readonly Buffer[]): void {
    for (const chunk of chunks) splitter.push(chunk)
    splitter.end()
}

function refusal(body: string | Buffer, chunks: readonly Buffer[] = [bytes(body)]): string {
    return invalidFrom(() => pushAllThenEnd(new ListResponseSplitter(), chunks)).message
}

/** A deterministic user with awkward content: escapes, non-ASCII, structural characters in strings. */
function generatedUser(n: number, random: () => number): Record<string, unknown> {
    const id = `005Dn${String(n).padStart(10, '0')}AAC`
    const names = ['Renée', 'Zoë', '漢字', 'O\'Brien "OB"', 'C:\\Users\\', 'Smile 😀', '{[,:]}', 'Resources']
    const pick = (): string => names[Math.floor(random() * names.length)] as string
    return {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        id,
        userName: `user${n}@mycompany.com`,
        name: { formatted: `${pick()} ${pick()}`, familyName: pick(), givenName: pick() },
        displayName: pick(),
        emails: [{ type: 'work', primary: true, value: `user${n}@mycompany.com` }],
        active: random() < 0.8,
        entitlements: [
            { value: '00eRM000001VtbnYAC', $ref: '/Entitlements/00eRM000001VtbnYAC', type: 'Profile', primary: true },
        ],
        groups: random() < 0.5 ? [] : [{ value: '00G4W000006IKBnUAO', display: pick() }],
        'urn:salesforce:schemas:extension:00DDn000000HgmiMAC': {
            Notes__c: `${pick()}\\${pick()}\n\t"${pick()}"`,
            Score__c: Math.floor(random() * 1000) / 10,
            Nothing__c: null,
        },
        meta: { resourceType: 'User', location: `https://mycompany.my.salesforce.com/services/scim/v2/Users/${id}` },
    }
}

function generatedPage(count: number, seed: number): Record<string, unknown> {
    const random = prng(seed)
    return {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 1000,
        itemsPerPage: count,
        startIndex: 1,
        Resources: Array.from({ length: count }, (_, n) => generatedUser(n, random)),
    }
}

const LARGE_COMPACT = JSON.stringify(generatedPage(120, 42))
const LARGE_PRETTY = JSON.stringify(generatedPage(120, 42), null, '\t').replace(/\n/g, '\r\n')

describe('ListResponseSplitter', () => {
    describe('a Salesforce ListResponse of users', () => {
        it('hands out every user, parsed, and returns the envelope without Resources', () => {
            const outcome = expectSameAsJsonParse(SALESFORCE_USERS)
            expect(outcome.envelope).toEqual({
                totalResults: 2,
                itemsPerPage: 2,
                startIndex: 1,
                schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
            })
            expect(outcome.resources.map((user) => (user as { id: string }).id)).toEqual([
                '005RM000002FZAlYAO',
                '0054W00000CVREkQAP',
            ])
        })

        it('keeps the enterprise and custom extensions, entitlements and groups of each user', () => {
            const [first] = feed([bytes(SALESFORCE_USERS)]).resources as Record<string, unknown>[]
            expect(first?.['urn:salesforce:schemas:extension:00DDn000000HgmiMAC']).toEqual({
                Cost_Center__c: 'CC-100',
                Badge_Number__c: 4711,
                Is_Contractor__c: false,
            })
            expect(first?.['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toMatchObject({
                organization: '00DDn000000HgmiMAC',
                manager: { value: '0054W00000CVREkQAP' },
            })
            expect(first?.entitlements).toHaveLength(2)
            expect(first?.groups).toEqual([
                { value: '00G4W000006IKBnUAO', $ref: '/Groups/00G4W000006IKBnUAO', display: 'mycompany-West' },
            ])
        })

        it('gives the same answer for the compact (whitespace-free) form', () => {
            expectSameAsJsonParse(SALESFORCE_USERS_COMPACT)
        })

        it('counts the resources it has handed out', () => {
            const splitter = new ListResponseSplitter()
            expect(splitter.resourceCount).toBe(0)
            for (const chunk of chunksOf(SALESFORCE_USERS_COMPACT, 100)) splitter.push(chunk)
            expect(splitter.resourceCount).toBe(2)
        })
    })

    describe('chunk boundaries', () => {
        const SMALL = '{"totalResults":2,"Resources":[{"id":"a","n":[1,{"x":"}"}]},{"id":"b"}],"startIndex":1}'

        it('gives the same answer wherever a small body is cut in two', () => {
            expect(twoChunkFailures(SMALL)).toEqual([])
        })

        it('gives the same answer wherever a small body is cut in three', () => {
            const expected = expectedOf(SMALL)
            const failures: number[][] = []
            for (let a = 0; a <= SMALL.length; a++) {
                for (let b = a; b <= SMALL.length; b++) {
                    if (mismatch(splitAt(SMALL, a, b), expected) !== undefined) failures.push([a, b])
                }
            }
            expect(failures).toEqual([])
        })

        it('gives the same answer wherever the Salesforce page is cut in two', () => {
            expect(twoChunkFailures(SALESFORCE_USERS_COMPACT)).toEqual([])
            expect(twoChunkFailures(SALESFORCE_USERS)).toEqual([])
        })

        it('gives the same answer for 1-byte chunks', () => {
            expectSameAsJsonParse(SALESFORCE_USERS, chunksOf(SALESFORCE_USERS, 1))
            expectSameAsJsonParse(SALESFORCE_USERS_COMPACT, chunksOf(SALESFORCE_USERS_COMPACT, 1))
            expectSameAsJsonParse(LARGE_COMPACT, chunksOf(LARGE_COMPACT, 1))
        })

        it('hands out each resource from the push that brings its last byte when chunks are 1 byte', () => {
            const outcome = feed(chunksOf(SALESFORCE_USERS_COMPACT, 1))
            expect(outcome.batches.filter((batch) => batch.length > 0).map((batch) => batch.length)).toEqual([1, 1])
        })

        it.each([
            ['compact', LARGE_COMPACT],
            ['tab-indented with CRLF', LARGE_PRETTY],
        ])('gives the same answer for seeded random chunkings of a large %s body', (_, body) => {
            const expected = expectedOf(body)
            const failures: { seed: number; maxSize: number; problem: string }[] = []
            for (let seed = 1; seed <= 40; seed++) {
                for (const maxSize of [3, 17, 256, 8192]) {
                    const problem = mismatch(randomChunks(body, seed, maxSize), expected)
                    if (problem !== undefined) failures.push({ seed, maxSize, problem })
                }
            }
            expect(failures).toEqual([])
            expect(expected.resources).toHaveLength(120)
        })

        it('ignores empty chunks anywhere', () => {
            const [head, tail] = splitAt(SALESFORCE_USERS_COMPACT, 500)
            const empty = Buffer.alloc(0)
            expectSameAsJsonParse(SALESFORCE_USERS_COMPACT, [empty, head!, empty, empty, tail!, empty])
        })

        it('hands out all the resources a single chunk completes, in the order sent', () => {
            const outcome = feed([bytes(LARGE_COMPACT)])
            expect(outcome.batches).toHaveLength(1)
            expect(outcome.batches[0]).toEqual(expectedOf(LARGE_COMPACT).resources)
        })
    })

    describe('whitespace', () => {
        const page = JSON.parse(SALESFORCE_USERS) as unknown

        it.each([
            ['2-space indented', JSON.stringify(page, null, 2)],
            ['tab-indented', JSON.stringify(page, null, '\t')],
            ['CRLF line ends', JSON.stringify(page, null, 4).replace(/\n/g, '\r\n')],
            ['whitespace around the root', ' \r\n\t' + SALESFORCE_USERS_COMPACT + '\n\n  \t\r\n'],
            [
                'whitespace around every token',
                '{ "Resources" :\n[\t{ "id" : "a" } ,\r\n{"id":"b"}\n] , "x" : [ 1 , 2 ] }',
            ],
        ])('reads a %s body, whole and in 1-byte chunks', (_, body) => {
            expectSameAsJsonParse(body)
            expectSameAsJsonParse(body, chunksOf(body, 1))
            expect(twoChunkFailures(body)).toEqual([])
        })
    })

    describe('strings and escapes', () => {
        /** Escaped quotes and backslashes in resources, in root member names and in root values. */
        const ESCAPES = String.raw`{"a\"b":"x\\","Resources":[{"id":"1","q":"say \"hi\"","path":"C:\\Users\\","odd":"\\\\\\\"\\","e":"\/\b\f\n\r\t"}],"tail":"\"\\"}`

        it('reads \\" and \\\\ inside strings, and strings ending in \\\\ right before the closing quote', () => {
            const outcome = expectSameAsJsonParse(ESCAPES)
            expect(outcome.resources).toEqual([
                { id: '1', q: 'say "hi"', path: 'C:\\Users\\', odd: '\\\\\\"\\', e: '/\b\f\n\r\t' },
            ])
            expect(outcome.envelope).toEqual({ 'a"b': 'x\\', tail: '"\\' })
        })

        it('gives the same answer wherever a body full of escapes is cut', () => {
            expect(twoChunkFailures(ESCAPES)).toEqual([])
            expectSameAsJsonParse(ESCAPES, chunksOf(ESCAPES, 1))
        })

        it('reads a chunk that ends on a backslash, with the escaped character first in the next', () => {
            const body = bytes(ESCAPES)
            const backslashes = [...body.keys()].filter((at) => body[at] === 0x5c)
            expect(backslashes.length).toBeGreaterThan(10)
            for (const at of backslashes) {
                const [head, tail] = splitAt(body, at + 1)
                expect(head![head!.length - 1]).toBe(0x5c)
                expectSameAsJsonParse(body, [head!, tail!])
            }
        })

        it('does not end a string at an escaped quote that starts the next chunk', () => {
            const body = '{"Resources":[{"q":"a\\"}, {\\"","id":"1"}]}'
            const [head, tail] = splitAt(body, body.indexOf('\\') + 1)
            expect(tail!.toString()).toMatch(/^"}, /)
            expect(feed([head!, tail!]).resources).toEqual([{ q: 'a"}, {"', id: '1' }])
        })

        it('ends a string at a quote that follows an escaped backslash cut from it', () => {
            // `"C:\\"` cut after its first backslash: the next chunk starts with the escaped `\`, then the real end.
            const body = '{"Resources":[{"path":"C:\\\\"},{"id":"2"}]}'
            const at = body.indexOf('\\') + 1
            const [head, tail] = splitAt(body, at)
            expect(tail!.toString()).toMatch(/^\\"}/)
            const splitter = new ListResponseSplitter()
            expect(splitter.push(head!)).toEqual([])
            expect(splitter.push(tail!)).toEqual([{ path: 'C:\\' }, { id: '2' }])
            expect(splitter.end()).toEqual({})
        })

        it('reads long runs of backslashes cut at every point', () => {
            const value = '\\'.repeat(7) + '"' + '\\'.repeat(8)
            const body = JSON.stringify({ Resources: [{ v: value }], [value]: value })
            expect(twoChunkFailures(body)).toEqual([])
        })

        it('reads \\u escapes, including an escaped quote, backslash and surrogate pair', () => {
            const body = String.raw`{"note":"caf\u00e9 \u0022\u005c","Resources":[{"name":"Ren\u00e9e","smile":"\ud83d\ude00","q":"\u0022}"}]}`
            const outcome = expectSameAsJsonParse(body)
            expect(outcome.resources).toEqual([{ name: 'Renée', smile: '😀', q: '"}' }])
            expect(outcome.envelope).toEqual({ note: 'café "\\' })
            expect(twoChunkFailures(body)).toEqual([])
        })

        describe('multi-byte UTF-8 characters cut across chunks', () => {
            const body = '{"é漢😀":"Zoë 漢字 😀","Resources":[{"displayName":"Renée 漢字 👩‍💻","é":"😀"}],"end":"ü"}'

            it.each([
                ['é', 2],
                ['漢', 3],
                ['😀', 4],
                ['👩', 4],
            ])('reads %s (%i bytes) cut after each of its bytes, in resources, member names and values', (char) => {
                const all = bytes(body)
                const encoded = bytes(char)
                let occurrences = 0
                for (let at = all.indexOf(encoded); at !== -1; at = all.indexOf(encoded, at + 1)) {
                    occurrences++
                    for (let k = 1; k < encoded.length; k++) {
                        const [head, tail] = splitAt(all, at + k)
                        expect(head!.toString('utf8').endsWith('\ufffd')).toBe(true)
                        expectSameAsJsonParse(all, [head!, tail!])
                    }
                }
                expect(occurrences).toBeGreaterThan(0)
            })

            it('reads them in 1-byte chunks', () => {
                const outcome = expectSameAsJsonParse(body, chunksOf(body, 1))
                expect(outcome.resources).toEqual([{ displayName: 'Renée 漢字 👩‍💻', é: '😀' }])
                expect(outcome.envelope).toEqual({ 'é漢😀': 'Zoë 漢字 😀', end: 'ü' })
            })
        })

        it('is not misled by { } [ ] , : and the word Resources inside strings', () => {
            const body = JSON.stringify({
                note: '{"Resources":[{"id":"fake"}]}',
                '[Resources]': '}]},{',
                Resources: [
                    { id: '1', text: '}', more: ']', both: '}]}', open: '{[', sep: ',:,:', word: 'Resources' },
                    { id: '2', json: '{"Resources":[1,2,3]}', 'Resources:': '"Resources":[' },
                ],
                after: '"Resources":[{"id":"fake"}]',
            })
            const outcome = expectSameAsJsonParse(body)
            expect(outcome.resources).toHaveLength(2)
            expect(twoChunkFailures(body)).toEqual([])
        })
    })

    describe('which member is the list', () => {
        it('leaves a member named Resources nested inside a resource in that resource', () => {
            const body = '{"Resources":[{"id":"1","Resources":[{"id":"inner"}],"x":{"Resources":[]}}],"totalResults":1}'
            const outcome = expectSameAsJsonParse(body)
            expect(outcome.resources).toEqual([{ id: '1', Resources: [{ id: 'inner' }], x: { Resources: [] } }])
            expect(twoChunkFailures(body)).toEqual([])
        })

        it('leaves a member named Resources inside another root member in the envelope', () => {
            const body =
                '{"meta":{"Resources":[{"id":"not-a-user"}]},"pages":[{"Resources":[{"id":"nor-this"}]}],' +
                '"Resources":[{"id":"1"}]}'
            const outcome = expectSameAsJsonParse(body)
            expect(outcome.resources).toEqual([{ id: '1' }])
            expect(outcome.envelope).toEqual({
                meta: { Resources: [{ id: 'not-a-user' }] },
                pages: [{ Resources: [{ id: 'nor-this' }] }],
            })
            expect(twoChunkFailures(body)).toEqual([])
        })

        it('leaves a root list under a name that merely resembles Resources in the envelope', () => {
            const body =
                '{"resources":[{"id":"a"}],"Resources2":[{"id":"b"}],"xResources":[{"id":"c"}],' +
                '"note":"Resources","other":[{"id":"d"}],"Resources":[{"id":"1"}]}'
            const outcome = expectSameAsJsonParse(body)
            expect(outcome.resources).toEqual([{ id: '1' }])
            expect(Object.keys(outcome.envelope)).toEqual(['resources', 'Resources2', 'xResources', 'note', 'other'])
            expect(twoChunkFailures(body)).toEqual([])
        })

        it.each([
            ['first', '{"Resources":[{"id":"1"},{"id":"2"}],"totalResults":2,"schemas":["s"]}'],
            ['last', '{"totalResults":2,"schemas":["s"],"Resources":[{"id":"1"},{"id":"2"}]}'],
            ['between other members', '{"totalResults":2,"Resources":[{"id":"1"},{"id":"2"}],"schemas":["s"]}'],
        ])('reads Resources placed %s', (_, body) => {
            const outcome = expectSameAsJsonParse(body)
            expect(outcome.resources).toEqual([{ id: '1' }, { id: '2' }])
            expect(outcome.envelope).toEqual({ totalResults: 2, schemas: ['s'] })
            expect(twoChunkFailures(body)).toEqual([])
        })

        it('hands out nothing and returns every member when Resources is absent (Salesforce empty /Users)', () => {
            const file = path.join(__dirname, '..', '..', 'fixtures', 'salesforce', 'scim', 'list.users.empty.json')
            const body = fs.readFileSync(file)
            const outcome = expectSameAsJsonParse(body, chunksOf(body, 7))
            expect(outcome.resources).toEqual([])
            expect(outcome.envelope).toEqual({
                totalResults: 0,
                itemsPerPage: 0,
                startIndex: 0,
                schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
            })
        })

        it('hands out nothing for an empty Resources (Salesforce empty /Groups)', () => {
            const body =
                '{"totalResults":0,"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[ ]}'
            const outcome = expectSameAsJsonParse(body)
            expect(outcome.resources).toEqual([])
            expect(outcome.envelope).toEqual({
                totalResults: 0,
                schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
            })
            expect(twoChunkFailures(body)).toEqual([])
        })

        it('reads an empty root object', () => {
            expect(feed([bytes('{}')])).toEqual({ batches: [[]], resources: [], envelope: {} })
        })

        // JSON.parse reads this name as `Resources`: so must the splitter, or the list's users would be lost.
        it('hands out the list under a Resources name written with \\u escapes', () => {
            const body = String.raw`{"Re\u0073ources":[{"id":"1"}],"totalResults":1}`
            expect(expectedOf(body).resources).toEqual([{ id: '1' }])
            expect(feed([bytes(body)]).resources).toEqual([{ id: '1' }])
        })

        describe('root member names longer than 32 bytes', () => {
            const LONG = 'urn:salesforce:schemas:extension:00DDn000000HgmiMAC'
            const body = JSON.stringify({
                [LONG]: [{ id: 'not-a-user' }],
                ['x'.repeat(23) + 'Resources']: [{ id: 'nor-this' }],
                ['x'.repeat(24) + 'Resources']: [{ id: 'nor-that' }],
                ['Resources' + 'x'.repeat(40)]: [{ id: 'nor-these' }],
                ['漢'.repeat(20)]: 'long in bytes, short in characters',
                Resources: [{ id: '1' }],
                [LONG + ':after']: { Resources: [{ id: 'not-either' }] },
            })

            it('are read, and never taken for Resources, wherever they are cut', () => {
                const outcome = expectSameAsJsonParse(body)
                expect(outcome.resources).toEqual([{ id: '1' }])
                expect(twoChunkFailures(body)).toEqual([])
                expectSameAsJsonParse(body, chunksOf(body, 1))
                expectSameAsJsonParse(body, chunksOf(body, 5))
            })

            it('do not stop Resources from being found after them when cut into several chunks', () => {
                const long = '{"' + 'k'.repeat(100) + '":1,"Resources":[{"id":"1"}]}'
                for (const size of [1, 2, 3, 10, 31, 32, 33, 50]) {
                    expect(feed(chunksOf(long, size)).resources).toEqual([{ id: '1' }])
                }
            })
        })
    })

    describe('when resources are handed out', () => {
        const first = { id: '005000000000001AAA', name: { givenName: 'Ann' }, groups: [{ value: '00G1' }] }
        const second = { id: '005000000000002AAA' }
        const head = '{"totalResults":2,"Resources":['
        const body = head + JSON.stringify(first) + ',' + JSON.stringify(second) + ']}'
        const firstClose = Buffer.byteLength(head) + Buffer.byteLength(JSON.stringify(first)) - 1

        it('returns the first resource from the push that brings its closing brace', () => {
            const splitter = new ListResponseSplitter()
            const [upToClose, rest] = splitAt(body, firstClose + 1)
            expect(upToClose![upToClose!.length - 1]).toBe(0x7d)
            expect(splitter.push(upToClose!)).toEqual([first])
            expect(splitter.resourceCount).toBe(1)
            expect(splitter.push(rest!)).toEqual([second])
            expect(splitter.end()).toEqual({ totalResults: 2 })
        })

        it('returns nothing until the closing brace, then the resource on the byte that brings it', () => {
            const splitter = new ListResponseSplitter()
            const [beforeClose, brace, rest] = splitAt(body, firstClose, firstClose + 1)
            expect(splitter.push(beforeClose!)).toEqual([])
            expect(splitter.resourceCount).toBe(0)
            expect(splitter.push(brace!)).toEqual([first])
            expect(splitter.push(rest!)).toEqual([second])
        })

        it('returns a resource whose closing brace arrives in a chunk with the start of the next one', () => {
            const splitter = new ListResponseSplitter()
            const [start, middle, rest] = splitAt(body, 10, firstClose + 8)
            expect(splitter.push(start!)).toEqual([])
            expect(splitter.push(middle!)).toEqual([first])
            expect(splitter.push(rest!)).toEqual([second])
            expect(splitter.end()).toEqual({ totalResults: 2 })
        })

        it('hands out the resources before a body is cut off, then refuses the body at its end', () => {
            const splitter = new ListResponseSplitter()
            expect(splitter.push(Buffer.from(body.slice(0, firstClose + 6)))).toEqual([first])
            expect(invalidFrom(() => splitter.end()).message).toBe(
                `${NOT_A_LIST}: it ends mid-way, after ${firstClose + 6} bytes`
            )
        })
    })

    describe('complete', () => {
        it('is false until the root object closes, then true, trailing whitespace or not', () => {
            const splitter = new ListResponseSplitter()
            expect(splitter.complete).toBe(false)
            splitter.push(Buffer.from('  '))
            expect(splitter.complete).toBe(false)
            splitter.push(Buffer.from('{"Resources":[{"id":"1"}]'))
            expect(splitter.complete).toBe(false)
            splitter.push(Buffer.from(',"x":"}'))
            expect(splitter.complete).toBe(false)
            splitter.push(Buffer.from('"}'))
            expect(splitter.complete).toBe(true)
            splitter.push(Buffer.from('\r\n'))
            expect(splitter.complete).toBe(true)
            expect(splitter.end()).toEqual({ x: '}' })
        })

        it('is true exactly from the push that brings the closing brace, however the body is cut', () => {
            const body = bytes(SALESFORCE_USERS_COMPACT)
            const splitter = new ListResponseSplitter()
            const seen = chunksOf(body, 1).map((chunk) => {
                splitter.push(chunk)
                return splitter.complete
            })
            expect(seen.indexOf(true)).toBe(body.length - 1)
            expect(seen.slice(-1)).toEqual([true])
        })
    })

    describe('bad input', () => {
        it('refuses an HTML body at the first push', () => {
            const splitter = new ListResponseSplitter()
            const html = '<html><head><title>Maintenance</title></head><body>Down for maintenance</body></html>'
            expect(invalidFrom(() => splitter.push(Buffer.from(html))).message).toBe(
                `${NOT_A_LIST}: it is not a JSON object`
            )
        })

        it.each([
            ['a JSON array', '[{"id":"005RM000002FZAlYAO"}]'],
            ['a JSON string', '"Resources"'],
            ['null', 'null'],
            ['a number', '42'],
            ['an array after whitespace', '\r\n  [ ]'],
        ])('refuses a body whose root is %s', (_, body) => {
            expect(refusal(body)).toBe(`${NOT_A_LIST}: it is not a JSON object`)
        })

        describe('a body that ends mid-way', () => {
            it.each([
                ['right after the opening brace', '{'],
                ['mid-way through a root member name', '{"totalRes'],
                ['mid-way through a root value', '{"totalResults":2,"schemas":["urn:ietf:params:scim'],
                ['mid-resource', '{"Resources":[{"id":"1"},{"id":"2","name":{"givenName":"Ann"}'],
                ['mid-string in a resource', '{"Resources":[{"id":"1"},{"id":"2","userName":"ann@my'],
                ['on a backslash in a string', '{"Resources":[{"id":"a\\'],
                ['after a resource, before the list closes', '{"Resources":[{"id":"1"}'],
                ['after the list, before the root closes', '{"Resources":[{"id":"1"}],"totalResults":1'],
                ['after a string whose closing quote is escaped', '{"Resources":[{"id":"1\\"}]}'],
            ])('is refused at its end when it stops %s', (_, body) => {
                const length = Buffer.byteLength(body)
                expect(refusal(body)).toBe(`${NOT_A_LIST}: it ends mid-way, after ${length} bytes`)
                expect(refusal(body, chunksOf(body, 1))).toBe(`${NOT_A_LIST}: it ends mid-way, after ${length} bytes`)
            })

            it('still hands out the resources completed before the end', () => {
                const splitter = new ListResponseSplitter()
                expect(splitter.push(Buffer.from('{"Resources":[{"id":"1"},{"id":"2"'))).toEqual([{ id: '1' }])
                expect(invalidFrom(() => splitter.end()).message).toMatch(/ends mid-way/)
            })
        })

        describe('bytes after the closing brace', () => {
            it('refuses them in the same chunk, saying where', () => {
                const splitter = new ListResponseSplitter()
                expect(invalidFrom(() => splitter.push(Buffer.from('{"Resources":[]}x'))).message).toBe(
                    `${NOT_A_LIST}: it has more after its closing brace (at byte 16)`
                )
            })

            it('refuses them in a later chunk, counting from the start of the body', () => {
                const splitter = new ListResponseSplitter()
                splitter.push(Buffer.from('{"Resources":[{"id":"1"}]}'))
                splitter.push(Buffer.from(' \r\n'))
                expect(invalidFrom(() => splitter.push(Buffer.from('\t{"Resources":[]}'))).message).toBe(
                    `${NOT_A_LIST}: it has more after its closing brace (at byte 30)`
                )
            })

            it('refuses a second JSON object, as in NDJSON', () => {
                expect(refusal('{"totalResults":0}\n{"totalResults":0}')).toBe(
                    `${NOT_A_LIST}: it has more after its closing brace (at byte 19)`
                )
            })

            it('refuses a stray closing bracket', () => {
                expect(refusal('{"Resources":[]}]')).toMatch(/^Salesforce sent a list that is not a SCIM ListResponse/)
            })

            it('accepts trailing whitespace', () => {
                expectSameAsJsonParse(
                    '{"Resources":[{"id":"1"}]} \r\n\t ',
                    chunksOf('{"Resources":[{"id":"1"}]} \r\n\t ', 3)
                )
            })
        })

        describe('Resources that does not hold resources', () => {
            it.each([
                ['a number', '{"Resources":[1]}'],
                ['a negative number', '{"Resources":[-1]}'],
                ['null', '{"Resources":[null]}'],
                ['true', '{"Resources":[true]}'],
                ['a number after a resource', '{"Resources":[{"id":"1"},2]}'],
            ])('refuses a Resources holding %s', (_, body) => {
                expect(refusal(body)).toBe(`${NOT_A_LIST}: its Resources holds a value that is not a resource`)
            })

            it.each([
                ['a list of resources', '{"Resources":[[{"id":"1"}]]}'],
                ['an empty list', '{"Resources":[{"id":"1"},[]]}'],
            ])('refuses a Resources holding %s', (_, body) => {
                expect(refusal(body)).toBe(`${NOT_A_LIST}: its Resources holds a list, not a resource`)
            })

            it('hands out the resources before the bad value when it comes in a later chunk', () => {
                const splitter = new ListResponseSplitter()
                expect(splitter.push(Buffer.from('{"Resources":[{"id":"1"},'))).toEqual([{ id: '1' }])
                expect(invalidFrom(() => splitter.push(Buffer.from('42]}'))).message).toMatch(/not a resource/)
            })

            it.each([
                ['a number', '{"totalResults":1,"Resources":1}'],
                ['a string', '{"totalResults":1,"Resources":"005RM000002FZAlYAO"}'],
                ['one resource', '{"totalResults":1,"Resources":{"id":"005RM000002FZAlYAO","Resources":[]}}'],
                ['null', '{"totalResults":0,"Resources":null}'],
                ['false', '{"Resources":false,"totalResults":0}'],
            ])('refuses a Resources that is %s, not a list, at its end', (_, body) => {
                expect(refusal(body)).toBe(`${NOT_A_LIST}: its Resources is not a list`)
                expect(refusal(body, chunksOf(body, 1))).toBe(`${NOT_A_LIST}: its Resources is not a list`)
            })

            it('refuses a Resources holding a string, rather than dropping it', () => {
                expect(refusal('{"Resources":["005RM000002FZAlYAO"]}')).toMatch(/not a resource/)
            })

            it.each([
                ['a missing comma', '{"Resources":[{"id":"1"}{"id":"2"}]}'],
                ['a leading comma', '{"Resources":[,{"id":"1"}]}'],
                ['a doubled comma', '{"Resources":[{"id":"1"},,{"id":"2"}]}'],
                ['a trailing comma', '{"Resources":[{"id":"1"},]}'],
                ['a colon between resources', '{"Resources":[{"id":"1"}:{"id":"2"}]}'],
                ['a brace closing the list', '{"Resources":[{"id":"1"}}'],
            ])('refuses a Resources with %s between its resources', (_what, body) => {
                expect(refusal(body)).toMatch(/Resources is not a well-formed list/)
            })
        })

        describe('malformed JSON', () => {
            it('refuses a malformed resource, naming which one', () => {
                const splitter = new ListResponseSplitter()
                expect(invalidFrom(() => splitter.push(Buffer.from('{"Resources":[{"id":}]}'))).message).toBe(
                    `${NOT_A_LIST}: resource 1 of it is malformed JSON`
                )
            })

            it('hands out the sound resources before a malformed one cut across chunks', () => {
                const splitter = new ListResponseSplitter()
                expect(splitter.push(Buffer.from('{"Resources":[{"id":"1"},{"id":"2",'))).toEqual([{ id: '1' }])
                expect(splitter.push(Buffer.from('"name":{"givenName":'))).toEqual([])
                expect(invalidFrom(() => splitter.push(Buffer.from('}}]}'))).message).toBe(
                    `${NOT_A_LIST}: resource 2 of it is malformed JSON`
                )
            })

            it.each([
                ['a missing value', '{"totalResults":,"Resources":[]}'],
                ['a trailing comma', '{"totalResults":1,"Resources":[],}'],
                ['a bare word', '{"totalResults":one,"Resources":[]}'],
                ['a mismatched bracket', '{"schemas":["s"},"Resources":[]}'],
            ])('refuses %s outside the resources at its end', (_, body) => {
                expect(refusal(body)).toBe(`${NOT_A_LIST}: its JSON is malformed outside the resources`)
            })
        })

        describe('an empty body', () => {
            it('is refused when nothing was pushed', () => {
                expect(invalidFrom(() => new ListResponseSplitter().end()).message).toBe(`${NOT_A_LIST}: it is empty`)
            })

            it.each([
                ['an empty chunk', ''],
                ['only whitespace', ' \r\n\t '],
            ])('is refused when it holds %s', (_, body) => {
                expect(refusal(body)).toBe(`${NOT_A_LIST}: it is empty`)
            })
        })
    })
})
