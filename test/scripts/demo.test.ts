/**
 * `npm run demo` prints each step's heading, the connector's log lines of that step, then the step's result: a
 * log line never shows up under the next step's heading.
 */
import { execFileSync } from 'child_process'
import * as path from 'path'

const ROOT = path.resolve(__dirname, '..', '..')

/** The commands each step of the demo runs, by the start of its heading. */
const STEP_COMMANDS: readonly (readonly [string, readonly string[]])[] = [
    ['Test connection', ['std:test-connection']],
    ['Aggregate accounts', ['std:account:list']],
    ['Aggregate entitlements', ['std:entitlement:list']],
    ['Access request', ['std:account:create']],
    ['Update: add', ['std:account:update']],
    ['Update beyond SCIM', ['std:account:update']],
    ['Update: remove', ['std:account:update']],
    ['Access request for a license without a free seat', ['std:account:create']],
    ['Disable the integration user', ['std:account:disable']],
    ['Leaver: disable', ['std:account:disable', 'std:account:enable']],
    ['Leaver Salesforce will not deactivate', ['std:account:disable', 'std:account:enable']],
    ['Unlock', ['std:account:unlock']],
    ['Delta aggregation', ['std:account:list']],
    ['Discover the schema', ['std:account:discover-schema']],
    ['Delete', ['std:account:delete', 'std:account:read']],
]

describe('npm run demo', () => {
    let output = ''

    beforeAll(() => {
        execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' })
        output = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'scripts', 'demo.ts')], {
            cwd: ROOT,
            encoding: 'utf8',
            timeout: 60_000,
        })
    })

    it('prints every connector log line under the heading of the step that logged it', () => {
        const steps = output.split('\n== ').slice(1)
        expect(steps.map((step) => step.split('\n')[0])).toHaveLength(STEP_COMMANDS.length)
        steps.forEach((step, i) => {
            const [heading, commands] = STEP_COMMANDS[i] ?? ['', []]
            expect(step.startsWith(heading)).toBe(true)
            const logged = step
                .split('\n')
                .filter((line) => line.startsWith('{'))
                .map((line) => (JSON.parse(line) as { commandType?: string }).commandType)
            for (const commandType of logged) {
                const ofThisStep = commandType !== undefined && commands.includes(commandType)
                expect({ heading, commandType, ofThisStep }).toEqual({ heading, commandType, ofThisStep: true })
            }
        })
    })

    it('prints a step’s log lines before its result', () => {
        const delta = output.slice(output.indexOf('== Delta aggregation'), output.indexOf('== Discover the schema'))
        const lines = delta.trim().split('\n')
        expect(lines[lines.length - 1]).toMatch(/^ {3}\d+ changed account\(s\)/)
        expect(delta).toContain('"message":"Listed ')
    })

    it('shows what only the REST API reaches: the new entitlement types, a freeze instead of a refused deactivation, both lockouts', () => {
        for (const type of [
            'permissionSetGroup',
            'permissionSetLicense',
            'packageLicense',
            'queue',
            'featureLicense',
        ]) {
            expect(output).toMatch(new RegExp(`\\n   ${type}: [1-9]`))
        }
        expect(output).toMatch(/permissionSetGroups=\["0PG[^\]]*\] {2}permissionSetLicenses=\["0PL/)
        expect(output).toContain('Frozen rather than deactivated: Salesforce refused to deactivate user')
        expect(output).toContain('refused: Salesforce kept user')
        expect(output).toMatch(/refused: Nothing was created: the permission set license 0PL\w+ has no free seat/)
        expect(output).toMatch(/refused: Salesforce user 005\w+ is the integration user this source signs in as/)
    })
})
