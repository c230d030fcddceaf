/**
 * JSON with object keys sorted at every level (undefined entries dropped, dates as ISO strings):
 * equal values give equal text whatever order their keys were built or read in. jsonb hands
 * objects back with its own key order, so a value read from a row and the same value from input
 * compare equal only this way.
 */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, entry]) => entry !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([name, entry]) => `${JSON.stringify(name)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
