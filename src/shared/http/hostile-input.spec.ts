import type { FastifyRequest } from 'fastify';
import { declaredCharset, isSafeText, inspectJson, membersInJsonText, parseJsonBody } from './hostile-input';
import { ValidationFailedError } from './http-errors';

describe('inspectJson: depth', () => {
  const jsonDepthExceeds = (value: unknown, max?: number) => inspectJson(value, max).tooDeep;
  const nested = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

  it('counts the top-level value as level 1 and allows 32 levels', () => {
    expect(jsonDepthExceeds(nested(32))).toBe(false);
    expect(jsonDepthExceeds(nested(33))).toBe(true);
    expect(jsonDepthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(jsonDepthExceeds({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(jsonDepthExceeds('text')).toBe(false);
    expect(jsonDepthExceeds(undefined)).toBe(false);
  });

  it('walks 200 000 levels without overflowing the stack', () => {
    expect(jsonDepthExceeds(nested(200_000))).toBe(true);
  });
});

describe('isSafeText', () => {
  it.each([
    ['Ada Lovelace', true],
    ['emoji 😀 (a surrogate pair)', true],
    ['', true],
    ['NUL \u0000 inside', false],
    ['lone low x\udfffy', false],
    ['lone high \ud83d', false],
    ['reversed pair \ude00\ud83d', false],
  ])('%j → %s', (text, safe) => {
    expect(isSafeText(text)).toBe(safe);
  });
});

describe('declaredCharset', () => {
  it.each([
    ['application/json', undefined],
    ['application/json; charset=utf-8', 'utf-8'],
    ['application/json;charset=UTF-8', 'utf-8'],
    ['application/json; charset="utf-8"', 'utf-8'],
    ['application/json; charset = latin1', 'latin1'],
    ['application/json; v=1; charset=ascii', 'ascii'],
    ['application/json; charset=', ''],
    [undefined, undefined],
  ])('%j → %j', (contentType, charset) => {
    expect(declaredCharset(contentType)).toBe(charset);
  });
});

describe('membersInJsonText', () => {
  it.each([
    ['{}', 0],
    ['[1,2,{"a":1}]', 1],
    ['{"a":1,"b":{"c":[{"d":2}]}}', 4],
    ['{"at":"2026-12-07T01:00:00Z","url":"https://x:1/a:b"}', 2],
    ['{"a\\":":"\\\\","b":"\\\\\\":"}', 2],
    ['"a:b"', 0],
  ])('%s has %i', (text, members) => {
    expect(membersInJsonText(text)).toBe(members);
  });
});

describe('parseJsonBody', () => {
  const parse = (text: string) => {
    let answer: { error: Error | null; body?: unknown } = { error: null };
    parseJsonBody({ headers: {} } as FastifyRequest, Buffer.from(text), (error, body) => {
      answer = { error, body };
    });
    return answer;
  };

  it.each([
    '{"amount":1,"amount":2}',
    '{"a":{"x":1,"y":{"k":1,"k":1}}}',
    '[{"a":1},{"b":2,"b":2}]',
    '{"a":1,"\\u0061":2}',
    '{"t":"10:00","t":"11:00"}',
    '{"__proto__":1,"__proto__":2}',
  ])('refuses %s: a key twice in one object', (text) => {
    const { error } = parse(text);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).errors).toEqual([
      { field: 'body', message: 'has an object with the same key twice' },
    ]);
  });

  it.each([
    ['the same key in sibling objects', '{"a":{"x":1},"b":{"x":1}}', { a: { x: 1 }, b: { x: 1 } }],
    ['colons in strings', '{"at":"10:00:00","u":"a\\":b"}', { at: '10:00:00', u: 'a":b' }],
    ['keys that differ in case', '{"a":1,"A":2}', { a: 1, A: 2 }],
  ])('reads %s', (_what, text, body) => {
    expect(parse(text)).toEqual({ error: null, body });
  });
});
