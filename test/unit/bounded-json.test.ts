// Network JSON is parsed within a nesting bound: deep documents are refused before V8 builds them.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, boundedJsonObject, isWithinDepth, parseBoundedJson } from '../../src/util/bounded-json.js';

const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);

describe('isWithinDepth', () => {
  it.each<[string, string, boolean]>([
    ['a manifest-shaped document', '{"layers":[{"digest":"sha256:x","annotations":{"a":"b"}}]}', true],
    ['arrays exactly at the bound', nested(MAX_JSON_DEPTH), true],
    ['arrays one level past the bound', nested(MAX_JSON_DEPTH + 1), false],
    ['objects past the bound', `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`, false],
    ['brackets inside strings, which do not nest', JSON.stringify({ s: nested(1000) }), true],
    ['an escaped quote that does not end the string', JSON.stringify({ s: `\\"${nested(1000)}` }), true],
  ])('%s → %s', (_name, text, expected) => {
    expect(isWithinDepth(text)).toBe(expected);
  });
});

describe('parseBoundedJson', () => {
  it('refuses 4 MiB of nested arrays as too deep', () => {
    expect(parseBoundedJson(Buffer.from(nested(2 * 1024 * 1024)))).toEqual({ ok: false, reason: 'too_deep' });
  });

  it('tells a body that is not JSON', () => {
    expect(parseBoundedJson('<html>login</html>')).toEqual({ ok: false, reason: 'not_json' });
  });

  it('parses JSON within the bound', () => {
    expect(parseBoundedJson('{"token":"t"}')).toEqual({ ok: true, value: { token: 't' } });
  });
});

describe('boundedJsonObject', () => {
  it.each<[string, string]>([
    ['an array', '[1]'],
    ['null', 'null'],
    ['a string', '"x"'],
    ['an object too deep', `{"a":${nested(MAX_JSON_DEPTH)}}`],
  ])('is undefined for %s', (_name, text) => {
    expect(boundedJsonObject(text)).toBeUndefined();
  });

  it('is the object for an object', () => {
    expect(boundedJsonObject(Buffer.from('{"errors":[]}'))).toEqual({ errors: [] });
  });
});
