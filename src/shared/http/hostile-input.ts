import { isEmail, ValidateBy, type ValidationOptions } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { domainError } from '../domain/domain-error';
import { ValidationFailedError } from './http-errors';

/** Deeper bodies are refused before anything recursive (class-transformer, fingerprints) walks them. */
export const MAX_JSON_DEPTH = 32;

/**
 * One walk of a parsed body: whether it is nested deeper than `max`, and how many members its
 * objects have in all (what a body with a key twice in one object has fewer of than its text).
 * Iterative on purpose: a recursive walk is exactly what a 20 000-level body overflows. Depth 1 is
 * the top-level object or array; scalars add nothing.
 */
export function inspectJson(value: unknown, max = MAX_JSON_DEPTH): { tooDeep: boolean; members: number } {
  let members = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return { tooDeep: true, members };
    if (Array.isArray(node)) {
      for (const child of node)
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
      continue;
    }
    // JSON.parse makes plain objects, whose enumerable keys are all their own (`__proto__` included).
    for (const key in node) {
      members++;
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return { tooDeep: false, members };
}

/**
 * How many members the JSON text has: in valid JSON every `:` outside a string ends one member's
 * key, and nothing else has one. Strings are stepped over with indexOf, so text costs little.
 */
export function membersInJsonText(text: string): number {
  let members = 0;
  let colon = text.indexOf(':');
  let at = 0;
  while (colon >= 0) {
    const quote = text.indexOf('"', at);
    const stringStart = quote < 0 ? text.length : quote;
    while (colon >= 0 && colon < stringStart) {
      members++;
      colon = text.indexOf(':', colon + 1);
    }
    if (colon < 0 || quote < 0) break;
    let close = quote;
    // A quote closes the string unless an odd number of backslashes escapes it.
    for (;;) {
      close = text.indexOf('"', close + 1);
      let backslashes = 0;
      while (text.charCodeAt(close - 1 - backslashes) === 92) backslashes++;
      if (backslashes % 2 === 0) break;
    }
    at = close + 1;
    if (colon >= 0 && colon < at) colon = text.indexOf(':', at);
  }
  return members;
}

/**
 * Whether the text has more members than the parsed value (`members`): then an object had a key
 * twice. Usually answered by counting every `:` natively: a body without `:` in its strings has
 * exactly one per member, so as many as the parsed value has rules a repeat out. Only a body with
 * more (a timestamp or URL in a string, or a repeat) pays for the scan that steps over strings.
 */
function repeatsAKey(text: string, members: number): boolean {
  let colons = 0;
  for (let at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) {
    if (++colons > members) return membersInJsonText(text) !== members;
  }
  return false;
}

type Done = (error: Error | null, body?: unknown) => void;

/**
 * A body's Content-Encoding other than identity, or a charset other than UTF-8: bodies are taken as
 * they are sent, uncompressed, and read as UTF-8 only.
 */
export class UnsupportedEncodingError extends domainError(
  'unsupported_media_type',
  'Unsupported media type',
) {}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The charset parameter of a Content-Type, lower-cased, if it names one. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]).toLowerCase() : undefined;
}

const malformed = () =>
  new ValidationFailedError(
    [{ field: 'body', message: 'is not valid JSON' }],
    'The request body is not valid JSON',
  );

/**
 * The JSON body parser. Text must be UTF-8 (what is stored must be what was sent), and a body that
 * declares another charset (latin1, utf-16, even ascii) is refused rather than misread as UTF-8;
 * `JSON.parse` keeps keys such as `__proto__` as plain own data, which the validation pipe then
 * refuses like any unknown field; the depth is checked before anything recursive walks the body. A
 * key twice in one object is refused, not read as its last value: `{"amount":1,"amount":2}` means
 * nothing a client can be held to, and a proxy or signature check may have read the first. An
 * empty body is no body, as a client that sends `Content-Type: application/json` on a body-less
 * action expects.
 */
export function parseJsonBody(req: FastifyRequest, body: Buffer, done: Done): void {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return done(
      new UnsupportedEncodingError('Content-Encoding is not supported: send the body uncompressed'),
    );
  }
  const charset = declaredCharset(req.headers['content-type']);
  if (charset !== undefined && charset !== 'utf-8') {
    return done(new UnsupportedEncodingError('Only UTF-8 bodies are read: send charset=utf-8 or none'));
  }
  if (body.length === 0) return done(null, undefined);
  let text: string;
  let value: unknown;
  try {
    text = UTF8.decode(body);
    value = JSON.parse(text);
  } catch {
    return done(malformed());
  }
  const { tooDeep, members } = inspectJson(value, MAX_JSON_DEPTH);
  if (tooDeep) {
    return done(
      new ValidationFailedError([
        { field: 'body', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` },
      ]),
    );
  }
  if (repeatsAKey(text, members)) {
    return done(
      new ValidationFailedError(
        [{ field: 'body', message: 'has an object with the same key twice' }],
        'The request body has an object with the same key twice',
      ),
    );
  }
  done(null, value);
}

/**
 * Text that PostgreSQL can store exactly: no NUL (text columns refuse it) and well-formed UTF-16
 * (an unpaired surrogate is silently replaced on the way to UTF-8, so what is stored would differ
 * from what was sent).
 */
// In a `u` regex a paired surrogate is one code point, so \p{Cs} matches only the unpaired ones.
// NUL is the character PostgreSQL refuses in text; the rule against control characters does not apply.
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /\u0000|\p{Cs}/u;

export function isSafeText(value: unknown): boolean {
  return typeof value === 'string' && !UNSAFE_TEXT.test(value);
}

export const SAFE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** Applied to every string field of a request DTO, next to its type and length checks. */
export const IsSafeText = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isSafeText',
      validator: {
        // Non-strings are left to the field's own type check, so each problem is reported once.
        validate: (value: unknown) => typeof value !== 'string' || isSafeText(value),
        defaultMessage: () => SAFE_TEXT_MESSAGE,
      },
    },
    options,
  );

/**
 * An email address. class-validator's IsEmail throws (a URIError, so a 500) on an unpaired
 * surrogate, so unsafe text is refused before it is looked at.
 */
export const IsEmailAddress = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isEmail',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isSafeText(value) && isEmail(value),
        defaultMessage: () => 'must be an email',
      },
    },
    options,
  );
