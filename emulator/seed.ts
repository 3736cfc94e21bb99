import { EMULATOR_CREDENTIALS } from './credentials'
import { counterBeforeCaseFlip, KEY_PREFIX, makeId, POD } from './ids'
import { CustomValue, FeatureLicense, LicenseName, UserFields, UserRecord, UserType } from './model'
import { OrgStore } from './store'

/**
 * The hand-written "Acme Corp" org every emulator starts from: profiles of each license type, permission sets, a role
 * hierarchy, public groups, a queue and 32 users with managers, inactive users, a partner user, custom fields,
 * internal users /Users must not return, users whose deactivation Salesforce refuses, and messy data (quotes, braces,
 * backslashes, non-ASCII and emoji in names and titles). User ids come from two pods and several chunks.
 */

export const ORG_ID = makeId(KEY_PREFIX.org, 4_216_044)

/** Seed users the org created after it moved pod: their ids carry the current pod's code, which sorts lower. */
const MOVED_POD_USERS: readonly number[] = [23, 24, 25, 26, 29, 30, 31, 32]
/** First chunk of legacy-pod user ids: users 1-10, starting just before a `Z`-to-`a` case flip. */
const LEGACY_CHUNK_1 = counterBeforeCaseFlip(7_000) - 4
/** Second legacy chunk, another app server's, after a gap: the other legacy users. */
const LEGACY_CHUNK_2 = LEGACY_CHUNK_1 + 1_733
const CURRENT_POD_CHUNK = counterBeforeCaseFlip(210) - 2

/** The id of seed user `n`: two chunks with a gap on the legacy pod, and a chunk on the current pod. */
export function seedUserId(n: number): string {
    const moved = MOVED_POD_USERS.indexOf(n)
    if (moved >= 0) return makeId(KEY_PREFIX.user, CURRENT_POD_CHUNK + moved, POD.current)
    if (n <= 10) return makeId(KEY_PREFIX.user, LEGACY_CHUNK_1 + n - 1)
    return makeId(KEY_PREFIX.user, LEGACY_CHUNK_2 + n - 11)
}

/** Counter after the seed's current-pod users: generated users continue on that pod after a gap. */
export const CURRENT_POD_NEXT_COUNTER = CURRENT_POD_CHUNK + MOVED_POD_USERS.length + 377
export const ORG_NAME = 'Acme Corp'
export const USER_DOMAIN = 'acme-corp.example.com'

/** Usernames already taken in other Salesforce orgs (sandboxes, other companies): creating them fails as duplicates. */
export const FOREIGN_USERNAMES: readonly string[] = [
    'admin@example.com',
    'john.doe@example.com',
    'jane.doe@example.com',
    'test.user@example.com',
    'olivia.bennett@acme-corp.example.com.uat',
    'taken.elsewhere@acme-corp.example.com',
]

const day = 86_400_000
const T0 = Date.UTC(2021, 2, 15, 16, 0, 0)
const at = (days: number, hours = 0): number => T0 + days * day + hours * 3_600_000

/** Ids of seeded records, fixed so tests and docs can name them. */
export const SEED = {
    profiles: {
        systemAdministrator: makeId(KEY_PREFIX.profile, 1),
        standardUser: makeId(KEY_PREFIX.profile, 2),
        readOnly: makeId(KEY_PREFIX.profile, 3),
        marketingUser: makeId(KEY_PREFIX.profile, 4),
        salesforcePlatformUser: makeId(KEY_PREFIX.profile, 5),
        chatterFreeUser: makeId(KEY_PREFIX.profile, 6),
        identityUser: makeId(KEY_PREFIX.profile, 7),
        partnerCommunityUser: makeId(KEY_PREFIX.profile, 8),
        guestSite: makeId(KEY_PREFIX.profile, 9),
        automatedProcess: makeId(KEY_PREFIX.profile, 10),
    },
    permissionSets: {
        salesCloudUser: makeId(KEY_PREFIX.permissionSet, 1),
        serviceCloudUser: makeId(KEY_PREFIX.permissionSet, 2),
        apiEnabled: makeId(KEY_PREFIX.permissionSet, 3),
        modifyAllDataAuditor: makeId(KEY_PREFIX.permissionSet, 4),
        knowledgeUser: makeId(KEY_PREFIX.permissionSet, 5),
        flowBuilder: makeId(KEY_PREFIX.permissionSet, 6),
        marketingCloudConnect: makeId(KEY_PREFIX.permissionSet, 7),
        crmAnalyticsPlus: makeId(KEY_PREFIX.permissionSet, 8),
        /** A name with quotes, braces, a backslash, a Greek letter and an emoji. */
        reportsLite: makeId(KEY_PREFIX.permissionSet, 9),
    },
    roles: {
        ceo: makeId(KEY_PREFIX.role, 1),
        vpSales: makeId(KEY_PREFIX.role, 2),
        vpService: makeId(KEY_PREFIX.role, 3),
        salesManagerWest: makeId(KEY_PREFIX.role, 4),
        salesManagerEast: makeId(KEY_PREFIX.role, 5),
        serviceManagerEmea: makeId(KEY_PREFIX.role, 6),
        serviceManagerAmericas: makeId(KEY_PREFIX.role, 7),
        salesRepWest: makeId(KEY_PREFIX.role, 8),
        salesRepEast: makeId(KEY_PREFIX.role, 9),
        serviceAgentEmea: makeId(KEY_PREFIX.role, 10),
        serviceAgentAmericas: makeId(KEY_PREFIX.role, 11),
        vpMarketing: makeId(KEY_PREFIX.role, 12),
    },
    groups: {
        allSales: makeId(KEY_PREFIX.group, 1),
        westRegion: makeId(KEY_PREFIX.group, 2),
        eastRegion: makeId(KEY_PREFIX.group, 3),
        serviceTeam: makeId(KEY_PREFIX.group, 4),
        marketing: makeId(KEY_PREFIX.group, 5),
        executives: makeId(KEY_PREFIX.group, 6),
        /** A queue (Group.Type = Queue), not a public group. */
        supportQueue: makeId(KEY_PREFIX.group, 7),
        /** A public group whose name has quotes, braces, a backslash and an emoji. */
        nightShift: makeId(KEY_PREFIX.group, 8),
        /** A second queue. */
        escalationsQueue: makeId(KEY_PREFIX.group, 9),
    },
    /** Permission set groups: their assignments are PermissionSetAssignment rows SCIM does not show. */
    permissionSetGroups: {
        salesLeadership: makeId(KEY_PREFIX.permissionSetGroup, 1),
        serviceAgentBundle: makeId(KEY_PREFIX.permissionSetGroup, 2),
        /** Status Outdated: recalculation pending after a component changed. */
        adminTools: makeId(KEY_PREFIX.permissionSetGroup, 3),
    },
    permissionSetLicenses: {
        /** Needed by the CRM Analytics Plus permission set. */
        crmAnalyticsPlus: makeId(KEY_PREFIX.permissionSetLicense, 1),
        /** Every seat taken. */
        salesCloudEinstein: makeId(KEY_PREFIX.permissionSetLicense, 2),
        fieldServiceScheduling: makeId(KEY_PREFIX.permissionSetLicense, 3),
    },
    packageLicenses: {
        /** Licensed site-wide (AllowedLicenses -1): no assignments. */
        conga: makeId(KEY_PREFIX.packageLicense, 1),
        /** One seat left. */
        docuSign: makeId(KEY_PREFIX.packageLicense, 2),
        /** Expired. */
        pardot: makeId(KEY_PREFIX.packageLicense, 3),
    },
    users: {
        integration: seedUserId(1),
        ceo: seedUserId(2),
        vpSales: seedUserId(3),
        vpService: seedUserId(4),
        /** Web-to-Lead default lead creator: cannot be deactivated. */
        salesManagerWest: seedUserId(5),
        salesManagerEast: seedUserId(6),
        /** Default case owner: cannot be deactivated. */
        serviceManagerEmea: seedUserId(7),
        serviceManagerAmericas: seedUserId(8),
        /** IT admin referenced by the `Approver__c` hierarchy field: cannot be deactivated. */
        itAdmin: seedUserId(19),
        /** Salesforce Platform license. */
        platformUser: seedUserId(20),
        chatterFreeUser: seedUserId(21),
        identityUser: seedUserId(22),
        /** Inactive, Read Only profile. */
        inactiveReadOnly: seedUserId(23),
        /** Inactive, Standard User profile. */
        inactiveStandard: seedUserId(24),
        /** PowerPartner user of the Partner Community profile. */
        partner: seedUserId(25),
        automatedProcess: seedUserId(27),
        siteGuest: seedUserId(28),
        /** Names and title with quotes, braces, backslashes, non-ASCII and emoji. */
        messyQuotes: seedUserId(29),
        messyCjk: seedUserId(30),
        /** In the Support Queue and a public group; a backslash in the last name, emoji in the title. */
        messyQueue: seedUserId(31),
        messyAccents: seedUserId(32),
        /** Frozen (UserLogin.IsFrozen): active in SCIM, cannot log in. */
        frozen: seedUserId(12),
        /** Locked out by failed logins (UserLogin.IsPasswordLocked): the API can unlock. */
        locked: seedUserId(14),
        /** Locked out "until an administrator resets the password": the API cannot unlock. */
        lockedUntilAdminReset: seedUserId(13),
    },
    /** Seed users in the Support Queue (a queue, not a public group). */
    queueMembers: [seedUserId(15), seedUserId(16), seedUserId(17), seedUserId(31)],
    /** Seed users in the Escalations Queue. */
    escalationsMembers: [seedUserId(5), seedUserId(9)],
} as const

/** Feature licenses (User.UserPermissions*) of seed users, by seed user number. */
const FEATURE_LICENSES_OF: Readonly<Record<number, readonly FeatureLicense[]>> = {
    3: ['OfflineUser'],
    4: ['SupportUser', 'KnowledgeUser'],
    7: ['SupportUser', 'KnowledgeUser', 'LiveAgentUser'],
    8: ['SupportUser', 'CallCenterAutoLogin'],
    15: ['SupportUser', 'KnowledgeUser'],
    16: ['SupportUser', 'KnowledgeUser'],
    17: ['SupportUser'],
    18: ['MarketingUser', 'SFContentUser'],
    19: ['InteractionUser', 'AvantgoUser'],
    20: ['InteractionUser'],
}

/** Postal codes and states of the seed's cities: the address parts of their users. */
const ADDRESS_PARTS: Readonly<Record<string, readonly [string | null, string]>> = {
    'San Francisco': ['CA', '94105'],
    Seattle: ['WA', '98101'],
    'New York': ['NY', '10007'],
    London: [null, 'EC2V 7HH'],
    Berlin: [null, '10117'],
    東京: [null, '100-0005'],
}

interface SeedUser {
    readonly n: number
    readonly first: string
    readonly last: string
    readonly profile: keyof typeof SEED.profiles
    readonly role?: keyof typeof SEED.roles
    readonly manager?: number
    readonly title?: string
    readonly department?: string
    readonly division?: string
    readonly active?: boolean
    readonly permissionSets?: readonly (keyof typeof SEED.permissionSets)[]
    readonly groups?: readonly (keyof typeof SEED.groups)[]
    readonly userType?: UserType
    readonly userName?: string
    readonly custom?: Record<string, CustomValue>
    readonly phone?: string
    readonly city?: string
    readonly country?: string
    readonly locale?: string
    readonly timezone?: string
    readonly federationId?: string
    readonly created: number
    readonly modified: number
}

const USERS: readonly SeedUser[] = [
    {
        n: 1,
        first: 'SCIM',
        last: 'Integration',
        profile: 'systemAdministrator',
        permissionSets: ['apiEnabled'],
        title: 'Integration User',
        department: 'IT',
        userName: EMULATOR_CREDENTIALS.username,
        created: at(0),
        modified: at(30),
    },
    {
        n: 2,
        first: 'Olivia',
        last: 'Bennett',
        profile: 'standardUser',
        role: 'ceo',
        title: 'Chief Executive Officer',
        department: 'Executive',
        division: 'Corporate',
        groups: ['executives'],
        permissionSets: ['crmAnalyticsPlus'],
        custom: { Cost_Center__c: 'CC-1000', Badge_Number__c: 1001 },
        phone: '+1 415 555 0100',
        city: 'San Francisco',
        country: 'US',
        created: at(1),
        modified: at(400),
    },
    {
        n: 3,
        first: 'Marcus',
        last: 'Reid',
        profile: 'standardUser',
        role: 'vpSales',
        manager: 2,
        title: 'VP Sales',
        department: 'Sales',
        groups: ['executives', 'allSales'],
        permissionSets: ['salesCloudUser', 'crmAnalyticsPlus'],
        custom: { Cost_Center__c: 'CC-2000', Badge_Number__c: 1002 },
        created: at(2),
        modified: at(380),
    },
    {
        n: 4,
        first: 'Priya',
        last: 'Natarajan',
        profile: 'standardUser',
        role: 'vpService',
        manager: 2,
        title: 'VP Customer Service',
        department: 'Service',
        groups: ['executives', 'serviceTeam'],
        permissionSets: ['serviceCloudUser', 'knowledgeUser'],
        custom: { Cost_Center__c: 'CC-3000' },
        created: at(2, 2),
        modified: at(390),
    },
    {
        n: 5,
        first: 'Daniel',
        last: 'Kowalski',
        profile: 'standardUser',
        role: 'salesManagerWest',
        manager: 3,
        title: 'Regional Sales Manager, West',
        department: 'Sales',
        division: 'West',
        groups: ['allSales', 'westRegion'],
        permissionSets: ['salesCloudUser'],
        custom: { Cost_Center__c: 'CC-2100' },
        city: 'Seattle',
        country: 'US',
        created: at(5),
        modified: at(200),
    },
    {
        n: 6,
        first: 'Sofia',
        last: 'Alvarez',
        profile: 'standardUser',
        role: 'salesManagerEast',
        manager: 3,
        title: 'Regional Sales Manager, East',
        department: 'Sales',
        division: 'East',
        groups: ['allSales', 'eastRegion'],
        permissionSets: ['salesCloudUser', 'flowBuilder'],
        custom: { Cost_Center__c: 'CC-2200' },
        city: 'New York',
        country: 'US',
        timezone: 'America/New_York',
        created: at(5, 3),
        modified: at(210),
    },
    {
        n: 7,
        first: 'Hiroshi',
        last: 'Tanaka',
        profile: 'standardUser',
        role: 'serviceManagerEmea',
        manager: 4,
        title: 'Service Manager, EMEA',
        department: 'Service',
        division: 'EMEA',
        groups: ['serviceTeam'],
        permissionSets: ['serviceCloudUser', 'knowledgeUser'],
        custom: { Cost_Center__c: 'CC-3100' },
        city: 'London',
        country: 'GB',
        locale: 'en_GB',
        timezone: 'Europe/London',
        created: at(6),
        modified: at(220),
    },
    {
        n: 8,
        first: 'Amara',
        last: 'Okafor',
        profile: 'standardUser',
        role: 'serviceManagerAmericas',
        manager: 4,
        title: 'Service Manager, Americas',
        department: 'Service',
        division: 'Americas',
        groups: ['serviceTeam'],
        permissionSets: ['serviceCloudUser'],
        custom: { Cost_Center__c: 'CC-3200' },
        created: at(6, 4),
        modified: at(230),
    },
    ...[
        [9, 'Liam', "O'Connor", 'salesRepWest', 5, 'westRegion', 'Account Executive'],
        [10, 'Emma', 'Schmidt', 'salesRepWest', 5, 'westRegion', 'Account Executive'],
        [11, 'Noah', 'Williams', 'salesRepWest', 5, 'westRegion', 'Sales Development Rep'],
        [12, 'Chloé', 'Dubois', 'salesRepEast', 6, 'eastRegion', 'Account Executive'],
        [13, 'Mateo', 'García', 'salesRepEast', 6, 'eastRegion', 'Account Executive'],
        [14, 'Ava', 'Johnson', 'salesRepEast', 6, 'eastRegion', 'Sales Development Rep'],
    ].map(([n, first, last, role, manager, group, title]): SeedUser => ({
        n: n as number,
        first: first as string,
        last: last as string,
        profile: 'standardUser',
        role: role as keyof typeof SEED.roles,
        manager: manager as number,
        title: title as string,
        department: 'Sales',
        division: group === 'westRegion' ? 'West' : 'East',
        groups: ['allSales', group as keyof typeof SEED.groups],
        permissionSets: ['salesCloudUser'],
        custom: { Cost_Center__c: group === 'westRegion' ? 'CC-2100' : 'CC-2200', Approver__c: '@19' },
        created: at(10 + (n as number)),
        modified: at(150 + (n as number) * 3),
    })),
    ...[
        [15, 'Lucas', 'Rossi', 'serviceAgentEmea', 7, 'Europe/Rome', 'it_IT'],
        [16, 'Mia', 'Chen', 'serviceAgentAmericas', 8, 'America/Chicago', 'en_US'],
        [17, 'Ethan', 'Brown', 'serviceAgentAmericas', 8, 'America/Denver', 'en_US'],
    ].map(([n, first, last, role, manager, timezone, locale]): SeedUser => ({
        n: n as number,
        first: first as string,
        last: last as string,
        profile: 'standardUser',
        role: role as keyof typeof SEED.roles,
        manager: manager as number,
        title: 'Customer Support Agent',
        department: 'Service',
        groups: ['serviceTeam'],
        permissionSets: ['serviceCloudUser', 'knowledgeUser'],
        custom: { Cost_Center__c: 'CC-3300', Badge_Number__c: 2000 + (n as number) },
        timezone: timezone as string,
        locale: locale as string,
        created: at(30 + (n as number)),
        modified: at(160 + (n as number)),
    })),
    {
        n: 18,
        first: 'Grace',
        last: 'Lee',
        profile: 'marketingUser',
        role: 'vpMarketing',
        manager: 2,
        title: 'Marketing Director',
        department: 'Marketing',
        groups: ['marketing'],
        permissionSets: ['marketingCloudConnect'],
        custom: { Cost_Center__c: 'CC-4000' },
        created: at(40),
        modified: at(300),
    },
    {
        n: 19,
        first: 'Raj',
        last: 'Patel',
        profile: 'systemAdministrator',
        manager: 2,
        title: 'Salesforce Administrator',
        department: 'IT',
        permissionSets: ['modifyAllDataAuditor', 'flowBuilder', 'apiEnabled'],
        custom: { Cost_Center__c: 'CC-5000', Badge_Number__c: 1019 },
        federationId: 'raj.patel@acme-corp.example.com',
        created: at(3),
        modified: at(500),
    },
    {
        n: 20,
        first: 'Hannah',
        last: 'Müller',
        profile: 'salesforcePlatformUser',
        manager: 19,
        title: 'Operations Analyst',
        department: 'Operations',
        locale: 'de_DE',
        timezone: 'Europe/Berlin',
        city: 'Berlin',
        country: 'DE',
        permissionSets: ['flowBuilder'],
        created: at(60),
        modified: at(260),
    },
    {
        n: 21,
        first: 'Tom',
        last: 'Fischer',
        profile: 'chatterFreeUser',
        title: 'Warehouse Lead',
        department: 'Operations',
        created: at(70),
        modified: at(70),
    },
    {
        n: 22,
        first: 'Nina',
        last: 'Petrova',
        profile: 'identityUser',
        title: 'Contractor',
        department: 'Finance',
        custom: { Contractor__c: true },
        created: at(80),
        modified: at(90),
    },
    {
        n: 23,
        first: 'Carlos',
        last: 'Mendes',
        profile: 'readOnly',
        title: 'Financial Auditor',
        department: 'Finance',
        active: false,
        custom: { Contractor__c: true },
        created: at(90),
        modified: at(320),
    },
    {
        n: 24,
        first: 'Fatima',
        last: 'Zahra',
        profile: 'standardUser',
        role: 'salesRepWest',
        manager: 5,
        title: 'Account Executive',
        department: 'Sales',
        active: false,
        permissionSets: ['salesCloudUser'],
        created: at(100),
        modified: at(450),
    },
    {
        n: 25,
        first: 'Peter',
        last: 'Lindqvist',
        profile: 'partnerCommunityUser',
        userType: 'PowerPartner',
        title: 'Channel Partner',
        userName: 'peter.lindqvist@nordic-partners.example.com',
        created: at(120),
        modified: at(130),
    },
    {
        n: 26,
        first: 'Sam',
        last: 'Taylor',
        profile: 'standardUser',
        role: 'salesRepEast',
        manager: 6,
        title: 'Sales Intern',
        department: 'Sales',
        groups: ['eastRegion'],
        custom: { Contractor__c: true },
        created: at(420),
        modified: at(421),
    },
    {
        n: 29,
        first: 'Zoë "Zee"',
        last: "D'Àngelo-Ō'Brien",
        profile: 'standardUser',
        role: 'salesRepWest',
        manager: 5,
        title: 'Head of {Growth} \\ "APAC" 🚀',
        department: 'Sales & Marketing',
        groups: ['allSales', 'nightShift'],
        permissionSets: ['salesCloudUser', 'reportsLite'],
        userName: 'zoe.dangelo@acme-corp.example.com',
        custom: { Cost_Center__c: 'CC-"2100"\\{W}' },
        created: at(430),
        modified: at(431),
    },
    {
        n: 30,
        first: '李',
        last: '小龙 (Bruce)',
        profile: 'standardUser',
        title: 'Ingeniero de Sistemas — Nivel "III" \\ 東京',
        department: 'IT',
        userName: 'li.xiaolong@acme-corp.example.com',
        locale: 'ja_JP',
        timezone: 'Asia/Tokyo',
        city: '東京',
        country: 'JP',
        created: at(440),
        modified: at(445),
    },
    {
        n: 31,
        first: 'Renée',
        last: "O'Malley \\ Backslash",
        profile: 'standardUser',
        role: 'serviceAgentAmericas',
        manager: 8,
        title: 'Support {Tier 2} 😀 "Night" shift',
        department: 'Service',
        groups: ['serviceTeam', 'nightShift'],
        permissionSets: ['serviceCloudUser'],
        userName: 'renee.omalley@acme-corp.example.com',
        created: at(450),
        modified: at(452),
    },
    {
        n: 32,
        first: 'Émile',
        last: 'Łukasiewicz-Ñúñez',
        profile: 'standardUser',
        title: 'Ops "Lead" {EMEA}',
        department: 'Opérations',
        userName: 'emile.lukasiewicz@acme-corp.example.com',
        permissionSets: ['reportsLite'],
        created: at(460),
        modified: at(460),
    },
    {
        n: 27,
        first: '',
        last: 'Automated Process',
        profile: 'automatedProcess',
        userType: 'AutomatedProcess',
        userName: `autoproc@${ORG_ID.toLowerCase()}`,
        created: at(0),
        modified: at(0),
    },
    {
        n: 28,
        first: 'Site',
        last: 'Guest User',
        profile: 'guestSite',
        userType: 'Guest',
        userName: `customer_portal_site_guest@acme-corp.force.com`,
        created: at(0),
        modified: at(0),
    },
]

/** Build the seed org. Users, seats and groups beyond it come from `generate.ts`. */
export function seedOrg(store: OrgStore): void {
    const P = SEED.profiles
    const profiles: [string, string, LicenseName, UserType][] = [
        [P.systemAdministrator, 'System Administrator', 'Salesforce', 'Standard'],
        [P.standardUser, 'Standard User', 'Salesforce', 'Standard'],
        [P.readOnly, 'Read Only', 'Salesforce', 'Standard'],
        [P.marketingUser, 'Marketing User', 'Salesforce', 'Standard'],
        [P.salesforcePlatformUser, 'Salesforce Platform User', 'Salesforce Platform', 'Standard'],
        [P.chatterFreeUser, 'Chatter Free User', 'Chatter Free', 'CsnOnly'],
        [P.identityUser, 'Identity User', 'Identity', 'Standard'],
        [P.partnerCommunityUser, 'Partner Community User', 'Partner Community', 'PowerPartner'],
        [P.guestSite, 'Acme Customer Portal Profile', 'Guest User License', 'Guest'],
        [P.automatedProcess, 'Automated Process', 'Automated Process', 'AutomatedProcess'],
    ]
    profiles.forEach(([id, name, license, userType], i) =>
        store.addProfile({ id, name, license, userType, created: at(-30 + i), lastModified: at(200 + i * 7) })
    )

    const S = SEED.permissionSets
    const permissionSets: [string, string, LicenseName?][] = [
        [S.salesCloudUser, 'Sales Cloud User'],
        [S.serviceCloudUser, 'Service Cloud User'],
        [S.apiEnabled, 'API Enabled'],
        [S.modifyAllDataAuditor, 'Modify All Data Auditor'],
        [S.knowledgeUser, 'Knowledge User'],
        [S.flowBuilder, 'Flow Builder'],
        [S.marketingCloudConnect, 'Marketing Cloud Connect'],
        [S.crmAnalyticsPlus, 'CRM Analytics Plus', 'Salesforce'],
        [S.reportsLite, 'Reports "Lite" {β} \\ 📊'],
    ]
    permissionSets.forEach(([id, label, license], i) =>
        store.addPermissionSet({
            id,
            name: label,
            label,
            ...(license ? { license } : {}),
            ...(id === S.crmAnalyticsPlus
                ? { permissionSetLicenseId: SEED.permissionSetLicenses.crmAnalyticsPlus }
                : {}),
            created: at(-20 + i),
            lastModified: at(180 + i * 11),
        })
    )

    const R = SEED.roles
    const roles: [string, string, string | null][] = [
        [R.ceo, 'CEO', null],
        [R.vpSales, 'VP, Sales', R.ceo],
        [R.vpService, 'VP, Customer Service', R.ceo],
        [R.salesManagerWest, 'Sales Manager, West', R.vpSales],
        [R.salesManagerEast, 'Sales Manager, East', R.vpSales],
        [R.serviceManagerEmea, 'Service Manager, EMEA', R.vpService],
        [R.serviceManagerAmericas, 'Service Manager, Americas', R.vpService],
        [R.salesRepWest, 'Sales Rep, West', R.salesManagerWest],
        [R.salesRepEast, 'Sales Rep, East', R.salesManagerEast],
        [R.serviceAgentEmea, 'Service Agent, EMEA', R.serviceManagerEmea],
        [R.serviceAgentAmericas, 'Service Agent, Americas', R.serviceManagerAmericas],
        [R.vpMarketing, 'VP, Marketing', R.ceo],
    ]
    roles.forEach(([id, name, parentRoleId], i) =>
        store.addRole({ id, name, parentRoleId, created: at(-10 + i), lastModified: at(100 + i * 5) })
    )

    const G = SEED.groups
    const groups: [string, string, 'Regular' | 'Queue'][] = [
        [G.allSales, 'All Sales', 'Regular'],
        [G.westRegion, 'West Region', 'Regular'],
        [G.eastRegion, 'East Region', 'Regular'],
        [G.serviceTeam, 'Service Team', 'Regular'],
        [G.marketing, 'Marketing', 'Regular'],
        [G.executives, 'Executives', 'Regular'],
        [G.supportQueue, 'Support Queue', 'Queue'],
        [G.nightShift, 'Night "Owls" {Shift} \\ 🌙', 'Regular'],
        [G.escalationsQueue, 'Sales Escalations', 'Queue'],
    ]
    groups.forEach(([id, name, type], i) =>
        store.addGroup({ id, name, type, members: new Set(), created: at(-5 + i), lastModified: at(250 + i * 9) })
    )
    // Public groups can contain other groups: All Sales nests both regions.
    store.seedMember(G.allSales, G.westRegion)
    store.seedMember(G.allSales, G.eastRegion)

    store.customFields.push(
        { name: 'Cost_Center__c', label: 'Cost Center', type: 'string' },
        { name: 'Badge_Number__c', label: 'Badge Number', type: 'double' },
        { name: 'Contractor__c', label: 'Contractor', type: 'boolean' },
        { name: 'Approver__c', label: 'Approver', type: 'hierarchy' }
    )

    for (const s of USERS) {
        const id = seedUserId(s.n)
        const userName = (s.userName ?? `${slug(s.first)}.${slug(s.last)}@${USER_DOMAIN}`).toLowerCase()
        const custom: Record<string, CustomValue> = {}
        for (const [k, v] of Object.entries(s.custom ?? {}))
            custom[k] = typeof v === 'string' && v.startsWith('@') ? seedUserId(Number(v.slice(1))) : v
        const fields: UserFields = {
            userName,
            federationId: s.federationId ?? null,
            firstName: s.first || null,
            lastName: s.last,
            nickName: userName.split('@')[0] ?? userName,
            alias: makeAlias(s.first, s.last),
            email: s.userType === 'AutomatedProcess' ? `noreply@${USER_DOMAIN}` : userName,
            title: s.title ?? null,
            department: s.department ?? null,
            division: s.division ?? null,
            employeeNumber: s.n < 27 || s.n > 28 ? `E${String(1000 + s.n)}` : null,
            street: s.city ? '1 Market Street' : null,
            city: s.city ?? null,
            state: s.city ? (ADDRESS_PARTS[s.city]?.[0] ?? null) : null,
            postalCode: s.city ? (ADDRESS_PARTS[s.city]?.[1] ?? null) : null,
            country: s.country ?? null,
            phone: s.phone ?? null,
            mobilePhone: null,
            fax: null,
            userType: s.userType ?? 'Standard',
            languageLocaleKey: 'en_US',
            emailEncodingKey: 'UTF-8',
            localeSidKey: s.locale ?? 'en_US',
            timeZoneSidKey: s.timezone ?? 'America/Los_Angeles',
            isActive: s.active ?? true,
            profileId: SEED.profiles[s.profile],
            roleId: s.role ? SEED.roles[s.role] : null,
            managerId: s.manager ? seedUserId(s.manager) : null,
            delegatedApproverId: null,
            accountId: s.userType === 'PowerPartner' ? '001Dn00000Nordic01' : null,
            contactId: s.userType === 'PowerPartner' ? '003Dn00000Lindq001' : null,
            hasPhoto: s.userType !== 'AutomatedProcess' && s.userType !== 'Guest',
            custom,
        }
        const user: UserRecord = { ...fields, id, created: s.created, lastModified: s.modified }
        store.seedUser(
            user,
            (s.permissionSets ?? []).map((k) => SEED.permissionSets[k]),
            s.n === 1 ? EMULATOR_CREDENTIALS.password : undefined
        )
        for (const g of s.groups ?? []) store.seedMember(SEED.groups[g], id)
        const internal = s.userType === 'AutomatedProcess' || s.userType === 'Guest'
        store.seedRestFields(
            id,
            {
                companyName: s.userType === 'PowerPartner' ? 'Nordic Partners AB' : internal ? null : ORG_NAME,
                // Most users logged in during the last weeks; the inactive, the partner and the intern never did.
                lastLoginDate: internal || !fields.isActive || s.n === 25 || s.n === 26 ? null : at(1_650 + s.n, s.n),
            },
            FEATURE_LICENSES_OF[s.n] ?? []
        )
    }
    store.setSecurityToken(SEED.users.integration, EMULATOR_CREDENTIALS.securityToken)
    for (const id of SEED.queueMembers) store.seedMember(G.supportQueue, id)
    for (const id of SEED.escalationsMembers) store.seedMember(G.escalationsQueue, id)
    seedLicensesAndGroups(store)
    store.seedLoginState(SEED.users.frozen, { frozen: true })
    store.seedLoginState(SEED.users.locked, { locked: true })
    store.seedLoginState(SEED.users.lockedUntilAdminReset, { untilAdminReset: true })

    store.settings.webToLeadDefaultCreatorId = SEED.users.salesManagerWest
    store.settings.defaultCaseOwnerId = SEED.users.serviceManagerEmea
    for (const name of FOREIGN_USERNAMES) store.foreignUserNames.add(name)
    store.approvedProfileIds.add(SEED.profiles.systemAdministrator)
    store.manageUsersProfileIds.add(SEED.profiles.systemAdministrator)
    store.approvedPermissionSetIds.add(SEED.permissionSets.apiEnabled)
}

/**
 * Permission set groups and the assignments SCIM does not show, permission set licenses (one full) and their
 * holders, package licenses (one site-wide, one with a seat left, one expired) and theirs.
 */
function seedLicensesAndGroups(store: OrgStore): void {
    const S = SEED.permissionSets
    const PSG = SEED.permissionSetGroups
    const PSL = SEED.permissionSetLicenses
    const PKG = SEED.packageLicenses
    const U = SEED.users
    store.addPermissionSetLicense({
        id: PSL.crmAnalyticsPlus,
        developerName: 'EinsteinAnalyticsPlusPsl',
        masterLabel: 'CRM Analytics Plus',
        status: 'Active',
        totalLicenses: 5,
        expirationDate: Date.UTC(2027, 0, 31),
    })
    store.addPermissionSetLicense({
        id: PSL.salesCloudEinstein,
        developerName: 'SalesCloudEinsteinPsl',
        masterLabel: 'Sales Cloud Einstein',
        status: 'Active',
        totalLicenses: 2,
        expirationDate: Date.UTC(2026, 11, 31),
    })
    store.addPermissionSetLicense({
        id: PSL.fieldServiceScheduling,
        developerName: 'FieldServiceSchedulingPsl',
        masterLabel: 'Field Service Scheduling',
        status: 'Active',
        totalLicenses: 10,
        expirationDate: null,
    })
    for (const u of [U.ceo, U.vpSales]) store.seedLicenseAssignment(u, PSL.crmAnalyticsPlus)
    for (const u of [U.vpSales, U.salesManagerWest]) store.seedLicenseAssignment(u, PSL.salesCloudEinstein)
    store.seedLicenseAssignment(U.serviceManagerAmericas, PSL.fieldServiceScheduling)

    store.addPackageLicense({
        id: PKG.conga,
        namespacePrefix: 'APXTConga4',
        status: 'Active',
        allowedLicenses: -1,
        expirationDate: null,
    })
    store.addPackageLicense({
        id: PKG.docuSign,
        namespacePrefix: 'dsfs',
        status: 'Active',
        allowedLicenses: 4,
        expirationDate: Date.UTC(2026, 5, 30),
    })
    store.addPackageLicense({
        id: PKG.pardot,
        namespacePrefix: 'pi',
        status: 'Expired',
        allowedLicenses: 10,
        expirationDate: Date.UTC(2025, 2, 31),
    })
    for (const u of [U.ceo, U.vpSales, U.salesManagerWest]) store.seedLicenseAssignment(u, PKG.docuSign)
    store.seedLicenseAssignment(seedUserId(18), PKG.pardot)

    store.addPermissionSetGroup({
        id: PSG.salesLeadership,
        name: 'Sales Leadership',
        developerName: 'Sales_Leadership',
        status: 'Updated',
        permissionSetIds: [S.salesCloudUser, S.crmAnalyticsPlus],
    })
    store.addPermissionSetGroup({
        id: PSG.serviceAgentBundle,
        name: 'Service Agent Bundle',
        developerName: 'Service_Agent_Bundle',
        status: 'Updated',
        permissionSetIds: [S.serviceCloudUser, S.knowledgeUser],
    })
    store.addPermissionSetGroup({
        id: PSG.adminTools,
        name: 'Admin Tools',
        developerName: 'Admin_Tools',
        status: 'Outdated',
        permissionSetIds: [S.flowBuilder, S.modifyAllDataAuditor, S.apiEnabled],
    })
    // Marcus Reid holds a permission set group and a permission set that expires: neither shows in SCIM.
    store.seedHiddenAssignments(U.vpSales, {
        permissionSetGroupIds: [PSG.salesLeadership],
        expiry: { [S.salesCloudUser]: Date.UTC(2027, 5, 30) },
    })
}

export function slug(s: string): string {
    return s
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^A-Za-z0-9]+/g, '')
        .toLowerCase()
}

/** Salesforce's UI default alias: first letter of the first name plus the first four of the last name. */
export function makeAlias(first: string, last: string): string {
    return (slug(first).slice(0, 1) + slug(last).slice(0, 4)).slice(0, 8) || 'user'
}
