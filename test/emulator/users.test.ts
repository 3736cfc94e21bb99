import { EMULATOR_CREDENTIALS, FOREIGN_USERNAMES, SEED } from '../../emulator'
import { at, ERROR_URN, f, http, list, newUserBody, patchBody, useOrg } from './helpers'

const P = SEED.profiles
const PS = SEED.permissionSets
const U = SEED.users

const scimError = (status: number, detail: string): Record<string, unknown> => ({
    schemas: JSON.stringify([ERROR_URN]),
    detail,
    status,
})

const entitlementValues = (user: unknown): unknown[] => list(user, 'entitlements').map((e) => at(e, 'value'))

describe('emulator POST /Users', () => {
    const org = useOrg({ extraLicenses: 10 })

    it('creates a user with Salesforce defaults and answers 201 with Location', async () => {
        const res = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody('New.Hire@Acme-Corp.example.com', P.standardUser, {
                entitlements: [{ value: P.standardUser }, { value: PS.salesCloudUser }],
                groups: [{ value: SEED.groups.westRegion }],
                roles: [{ value: SEED.roles.salesRepWest }],
                'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
                    department: 'Sales',
                    manager: { value: U.salesManagerWest },
                },
            }),
        })
        expect(res.status).toBe(201)
        const id = String(at(res.body, 'id'))
        expect(id).toMatch(/^005[A-Za-z0-9]{15}$/)
        expect(res.headers.get('location')).toBe(`${org.url}/services/scim/v2/Users/${id}`)
        expect(res.body).toMatchObject({
            userName: 'new.hire@acme-corp.example.com',
            nickName: 'New.Hire@Acme-Corp.example.com',
            displayName: 'Terry Tester',
            emails: [{ type: 'work', primary: true, value: 'terry.tester@example.com' }],
            preferredLanguage: 'en_US',
            emailEncodingKey: 'UTF-8',
            locale: 'en_US',
            timezone: 'America/Los_Angeles',
            active: true,
            userType: 'Standard',
            groups: [
                { value: SEED.groups.westRegion, $ref: `/Groups/${SEED.groups.westRegion}`, display: 'West Region' },
            ],
            roles: [
                {
                    value: SEED.roles.salesRepWest,
                    $ref: `/Roles/${SEED.roles.salesRepWest}`,
                    display: 'Sales Rep, West',
                },
            ],
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
                department: 'Sales',
                manager: {
                    value: U.salesManagerWest,
                    $ref: `/Users/${U.salesManagerWest}`,
                    displayName: 'Daniel Kowalski',
                },
            },
        })
        expect(list(res.body, 'entitlements')[0]).toEqual({
            value: P.standardUser,
            $ref: `/Entitlements/${P.standardUser}`,
            display: 'Standard User',
            type: 'Profile',
            primary: true,
        })
        expect(list(res.body, 'entitlements')[1]).toMatchObject({
            value: PS.salesCloudUser,
            type: 'Permission Set',
            primary: false,
        })
        expect(String(at(res.body, 'meta', 'created'))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        expect(String(at(res.body, 'meta', 'version'))).toMatch(/^[0-9a-f]{40}$/)
        expect(org.emulator.stats().usersCreated).toBe(1)
    })

    it('refuses a create without a profile with the exact native body', async () => {
        const body = newUserBody('no.profile@acme-corp.example.com', P.standardUser, { entitlements: [] })
        const res = await org.scim('/Users', { method: 'POST', body })
        expect(res.status).toBe(409)
        expect(res.text).toBe(
            '{"schemas":"[\\"urn:ietf:params:scim:api:messages:2.0:Error\\"]","detail":"REQUIRED_FIELD_MISSING:user_must_have_one_entitlement_which_must_be_a_profileid;","status":409}'
        )
    })

    it('concatenates every missing required field into one detail', async () => {
        const res = await org.scim('/Users', {
            method: 'POST',
            body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] },
        })
        expect(res.status).toBe(409)
        expect(res.body).toEqual(
            scimError(
                409,
                'REQUIRED_FIELD_MISSING:userName;REQUIRED_FIELD_MISSING:name.familyName;REQUIRED_FIELD_MISSING:email;REQUIRED_FIELD_MISSING:user_must_have_one_entitlement_which_must_be_a_profileid;'
            )
        )
    })

    it('refuses an unknown profile id', async () => {
        const bogus = '00eDn0000000999AAA'
        const res = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody('bogus.profile@acme-corp.example.com', bogus),
        })
        expect(res.status).toBe(409)
        expect(at(res.body, 'detail')).toBe(`INVALID: profile id is invalid : ${bogus}`)
    })

    it('refuses duplicate usernames case-insensitively, in this org and in other orgs', async () => {
        const dup = (name: string): string =>
            `DUPLICATE_USERNAME:Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). : ${name};`
        const local = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody('Olivia.Bennett@acme-corp.example.com', P.standardUser),
        })
        expect(local.status).toBe(409)
        expect(local.body).toEqual(scimError(409, dup('olivia.bennett@acme-corp.example.com')))
        const foreignName = FOREIGN_USERNAMES[0] as string
        const foreign = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody(foreignName.toUpperCase(), P.standardUser),
        })
        expect(foreign.status).toBe(409)
        expect(at(foreign.body, 'detail')).toBe(dup(foreignName))
    })

    it('leaves nothing behind when a permission set does not fit the license', async () => {
        const userName = 'chatter.analytics@acme-corp.example.com'
        const res = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody(userName, P.chatterFreeUser, {
                entitlements: [{ value: P.chatterFreeUser }, { value: PS.crmAnalyticsPlus }],
                groups: [{ value: SEED.groups.marketing }],
            }),
        })
        expect(res.status).toBe(409)
        expect(String(at(res.body, 'detail'))).toMatch(/^INVALID:Can't assign permission set CRM Analytics Plus/)
        expect(org.emulator.store.findUserByUserName(userName)).toBeUndefined()
        const admin = await http(`${org.url}/__emulator/users?userName=${encodeURIComponent(userName)}`)
        expect(at(admin.body, 'totalResults')).toBe(0)
        const marketing = await org.scim(`/Groups/${SEED.groups.marketing}`)
        expect(list(marketing.body, 'members')).toHaveLength(1)
    })

    it('checks the password policy and sets a good password', async () => {
        const weak = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody('weak.password@acme-corp.example.com', P.standardUser, { password: 'short' }),
        })
        expect(weak.status).toBe(409)
        expect(at(weak.body, 'detail')).toBe(
            'INVALID_NEW_PASSWORD:Your password must be at least 8 characters long and include letters and numbers.;'
        )
        const userName = 'strong.password@acme-corp.example.com'
        const ok = await org.scim('/Users', {
            method: 'POST',
            body: newUserBody(userName, P.standardUser, { password: 'Welcome2025' }),
        })
        expect(ok.status).toBe(201)
        const login = await http(`${org.url}/services/oauth2/token`, {
            method: 'POST',
            form: {
                grant_type: 'password',
                client_id: EMULATOR_CREDENTIALS.clientId,
                client_secret: EMULATOR_CREDENTIALS.clientSecret,
                username: userName,
                password: 'Welcome2025',
            },
        })
        expect(login.status).toBe(200)
    })
})

describe('emulator license seats', () => {
    const org = useOrg({ extraLicenses: 2 })

    it('refuses the create that needs a third free Salesforce seat and frees a seat on deactivation', async () => {
        const create = (n: number, profile: string = P.standardUser, extra: Record<string, unknown> = {}) =>
            org.scim('/Users', { method: 'POST', body: newUserBody(`seat${n}@acme-corp.example.com`, profile, extra) })
        expect((await create(1)).status).toBe(201)
        expect((await create(2, P.readOnly)).status).toBe(201)
        // An inactive user holds no seat.
        expect((await create(3, P.standardUser, { active: false })).status).toBe(201)
        const full = await create(4)
        expect(full.status).toBe(409)
        expect(full.body).toEqual(scimError(409, 'LICENSE_LIMIT_EXCEEDED:License Limit Exceeded;'))
        // Other licenses have their own seats.
        expect((await create(5, P.chatterFreeUser)).status).toBe(201)
        // Reactivating the inactive user needs a seat too.
        const inactive = org.emulator.store.findUserByUserName('seat3@acme-corp.example.com')
        const reactivate = await org.scim(`/Users/${inactive?.id}`, {
            method: 'PATCH',
            body: patchBody({ op: 'replace', value: { active: true } }),
        })
        expect(reactivate.status).toBe(409)
        expect(at(reactivate.body, 'detail')).toBe('LICENSE_LIMIT_EXCEEDED:License Limit Exceeded;')
        const first = org.emulator.store.findUserByUserName('seat1@acme-corp.example.com')
        expect((await org.scim(`/Users/${first?.id}`, { method: 'DELETE' })).status).toBe(204)
        expect((await create(4)).status).toBe(201)
    })
})

describe('emulator PATCH /Users/{id}', () => {
    const org = useOrg()
    const patch = (id: string, ...ops: Record<string, unknown>[]) =>
        org.scim(`/Users/${id}`, { method: 'PATCH', body: patchBody(...ops) })

    it('adds a permission set and keeps the others, without touching lastModified', async () => {
        const before = await org.scim(`/Users/${U.serviceManagerEmea}`)
        const res = await patch(U.serviceManagerEmea, {
            op: 'add',
            value: { entitlements: [{ value: PS.flowBuilder }] },
        })
        expect(res.status).toBe(200)
        expect(entitlementValues(res.body)).toEqual([
            P.standardUser,
            PS.serviceCloudUser,
            PS.knowledgeUser,
            PS.flowBuilder,
        ])
        expect(at(res.body, 'meta', 'lastModified')).toBe(at(before.body, 'meta', 'lastModified'))
    })

    it('refuses adding a permission set the user already has', async () => {
        const res = await patch(U.serviceManagerEmea, {
            op: 'add',
            value: { entitlements: [{ value: PS.knowledgeUser }] },
        })
        expect(res.status).toBe(400)
        expect(at(res.body, 'detail')).toBe('INVALID:Duplicate PermissionSetAssignment;')
    })

    it('refuses adding a profile', async () => {
        const res = await patch(U.serviceManagerEmea, { op: 'add', value: { entitlements: [{ value: P.readOnly }] } })
        expect(res.status).toBe(400)
        expect(String(at(res.body, 'detail'))).toMatch(/^INVALID: cannot have multiple profiles/)
    })

    it('replaces all permission sets on a replace that lists one, case-insensitive op', async () => {
        const res = await patch(U.serviceManagerEmea, {
            op: 'Replace',
            value: { entitlements: [{ value: PS.apiEnabled }] },
        })
        expect(res.status).toBe(200)
        expect(entitlementValues(res.body)).toEqual([P.standardUser, PS.apiEnabled])
    })

    it('leaves permission sets alone on a replace with an empty entitlement list, as the pilot does', async () => {
        const before = entitlementValues((await org.scim(`/Users/${U.serviceManagerEmea}`)).body)
        const res = await patch(U.serviceManagerEmea, { op: 'replace', value: { entitlements: [] } })
        expect(res.status).toBe(200)
        expect(entitlementValues(res.body)).toEqual(before)
    })

    it('swaps the profile on a replace that lists only a profile and leaves permission sets alone', async () => {
        const before = await org.scim(`/Users/${U.serviceManagerAmericas}`)
        const res = await patch(U.serviceManagerAmericas, {
            op: 'replace',
            value: { entitlements: [{ value: P.salesforcePlatformUser }] },
        })
        expect(res.status).toBe(200)
        expect(entitlementValues(res.body)).toEqual([P.salesforcePlatformUser, PS.serviceCloudUser])
        // A profile is a User field: LastModifiedDate moves.
        expect(at(res.body, 'meta', 'lastModified')).not.toBe(at(before.body, 'meta', 'lastModified'))
    })

    it('refuses a profile swap across incompatible licenses', async () => {
        const res = await patch(U.vpService, { op: 'replace', value: { entitlements: [{ value: P.chatterFreeUser }] } })
        expect(res.status).toBe(400)
        expect(res.body).toEqual(
            scimError(
                400,
                "FIELD_INTEGRITY_EXCEPTION:User's Profile can't be set to 'Chatter Free User' because it's derived from the license 'Chatter Free' that doesn't match the user's license 'Salesforce';"
            )
        )
        const after = await org.scim(`/Users/${U.vpService}`)
        expect(entitlementValues(after.body)[0]).toBe(P.standardUser)
    })

    it('refuses removing all entitlements', async () => {
        const res = await patch(U.vpService, { op: 'remove', path: 'entitlements' })
        expect(res.status).toBe(400)
        expect(at(res.body, 'detail')).toBe('INVALID: Cannot remove all entitlements. Use replace')
    })

    it('refuses a wrong PatchOp schema', async () => {
        const res = await org.scim(`/Users/${U.vpService}`, {
            method: 'PATCH',
            body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:patchop'], Operations: [] },
        })
        expect(res.status).toBe(400)
        expect(at(res.body, 'detail')).toBe('Improper Schema.')
    })

    it('answers a non-object value with the Spring 26 UNKNOWN_EXCEPTION object and changes nothing', async () => {
        const res = await patch(U.vpService, { op: 'replace', value: [{ nickName: 'user2' }] })
        expect(res.status).toBe(400)
        expect(at(res.body, 'errorCode')).toBe('UNKNOWN_EXCEPTION')
        expect(String(at(res.body, 'message'))).toMatch(
            /^Processing\/execution error: check the format of your request payload/
        )
        const pathForm = await patch(U.vpService, { op: 'replace', path: 'active', value: false })
        expect(at(pathForm.body, 'errorCode')).toBe('UNKNOWN_EXCEPTION')
        expect(at((await org.scim(`/Users/${U.vpService}`)).body, 'active')).toBe(true)
    })

    it('treats roles as single-valued and clears them on remove', async () => {
        const two = await patch(U.vpService, {
            op: 'replace',
            value: { roles: [{ value: SEED.roles.vpSales }, { value: SEED.roles.ceo }] },
        })
        expect(two.status).toBe(400)
        expect(at(two.body, 'detail')).toBe('INVALID:user_must_have_only_one_role;')
        const one = await patch(U.vpService, { op: 'replace', value: { roles: [{ value: SEED.roles.vpSales }] } })
        expect(list(one.body, 'roles')).toEqual([
            { value: SEED.roles.vpSales, $ref: `/Roles/${SEED.roles.vpSales}`, display: 'VP, Sales' },
        ])
        const removed = await patch(U.vpService, { op: 'remove', path: 'roles' })
        expect(removed.status).toBe(200)
        expect(removed.body).not.toHaveProperty('roles')
    })

    it('updates plain attributes path-less and bumps lastModified', async () => {
        const before = await org.scim(`/Users/${U.platformUser}`)
        const res = await patch(U.platformUser, {
            op: 'replace',
            value: {
                title: 'Senior Analyst',
                name: { givenName: 'Hanna' },
                'urn:salesforce:schemas:extension:2.0:alias': 'hannamueller',
            },
        })
        expect(res.status).toBe(200)
        expect(res.body).toMatchObject({ title: 'Senior Analyst', name: { givenName: 'Hanna', familyName: 'Müller' } })
        expect(at(res.body, 'urn:salesforce:schemas:extension:1.0', 'alias')).toBe('hannamue')
        expect(at(res.body, 'meta', 'lastModified')).not.toBe(at(before.body, 'meta', 'lastModified'))
    })

    it('checks passwords on replace without bumping lastModified', async () => {
        const before = await org.scim(`/Users/${U.platformUser}`)
        const weak = await patch(U.platformUser, { op: 'replace', value: { password: 'abcdefgh' } })
        expect(weak.status).toBe(400)
        expect(at(weak.body, 'detail')).toBe(
            'INVALID_NEW_PASSWORD:Your password must be at least 8 characters long and include letters and numbers.;'
        )
        const ok = await patch(U.platformUser, { op: 'replace', value: { password: 'Passw0rdNew' } })
        expect(ok.status).toBe(200)
        expect(at(ok.body, 'meta', 'lastModified')).toBe(at(before.body, 'meta', 'lastModified'))
    })

    it('deactivates and reactivates with active false/true', async () => {
        const off = await patch(U.salesManagerEast, { op: 'replace', value: { active: false } })
        expect(off.status).toBe(200)
        expect(at(off.body, 'active')).toBe(false)
        const on = await patch(U.salesManagerEast, { op: 'replace', value: { active: 'true' } })
        expect(at(on.body, 'active')).toBe(true)
    })

    it('refuses to deactivate users Salesforce settings depend on', async () => {
        const cases: [string, string][] = [
            [
                U.salesManagerWest,
                'FIELD_INTEGRITY_EXCEPTION:Cannot inactivate user that is the default lead creator for Web-to-Lead;',
            ],
            [U.serviceManagerEmea, 'FIELD_INTEGRITY_EXCEPTION:Cannot inactivate user that is the default case owner;'],
            [U.itAdmin, 'FIELD_INTEGRITY_EXCEPTION:Cannot inactivate user that is the value of a hierarchy field;'],
        ]
        for (const [id, detail] of cases) {
            const viaPatch = await patch(id, { op: 'replace', value: { active: false } })
            expect(viaPatch.status).toBe(400)
            expect(at(viaPatch.body, 'detail')).toBe(detail)
            const viaDelete = await org.scim(`/Users/${id}`, { method: 'DELETE' })
            expect(viaDelete.status).toBe(400)
            expect(at(viaDelete.body, 'detail')).toBe(detail)
            expect(at((await org.scim(`/Users/${id}`)).body, 'active')).toBe(true)
        }
    })

    it('answers 404 No such resource for an unknown id', async () => {
        const res = await patch('005Dn0000009999AAA', { op: 'replace', value: { title: 'x' } })
        expect(res.status).toBe(404)
        expect(res.body).toEqual(scimError(404, 'No such resource'))
    })

    it('adds and replaces group memberships through the user', async () => {
        const add = await patch(U.chatterFreeUser, { op: 'add', value: { groups: [{ value: SEED.groups.marketing }] } })
        expect(list(add.body, 'groups').map((g) => at(g, 'value'))).toEqual([SEED.groups.marketing])
        const replace = await patch(U.chatterFreeUser, {
            op: 'replace',
            value: { groups: [{ value: SEED.groups.executives }] },
        })
        expect(list(replace.body, 'groups').map((g) => at(g, 'value'))).toEqual([SEED.groups.executives])
        const removed = await patch(U.chatterFreeUser, { op: 'remove', path: 'groups' })
        expect(removed.body).not.toHaveProperty('groups')
    })
})

describe('emulator DELETE /Users/{id} and hidden users', () => {
    const org = useOrg()

    it('deactivates with 204 and no body, and the user stays listed', async () => {
        const res = await org.scim(`/Users/${U.identityUser}`, { method: 'DELETE' })
        expect(res.status).toBe(204)
        expect(res.text).toBe('')
        const after = await org.scim(`/Users/${U.identityUser}`)
        expect(after.status).toBe(200)
        expect(at(after.body, 'active')).toBe(false)
        const listed = await org.scim(`/Users?${f('userName eq "nina.petrova@acme-corp.example.com"')}`)
        expect(list(listed.body, 'Resources').map((u) => at(u, 'active'))).toEqual([false])
        expect((await org.scim(`/Users/${U.identityUser}`, { method: 'DELETE' })).status).toBe(204)
    })

    it('answers 404 for an unknown id', async () => {
        const res = await org.scim('/Users/005Dn0000009999AAA', { method: 'DELETE' })
        expect(res.status).toBe(404)
    })

    it('does not serve internal users such as Automated Process', async () => {
        const byId = await org.scim(`/Users/${U.automatedProcess}`)
        expect(byId.status).toBe(200)
        expect(byId.body).not.toHaveProperty('Resources')
        expect(at(byId.body, 'totalResults')).toBe(0)
        const all = await org.scim('/Users?count=200')
        const ids = list(all.body, 'Resources').map((u) => at(u, 'id'))
        expect(ids).not.toContain(U.automatedProcess)
        expect(ids).not.toContain(U.siteGuest)
        expect(ids).toContain(U.partner)
    })

    it('serves the calling user on /Me', async () => {
        const res = await org.scim('/Me')
        expect(at(res.body, 'id')).toBe(U.integration)
    })

    it('answers 404 No such resource for an unknown user id', async () => {
        const res = await org.scim('/Users/005Dn0000009999AAA')
        expect(res.status).toBe(404)
        expect(at(res.body, 'detail')).toBe('No such resource')
    })
})

describe('emulator PUT /Users/{id} and projections', () => {
    const org = useOrg()

    it('replaces the user and its permission sets on PUT', async () => {
        const res = await org.scim(`/Users/${U.vpSales}`, {
            method: 'PUT',
            body: newUserBody('marcus.reid@acme-corp.example.com', P.standardUser, {
                entitlements: [{ value: P.standardUser }, { value: PS.knowledgeUser }],
                title: 'Chief Revenue Officer',
            }),
        })
        expect(res.status).toBe(200)
        expect(res.body).toMatchObject({ title: 'Chief Revenue Officer', name: { familyName: 'Tester' } })
        expect(entitlementValues(res.body)).toEqual([P.standardUser, PS.knowledgeUser])
        // PUT replaces: the role and manager it did not name are gone.
        expect(res.body).not.toHaveProperty('roles')
        expect(at(res.body, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'manager')).toBeUndefined()
    })

    it('answers every PUT failure with 409 and 404 for an unknown id', async () => {
        const noProfile = await org.scim(`/Users/${U.vpSales}`, {
            method: 'PUT',
            body: newUserBody('marcus.reid@acme-corp.example.com', P.standardUser, { entitlements: [] }),
        })
        expect(noProfile.status).toBe(409)
        expect(at(noProfile.body, 'detail')).toBe(
            'REQUIRED_FIELD_MISSING:user_must_have_one_entitlement_which_must_be_a_profileid;'
        )
        const swap = await org.scim(`/Users/${U.vpSales}`, {
            method: 'PUT',
            body: newUserBody('marcus.reid@acme-corp.example.com', P.identityUser),
        })
        expect(swap.status).toBe(409)
        expect(String(at(swap.body, 'detail'))).toMatch(/^FIELD_INTEGRITY_EXCEPTION:User's Profile can't be set/)
        const missing = await org.scim('/Users/005Dn0000009999AAA', {
            method: 'PUT',
            body: newUserBody('x@acme-corp.example.com', P.standardUser),
        })
        expect(missing.status).toBe(404)
    })

    it('accepts the documented trailing slash on POST /Users/', async () => {
        const res = await org.scim('/Users/', {
            method: 'POST',
            body: newUserBody('trailing.slash@acme-corp.example.com', P.chatterFreeUser),
        })
        expect(res.status).toBe(201)
        expect(at(res.body, 'userType')).toBe('CsnOnly')
    })

    it('honours attributes and excludedAttributes', async () => {
        const only = await org.scim(`/Users?count=2&attributes=userName,name.familyName`)
        const first = list(only.body, 'Resources')[0]
        expect(Object.keys(first as object).sort()).toEqual(['id', 'meta', 'name', 'schemas', 'userName'])
        expect(Object.keys(at(first, 'name') as object)).toEqual(['familyName'])
        const without = await org.scim(`/Users/${U.ceo}?excludedAttributes=entitlements,groups`)
        expect(without.body).not.toHaveProperty('entitlements')
        expect(without.body).not.toHaveProperty('groups')
        expect(at(without.body, 'userName')).toBe('olivia.bennett@acme-corp.example.com')
        const both = await org.scim(`/Users/${U.ceo}?attributes=userName&excludedAttributes=groups`)
        expect(both.status).toBe(400)
        expect(at(both.body, 'detail')).toBe('Cannot provide both attributes and excludedAttributes')
        const groupsNoMembers = await org.scim('/Groups?attributes=displayName')
        expect(list(groupsNoMembers.body, 'Resources')[0]).not.toHaveProperty('members')
    })

    it('answers malformed JSON with the UNKNOWN_EXCEPTION payload error', async () => {
        const res = await org.scim('/Users', { method: 'POST', body: '{"userName": ' })
        expect(res.status).toBe(400)
        expect(at(res.body, 'errorCode')).toBe('UNKNOWN_EXCEPTION')
    })
})

describe('emulator RFC error schemas option', () => {
    const org = useOrg({ stringifiedErrorSchemas: false })

    it('sends schemas as an array when stringifiedErrorSchemas is false', async () => {
        const res = await org.scim('/Users?count=500')
        expect(res.body).toEqual({ schemas: [ERROR_URN], detail: 'Illegal count value : 500', status: 400 })
    })
})
