/**
 * The README's configuration table against what the ISC screen shows (connector-spec.json, read at test time) and
 * what the connector enforces (parseConfig), and the README's Node versions against package.json.
 */
import * as fs from 'fs'
import * as path from 'path'
import { parseConfig } from '../../src/config'
import { envKeyFor } from '../../scripts/local-config'

const ROOT = path.resolve(__dirname, '..', '..')
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')

interface SpecItem {
    readonly key: string
    readonly label: string
    readonly type: string
    readonly required?: boolean
    readonly helpKey?: string
    readonly options?: readonly { readonly value: string }[]
}

interface Spec {
    readonly sourceConfigInitialValues: Record<string, unknown>
    readonly sourceConfig: readonly { readonly items: readonly { readonly items: readonly SpecItem[] }[] }[]
}

function readSpec(): Spec {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'connector-spec.json'), 'utf8')) as Spec
}

/** The first table under `## <heading>`, as rows of trimmed cells keyed by the header's cells. */
function tableUnder(heading: string): Record<string, string>[] {
    const start = README.indexOf(`\n## ${heading}\n`)
    if (start === -1) throw new Error(`README has no "## ${heading}" section`)
    const end = README.indexOf('\n## ', start + 1)
    const lines = README.slice(start, end === -1 ? undefined : end).split('\n')
    const first = lines.findIndex((line) => line.startsWith('|'))
    const rows: string[][] = []
    for (const line of lines.slice(first)) {
        if (!line.startsWith('|')) break
        rows.push(
            line
                .slice(1, -1)
                .split('|')
                .map((cell) => cell.trim())
        )
    }
    const [header = [], , ...body] = rows
    return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])))
}

const code = (text: string): string => text.replace(/^`(.*)`$/, '$1')

/** A valid config the probes below vary one field of. */
const BASE = {
    authType: 'clientCredentials',
    loginUrl: 'https://acme.my.salesforce.com',
    clientId: 'cid',
    clientSecret: 'secret',
}

function accepts(key: string, value: number): boolean {
    try {
        parseConfig({ ...BASE, [key]: value })
        return true
    } catch (err) {
        expect(err).toMatchObject({ fields: [key] })
        return false
    }
}

describe('README: Source configuration', () => {
    const spec = readSpec()
    const items = spec.sourceConfig.flatMap((menu) => menu.items.flatMap((section) => section.items))
    const rows = tableUnder('Source configuration')
    const rowFor = (key: string) => rows.find((row) => code(row['Key (`config.json`)'] ?? '') === key)

    it('has one row for every field of the ISC screen, in screen order, and no other', () => {
        expect(rows.map((row) => code(row['Key (`config.json`)'] ?? ''))).toEqual(items.map((item) => item.key))
    })

    it.each(items.map((item) => [item.key, item] as const))('%s: the label the ISC screen shows', (key, item) => {
        expect(rowFor(key)?.['Label (ISC screen)']).toBe(item.label)
    })

    it.each(items.map((item) => [item.key, item] as const))(
        '%s: required exactly when the screen requires it',
        (key, item) => {
            const required = rowFor(key)?.Required
            if (item.required === true) expect(required).toBe('yes')
            else expect(required).not.toBe('yes')
        }
    )

    it.each(items.map((item) => [item.key, item] as const))('%s: the default the screen starts with', (key, item) => {
        const initial = spec.sourceConfigInitialValues[key]
        const cell = rowFor(key)?.Default
        if (item.type === 'checkbox') expect(cell).toBe(initial === true ? 'on' : 'off')
        else if (initial === undefined) expect(cell).toBe('')
        else expect(code(cell ?? '')).toBe(typeof initial === 'string' ? initial : JSON.stringify(initial))
    })

    it.each(items.map((item) => [item.key, item] as const))('%s: its .env variable', (key) => {
        expect(code(rowFor(key)?.['`.env`'] ?? '')).toBe(envKeyFor(key))
    })

    it.each(items.filter((item) => item.options).map((item) => [item.key, item] as const))(
        '%s: lists the values of the select',
        (key, item) => {
            const values = (rowFor(key)?.Range ?? '').split(',').map((value) => code(value.trim()))
            expect(values).toEqual(item.options?.map((option) => option.value))
        }
    )

    it.each(items.filter((item) => item.type === 'number').map((item) => [item.key, item] as const))(
        '%s: the range the connector enforces and the screen’s help text states',
        (key, item) => {
            const match = /^(\d+) to (\d+)$/.exec(rowFor(key)?.Range ?? '')
            expect(match).not.toBeNull()
            const [min, max] = [Number(match?.[1]), Number(match?.[2])]
            const probes = [min - 1, min, max, max + 1].map((value) => accepts(key, value))
            expect(probes).toEqual([false, true, true, false])
            expect(item.helpKey).toContain(`${min} to ${max}`)
        }
    )
})

describe('README: Node versions', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        engines: { node: string }
        scripts: { build: string }
    }

    it('states the engines range of package.json in the Quick start and under Node versions', () => {
        const quickStart = README.slice(README.indexOf('## Quick start'), README.indexOf('### Node versions'))
        const nodeVersions = README.slice(
            README.indexOf('### Node versions'),
            README.indexOf('\n## ', README.indexOf('### Node versions'))
        )
        expect(quickStart).toContain(`\`${pkg.engines.node}\``)
        expect(nodeVersions).toContain(`\`${pkg.engines.node}\``)
    })

    it('names the Node version the shipped bundle is built for', () => {
        const target = /--target=(node\d+)/.exec(pkg.scripts.build)?.[1]
        expect(target).toBeDefined()
        expect(README).toContain(`\`--target=${target}\``)
    })
})
