/**
 * Release check: the zip `npm run pack-zip` makes is all ISC receives. Unpacked into an empty folder with no
 * node_modules, its index.js must load with the SDK runtime it bundles and work against Salesforce (the emulator).
 */
import AdmZip from 'adm-zip'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { RunningEmulator, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { loadBundle, runBundleCommand } from '../../scripts/run-bundle'

const ROOT = path.resolve(__dirname, '..', '..')

function packedZip(): string {
    const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        name: string
        version: string
    }
    return path.join(ROOT, 'dist', `${name}-${version}.zip`)
}

let emulator: RunningEmulator
let folder: string

beforeAll(async () => {
    const zip = packedZip()
    if (!fs.existsSync(zip)) throw new Error(`${zip} is missing: run \`npm run pack-zip\` first (npm test does)`)
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-connector-release-'))
    new AdmZip(zip).extractAllTo(folder)
    emulator = await startEmulator({ port: 0 })
})

afterAll(async () => {
    await emulator?.close()
    if (folder) fs.rmSync(folder, { recursive: true, force: true })
})

it('holds exactly index.js and connector-spec.json', () => {
    expect(fs.readdirSync(folder).sort()).toEqual(['connector-spec.json', 'index.js'])
    expect(fs.existsSync(path.join(folder, 'node_modules'))).toBe(false)
})

it('loads alone and runs test-connection and an account aggregation', async () => {
    const connector = loadBundle(path.join(folder, 'index.js'))
    const spec = JSON.parse(fs.readFileSync(path.join(folder, 'connector-spec.json'), 'utf8')) as { commands: string[] }
    expect([...connector.handlers.keys()].filter((c) => c !== 'std:spec:read').sort()).toEqual(
        [...spec.commands].sort()
    )

    const config = emulatorConfig(emulator.url)
    await expect(runBundleCommand(connector, 'std:test-connection', {}, config)).resolves.toMatchObject({
        outputs: [{}],
    })
    const list = await runBundleCommand(connector, 'std:account:list', {}, config)
    expect(list.outputs.length).toBe(emulator.store.listUsers().length)
})
