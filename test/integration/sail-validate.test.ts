/**
 * `sail conn validate`, the SailPoint CLI's check suite (sailpoint-oss/sailpoint-cli, cmd/connector/validate/*.go),
 * run against the emulator through the built bundle. Each check below is the CLI's, step for step: the same
 * commands in the same order, with the same inputs (the spec read through `std:spec:read`, the schemas it builds
 * from the spec, its generated `string.N` and `test.N@example.com` values, its fixed entitlement type `group`,
 * its read limit of 8) and the same comparisons, collecting errors and warnings as the CLI reports them.
 *
 * Checks that Salesforce allows must pass. The others must fail for exactly the reason Salesforce gives, so this
 * test notices when that changes; the README's development section lists them. Where the CLI's generated username
 * stops a check at its first create, a second run of the check with an email-form username shows what the rest of
 * the check finds.
 */
import { RunningEmulator, SEED, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { runOnBundle } from '../helpers/bundle'

/** The CLI's `rand.Intn`, seeded so a failing run can be repeated (the CLI seeds with the clock). */
let seed = 0x5a11
function randInt(n: number): number {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
}

function shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
        const j = randInt(i + 1)
        ;[items[i], items[j]] = [items[j] as T, items[i] as T]
    }
    return items
}

/** `sail conn validate` reads at most this many accounts and entitlements one by one (`accountReadLimit`). */
const READ_LIMIT = 8
const NOT_FOUND_ID = '__sailpoint__not__found__'

// ---- The CLI's view of the spec and of command results (connector_client.go) ----

interface TemplateField {
    readonly key?: string
    readonly name?: string
    readonly type: string
    readonly required?: boolean
    readonly initialValue?: {
        readonly type?: string
        readonly attributes?: { readonly name?: string; readonly value?: unknown; readonly template?: string }
    }
}
interface SchemaAttribute {
    readonly name: string
    readonly type: string
    readonly multi?: boolean
    readonly entitlement?: boolean
    readonly writable?: boolean
}
interface Spec {
    readonly commands: readonly string[]
    readonly accountCreateTemplate: { readonly fields: readonly TemplateField[] }
    readonly accountSchema: {
        readonly displayAttribute: string
        readonly groupAttribute: string
        readonly identityAttribute: string
        readonly attributes: readonly SchemaAttribute[]
    }
    readonly entitlementSchemas: readonly {
        readonly type: string
        readonly displayAttribute: string
        readonly identityAttribute: string
        readonly hierarchyAttribute?: string
        readonly attributes: readonly SchemaAttribute[]
    }[]
}
type Key = { simple?: { id: string }; compound?: { lookupId: string; uniqueId: string } }
/** What the CLI decodes from an account or entitlement output: these four members, nothing else. */
interface Item {
    identity: string
    uuid: string
    key: Key
    attributes: Record<string, unknown>
}
interface AttributeChange {
    readonly op: string
    readonly attribute: string
    readonly value: unknown
}

/** The output as the CLI receives it (JSON) and decodes it into its Account or Entitlement struct. */
function asItem(output: Record<string, unknown> | undefined): Item {
    const json = JSON.parse(JSON.stringify(output ?? {})) as Partial<Item>
    return {
        identity: json.identity ?? '',
        uuid: json.uuid ?? '',
        key: json.key ?? {},
        attributes: json.attributes ?? {},
    }
}
const idOf = (item: Item): string => item.key.simple?.id ?? item.key.compound?.lookupId ?? item.identity
const uniqueIdOf = (item: Item): string => item.key.compound?.uniqueId ?? item.uuid
const keyOf = (id: string, uniqueId: string): Key =>
    uniqueId === '' ? { simple: { id } } : { compound: { lookupId: id, uniqueId } }

let emulator: RunningEmulator
let config: Record<string, unknown>
let spec: Spec

/** The CLI's ConnClient: one method per command, each input shaped as the CLI marshals it. */
const cc = {
    async testConnectionWithConfig(cfg: Record<string, unknown>): Promise<void> {
        await runOnBundle('std:test-connection', {}, cfg)
    },
    async testConnection(): Promise<void> {
        await runOnBundle('std:test-connection', {}, config)
    },
    async accountList(schema?: object): Promise<Item[]> {
        return (await runOnBundle('std:account:list', schema ? { schema } : {}, config)).outputs.map(asItem)
    },
    async accountRead(id: string, uniqueId: string, schema?: object): Promise<Item> {
        const input = { identity: id, key: keyOf(id, uniqueId), ...(schema ? { schema } : {}) }
        return asItem((await runOnBundle('std:account:read', input, config)).outputs[0])
    },
    async accountCreate(identity: string | null, attributes: Record<string, unknown>): Promise<Item> {
        return asItem((await runOnBundle('std:account:create', { identity, attributes }, config)).outputs[0])
    },
    async accountDelete(id: string, uniqueId: string): Promise<void> {
        await runOnBundle('std:account:delete', { identity: id, key: keyOf(id, uniqueId) }, config)
    },
    async accountUpdate(id: string, uniqueId: string, changes: AttributeChange[]): Promise<Item> {
        const input = { identity: id, key: keyOf(id, uniqueId), changes }
        return asItem((await runOnBundle('std:account:update', input, config)).outputs[0])
    },
    async entitlementList(type: string, schema?: object): Promise<Item[]> {
        const input = { ...(schema ? { schema } : {}), type }
        return (await runOnBundle('std:entitlement:list', input, config)).outputs.map(asItem)
    },
    async entitlementRead(id: string, uniqueId: string, type: string, schema?: object): Promise<Item> {
        const input = { identity: id, key: keyOf(id, uniqueId), type, ...(schema ? { schema } : {}) }
        return asItem((await runOnBundle('std:entitlement:read', input, config)).outputs[0])
    },
}

function buildAccountSchema(): object {
    const { displayAttribute, groupAttribute, identityAttribute, attributes } = spec.accountSchema
    return { displayAttribute, groupAttribute, identityAttribute, attributes }
}
function buildEntitlementSchema(): object {
    const [first] = spec.entitlementSchemas
    if (!first) throw new Error('the spec has no entitlement schema')
    return {
        type: first.type,
        displayAttribute: first.displayAttribute,
        identityAttribute: first.identityAttribute,
        hierarchyAttribute: first.hierarchyAttribute ?? '',
        attributes: first.attributes,
    }
}

// ---- The CLI's value generators and comparisons (util.go) ----

const fieldName = (field: TemplateField): string => (field.key ? field.key : (field.name ?? ''))

function genValueByTypeAndName(field: TemplateField): unknown {
    const name = fieldName(field)
    switch (field.type) {
        case 'string':
            if (name === 'email' || name === 'name') return `test.${randInt(65536)}@example.com`
            if (name === 'siteRole') return 'Creator'
            return `string.${randInt(65536)}`
        case 'boolean':
            return !['admin', 'groupAdmin', 'licensedSheetCreator', 'resourceViewer'].includes(name)
        case 'array':
            return name === 'roles' ? ['27000245813:entire_helpdesk'] : null
        default:
            throw new Error(`panic: unknown type: "${field.type}"`)
    }
}

function genCreateField(field: TemplateField): unknown {
    if (!field.key) return genValueByTypeAndName(field)
    const initial = field.initialValue
    if (initial?.type === 'static') return initial.attributes?.value
    if (initial?.type === 'generator') {
        if (initial.attributes?.name === 'Create Password') return `RandomPassword.${randInt(65536)}`
        if (initial.attributes?.name === 'Create Unique Account ID') {
            return (initial.attributes.template ?? '')
                .replace(/\$\(uniqueCounter\)/g, String(randInt(65536)))
                .replace(/\$\(.*?\)/g, `string${randInt(99)}`)
        }
    }
    return genValueByTypeAndName(field)
}

/** The create input of `account-create-minimal` (required fields) or `-maximal` (every field). */
function createInput(fields: 'required' | 'all'): Record<string, unknown> {
    const input: Record<string, unknown> = {}
    for (const field of spec.accountCreateTemplate.fields) {
        if (fields === 'all' || field.required) input[fieldName(field)] = genCreateField(field)
    }
    return input
}

function getIdentity(input: Record<string, unknown>): string {
    for (const name of ['email', 'username', 'name']) if (name in input) return input[name] as string
    return `test.${randInt(65536)}@example.com`
}

/** A value as Go's `%+v` prints it. */
function goValue(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`
    if (value === null || value === undefined) return '<nil>'
    return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Differences in the members both hold (`compareIntersection`). */
function compareIntersection(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
    const diffs: string[] = []
    for (const key of Object.keys(a)) {
        if (!(key in b)) continue
        const mine = a[key]
        const theirs = b[key]
        const differs = Array.isArray(theirs)
            ? (Array.isArray(mine) ? (mine as unknown[]) : []).some((value, i) => value !== theirs[i])
            : mine !== theirs
        if (differs) diffs.push(`{Field:${key} A:${goValue(mine)} B:${goValue(theirs)}}`)
    }
    return diffs
}

/** `pretty.Diff`: every path where the two values differ. */
function prettyDiff(a: unknown, b: unknown, path = ''): string[] {
    if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) return [`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`]
        return a.flatMap((value, i) => prettyDiff(value, b[i], `${path}[${i}]`))
    }
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
        return keys.flatMap((key) =>
            prettyDiff((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`)
        )
    }
    return a === b ? [] : [`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`]
}

/** Arrays as sorted lists of strings (`canonicalizeAttributes`). */
function canonicalize(attributes: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(attributes)) {
        if (Array.isArray(value)) attributes[key] = value.map((v) => String(v)).sort()
    }
}

/** The CLI's `testSchema` (entitlements) and the inline equivalent of `account-schema-check`. */
function checkValue(res: CheckResult, name: string, raw: unknown, attr: SchemaAttribute, account: boolean): void {
    let value = raw
    let isMulti = false
    if (Array.isArray(raw)) {
        value = raw.length > 0 ? raw[0] : null
        isMulti = true
    }
    const multi = attr.multi ?? false
    // The account check prints the two flags the other way round; the message is the CLI's.
    if (multi !== isMulti)
        res.errf(
            account ? `expected multi=${isMulti} but multi=${multi}` : `expected multi=${multi} but multi=${isMulti}`
        )
    if (typeof value === 'string') {
        if (attr.type === 'int' && !/^[+-]?\d+$/.test(value))
            res.errf(`failed to convert int to string on field ${name}`)
        if (attr.type !== 'string' && attr.type !== 'int')
            res.errf(`${account ? '' : `${name} `}expected type "${attr.type}" but was 'string'`)
    } else if (typeof value === 'boolean') {
        if (attr.type !== 'boolean') res.errf(`expected type "${attr.type}" but was 'boolean'`)
    } else if (typeof value === 'number') {
        if (attr.type !== 'int') res.errf(`expected type "${attr.type}" but was 'int'`)
    } else if (value !== null && value !== undefined) {
        res.errf(`${account ? 'panic: ' : ''}unknown type ${typeof value} for "${name}"`)
    }
}

/**
 * Checks each attribute of `items` against the schema attribute of its name, and warns once for each name the schema
 * does not have (the CLI's account and entitlement schema checks).
 */
function checkAttributes(
    res: CheckResult,
    items: readonly Item[],
    schema: readonly SchemaAttribute[],
    account: boolean
): void {
    const additional = new Set<string>()
    const attrsByName = new Map(schema.map((attr) => [attr.name, attr]))
    for (const item of items) {
        for (const [name, value] of Object.entries(item.attributes)) {
            const attr = attrsByName.get(name)
            if (attr) checkValue(res, name, value, attr, account)
            else additional.add(name)
        }
    }
    for (const name of additional) res.warnf(`additional attribute "${name}"`)
}

function entitlementAttr(): string {
    return spec.accountSchema.attributes.find((attr) => attr.entitlement)?.name ?? ''
}

/** `accountEntitlements`: the CLI asserts the entitlement attribute is a list, and panics when it is not. */
function accountEntitlements(account: Item): string[] {
    const attr = entitlementAttr()
    const value = account.attributes[attr]
    if (!Array.isArray(value)) {
        throw new CliPanic(
            `panic: interface conversion: interface {} is ${value === null ? 'nil' : typeof value}, not []interface {} (attribute ${attr})`
        )
    }
    return value.map(String)
}

/** `attrChange`: the change `account-update-single-attrs` makes to a writable attribute. */
function attrChange(acct: Item, attr: SchemaAttribute): AttributeChange {
    const current = acct.attributes[attr.name]
    let value: unknown
    if (attr.type === 'string') {
        value =
            attr.name === 'email' ? `test.${randInt(65536)}@example.com` : `string.${randInt(16777216).toString(16)}`
    } else if (attr.type === 'int') {
        value = attr.name in acct.attributes ? Number(current) + 1 : 42
    } else if (attr.type === 'boolean') {
        // The CLI means to flip a boolean but sends its current value.
        value = attr.name in acct.attributes ? current : true
    }
    return { op: attr.multi ? 'Add' : 'Set', attribute: attr.name, value }
}

function isAvailableForUpdating(entitlements: string[], entitlementId: string): boolean {
    const id = entitlementId.split(':')[0]
    return !entitlements.some((e) => e.split(':')[0] === id)
}

// ---- Running a check ----

/** A Go panic in the CLI: it ends the whole `sail conn validate` run. */
class CliPanic extends Error {}

class CheckResult {
    readonly errors: string[] = []
    readonly warnings: string[] = []
    err(e: unknown): void {
        this.errors.push(e instanceof Error ? e.message : String(e))
    }
    errf(message: string): void {
        this.errors.push(message)
    }
    warnf(message: string): void {
        this.warnings.push(message)
    }
}

interface Check {
    readonly id: string
    readonly requiredCommands: readonly string[]
    /** `userName` replaces the CLI's generated username, to see what a check finds past its first create. */
    run(res: CheckResult, userName?: () => string): Promise<void>
}

/**
 * Runs `check` as `Validator.Run` does; a check whose commands the spec lacks would be skipped, so that fails.
 * Where a list or read the CLI records as an error fails, the check here throws: the verdict is the same. The
 * CLI's waits for changes to propagate (1 s after an update, 5 s after a delete) are left out: the emulator
 * applies every change at once.
 */
async function runCheck(check: Check, userName?: () => string): Promise<CheckResult> {
    expect(check.requiredCommands.filter((command) => !spec.commands.includes(command))).toEqual([])
    const res = new CheckResult()
    try {
        await check.run(res, userName)
    } catch (err) {
        if (!(err instanceof CliPanic)) throw err
        res.errf(err.message)
    }
    return res
}

/** Resolves to the error the command failed with, or undefined. */
async function failure(promise: Promise<unknown>): Promise<Error | undefined> {
    return promise.then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err)))
    )
}

function minimalInput(userName?: () => string): Record<string, unknown> {
    const input = createInput('required')
    if (userName) input.userName = userName()
    return input
}

const CHECKS = {
    'test-connection-empty': {
        id: 'test-connection-empty',
        requiredCommands: ['std:test-connection'],
        async run(res) {
            if (!(await failure(cc.testConnectionWithConfig({}))))
                res.errf('expected test-connection failure for empty config')
        },
    },
    'test-connection-success': {
        id: 'test-connection-success',
        requiredCommands: ['std:test-connection'],
        async run(res) {
            const err = await failure(cc.testConnection())
            if (err) res.err(err)
        },
    },
    'account-list-and-read': {
        id: 'account-list-and-read',
        requiredCommands: ['std:account:read', 'std:account:list'],
        async run(res) {
            const schema = buildAccountSchema()
            const accounts = await cc.accountList(schema)
            if (accounts.length === 0) return res.warnf('no accounts')
            for (const account of shuffle(accounts).slice(0, READ_LIMIT)) {
                const acct = await cc.accountRead(idOf(account), uniqueIdOf(account), schema)
                if (acct.identity !== account.identity) res.errf(`want "${account.identity}"; got "${acct.identity}"`)
                canonicalize(account.attributes)
                canonicalize(acct.attributes)
                for (const diff of prettyDiff(account, acct)) res.errf(`[identity=${acct.identity}] Diff: ${diff}`)
            }
        },
    },
    'account-not-found': {
        id: 'account-not-found',
        requiredCommands: ['std:account:read'],
        async run(res) {
            if (!(await failure(cc.accountRead(NOT_FOUND_ID, '', buildAccountSchema()))))
                res.errf('expected error for non-existant identity')
        },
    },
    'account-schema-check': {
        id: 'account-schema-check',
        requiredCommands: ['std:account:list'],
        async run(res) {
            checkAttributes(res, await cc.accountList(buildAccountSchema()), spec.accountSchema.attributes, true)
        },
    },
    'entitlement-not-found': {
        id: 'entitlement-not-found',
        requiredCommands: ['std:entitlement:read'],
        async run(res) {
            if (!(await failure(cc.entitlementRead(NOT_FOUND_ID, '', 'group', buildEntitlementSchema()))))
                res.errf('expected error for non-existant entitlement')
        },
    },
    'entitlement-list-read': {
        id: 'entitlement-list-read',
        requiredCommands: ['std:entitlement:read', 'std:entitlement:list'],
        async run(res) {
            const schema = buildEntitlementSchema()
            const entitlements = await cc.entitlementList('group', schema)
            if (entitlements.length === 0) return res.warnf('no entitlements')
            for (const e of shuffle(entitlements).slice(0, READ_LIMIT)) {
                const read = await failure(
                    cc.entitlementRead(idOf(e), uniqueIdOf(e), 'group', schema).then((eRead) => {
                        if (e.identity !== eRead.identity) res.errf(`want "${e.identity}"; got "${eRead.identity}"`)
                        for (const diff of prettyDiff(e, eRead)) res.errf(`[identity=${e.identity}] Diff: ${diff}`)
                    })
                )
                if (read) return res.errf(`failed to read entitlement "${e.identity}": ${read.message}`)
            }
        },
    },
    'entitlement-schema-check': {
        id: 'entitlement-schema-check',
        requiredCommands: ['std:entitlement:list'],
        async run(res) {
            // The CLI checks every entitlement against the first schema of the spec, whatever its type.
            const entitlements = await cc.entitlementList('group', buildEntitlementSchema())
            checkAttributes(res, entitlements, spec.entitlementSchemas[0]?.attributes ?? [], false)
        },
    },
    'account-create-empty': {
        id: 'account-create-empty',
        requiredCommands: ['std:account:create'],
        async run(res) {
            if (!(await failure(cc.accountCreate(null, {})))) res.errf('expected error for empty account created')
        },
    },
    'account-create-minimal': {
        id: 'account-create-minimal',
        requiredCommands: ['std:account:create', 'std:account:read', 'std:account:delete'],
        async run(res, userName) {
            await createReadDelete(res, minimalInput(userName), 'input vs read mismatch')
        },
    },
    'account-create-maximal': {
        id: 'account-create-maximal',
        requiredCommands: ['std:account:create', 'std:account:read', 'std:account:delete'],
        async run(res) {
            await createReadDelete(res, createInput('all'), 'account diffs')
        },
    },
    'account-create-list-delete': {
        id: 'account-create-list-delete',
        requiredCommands: ['std:account:create', 'std:account:read', 'std:account:delete', 'std:account:list'],
        async run(res, userName) {
            const before = await cc.accountList()
            const input = minimalInput(userName)
            const acct = await createAccount(res, input)
            if (!acct) return
            const afterCreate = await cc.accountList()
            const accountRead = await cc.accountRead(idOf(acct), uniqueIdOf(acct))
            for (const diff of prettyDiff(acct, accountRead)) res.errf(`[identity=${acct.identity}] Diff: ${diff}`)
            const deleted = await failure(cc.accountDelete(idOf(acct), uniqueIdOf(acct)))
            if (deleted) res.errf(`deleting account: ${deleted.message}`)
            if (!(await failure(cc.accountRead(idOf(acct), uniqueIdOf(acct)))))
                res.errf(`was able to read deleted account: "${acct.identity}"`)
            const afterDelete = await cc.accountList()
            if (before.length !== afterDelete.length)
                res.errf(
                    `expected # of accounts to match before creation (${before.length}) and after deletion (${afterDelete.length})`
                )
            if (before.length + 1 !== afterCreate.length)
                res.errf(
                    `expected # of accounts to be 1 larger after creation (${afterCreate.length}) compare to before creation (${before.length})`
                )
        },
    },
    'account-update-single-attrs': {
        id: 'account-update-single-attrs',
        requiredCommands: ['std:account:read', 'std:account:list', 'std:account:update'],
        async run(res) {
            const schema = buildAccountSchema()
            const accounts = await cc.accountList(schema)
            const acct = accounts[accounts.length - 1]
            if (!acct) return res.warnf('account list is empty')
            for (const attr of spec.accountSchema.attributes) {
                if (!attr.writable || attr.entitlement) continue
                const change = attrChange(acct, attr)
                const updated = await failure(cc.accountUpdate(idOf(acct), uniqueIdOf(acct), [change]))
                if (updated) {
                    res.errf(`update for "${attr.name}" failed: ${updated.message}`)
                    continue
                }
                const read = await cc.accountRead(idOf(acct), uniqueIdOf(acct), schema)
                if (read.attributes[attr.name] !== change.value)
                    res.errf(
                        `mismatch for ${attr.name}. expected ${goValue(change.value)}; got ${goValue(read.attributes[attr.name])}`
                    )
            }
        },
    },
    'account-update-entitlement': {
        id: 'account-update-entitlement',
        requiredCommands: [
            'std:entitlement:list',
            'std:account:create',
            'std:account:read',
            'std:account:update',
            'std:account:delete',
        ],
        async run(res, userName) {
            const accountSchema = buildAccountSchema()
            const attribute = entitlementAttr()
            if (attribute === '') return res.warnf('no entitlement attribute')
            const entitlements = await cc.entitlementList('group', buildEntitlementSchema())
            if (entitlements.length === 0) return res.warnf('no entitlements found')
            const input = minimalInput(userName)
            const acct = await createAccount(res, input)
            if (!acct) return
            for (const e of entitlements) {
                const current = await cc.accountRead(idOf(acct), uniqueIdOf(acct), accountSchema)
                if (isAvailableForUpdating(accountEntitlements(current), idOf(e))) {
                    const change = { op: 'Add', attribute, value: idOf(e) }
                    if (await failure(cc.accountUpdate(idOf(acct), uniqueIdOf(acct), [change])))
                        res.errf(`failed to add entitlement "${e.identity}"`)
                    const after = await cc.accountRead(idOf(acct), uniqueIdOf(acct), accountSchema)
                    if (!accountEntitlements(after).includes(idOf(e)))
                        res.errf(`failed to add entitlement: "${idOf(e)}"`)
                }
            }
            for (const e of entitlements) {
                if (accountEntitlements(acct).length !== 1) {
                    const change = { op: 'Remove', attribute, value: idOf(e) }
                    if (await failure(cc.accountUpdate(idOf(acct), uniqueIdOf(acct), [change])))
                        res.errf(`failed to remove entitlement "${idOf(e)}"`)
                    const after = await cc.accountRead(idOf(acct), uniqueIdOf(acct), accountSchema)
                    if (accountEntitlements(after).includes(idOf(e)))
                        res.errf(`failed to remove entitlement: "${idOf(e)}" checking`)
                }
            }
            const deleted = await failure(cc.accountDelete(idOf(acct), uniqueIdOf(acct)))
            if (deleted) res.errf(`deleting account: ${deleted.message}`)
        },
    },
} satisfies Record<string, Check>

/** Creates the account of `input`, or reports why it could not (then there is nothing more to check). */
async function createAccount(res: CheckResult, input: Record<string, unknown>): Promise<Item | undefined> {
    try {
        return await cc.accountCreate(getIdentity(input), input)
    } catch (err) {
        res.errf(`creating account: ${(err as Error).message}`)
        return undefined
    }
}

/** `account-create-minimal` and `-maximal`: create, compare with the input, read, compare again, delete. */
async function createReadDelete(res: CheckResult, input: Record<string, unknown>, firstDiff: string): Promise<void> {
    const acct = await createAccount(res, input)
    if (!acct) return
    for (const diff of compareIntersection(input, acct.attributes)) res.errf(`${firstDiff} ${diff}`)
    const read = await failure(
        cc.accountRead(idOf(acct), uniqueIdOf(acct)).then((acctRead) => {
            for (const diff of compareIntersection(input, acctRead.attributes)) res.errf(`account diffs ${diff}`)
        })
    )
    if (read) return res.errf(`reading account: ${read.message}`)
    const deleted = await failure(cc.accountDelete(idOf(acct), uniqueIdOf(acct)))
    if (deleted) res.errf(`deleting account: ${deleted.message}`)
}

/** An email-form username of the CLI's own kind, in place of its `string.N`. */
const emailUserName = (): string => `test.${randInt(65536)}@example.com`

beforeAll(async () => {
    emulator = await startEmulator({ port: 0, extraLicenses: 20 })
    // The source configuration an admin passes with `-p config.json`: a source with a Default Profile ID.
    config = emulatorConfig(emulator.url, { defaultProfileId: SEED.profiles.standardUser })
    const read = await runOnBundle('std:spec:read', {}, config)
    spec = (read.outputs[0] as { specification: Spec }).specification
})

afterAll(async () => {
    await emulator.close()
})

describe('sail conn validate: the checks Salesforce allows pass', () => {
    it.each([
        'test-connection-empty',
        'test-connection-success',
        'account-list-and-read',
        'account-not-found',
        'entitlement-not-found',
        'entitlement-list-read',
        'account-create-empty',
    ] as const)('%s', async (id) => {
        const res = await runCheck(CHECKS[id])
        expect(res.errors).toEqual([])
        expect(res.warnings).toEqual([])
    })

    it('account-schema-check, warning only of the custom fields of the org, which no spec can list (discover-schema finds them)', async () => {
        const res = await runCheck(CHECKS['account-schema-check'])
        expect(res.errors).toEqual([])
        expect(res.warnings.length).toBeGreaterThan(0)
        expect(res.warnings.filter((warning) => !/^additional attribute "\w+__c"$/.test(warning))).toEqual([])
    })

    it('entitlement-schema-check, warning only that groups carry groupType, which the first (profile) schema lacks', async () => {
        const res = await runCheck(CHECKS['entitlement-schema-check'])
        expect(res.errors).toEqual([])
        expect(res.warnings).toEqual(['additional attribute "groupType"'])
    })

    it('account-update-single-attrs, which updates nothing: the spec marks no attribute writable', async () => {
        expect(spec.accountSchema.attributes.filter((attr) => attr.writable)).toEqual([])
        const res = await runCheck(CHECKS['account-update-single-attrs'])
        expect(res.errors).toEqual([])
        expect(res.warnings).toEqual([])
    })
})

describe('sail conn validate: the checks Salesforce does not allow fail for exactly that reason', () => {
    /** Salesforce refuses the CLI's generated username: a username must be an email address. */
    const USERNAME_REFUSED =
        /^creating account: Cannot create the Salesforce account: userName: "string\.\d+" is not in email form \(Salesforce usernames look like jane@acme\.com\)$/

    it.each(['account-create-minimal', 'account-create-list-delete', 'account-update-entitlement'] as const)(
        '%s: its generated username string.N is not an email address',
        async (id) => {
            const res = await runCheck(CHECKS[id])
            expect(res.errors).toEqual([expect.stringMatching(USERNAME_REFUSED)])
        }
    )

    it('account-create-minimal with an email-form username: the create takes the Default Profile ID for the empty profile, which the CLI reports as a difference', async () => {
        const res = await runCheck(CHECKS['account-create-minimal'], emailUserName)
        const profileDiff = `{Field:profile A: B:${SEED.profiles.standardUser}}`
        expect(res.errors).toEqual([`input vs read mismatch ${profileDiff}`, `account diffs ${profileDiff}`])
    })

    it('account-create-maximal: its generated values break Salesforce formats (an alias of at most 8 characters, Salesforce ids)', async () => {
        const res = await runCheck(CHECKS['account-create-maximal'])
        expect(res.errors).toHaveLength(1)
        const [error] = res.errors
        const prefix = 'creating account: Cannot create the Salesforce account: '
        expect(error?.startsWith(prefix)).toBe(true)
        const problems = (error ?? '').slice(prefix.length).split('; ')
        expect(problems.map((problem) => problem.split(':')[0])).toEqual([
            'userName',
            'alias',
            'permissionSets',
            'groups',
            'role',
        ])
        expect(problems[1]).toMatch(/^alias: at most 8 characters in Salesforce, got \d+$/)
    })

    it('account-create-list-delete with an email-form username: a delete deactivates, so the account can still be read and is still listed', async () => {
        const res = await runCheck(CHECKS['account-create-list-delete'], emailUserName)
        expect(res.errors).toEqual([
            expect.stringMatching(/^was able to read deleted account: "005\w+"$/),
            expect.stringMatching(
                /^expected # of accounts to match before creation \((\d+)\) and after deletion \(\d+\)$/
            ),
        ])
        const [before, after] = (res.errors[1]?.match(/\d+/g) ?? []).map(Number)
        expect(after).toBe((before ?? 0) + 1)
    })

    it('account-update-entitlement with an email-form username: the CLI takes profile, the first entitlement attribute, as a list, and Salesforce allows exactly one profile', async () => {
        expect(entitlementAttr()).toBe('profile')
        const res = await runCheck(CHECKS['account-update-entitlement'], emailUserName)
        expect(res.errors).toEqual([
            'panic: interface conversion: interface {} is string, not []interface {} (attribute profile)',
        ])
    })
})
