/**
 * `std:test-connection` on the built bundle against the emulator's REST API, with Govern Access Beyond SCIM on (the
 * product default): the org's daily API requests, each integration-user permission the features beyond SCIM lack
 * named with what it blocks, and a passing test whatever REST permission is missing, as long as SCIM works.
 */
import { RunningEmulator, startEmulator } from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { runOnBundle, withBundleLogs } from '../helpers/bundle'

let emulator: RunningEmulator
let config: Record<string, unknown>

const ALL_PERMISSIONS = {
    ManageUsers: true,
    ViewSetup: true,
    AssignPermissionSets: true,
    ManagePackageLicenses: true,
    FreezeUsers: true,
    ViewAllUsers: true,
} as const

beforeAll(async () => {
    emulator = await startEmulator({ port: 0 })
    config = emulatorConfig(emulator.url)
})
afterAll(async () => {
    await emulator.close()
})
afterEach(() => {
    emulator.setIntegrationPermissions(ALL_PERMISSIONS)
})

/** Runs test-connection on the bundle, keeping the connector's log lines (the bundle logs to stdout). */
async function testConnection(
    cfg: Record<string, unknown>
): Promise<{ outputs: readonly unknown[]; info: string[]; warnings: string[] }> {
    const { result, logs } = await withBundleLogs(() => runOnBundle('std:test-connection', {}, cfg))
    const of = (level: string): string[] => logs.filter((l) => l.level === level).map((l) => l.message ?? '')
    return { outputs: result.outputs, info: of('INFO'), warnings: of('WARN') }
}

describe('std:test-connection beyond SCIM', () => {
    it('reports the daily API requests used and remaining from /limits', async () => {
        const { outputs, info } = await testConnection(config)
        expect(outputs).toEqual([{}])
        expect(info).toContainEqual(
            expect.stringMatching(
                /^The org has used \d+ of \d+ daily API requests \(\d+%\) today; \d+ remain\. Aggregation stops before it would pass 90%\.$/
            )
        )
    })

    it('names no missing permission when the integration user holds them all', async () => {
        const { warnings } = await testConnection(config)
        expect(warnings.filter((w) => w.startsWith('The integration user lacks'))).toEqual([])
    })

    it('names each missing permission with the features it blocks, and still passes', async () => {
        emulator.setIntegrationPermissions({
            ViewSetup: false,
            AssignPermissionSets: false,
            ManagePackageLicenses: false,
            ManageUsers: false,
            FreezeUsers: false,
        })
        const { outputs, warnings } = await testConnection(config)
        expect(outputs).toEqual([{}])
        const lacking = (permission: string): string | undefined =>
            warnings.find((w) => w.startsWith(`The integration user lacks the Salesforce permission "${permission}"`))
        expect(lacking('View Setup and Configuration')).toMatch(
            /cannot report the org's daily API usage, nor read permission set groups, nor read permission set licenses, nor read user licenses \(\/limits refused/
        )
        expect(lacking('Manage Package Licenses')).toMatch(
            /cannot read package licenses \(UserPackageLicense query refused/
        )
        expect(lacking('Freeze Users (or Manage Users)')).toMatch(/cannot read frozen and locked state/)
        // Without /limits, the usage comes from the Sforce-Limit-Info header of the answers.
        const { info } = await testConnection(config)
        expect(info).toContainEqual(expect.stringContaining('(from the Sforce-Limit-Info header)'))
    })

    it('passes, sending no REST request, with Govern Access Beyond SCIM off', async () => {
        emulator.setIntegrationPermissions({ ViewSetup: false, ManagePackageLicenses: false })
        const { outputs, warnings } = await testConnection({ ...config, governBeyondScim: false })
        expect(outputs).toEqual([{}])
        expect(warnings).toEqual([])
    })
})
