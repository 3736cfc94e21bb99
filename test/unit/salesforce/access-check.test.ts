/**
 * `std:test-connection` with Govern Access Beyond SCIM on: the org's daily API requests from `/limits`, and each
 * REST permission the integration user lacks, named with what it blocks, as log lines; never a failed test for a
 * missing permission.
 */
import { RestAccessReport, checkRestAccess, describeRestAccess } from '../../../src/salesforce/rest/access-check'
import { createSalesforceClients } from '../../../src/salesforce/create-client'
import { REST_BASE_PATH } from '../../../src/salesforce/rest/rest-client'
import { USER } from '../../mapping/fixtures'
import { runCommand } from '../../helpers/run-command'
import { CONFIG, SCIM, fakeTiming, fixture, salesforce, testConfig, useLogCapture, useNock } from '../../helpers/nock'
import type Nock from 'nock'

useNock()
const logs = useLogCapture()

const REST_CONFIG = { ...CONFIG, governBeyondScim: true }

interface CompositeBody {
    readonly compositeRequest: readonly { readonly referenceId: string; readonly url: string }[]
}

/** The Composite request holding the query named `referenceId`. */
function compositeWith(referenceId: string): (body: CompositeBody) => boolean {
    return (body) => body.compositeRequest.some((request) => request.referenceId === referenceId)
}

type Answer = readonly [number, unknown]

interface RestAnswers {
    readonly limits?: Answer
    readonly probes?: Answer
    readonly flags?: Answer
    /** Collects the body of each Composite. */
    readonly composites?: CompositeBody[]
}

/** The REST answers of an access check: `/limits`, then the Composite of probes and that of the flags, as given. */
function restAccess(scope: Nock.Scope, answers: RestAnswers): Nock.Scope {
    const composite = (referenceId: string) => (body: CompositeBody) => {
        if (!compositeWith(referenceId)(body)) return false
        answers.composites?.push(body)
        return true
    }
    return scope
        .get(`${REST_BASE_PATH}/limits`)
        .reply(...(answers.limits ?? [200, fixture('rest/limits')]))
        .post(`${REST_BASE_PATH}/composite`, composite('permissionSetGroups'))
        .reply(...(answers.probes ?? [200, fixture('rest/composite.access-probes')]))
        .post(`${REST_BASE_PATH}/composite`, composite('flags'))
        .reply(...(answers.flags ?? [200, fixture('rest/composite.access-flags')]))
}

/** The answers of a connected org: SCIM's two reads, then the REST answers of `restAccess`. */
function org(answers: RestAnswers & { readonly serviceProviderConfig?: unknown }): Nock.Scope {
    const scope = salesforce()
        .get(`${SCIM}/ServiceProviderConfigs`)
        .reply(200, answers.serviceProviderConfig ?? { patch: { supported: true } })
        .get(`${SCIM}/Me`)
        .reply(200, USER)
    return restAccess(scope, answers)
}

/** The flags Composite of the fixture with its `flags` query refused with `body`. */
function flagsRefused(body: unknown): Answer {
    const answer = fixture<{ compositeResponse: { referenceId: string }[] }>('rest/composite.access-flags')
    return [
        200,
        {
            compositeResponse: answer.compositeResponse.map((r) =>
                r.referenceId === 'flags' ? { ...r, httpStatusCode: 400, body } : r
            ),
        },
    ]
}

const messages = (level: 'INFO' | 'WARN'): string[] =>
    logs.lines
        .map((line) => JSON.parse(line) as { level: string; message: string })
        .filter((line) => line.level === level)
        .map((line) => line.message)

describe('std:test-connection beyond SCIM', () => {
    it('logs the daily API requests used and remaining, and passes', async () => {
        org({})
        const result = await runCommand('std:test-connection', {}, REST_CONFIG)
        expect(result.outputs).toEqual([{}])
        expect(messages('INFO')).toContain(
            'The org has used 10018 of 100000 daily API requests (10%) today; 89982 remain. ' +
                'Aggregation stops before it would pass 90%.'
        )
    })

    it('names each missing permission with the features it blocks, as warnings, and still passes', async () => {
        org({})
        const result = await runCommand('std:test-connection', {}, REST_CONFIG)
        expect(result.outputs).toEqual([{}])
        const warnings = messages('WARN')
        // Manage Package Licenses: refused query (INVALID_TYPE) and no permission set has the flag: one line.
        expect(warnings.filter((w) => w.includes('"Manage Package Licenses"'))).toEqual([
            expect.stringContaining(
                'the connector cannot read package licenses, nor grant and revoke package licenses ' +
                    "(UserPackageLicense query refused (INVALID_TYPE); none of the user's 2 permission sets"
            ),
        ])
        expect(warnings).toContainEqual(
            expect.stringMatching(
                /^The integration user lacks the Salesforce permission "Manage Users": the connector cannot change queue membership and feature licenses, and unlock users/
            )
        )
        // Freeze Users is held; View Setup, View All Users and Assign Permission Sets too.
        expect(warnings.join('\n')).not.toMatch(/Freeze Users|View Setup|View All Users|Assign Permission Sets/)
        expect(warnings).toHaveLength(2)
    })

    it('asks for the flags of the integration user’s own permission sets, in two Composites of at most five queries', async () => {
        const bodies: CompositeBody[] = []
        org({ serviceProviderConfig: {}, composites: bodies })
        await runCommand('std:test-connection', {}, REST_CONFIG)
        expect(bodies.map((b) => b.compositeRequest.length).sort()).toEqual([2, 5])
        const flags = bodies.flatMap((b) => b.compositeRequest).find((r) => r.referenceId === 'flags')
        expect(decodeURIComponent(flags?.url ?? '')).toBe(
            `${REST_BASE_PATH}/query?q=SELECT PermissionsViewSetup, PermissionsViewAllUsers, ` +
                'PermissionsAssignPermissionSets, PermissionsManagePackageLicenses, PermissionsManageUsers, ' +
                'PermissionsFreezeUsers FROM PermissionSet WHERE Id IN (SELECT PermissionSetId FROM ' +
                `PermissionSetAssignment WHERE AssigneeId = '${USER.id}')`
        )
    })

    it('sends no REST request with Govern Access Beyond SCIM off', async () => {
        salesforce().get(`${SCIM}/ServiceProviderConfigs`).reply(200, {}).get(`${SCIM}/Me`).reply(200, USER)
        const result = await runCommand('std:test-connection', {}, CONFIG)
        expect(result.outputs).toEqual([{}])
        expect(messages('WARN')).toEqual([])
    })

    it('still fails when SCIM fails', async () => {
        salesforce()
            .get(`${SCIM}/ServiceProviderConfigs`)
            .reply(403, [{ errorCode: 'API_DISABLED_FOR_ORG', message: 'API is not enabled for this Organization' }])
        await expect(runCommand('std:test-connection', {}, REST_CONFIG)).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
        })
    })

    it('passes with a warning when the REST API itself is refused', async () => {
        org({
            limits: [404, fixture('rest/error.not-found-url')],
            probes: [404, fixture('rest/error.not-found-url')],
            flags: [404, fixture('rest/error.not-found-url')],
        })
        const result = await runCommand('std:test-connection', {}, REST_CONFIG)
        expect(result.outputs).toEqual([{}])
        // One line per call refused, not one per query it held.
        expect(messages('WARN')).toEqual([
            expect.stringMatching(/^Could not check the daily API requests: .*NOT_FOUND/),
            expect.stringMatching(
                /^Could not check whether the connector can read permission set groups, read permission set licenses, read package licenses, read queue membership, read frozen and locked state: .*NOT_FOUND/
            ),
            expect.stringMatching(
                /^Could not check whether the connector can read user licenses, read the integration user's permissions: .*NOT_FOUND/
            ),
        ])
    })
})

describe('checkRestAccess', () => {
    function rest() {
        return createSalesforceClients(testConfig('clientCredentials', { governBeyondScim: true }), fakeTiming()).rest
    }

    it('reads View Setup and Configuration as missing when /limits is refused, and says what it blocks', async () => {
        restAccess(salesforce(), { limits: [403, fixture('rest/error.insufficient-access')] })
        const report = await checkRestAccess(rest(), USER.id)
        expect(report.dailyApiRequests).toBeUndefined()
        expect(report.missing.find((m) => m.permission === 'View Setup and Configuration')).toEqual({
            permission: 'View Setup and Configuration',
            features: ["report the org's daily API usage"],
            evidence: ['/limits refused (INSUFFICIENT_ACCESS)'],
        })
    })

    it('drops a permission flag the org does not have (INVALID_FIELD) and asks again without it', async () => {
        const flagRows = fixture<{ compositeResponse: { referenceId: string; body: unknown }[] }>(
            'rest/composite.access-flags'
        ).compositeResponse.find((r) => r.referenceId === 'flags')?.body
        restAccess(salesforce(), { flags: flagsRefused(fixture('rest/error.invalid-field-no-such-column')) })
            .get(`${REST_BASE_PATH}/query`)
            .query((q) => typeof q.q === 'string' && !q.q.includes('PermissionsFreezeUsers'))
            .reply(200, flagRows)
        const report = await checkRestAccess(rest(), USER.id)
        expect(report.unchecked).toEqual([])
        expect(report.missing.map((m) => m.permission)).toEqual(['Manage Package Licenses', 'Manage Users'])
    })

    it('says plainly when the org’s PermissionSet lacks the permission fields, after two more queries at most', async () => {
        const noSuchColumn = (column: string): unknown => [
            {
                errorCode: 'INVALID_FIELD',
                message: `No such column '${column}' on entity 'PermissionSet'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
            },
        ]
        restAccess(salesforce(), { flags: flagsRefused(noSuchColumn('PermissionsViewSetup')) })
            .get(`${REST_BASE_PATH}/query`)
            .query(true)
            .reply(400, noSuchColumn('PermissionsViewAllUsers'))
            .get(`${REST_BASE_PATH}/query`)
            .query(true)
            .reply(400, noSuchColumn('PermissionsAssignPermissionSets'))
        const report = await checkRestAccess(rest(), USER.id)
        expect(report.unchecked).toEqual([
            "the integration user's permissions: this org's PermissionSet has no field PermissionsViewSetup, " +
                'PermissionsViewAllUsers, PermissionsAssignPermissionSets and perhaps more (INVALID_FIELD): only ' +
                'refused queries can name missing permissions',
        ])
        // The refused query still names its permission.
        expect(report.missing.map((m) => m.permission)).toEqual(['Manage Package Licenses'])
    })

    it('reports every permission held when the flags and probes say so', async () => {
        const report: RestAccessReport = { dailyApiRequests: { used: 5, max: 100 }, missing: [], unchecked: [] }
        expect(describeRestAccess(report, 80)).toEqual([
            {
                level: 'info',
                message:
                    'The org has used 5 of 100 daily API requests (5%) today; 95 remain. ' +
                    'Aggregation stops before it would pass 80%.',
            },
            { level: 'info', message: 'The integration user has every permission the features beyond SCIM need.' },
        ])
    })

    it('tells the Sforce-Limit-Info reading when /limits could not be read', () => {
        const report: RestAccessReport = { missing: [], unchecked: ['the daily API requests: refused'] }
        expect(describeRestAccess(report, 90, { used: 7, max: 1000 })[0]?.message).toBe(
            'The org has used 7 of 1000 daily API requests (0%) today (from the Sforce-Limit-Info header); ' +
                '993 remain. Aggregation stops before it would pass 90%.'
        )
    })
})
