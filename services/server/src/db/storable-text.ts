/**
 * What Postgres cannot store: `text` refuses NUL, `jsonb` refuses NUL and
 * unpaired UTF-16 surrogates. Outside input carrying them must be turned away
 * (or treated as "no such row") before a query, not fail inside Postgres as a
 * 500.
 */

/** False for a string Postgres would reject. */
export function isStorableText(value: string): boolean {
  return !value.includes('\0') && value.isWellFormed();
}

/** False when any string (key or value) anywhere inside `value` is not storable. */
export function isStorableValue(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (value === null || typeof value !== 'object') return true;
  // Payloads are shallow; a deeper one is refused rather than walked without end.
  if (depth > 32) return false;
  if (Array.isArray(value)) return value.every((item) => isStorableValue(item, depth + 1));
  return Object.entries(value).every(([key, item]) => isStorableText(key) && isStorableValue(item, depth + 1));
}
