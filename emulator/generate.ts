import { ChunkedIds, KEY_PREFIX, POD } from './ids'
import { CustomValue, FeatureLicense, LicenseName, UserRecord } from './model'
import { CURRENT_POD_NEXT_COUNTER, makeAlias, ORG_NAME, SEED, seedUserId, slug, USER_DOMAIN } from './seed'
import { OrgStore } from './store'
import { prng } from './random'

/**
 * Deterministic bulk users on top of the seed org, for benchmarks and paging tests. Ids ascend with creation time on
 * the org's current pod, in chunks with gaps as app servers hand them out (so they sort below the seed's legacy-pod
 * users), and every user gets a department-typical profile, permission sets, role, groups and manager.
 */

/**
 * Comma-separated name lists; some carry accents, apostrophes, quotes, braces, backslashes, emoji and spaces, as
 * real directories do.
 */
const names = (list: string): readonly string[] =>
    list
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)

const FIRST_NAMES = names(`
    James, Mary, Robert, Patricia, John, Jennifer, Michael, Linda, David, Elizabeth, William, Barbara,
    Richard, Susan, Joseph, Jessica, Thomas, Sarah, Charles, Karen, Christopher, Lisa, Daniel, Nancy,
    Matthew, Betty, Anthony, Margaret, Mark, Sandra, Aarav, Ananya, Wei, Mei, Hiroshi, Yuki, Oluwaseun,
    Chiamaka, Mohammed, Fatima, José, María, François, Zoë, Søren, Ingrid, Björn, Małgorzata, Andrés,
    Renée, Liam, Olivia, Noah, Emma, Oliver, Ava, Elijah, Sophia, Lucas, Isabella, Mateo, Camila,
    Ethan, Mia, Kwame, Amara, Dmitri, Anastasia, Kenji, Sakura, Siobhan, Padraig, Giulia, Alessandro,
    Lena, Jonas, Chen, Lin, Arjun, Priya, "Bobby", Þórdís, Nguyễn, 美咲, Jean\\Luc
`)

const LAST_NAMES = names(`
    Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Rodriguez, Martinez, Hernandez,
    Lopez, Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, Jackson, Martin, Lee, Perez, Thompson,
    White, Harris, Sanchez, Clark, Ramirez, Lewis, Robinson, O'Brien, D'Angelo, Müller, Schröder,
    Nowak, Kowalczyk, Novák, Østergaard, Ibáñez, Núñez, Kim, Park, Nguyen, Tran, Wang, Zhang, Li, Liu,
    Sato, Suzuki, Okafor, Adeyemi, Mensah, Haddad, Khan, Patel, Sharma, Singh, Iyer, Reddy, Rossi,
    Russo, Bianchi, Dubois, Lefebvre, Moreau, Jansen, de Vries, van der Berg, Fischer, Petrov, Ivanova,
    Larsen, Andersson, Nilsson, Murphy, Kelly, Walsh, Silva, Santos, {Braces}, Star ⭐, O"Hara, 山田
`)

interface Department {
    readonly name: string
    readonly weight: number
    readonly profile: string
    readonly code: string
    readonly teams: readonly Team[]
    readonly permissionSets: readonly (readonly [string, number])[]
}

interface Team {
    readonly division: string
    readonly managerCounter: number
    readonly roleId: string | null
    readonly groups: readonly string[]
    readonly timezone: string
    readonly locale: string
    readonly city: string
    readonly country: string
}

const G = SEED.groups
const R = SEED.roles
const PS = SEED.permissionSets

const west: Team = {
    division: 'West',
    managerCounter: 5,
    roleId: R.salesRepWest,
    groups: [G.allSales, G.westRegion],
    timezone: 'America/Los_Angeles',
    locale: 'en_US',
    city: 'San Francisco',
    country: 'US',
}
const east: Team = {
    division: 'East',
    managerCounter: 6,
    roleId: R.salesRepEast,
    groups: [G.allSales, G.eastRegion],
    timezone: 'America/New_York',
    locale: 'en_US',
    city: 'New York',
    country: 'US',
}
const emea: Team = {
    division: 'EMEA',
    managerCounter: 7,
    roleId: R.serviceAgentEmea,
    groups: [G.serviceTeam],
    timezone: 'Europe/London',
    locale: 'en_GB',
    city: 'London',
    country: 'GB',
}
const americas: Team = {
    division: 'Americas',
    managerCounter: 8,
    roleId: R.serviceAgentAmericas,
    groups: [G.serviceTeam],
    timezone: 'America/Chicago',
    locale: 'en_US',
    city: 'Chicago',
    country: 'US',
}
const hq = (managerCounter: number, groups: readonly string[] = [], roleId: string | null = null): Team => ({
    division: 'Corporate',
    managerCounter,
    roleId,
    groups,
    timezone: 'America/Los_Angeles',
    locale: 'en_US',
    city: 'San Francisco',
    country: 'US',
})
const berlin: Team = {
    ...hq(19),
    division: 'EMEA',
    timezone: 'Europe/Berlin',
    locale: 'de_DE',
    city: 'Berlin',
    country: 'DE',
}

const DEPARTMENTS: readonly Department[] = [
    {
        name: 'Sales',
        weight: 40,
        profile: SEED.profiles.standardUser,
        code: '2',
        teams: [west, east],
        permissionSets: [
            [PS.salesCloudUser, 0.9],
            [PS.crmAnalyticsPlus, 0.1],
            [PS.flowBuilder, 0.05],
        ],
    },
    {
        name: 'Service',
        weight: 25,
        profile: SEED.profiles.standardUser,
        code: '3',
        teams: [emea, americas],
        permissionSets: [
            [PS.serviceCloudUser, 0.95],
            [PS.knowledgeUser, 0.6],
        ],
    },
    {
        name: 'Marketing',
        weight: 7,
        profile: SEED.profiles.marketingUser,
        code: '4',
        teams: [hq(18, [G.marketing], R.vpMarketing)],
        permissionSets: [[PS.marketingCloudConnect, 0.8]],
    },
    {
        name: 'Operations',
        weight: 12,
        profile: SEED.profiles.salesforcePlatformUser,
        code: '6',
        teams: [hq(19), berlin],
        permissionSets: [[PS.flowBuilder, 0.3]],
    },
    {
        name: 'Warehouse',
        weight: 8,
        profile: SEED.profiles.chatterFreeUser,
        code: '7',
        teams: [hq(19)],
        permissionSets: [],
    },
    {
        name: 'Contractors',
        weight: 4,
        profile: SEED.profiles.identityUser,
        code: '8',
        teams: [hq(19)],
        permissionSets: [],
    },
    { name: 'Finance', weight: 3, profile: SEED.profiles.readOnly, code: '9', teams: [hq(2)], permissionSets: [] },
    {
        name: 'IT',
        weight: 1,
        profile: SEED.profiles.systemAdministrator,
        code: '5',
        teams: [hq(19)],
        permissionSets: [
            [PS.modifyAllDataAuditor, 0.5],
            [PS.flowBuilder, 0.5],
        ],
    },
]

/** Feature licenses (User.UserPermissions*) every user of a department holds. */
const FEATURE_LICENSES_OF_DEPARTMENT: Readonly<Record<string, readonly FeatureLicense[]>> = {
    Service: ['SupportUser', 'KnowledgeUser'],
    Marketing: ['MarketingUser'],
}

const TOTAL_WEIGHT = DEPARTMENTS.reduce((n, d) => n + d.weight, 0)
const GEN_START = Date.UTC(2022, 0, 3, 9, 0, 0)
const GEN_END = Date.UTC(2025, 8, 30, 17, 0, 0)
/** Last modification of generated data; fixed so the same seed gives the same org on every run. */
const DATA_END = Date.UTC(2025, 9, 31, 23, 0, 0)
/** Every LEAD_EVERY-th user of a team becomes a team lead that later team members report to. */
const LEAD_EVERY = 40

function pick<T>(list: readonly T[], r: number): T {
    return list[Math.floor(r * list.length) % list.length] as T
}

/** Append `count` generated users, with ids after every seeded user. */
export function generateUsers(store: OrgStore, count: number, randomSeed: number): void {
    if (count <= 0) return
    const rand = prng(randomSeed)
    const ids = new ChunkedIds(
        KEY_PREFIX.user,
        POD.current,
        CURRENT_POD_NEXT_COUNTER,
        { minChunk: 20, maxChunk: 400, minGap: 1, maxGap: 4_000 },
        randomSeed ^ 0x1d5
    )
    const span = GEN_END - GEN_START
    const leads = new Map<Team, string>()
    const teamSize = new Map<Team, number>()
    const licenseOf = (profileId: string): LicenseName | undefined => store.profiles.get(profileId)?.license

    for (let i = 0; i < count; i++) {
        const id = ids.take()
        let w = rand() * TOTAL_WEIGHT
        let dept = DEPARTMENTS[0] as Department
        for (const d of DEPARTMENTS) {
            if (w < d.weight) {
                dept = d
                break
            }
            w -= d.weight
        }
        const team = pick(dept.teams, rand())
        const first = pick(FIRST_NAMES, rand())
        const last = pick(LAST_NAMES, rand())
        const local = `${slug(first)}.${slug(last)}${i + 1}`
        const userName = `${local}@${USER_DOMAIN}`
        const created = GEN_START + Math.floor((span * i) / count) + Math.floor(rand() * 600) * 1000
        const createdSec = Math.floor(created / 1000) * 1000
        const modified = Math.floor((createdSec + rand() * (DATA_END - createdSec)) / 1000) * 1000
        const size = (teamSize.get(team) ?? 0) + 1
        teamSize.set(team, size)
        const managerId = leads.get(team) ?? seedUserId(team.managerCounter)
        if (size % LEAD_EVERY === 1) leads.set(team, id)
        const isActive = rand() >= 0.08
        const custom: Record<string, CustomValue> = {}
        if (rand() < 0.7) custom.Cost_Center__c = `CC-${dept.code}${team.division.length}${Math.floor(rand() * 10)}0`
        if (rand() < 0.4) custom.Badge_Number__c = 10_000 + i
        if (dept.profile === SEED.profiles.identityUser) custom.Contractor__c = true
        const license = licenseOf(dept.profile)
        const permissionSetIds: string[] = []
        for (const [psId, p] of dept.permissionSets) {
            const ps = store.permissionSets.get(psId)
            if (rand() < p && (!ps?.license || ps.license === license)) permissionSetIds.push(psId)
        }
        const hasRole = license === 'Salesforce'
        const user: UserRecord = {
            id,
            userName,
            federationId: rand() < 0.5 ? userName : null,
            firstName: first,
            lastName: last,
            nickName: local,
            alias: makeAlias(first, last),
            email: userName,
            title: size % LEAD_EVERY === 1 ? `${dept.name} Team Lead` : `${dept.name} Specialist`,
            department: dept.name,
            division: team.division,
            employeeNumber: `E${100_000 + i}`,
            street: null,
            city: rand() < 0.6 ? team.city : null,
            state: null,
            postalCode: null,
            country: team.country,
            phone: rand() < 0.5 ? `+1 555 ${String(1000 + (i % 9000)).padStart(4, '0')}` : null,
            mobilePhone: null,
            fax: null,
            userType: dept.profile === SEED.profiles.chatterFreeUser ? 'CsnOnly' : 'Standard',
            languageLocaleKey: 'en_US',
            emailEncodingKey: 'UTF-8',
            localeSidKey: team.locale,
            timeZoneSidKey: team.timezone,
            isActive,
            profileId: dept.profile,
            roleId: hasRole ? team.roleId : null,
            managerId,
            delegatedApproverId: null,
            accountId: null,
            contactId: null,
            hasPhoto: rand() < 0.3,
            custom,
            created: createdSec,
            lastModified: Math.max(createdSec, modified),
        }
        store.seedUser(user, permissionSetIds)
        if (permissionSetIds.includes(PS.crmAnalyticsPlus)) {
            // The set needs its permission set license: the license gets a seat for each holder.
            const psl = store.permissionSetLicenses.get(SEED.permissionSetLicenses.crmAnalyticsPlus)
            if (psl) psl.totalLicenses++
            store.seedLicenseAssignment(id, SEED.permissionSetLicenses.crmAnalyticsPlus)
        }
        store.seedRestFields(
            id,
            { companyName: ORG_NAME, lastLoginDate: isActive && i % 7 !== 0 ? modified : null },
            FEATURE_LICENSES_OF_DEPARTMENT[dept.name] ?? []
        )
        if (license !== 'Chatter Free' && license !== 'Identity') for (const g of team.groups) store.seedMember(g, id)
    }
}

/**
 * Append `count` permission sets (an org with over 200 of them meets `/Entitlements`' cap), on the current pod in
 * chunks, with messy labels.
 */
export function generatePermissionSets(store: OrgStore, count: number, randomSeed: number): void {
    if (count <= 0) return
    const ids = new ChunkedIds(
        KEY_PREFIX.permissionSet,
        POD.current,
        91_000,
        { minChunk: 5, maxChunk: 60, minGap: 1, maxGap: 300 },
        randomSeed ^ 0x0b5
    )
    const created = Date.UTC(2023, 0, 2, 8, 0, 0)
    const words = ['Report', 'Export "CSV"', 'Flow {Run}', 'Read\\Only', 'Zugriff Ü', 'アクセス', 'Deploy 🚀']
    for (let i = 0; i < count; i++) {
        const label = `${words[i % words.length] ?? 'Access'} ${String(i + 1).padStart(4, '0')}`
        store.addPermissionSet({
            id: ids.take(),
            name: label,
            label,
            created: created + i * 60_000,
            lastModified: created + i * 60_000 + (randomSeed % 7) * 1000,
        })
    }
}

/**
 * Seats per license: every active user holds one, and the "Salesforce" license has `extraLicenses` free seats, so a
 * small org behaves like a nearly full Developer Edition. Other licenses keep a little headroom.
 */
export function allocateSeats(store: OrgStore, extraLicenses: number): void {
    store.recountSeats()
    const used = new Map(store.licenseUsage().map((l) => [l.name, l.used]))
    const activeBy = new Map<LicenseName, number>()
    for (const u of store.allUsers()) {
        const license = store.licenseOf(u)
        if (u.isActive && license) activeBy.set(license, (activeBy.get(license) ?? 0) + 1)
    }
    const headroom: Record<LicenseName, number> = {
        Salesforce: Math.max(0, extraLicenses),
        'Salesforce Platform': 5,
        'Chatter Free': 5_000,
        Identity: 10,
        'Partner Community': 10,
        'Guest User License': 1,
        'Automated Process': 1,
    }
    for (const license of Object.keys(headroom) as LicenseName[]) {
        const inUse = activeBy.get(license) ?? used.get(license) ?? 0
        store.setLicenseTotal(license, inUse + headroom[license])
    }
}
