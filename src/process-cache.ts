/**
 * A map that lives as long as the process, on `globalThis` rather than in a module: the SDK's local server loads
 * the connector's modules again for every command, and ISC may run several commands in one process, so a
 * module-level map would be empty at each command. `name` keeps caches apart (and versions their shape).
 */
export function processCache<K, V>(name: string): Map<K, V> {
    const key = Symbol.for(`salesforce-scim-connector.${name}`)
    const holder = globalThis as unknown as Record<symbol, unknown>
    const existing = holder[key]
    if (existing instanceof Map) return existing as Map<K, V>
    const created = new Map<K, V>()
    holder[key] = created
    return created
}
