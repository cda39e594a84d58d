import { createHash } from 'crypto';

const KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/** 1..255 printable ASCII characters (0x20-0x7E), per the Idempotency-Key contract. */
export function isValidIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * JSON with object keys sorted at every depth, so that the same body sent with its fields in
 * another order has the same fingerprint. Array order is meaningful and kept. UUIDs are written in
 * lower case: ids are matched in any case (API.md), so a retry that spells one in the other case is
 * the same request.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'string' && value.length === 36 && UUID.test(value))
    return JSON.stringify(value.toLowerCase());
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * sha256 (hex) of method, path and canonical body: what "the same request" means. The routed paths
 * are lower case but for their ids, which are matched in any case, so the path is compared in lower case.
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${path.toLowerCase()}\n${canonicalJson(body)}`, 'utf8')
    .digest('hex');
}
