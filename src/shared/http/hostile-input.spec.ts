import { declaredCharset, isSafeText, jsonDepthExceeds } from './hostile-input';

describe('jsonDepthExceeds', () => {
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
