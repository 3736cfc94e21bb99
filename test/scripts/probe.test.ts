/**
 * `npm run probe` against the emulator set to each value of each variant it checks: it must name exactly that
 * value, deactivate its test user even when a check throws, and print no secret.
 */
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import {
    DEFAULT_VARIANTS,
    EMULATOR_CREDENTIALS,
    RunningEmulator,
    SEED,
    VARIANT_VALUES,
    VariantName,
    startEmulator,
} from '../../emulator'
import { emulatorConfig } from '../../scripts/local-config'
import { NOT_PROBED, RISK_VARIANTS, RiskId } from '../../scripts/probe/findings'
import { ProbeOptions, runProbe } from '../../scripts/probe/run'
import { parseConfig } from '../../src/config'
import { assertNoSecrets } from '../helpers/secrets'

const TOKEN_LOG = path.join(os.tmpdir(), `probe-test-tokens-${process.pid}.log`)
let sf: RunningEmulator

beforeAll(async () => {
    // Every token the emulator issues is written here, so the secret scan can look for them.
    process.env.EMULATOR_TOKEN_LOG = TOKEN_LOG
    // Over 200 entitlements (R3) and over 100 users (R5), as in `npm run probe -- --emulator`.
    sf = await startEmulator({ users: 150, permissionSets: 250 })
})

afterAll(async () => {
    delete process.env.EMULATOR_TOKEN_LOG
    fs.rmSync(TOKEN_LOG, { force: true })
    await sf.close()
})

function options(extra: Partial<ProbeOptions> = {}): ProbeOptions {
    return {
        config: parseConfig(emulatorConfig(sf.url, { defaultProfileId: SEED.profiles.standardUser })),
        ...extra,
    }
}

const isVariant = (name: string): name is VariantName => name in VARIANT_VALUES

/** Every (risk, variant, value) the probe decides, over SCIM or REST, for each emulator variant. */
const CASES: [RiskId, VariantName, string][] = (Object.entries(RISK_VARIANTS) as [RiskId, readonly string[]][])
    .filter(([id]) => NOT_PROBED[id] === undefined)
    .flatMap(([id, variants]) =>
        variants
            .filter(isVariant)
            .flatMap((variant) =>
                (VARIANT_VALUES[variant] as readonly string[]).map((value): [RiskId, VariantName, string] => [
                    id,
                    variant,
                    value,
                ])
            )
    )

function testUserIsInactive(userName: string): boolean | undefined {
    const user = sf.store.findUserByUserName(userName)
    return user === undefined ? undefined : !user.isActive
}

describe('npm run probe names the variant the org shows', () => {
    it('has a check for every variant of the emulator', () => {
        const named: readonly string[] = Object.values(RISK_VARIANTS).flat()
        expect(Object.keys(VARIANT_VALUES).filter((v) => !named.includes(v))).toEqual([])
    })

    it.each(CASES)('%s %s: %s', async (id, variant, value) => {
        sf.setVariants({ ...DEFAULT_VARIANTS, [variant]: value })
        // R14: a hidden queue looks like no queue at all, unless the admin names one.
        const queue = id === 'R14' ? { queueId: SEED.groups.supportQueue } : {}
        const result = await runProbe(options({ only: [id], ...queue }))

        const finding = result.findings.find((f) => f.variant === variant)
        expect({ value: finding?.value, why: finding?.why }).toEqual({ value, why: undefined })
        expect(result.report).toContain(`| ${id} | \`${variant}\` | \`${value}\` |`)
        if (result.testUser !== undefined) {
            expect(result.testUser.deactivated).toBe(true)
            expect(testUserIsInactive(result.testUser.userName)).toBe(true)
        }
    })

    it('finds a listed queue without being told of one', async () => {
        sf.setVariants(DEFAULT_VARIANTS)
        const result = await runProbe(options({ only: ['R14'] }))
        expect(result.findings[0]?.value).toBe('listed')
    })

    it('says undetermined, and why, where the org cannot show the behaviour', async () => {
        // The seed org alone: under 200 entitlements, under 100 users; its queue hidden and not named.
        const small = await startEmulator({ variants: { queues: 'hidden' } })
        try {
            const config = parseConfig(emulatorConfig(small.url, { defaultProfileId: SEED.profiles.standardUser }))
            const result = await runProbe({ config, only: ['R3', 'R5', 'R7', 'R14'] })
            expect(result.findings.map((f) => [f.id, f.value, f.why])).toEqual([
                ['R3', undefined, expect.stringMatching(/^the org has \d+ entitlements .*not over 200$/)],
                ['R5', undefined, 'neither /Users nor /Entitlements holds over 100 records'],
                ['R7', undefined, expect.stringMatching(/^needs REST: not probed/)],
                ['R14', undefined, expect.stringContaining('pass --queue')],
            ])
            expect(result.report).toContain('| R3 | `entitlementsCap` | undetermined: the org has ')
            expect(result.testUser).toBeUndefined()
        } finally {
            await small.close()
        }
    })
})

describe('the REST behaviours the emulator does not switch', () => {
    beforeEach(() => {
        sf.setVariants(DEFAULT_VARIANTS)
    })

    it.each([
        ['a user locked out by failed logins', SEED.users.locked, 'clears'],
        ['a user locked out until an admin resets the password', SEED.users.lockedUntilAdminReset, 'staysLocked'],
    ])('B3: tells whether an unlock clears the lockout of %s', async (_label, lockedUserId, value) => {
        const result = await runProbe(options({ only: ['B3'], lockedUserId }))
        expect(result.findings).toEqual([expect.objectContaining({ id: 'B3', variant: 'unlockClears', value })])
        expect(result.report).toContain(`| B3 | \`unlockClears\` | \`${value}\` |`)
    })

    it('B3: says undetermined, and how to decide, without a locked user named, and unlocks nobody', async () => {
        let plan = ''
        const result = await runProbe(
            options({
                only: ['B3'],
                confirm: async (text) => {
                    plan = text
                    return true
                },
            })
        )
        expect(result.findings[0]).toMatchObject({ value: undefined, why: expect.stringContaining('--locked-user') })
        expect(plan).not.toContain('unlocks')
    })

    it('B4: counts a Composite of five queries as one API call', async () => {
        const result = await runProbe(options({ only: ['B4'] }))
        expect(result.findings).toEqual([expect.objectContaining({ id: 'B4', value: 'one' })])
    })

    it('B5: lists the User describe’s feature-license flags', async () => {
        const result = await runProbe(options({ only: ['B5'] }))
        expect(result.findings[0]?.value).toEqual(expect.stringContaining('UserPermissionsMarketingUser'))
    })
})

describe('the test user', () => {
    beforeEach(() => {
        sf.setVariants(DEFAULT_VARIANTS)
    })

    it('is deactivated even when a check throws, and the other checks still report', async () => {
        const result = await runProbe(
            options({
                only: ['R9', 'R11', 'R1'],
                progress: (line) => {
                    if (line.startsWith('R11')) throw new Error('the check broke')
                },
            })
        )
        expect(result.testUser?.deactivated).toBe(true)
        expect(testUserIsInactive(result.testUser?.userName ?? '')).toBe(true)
        const r11 = result.findings.find((f) => f.id === 'R11')
        expect(r11).toMatchObject({ value: undefined, why: 'the check failed: the check broke' })
        expect(result.findings.find((f) => f.id === 'R1')?.value).toBe('ignored')
    })

    it('is deactivated when the run fails after creating it', async () => {
        let userName = ''
        const run = runProbe(
            options({
                only: ['R11'],
                progress: (line) => {
                    userName = /^creating the test user (\S+)/.exec(line)?.[1] ?? userName
                    if (line.startsWith('created the test user')) throw new Error('the run broke')
                },
            })
        )
        await expect(run).rejects.toThrow('the run broke')
        expect(userName).toMatch(/^probe\./)
        expect(testUserIsInactive(userName)).toBe(true)
    })

    it('is found and deactivated when the answer to its create was lost', async () => {
        const result = await runProbe(
            options({
                only: ['R11'],
                progress: (line) => {
                    // The create is applied, its answer dropped; the deactivation gets through again.
                    if (line.startsWith('creating the test user')) sf.setFaults({ writeDropRate: 1 })
                    if (line.startsWith('deactivating')) sf.setFaults({ writeDropRate: 0 })
                },
            })
        ).finally(() => sf.setFaults({ writeDropRate: 0 }))
        expect(result.stopped).toMatch(/^creating the test user failed: `POST \/Users` → /)
        expect(result.findings).toEqual([expect.objectContaining({ id: 'R11', value: undefined })])
        expect(result.testUser?.deactivated).toBe(true)
        expect(testUserIsInactive(result.testUser?.userName ?? '')).toBe(true)
    })

    it('takes the permission set and group the admin names, in the 15-character form Setup shows', async () => {
        const result = await runProbe(
            options({
                only: ['R1', 'E12'],
                permissionSetId: SEED.permissionSets.knowledgeUser.slice(0, 15),
                groupId: SEED.groups.marketing.slice(0, 15),
            })
        )
        const [r1, e12] = result.findings
        expect(r1?.evidence[0]).toContain(`${SEED.permissionSets.knowledgeUser} assigned`)
        expect(e12?.evidence[0]).toContain(`PATCH /Groups/${SEED.groups.marketing}`)
        expect(result.findings.map((f) => f.value)).toEqual(['ignored', 'error500'])
    })

    it('refuses a malformed id before sending anything', async () => {
        const before = sf.stats().requests
        await expect(runProbe(options({ groupId: '0PS123' }))).rejects.toThrow(/^--group: /)
        expect(sf.stats().requests).toBe(before)
    })

    it('is not created when the admin does not confirm', async () => {
        let plan = ''
        const before = sf.store.visibleUsers().length
        const result = await runProbe(
            options({
                confirm: async (text) => {
                    plan = text
                    return false
                },
            })
        )
        expect(result.findings).toEqual([])
        expect(sf.store.visibleUsers().length).toBe(before)
        expect(plan).toMatch(/ONE test user it creates:\n +username probe\.[a-z0-9]+@acme-corp\.example\.com/)
        expect(plan).toContain('then it deactivates the test user, whatever happened')
    })
})

describe('the output', () => {
    it('holds no secret: no private key, client secret, password or access token', async () => {
        sf.setVariants(DEFAULT_VARIANTS)
        const logged: string[] = []
        const write = process.stdout.write.bind(process.stdout)
        process.stdout.write = (chunk: string | Uint8Array): boolean => {
            logged.push(String(chunk))
            return true
        }
        const progress: string[] = []
        const plans: string[] = []
        try {
            for (const config of [
                options().config,
                parseConfig(
                    emulatorConfig(sf.url, {
                        authType: 'usernamePassword',
                        privateKey: undefined,
                        clientSecret: EMULATOR_CREDENTIALS.clientSecret,
                        password: EMULATOR_CREDENTIALS.password,
                        securityToken: EMULATOR_CREDENTIALS.securityToken,
                        defaultProfileId: SEED.profiles.standardUser,
                    })
                ),
            ]) {
                const result = await runProbe({
                    config,
                    progress: (line) => progress.push(line),
                    confirm: async (plan) => {
                        plans.push(plan)
                        return true
                    },
                })
                expect(result.testUser?.deactivated).toBe(true)
                progress.push(result.report, JSON.stringify(result.findings))
            }
        } finally {
            process.stdout.write = write
        }
        const tokens = fs.readFileSync(TOKEN_LOG, 'utf8').split('\n').filter(Boolean)
        expect(tokens.length).toBeGreaterThan(0)
        const output = [...plans, ...progress, ...logged].join('\n')
        assertNoSecrets(output)
        expect(tokens.filter((token) => output.includes(token))).toEqual([])
    })
})
