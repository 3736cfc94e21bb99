import { createHash } from 'crypto'
import { Request, Router } from 'express'
import { ScimError } from '../errors'
import { CustomFieldType } from '../model'
import { sendJson } from '../respond'
import { OrgStore } from '../store'
import { customUrn, RequestContext, SCIM_BASE_PATH, URN } from './common'
import { ScimDeps } from './deps'
import { LIST_RESPONSE_URN } from './list'

/** `/ServiceProviderConfigs` (and the RFC's singular), `/Schemas` and `/ResourceTypes`. */

const staticVersion = (s: string): string => createHash('sha1').update(s).digest('hex')

/** Field for field the body in Salesforce's "Understand the SCIM Implementation" page. */
function serviceProviderConfig(ctx: RequestContext): Record<string, unknown> {
    return {
        schemas: [URN.serviceProviderConfig],
        documentationUri: 'https://help.salesforce.com/HTViewHelpDoc?id=identity_scim_overview.htm',
        patch: { supported: true },
        bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
        filter: { supported: true, maxResults: 200 },
        changePassword: { supported: true },
        sort: { supported: false },
        etag: { supported: false },
        authenticationSchemes: [
            {
                type: 'oauth2',
                name: 'OAuth v2.0',
                description: 'Authentication Scheme using the OAuth Standard',
                specUri: 'http://tools.ietf.org/html/rfc6749',
                documentationUri: 'https://help.salesforce.com/apex/HTViewHelpDoc?id=remoteaccess_authenticate.htm',
                primary: true,
            },
        ],
        meta: {
            location: `${ctx.baseUrl}${SCIM_BASE_PATH}/ServiceProviderConfigs`,
            resourceType: 'ServiceProviderConfig',
            version: staticVersion('ServiceProviderConfig'),
        },
    }
}

interface AttrOptions {
    readonly multiValued?: boolean
    readonly required?: boolean
    readonly mutability?: 'readOnly' | 'readWrite' | 'writeOnly' | 'immutable'
    readonly returned?: 'always' | 'never' | 'default'
    readonly uniqueness?: 'none' | 'server' | 'global'
    readonly caseExact?: boolean
    readonly subAttributes?: readonly Record<string, unknown>[]
}

function attr(name: string, type: string, description: string, o: AttrOptions = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {
        name,
        type,
        multiValued: o.multiValued ?? false,
        description,
        required: o.required ?? false,
        caseExact: o.caseExact ?? false,
        mutability: o.mutability ?? 'readWrite',
        returned: o.returned ?? 'default',
        uniqueness: o.uniqueness ?? 'none',
    }
    if (o.subAttributes) out.subAttributes = o.subAttributes
    return out
}

const multiValuedSubs = (valueDescription: string): Record<string, unknown>[] => [
    attr('value', 'string', valueDescription),
    attr('type', 'string', "A label indicating the attribute's function."),
    attr('primary', 'boolean', 'Indicates the primary value.'),
]

const refSubs = (what: string): Record<string, unknown>[] => [
    attr('value', 'string', `The id of the ${what}.`),
    attr('$ref', 'reference', `The URI of the ${what}.`, { mutability: 'readOnly' }),
    attr('display', 'string', `The name of the ${what}.`, { mutability: 'readOnly' }),
]

const CUSTOM_TYPES: Record<CustomFieldType, string> = {
    string: 'string',
    double: 'decimal',
    boolean: 'boolean',
    date: 'dateTime',
    hierarchy: 'reference',
}

function schemas(store: OrgStore, ctx: RequestContext): Record<string, unknown>[] {
    const meta = (id: string): Record<string, unknown> => ({
        resourceType: 'Schema',
        location: `${ctx.baseUrl}${SCIM_BASE_PATH}/Schemas/${id}`,
    })
    const user = {
        id: URN.user,
        name: 'User',
        description: 'User Account',
        attributes: [
            attr('userName', 'string', 'Unique identifier for the User, in the form of an email address.', {
                required: true,
                uniqueness: 'global',
            }),
            attr('externalId', 'string', 'The Federation ID of the user.'),
            attr('name', 'complex', "The components of the user's name.", {
                subAttributes: [
                    attr('formatted', 'string', 'The full name.', { mutability: 'readOnly' }),
                    attr('familyName', 'string', 'The family name (last name).', { required: true }),
                    attr('givenName', 'string', 'The given name (first name).'),
                ],
            }),
            attr('displayName', 'string', 'The name of the User, suitable for display.', { mutability: 'readOnly' }),
            attr(
                'nickName',
                'string',
                'The community nickname; defaults to the userName on create. At most 40 characters.'
            ),
            attr('emails', 'complex', 'Email address of the User. Exactly one.', {
                multiValued: true,
                required: true,
                subAttributes: multiValuedSubs('Email address.'),
            }),
            attr('addresses', 'complex', 'A physical mailing address. At most one.', {
                multiValued: true,
                subAttributes: [
                    'formatted',
                    'streetAddress',
                    'locality',
                    'region',
                    'postalCode',
                    'country',
                    'type',
                ].map((n) => attr(n, 'string', `The ${n} component of the address.`)),
            }),
            attr('phoneNumbers', 'complex', 'Phone numbers: work, mobile, fax.', {
                multiValued: true,
                subAttributes: multiValuedSubs('Phone number.'),
            }),
            attr('photos', 'complex', 'URLs of the profile photo and thumbnail.', {
                multiValued: true,
                mutability: 'readOnly',
                subAttributes: multiValuedSubs('URL of the photo.'),
            }),
            attr('userType', 'string', 'The Salesforce user type.', { mutability: 'readOnly' }),
            attr('title', 'string', "The user's title."),
            attr('preferredLanguage', 'string', 'Language locale key, e.g. en_US.'),
            attr('emailEncodingKey', 'string', 'Email encoding, e.g. UTF-8.'),
            attr('locale', 'string', 'Locale key, e.g. en_US.'),
            attr('timezone', 'string', 'Time zone key, e.g. America/Los_Angeles.'),
            attr('active', 'boolean', "The User's administrative status."),
            attr('password', 'string', "The User's password.", { mutability: 'writeOnly', returned: 'never' }),
            attr('entitlements', 'complex', 'The profile (exactly one, primary) and permission sets of the user.', {
                multiValued: true,
                required: true,
                subAttributes: [
                    ...refSubs('profile or permission set'),
                    attr('type', 'string', 'Profile or Permission Set.'),
                    attr('primary', 'boolean', 'True for the profile.'),
                ],
            }),
            attr('groups', 'complex', 'Public groups the user belongs to.', {
                multiValued: true,
                subAttributes: refSubs('group'),
            }),
            attr('roles', 'complex', 'The role of the user. At most one.', {
                multiValued: true,
                subAttributes: refSubs('role'),
            }),
        ],
        meta: meta(URN.user),
    }
    const enterprise = {
        id: URN.enterprise,
        name: 'EnterpriseUser',
        description: 'Enterprise User',
        attributes: [
            attr('employeeNumber', 'string', 'Employee number.'),
            attr('organization', 'string', 'The 18-character id of the organization.', { mutability: 'readOnly' }),
            attr('division', 'string', 'Division.'),
            attr('department', 'string', 'Department.'),
            attr('manager', 'complex', "The user's manager.", {
                subAttributes: [
                    attr('value', 'string', 'The id of the manager.'),
                    attr('$ref', 'reference', 'The URI of the manager.', { mutability: 'readOnly' }),
                    attr('displayName', 'string', 'The name of the manager.', { mutability: 'readOnly' }),
                ],
            }),
            attr('delegatedApprover', 'complex', "The user's delegated approver.", {
                subAttributes: [
                    attr('delegatedApproverId', 'string', 'The id of the delegated approver.'),
                    attr('$ref', 'reference', 'The URI of the delegated approver.', { mutability: 'readOnly' }),
                    attr('displayName', 'string', 'The name of the delegated approver.', { mutability: 'readOnly' }),
                ],
            }),
        ],
        meta: meta(URN.enterprise),
    }
    const salesforce = {
        id: URN.salesforce10,
        name: 'SalesforceUser',
        description: 'Salesforce User attributes',
        // Description text as Salesforce's own /Schemas has it, typo included.
        attributes: [attr('alias', 'string', '8 character nickanme')],
        meta: meta(URN.salesforce10),
    }
    const custom = {
        id: customUrn(store.org.id),
        name: 'CustomUserFields',
        description: 'Custom fields of the User object',
        attributes: store.customFields.map((f) =>
            attr(f.name, CUSTOM_TYPES[f.type], f.type === 'hierarchy' ? `${f.label} (hierarchy, a User id)` : f.label)
        ),
        meta: meta(customUrn(store.org.id)),
    }
    const group = {
        id: URN.group,
        name: 'Group',
        description: 'Public group',
        attributes: [
            attr('displayName', 'string', 'The name of the group.', { required: true }),
            attr('type', 'string', 'Group type; Regular for public groups.', { mutability: 'readOnly' }),
            attr('members', 'complex', 'Users and groups in the group.', {
                multiValued: true,
                subAttributes: [
                    attr('value', 'string', 'Member id.'),
                    attr('type', 'string', 'User or Group.'),
                    attr('$ref', 'reference', 'Member URI.'),
                ],
            }),
        ],
        meta: meta(URN.group),
    }
    const entitlement = {
        id: URN.entitlement,
        name: 'Entitlement',
        description: 'Profile or permission set',
        attributes: [
            attr('displayName', 'string', 'The name of the profile or permission set.', { mutability: 'readOnly' }),
            attr('type', 'string', 'Profile or Permission Set.', { mutability: 'readOnly' }),
            attr('members', 'complex', 'Active users holding the entitlement.', {
                multiValued: true,
                mutability: 'readOnly',
                subAttributes: refSubs('user'),
            }),
        ],
        meta: meta(URN.entitlement),
    }
    const role = {
        id: URN.role,
        name: 'Role',
        description: 'User role',
        attributes: [
            attr('displayName', 'string', 'The name of the role.', { mutability: 'readOnly' }),
            attr('members', 'complex', 'Users in the role.', {
                multiValued: true,
                mutability: 'readOnly',
                subAttributes: refSubs('user'),
            }),
        ],
        meta: meta(URN.role),
    }
    return [user, enterprise, salesforce, custom, group, entitlement, role].map((s) => ({
        schemas: [URN.schema],
        ...s,
    }))
}

function resourceTypes(store: OrgStore, ctx: RequestContext): Record<string, unknown>[] {
    const rt = (id: string, endpoint: string, schema: string, description: string, extensions: string[] = []) => ({
        schemas: [URN.resourceType],
        id,
        name: id,
        endpoint,
        description,
        schema,
        // Salesforce writes `required` as the string "false", not a boolean.
        ...(extensions.length > 0
            ? { schemaExtensions: extensions.map((s) => ({ schema: s, required: 'false' })) }
            : {}),
        meta: { resourceType: 'ResourceType', location: `${ctx.baseUrl}${SCIM_BASE_PATH}/ResourceTypes/${id}` },
    })
    return [
        rt('User', '/Users', URN.user, 'User Account', [
            URN.enterprise,
            customUrn(store.org.id),
            URN.external,
            URN.salesforce10,
            URN.communities,
        ]),
        rt('Group', '/Groups', URN.group, 'Public group'),
        rt(URN.entitlement, '/Entitlements', URN.entitlement, 'Profiles and permission sets'),
        rt(URN.role, '/Roles', URN.role, 'User roles'),
    ]
}

function list(resources: Record<string, unknown>[]): Record<string, unknown> {
    return {
        totalResults: resources.length,
        itemsPerPage: resources.length,
        startIndex: 1,
        schemas: [LIST_RESPONSE_URN],
        Resources: resources,
    }
}

export function discoveryRouter(deps: ScimDeps): Router {
    const router = Router({ caseSensitive: true })
    const ctx = (req: Request): RequestContext => deps.context(req)
    // Salesforce documents the plural; the pilot (and RFC 7644) use the singular. Both are served.
    router.get(['/ServiceProviderConfigs', '/ServiceProviderConfig'], (req, res) => {
        sendJson(res, 200, serviceProviderConfig(ctx(req)))
    })
    router.get('/Schemas', (req, res) => {
        sendJson(res, 200, list(schemas(deps.store, ctx(req))))
    })
    router.get('/Schemas/:id', (req, res) => {
        const s = schemas(deps.store, ctx(req)).find((x) => x.id === req.params.id)
        if (!s) throw new ScimError(404, 'No such resource')
        sendJson(res, 200, s)
    })
    router.get('/ResourceTypes', (req, res) => {
        sendJson(res, 200, list(resourceTypes(deps.store, ctx(req))))
    })
    router.get('/ResourceTypes/:id', (req, res) => {
        const r = resourceTypes(deps.store, ctx(req)).find((x) => x.id === req.params.id)
        if (!r) throw new ScimError(404, 'No such resource')
        sendJson(res, 200, r)
    })
    return router
}
