/** Narrowing of parsed JSON. Stands alone, like config and errors, so every layer can use it. */

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
}
