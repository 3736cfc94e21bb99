/**
 * Disable by Disable Action, enable undoing it, unlock, and the seats a leaver frees, at the HTTP boundary: SCIM
 * for activation, the REST API's UserLogin row for freeze and lockout, license assignment rows for seats.
 */
import { runCommand, onlyAccount } from '../helpers/run-command'
import { CONFIG, fixture, recorder, rest, SCIM, salesforce, useLogCapture, useNock } from '../helpers/nock'
import { REST, compositeOf, queryAnswer, sobjectRow } from '../helpers/rest-bodies'
import { patchOp, scimError, userWith } from '../helpers/scim-bodies'
import { IDS, USER } from '../mapping/fixtures'

useNock()
const logs = useLogCapture()

const LOGIN_ID = '0YwRM000000TmLaYAK'
const KEY = { simple: { id: IDS.user } }
const LOGIN_SOQL = `SELECT Id, UserId, IsFrozen, IsPasswordLocked, LastModifiedDate FROM UserLogin WHERE UserId = '${IDS.user}'`
const LOGIN_FIELDS = 'Id,UserId,IsFrozen,IsPasswordLocked,LastModifiedDate'
const INACTIVE = userWith(USER, { active: false })

function config(overrides: Record<string, unknown>): Record<string, unknown> {
    return { ...CONFIG, governBeyondScim: true, ...overrides }
}

/** Runs `command` on the user of KEY, with Govern Access Beyond SCIM on and these settings. */
function run(command: string, settings: Record<string, unknown> = {}) {
    return runCommand(command, { key: KEY }, config(settings))
}

/** The Salesforce stubs of one test: SCIM and REST on the same session. */
function org(scope = salesforce()) {
    return {
        scope,
        /** The user's UserLogin query, answered with the fixture `name`, with HTTP 200 unless `status` says otherwise. */
        loginQuery(name: string, status = 200) {
            scope
                .get(`${REST}/query`)
                .query({ q: LOGIN_SOQL })
                .reply(status, fixture(`rest/${name}`))
            return this
        },
        loginWrite(bodies: unknown[], status = 204, body?: unknown) {
            scope
                .patch(`${REST}/sobjects/UserLogin/${LOGIN_ID}`, (b: unknown) => {
                    // nock also offers the matcher other requests' bodies (empty); only a body is a write.
                    if (typeof b === 'object') bodies.push(b)
                    return true
                })
                .reply(status, body)
            return this
        },
        loginReadBack(name: string) {
            scope
                .get(`${REST}/sobjects/UserLogin/${LOGIN_ID}`)
                .query({ fields: LOGIN_FIELDS })
                .reply(200, fixture(`rest/${name}`))
            return this
        },
        getUser(user = USER) {
            scope.get(`${SCIM}/Users/${IDS.user}`).reply(200, user)
            return this
        },
        /**
         * The reads of the account the command returns, as aggregation lists it: the plan (the User describe and
         * the org's profiles) and one Composite whose login row, read only when frozen or locked, says `login`, with
         * the `refused` parts refused as for a missing permission.
         */
        returns(login: { frozen?: boolean; locked?: boolean } = {}, refused: readonly string[] = []) {
            rest(scope).plan()
            const loginRow = sobjectRow('UserLogin', LOGIN_ID, {
                UserId: IDS.user,
                IsFrozen: login.frozen ?? false,
                IsPasswordLocked: login.locked ?? false,
                LastModifiedDate: '2026-11-02T10:00:00.000+0000',
            })
            const bodies: Record<string, unknown> = {
                user: queryAnswer([sobjectRow('User', IDS.user, { PermissionSetAssignments: null })]),
                permissionSetLicenses: queryAnswer([]),
                packageLicenses: queryAnswer([]),
                queues: queryAnswer([]),
                logins: queryAnswer(login.frozen === true || login.locked === true ? [loginRow] : []),
            }
            const answer = compositeOf(bodies) as { compositeResponse: { referenceId: string }[] }
            const responses = answer.compositeResponse.map((response) =>
                refused.includes(response.referenceId)
                    ? {
                          ...response,
                          httpStatusCode: 400,
                          body: [{ errorCode: 'INVALID_TYPE', message: 'sObject type is not supported.' }],
                      }
                    : response
            )
            scope.post(`${REST}/composite`).reply(200, { compositeResponse: responses })
            return this
        },
    }
}

describe('std:account:disable', () => {
    it('deactivates as before and shows the login state, with Disable Action deactivate', async () => {
        const patches = recorder()
        const stubs = org()
        stubs.scope.patch(`${SCIM}/Users/${IDS.user}`, patches.match).reply(200, INACTIVE)
        // No UserLogin query of its own: the account's login state is the one the account's Composite reads.
        stubs.returns()
        const account = onlyAccount(await run('std:account:disable'))
        expect(patches.bodies).toEqual([patchOp({ op: 'replace', value: { active: false } })])
        expect(account).toMatchObject({
            disabled: true,
            locked: false,
            attributes: { active: false, frozen: false, locked: false },
        })
    })

    it('deactivates with one warning naming the permission when the login state may not be read', async () => {
        const stubs = org()
        stubs.scope.patch(`${SCIM}/Users/${IDS.user}`).reply(200, INACTIVE)
        stubs.returns({}, ['logins'])
        const account = onlyAccount(await run('std:account:disable'))
        expect(account).toMatchObject({ disabled: true, attributes: { active: false } })
        expect(account.attributes).not.toHaveProperty('frozen')
        expect(account.attributes).not.toHaveProperty('locked')
        const warnings = logs.lines.filter((line) => line.includes('"level":"WARN"'))
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toContain('Leaving frozen and locked out of the accounts')
    })

    it('freezes, reads the freeze back, and reports the active user disabled, with Disable Action freeze', async () => {
        const writes: unknown[] = []
        org()
            .loginQuery('query.user-login.active')
            .loginWrite(writes)
            .loginReadBack('sobjects.user-login.frozen')
            .getUser()
            .returns({ frozen: true })
        const account = onlyAccount(await run('std:account:disable', { disableAction: 'freeze' }))
        expect(writes).toEqual([{ IsFrozen: true }])
        expect(account).toMatchObject({ disabled: true, attributes: { active: true, frozen: true } })
    })

    it('writes nothing to a user already frozen', async () => {
        org().loginQuery('query.user-login.frozen').getUser().returns({ frozen: true })
        const account = onlyAccount(await run('std:account:disable', { disableAction: 'freeze' }))
        expect(account).toMatchObject({ disabled: true, attributes: { frozen: true } })
    })

    it('fails plainly when Salesforce accepts the freeze but the user is not frozen', async () => {
        org().getUser().loginQuery('query.user-login.active').loginWrite([]).loginReadBack('sobjects.user-login.active')
        await expect(run('std:account:disable', { disableAction: 'freeze' })).rejects.toMatchObject({
            name: 'InvalidResponseError',
            message: expect.stringContaining('still says IsFrozen false'),
        })
    })

    it('names the permissions a freeze needs when Salesforce refuses it', async () => {
        org()
            .getUser()
            .loginQuery('query.user-login.active')
            .loginWrite([], 400, fixture('rest/error.insufficient-access-userlogin'))
        await expect(run('std:account:disable', { disableAction: 'freeze' })).rejects.toMatchObject({
            name: 'InsufficientPermissionError',
            errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
            message: expect.stringContaining('Freeze Users (or Manage Users)'),
        })
    })

    it('fails plainly when Salesforce holds no login record to freeze', async () => {
        org().getUser().loginQuery('query.user-login.none')
        await expect(run('std:account:disable', { disableAction: 'freeze' })).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringContaining('no login record'),
        })
    })

    it('reports an unknown user as notFound, not as a missing login record', async () => {
        org().scope.get(`${SCIM}/Users/${IDS.user}`).reply(404, scimError(404, 'No such resource'))
        await expect(run('std:account:disable', { disableAction: 'freeze' })).rejects.toMatchObject({
            type: 'notFound',
        })
    })

    describe('with Disable Action deactivateOrFreeze', () => {
        const REFUSAL = 'INVALID:Cannot inactivate user that is the value of a hierarchy field: Manager (User);'

        it('freezes a user Salesforce refuses to deactivate, and says why in the output and the log', async () => {
            const writes: unknown[] = []
            const stubs = org()
            stubs.scope.patch(`${SCIM}/Users/${IDS.user}`).reply(400, scimError(400, REFUSAL))
            stubs.loginQuery('query.user-login.active').loginWrite(writes).loginReadBack('sobjects.user-login.frozen')
            stubs.getUser().returns({ frozen: true })
            const result = await run('std:account:disable', { disableAction: 'deactivateOrFreeze' })
            const account = onlyAccount(result)
            expect(writes).toEqual([{ IsFrozen: true }])
            expect(account).toMatchObject({ disabled: true, attributes: { active: true, frozen: true } })
            const [result0] =
                (result.outputs[0] as { results?: { attribute: string; messages: { message: string }[] }[] }).results ??
                []
            expect(result0?.attribute).toBe('frozen')
            expect(result0?.messages[0]?.message).toMatch(
                /^Frozen rather than deactivated: .*Salesforce's reason: .*Cannot inactivate user that is the value of a hierarchy field/
            )
            expect(logs.lines.join('')).toContain('Frozen rather than deactivated')
        })

        it('deactivates when Salesforce allows it, and freezes nothing', async () => {
            const stubs = org()
            stubs.scope.patch(`${SCIM}/Users/${IDS.user}`).reply(200, INACTIVE)
            stubs.returns()
            const result = await run('std:account:disable', { disableAction: 'deactivateOrFreeze' })
            expect(onlyAccount(result)).toMatchObject({ disabled: true, attributes: { active: false, frozen: false } })
            expect(result.outputs[0]).not.toHaveProperty('results')
        })

        it('does not freeze when the deactivation fails for a missing permission', async () => {
            org()
                .scope.patch(`${SCIM}/Users/${IDS.user}`)
                .reply(403, scimError(403, 'INSUFFICIENT_ACCESS:insufficient access rights on object id;'))
            await expect(run('std:account:disable', { disableAction: 'deactivateOrFreeze' })).rejects.toMatchObject({
                name: 'InsufficientPermissionError',
            })
        })
    })

    it('frees the seats of a leaver, reports the one Salesforce keeps and why, and names what was freed', async () => {
        const stubs = org()
        stubs.scope.patch(`${SCIM}/Users/${IDS.user}`).reply(200, INACTIVE)
        stubs.returns()
        const composites = recorder()
        stubs.scope
            .post(`${REST}/composite`, composites.match)
            .reply(200, fixture('rest/composite.seat-assignments'))
            .post(`${REST}/composite`, composites.match)
            .reply(200, fixture('rest/composite.delete-seats.one-kept'))
        const result = await run('std:account:disable', { freeLicensesOnDisable: true })
        const [reads, deletes] = composites.bodies as { compositeRequest: { method: string; url: string }[] }[]
        expect(reads?.compositeRequest.map((r) => decodeURIComponent(r.url))).toEqual([
            `${REST}/query?q=SELECT Id, PackageLicenseId, PackageLicense.NamespacePrefix FROM UserPackageLicense WHERE UserId = '${IDS.user}'`,
            `${REST}/query?q=SELECT Id, PermissionSetLicenseId, PermissionSetLicense.MasterLabel FROM PermissionSetLicenseAssign WHERE AssigneeId = '${IDS.user}'`,
        ])
        expect(deletes?.compositeRequest.map((r) => `${r.method} ${r.url}`)).toEqual([
            `DELETE ${REST}/sobjects/UserPackageLicense/051RM000000Ab1cYAC`,
            `DELETE ${REST}/sobjects/PermissionSetLicenseAssign/2LARM000000Zt1aYAC`,
            `DELETE ${REST}/sobjects/PermissionSetLicenseAssign/2LARM000000Zt1bYAC`,
        ])
        const account = onlyAccount(result)
        expect(account.attributes).toMatchObject({ packageLicenses: [], permissionSetLicenses: ['0PLRM000000Gk2bYAC'] })
        const messages = JSON.stringify((result.outputs[0] as { results?: unknown }).results)
        expect(messages).toContain('Freed package license seats: sbqq (050RM000000Qx9aYAC)')
        expect(messages).toContain('Freed permission set license seats: Sales Cloud Einstein (0PLRM000000Gk2aYAC)')
        expect(messages).toContain(
            "Salesforce kept the permission set license CRM Analytics Plus (0PLRM000000Gk2bYAC): Salesforce kept the permission set license: DELETE_FAILED: You can't remove"
        )
        expect(logs.lines.join('')).toContain('freed the seats of user')
    })

    it('leaves out the licenses it may not read, and says so, when freeing seats', async () => {
        const stubs = org()
        stubs.scope.patch(`${SCIM}/Users/${IDS.user}`).reply(200, INACTIVE)
        stubs.returns({}, ['packageLicenses'])
        stubs.scope.post(`${REST}/composite`).reply(200, fixture('rest/composite.seat-assignments.package-refused'))
        const result = await run('std:account:disable', { freeLicensesOnDisable: true })
        const account = onlyAccount(result)
        expect(account.attributes).toMatchObject({ permissionSetLicenses: [] })
        expect(account.attributes).not.toHaveProperty('packageLicenses')
        const messages = JSON.stringify((result.outputs[0] as { results?: unknown }).results)
        expect(messages).toContain(
            'The package licenses of the user could not be read, so none was freed (freeing them needs Manage Package Licenses): Salesforce refused the request: INVALID_TYPE:'
        )
        expect(messages).toContain("sObject type 'UserPackageLicense' is not supported")
        expect(logs.lines.join('')).toContain('held no license seats the connector frees')
    })

    it.each([
        [{ disableAction: 'freeze' }, 'Disable Action "freeze" needs Govern Access Beyond SCIM on'],
        [
            { disableAction: 'deactivateOrFreeze' },
            'Disable Action "deactivateOrFreeze" needs Govern Access Beyond SCIM on',
        ],
        [{ freeLicensesOnDisable: true }, 'Free License Seats on Disable needs Govern Access Beyond SCIM on'],
    ])('refuses %j without Govern Access Beyond SCIM, before any request', async (settings, message) => {
        await expect(runCommand('std:account:disable', { key: KEY }, { ...CONFIG, ...settings })).rejects.toMatchObject(
            { name: 'InvalidConfigurationError', message: expect.stringContaining(message) }
        )
    })
})

describe('std:account:enable', () => {
    it('activates and unfreezes a user who is both inactive and frozen', async () => {
        const writes: unknown[] = []
        const patches = recorder()
        const stubs = org().loginQuery('query.user-login.frozen').getUser(INACTIVE)
        stubs.scope.patch(`${SCIM}/Users/${IDS.user}`, patches.match).reply(200, USER)
        stubs.loginWrite(writes).loginReadBack('sobjects.user-login.active').returns()
        const account = onlyAccount(await run('std:account:enable', { disableAction: 'deactivateOrFreeze' }))
        expect(patches.bodies).toEqual([patchOp({ op: 'replace', value: { active: true } })])
        expect(writes).toEqual([{ IsFrozen: false }])
        expect(account).toMatchObject({ disabled: false, attributes: { active: true, frozen: false } })
    })

    it('only unfreezes a frozen active user', async () => {
        const writes: unknown[] = []
        org()
            .loginQuery('query.user-login.frozen')
            .getUser()
            .loginWrite(writes)
            .loginReadBack('sobjects.user-login.active')
            .returns()
        const account = onlyAccount(await run('std:account:enable', { disableAction: 'freeze' }))
        expect(writes).toEqual([{ IsFrozen: false }])
        expect(account).toMatchObject({ disabled: false, attributes: { active: true, frozen: false } })
    })

    it('writes nothing for an active user who is not frozen', async () => {
        org().loginQuery('query.user-login.active').getUser().returns()
        const account = onlyAccount(await run('std:account:enable'))
        expect(account).toMatchObject({ disabled: false, attributes: { active: true, frozen: false } })
    })

    it('activates with a warning when the login state may not be read and disable never freezes', async () => {
        const stubs = org().getUser(INACTIVE)
        stubs.loginQuery('error.invalid-type-userlogin', 400)
        stubs.scope.patch(`${SCIM}/Users/${IDS.user}`).reply(200, USER)
        stubs.returns({}, ['logins'])
        const account = onlyAccount(await run('std:account:enable'))
        expect(account).toMatchObject({ disabled: false, attributes: { active: true } })
        expect(account.attributes).not.toHaveProperty('frozen')
        expect(logs.lines.join('')).toContain('may not read UserLogin')
    })

    it('fails when the login state may not be read and disable may have frozen the user', async () => {
        const stubs = org().getUser(INACTIVE)
        stubs.loginQuery('error.invalid-type-userlogin', 400)
        await expect(run('std:account:enable', { disableAction: 'freeze' })).rejects.toMatchObject({
            errorCode: 'INVALID_TYPE',
        })
    })
})

describe('std:account:unlock', () => {
    it('clears a password lockout and reads it back', async () => {
        const writes: unknown[] = []
        org()
            .loginQuery('query.user-login.locked')
            .loginWrite(writes)
            .loginReadBack('sobjects.user-login.active')
            .getUser()
            .returns()
        const account = onlyAccount(await run('std:account:unlock'))
        expect(writes).toEqual([{ IsPasswordLocked: false }])
        expect(account).toMatchObject({ locked: false, disabled: false, attributes: { locked: false } })
    })

    it('writes nothing for a user who is not locked out', async () => {
        org().loginQuery('query.user-login.active').getUser().returns()
        const account = onlyAccount(await run('std:account:unlock'))
        expect(account).toMatchObject({ locked: false, attributes: { locked: false } })
    })

    it('says plainly what to do when Salesforce keeps the lockout until an administrator resets the password', async () => {
        org().loginQuery('query.user-login.locked').loginWrite([]).loginReadBack('sobjects.user-login.locked')
        await expect(run('std:account:unlock')).rejects.toMatchObject({
            name: 'InvalidRequestError',
            message: expect.stringMatching(
                /^Salesforce kept user 005RM000002FZAlYAO locked out: .*until an administrator resets the password.*Reset the user's password in Salesforce Setup/
            ),
        })
    })

    it('refuses without Govern Access Beyond SCIM, naming the setting', async () => {
        await expect(runCommand('std:account:unlock', { key: KEY }, CONFIG)).rejects.toMatchObject({
            name: 'InvalidConfigurationError',
            message: expect.stringContaining('Unlocking an account needs Govern Access Beyond SCIM on'),
        })
    })
})
