// JSON configuration flattened into .NET-style keys, and malformed or too deeply nested JSON
// reported in one line.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJsonConfig } from '../../src/config/json-source.js';
import { configErrorOf } from './config-error.js';

const errorOf = (text: string): string => configErrorOf(() => parseJsonConfig(text, 'appsettings.json'));

describe('parseJsonConfig', () => {
  it('flattens in document order', () => {
    expect(parseJsonConfig('{"A":{"B":[1,true,null,{"C":"x"}]},"D":{}}', 'f.json')).toEqual([
      { key: 'A:B:0', value: '1' },
      { key: 'A:B:1', value: 'true' },
      { key: 'A:B:2', value: '' },
      { key: 'A:B:3:C', value: 'x' },
    ]);
  });

  // Positions V8 reports itself (`… in JSON at position N`).
  it.each([
    ['{', "line 1, column 2: expected property name or '}'"],
    ['{"a":1,}', 'line 1, column 8: expected double-quoted property name'],
    ['{\n  "a": 1\n  "b": 2\n}', "line 3, column 3: expected ',' or '}' after property value"],
    ['{\r\n  "a": [1, 2\r\n}', "line 3, column 1: expected ',' or ']' after array element"],
    ['{"a": "x\ny"}', 'line 1, column 9: bad control character in string literal'],
    ['{"a": "abc', 'line 1, column 11: unterminated string'],
  ])('reports %j at %s', (text, where) => {
    expect(errorOf(text)).toBe(`malformed JSON in appsettings.json at ${where}`);
  });

  // Messages of the form `Unexpected token 'x', "…" is not valid JSON`, short and long texts.
  it.each([
    ['{"a": }', "line 1, column 7: unexpected character '}'"],
    ['[[1],]', "line 1, column 6: unexpected character ']'"],
    ['{"a": tru}', "line 1, column 10: unexpected character '}'"],
    ['{\n  "a": 1,\n  "b": x\n}', "line 3, column 8: unexpected character 'x'"],
    [
      '{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": 1,\n "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": @, "c": 3 }',
      "line 2, column 47: unexpected character '@'",
    ],
    ['{"a": [1, 2, 3], "b": {"c": [true, false, nul]}}', "line 1, column 46: unexpected character ']'"],
  ])('reports %j at %s', (text, where) => {
    expect(errorOf(text)).toBe(`malformed JSON in appsettings.json at ${where}`);
  });

  it('reports a text that ends too early just after its last character', () => {
    expect(errorOf('{\n  "a": \n\n')).toBe(
      'malformed JSON in appsettings.json at line 2, column 7: unexpected end of input',
    );
  });

  it('shows a control character as an escape', () => {
    expect(errorOf('{\n  "a": tr\n}')).toBe(
      "malformed JSON in appsettings.json at line 2, column 10: unexpected character '\\n'",
    );
  });

  it('reports an empty or blank file', () => {
    expect(errorOf('')).toBe('malformed JSON in appsettings.json at line 1, column 1: the file is empty');
    expect(errorOf(' \n\t\n')).toBe('malformed JSON in appsettings.json at line 1, column 1: the file is empty');
  });

  it('never quotes the text around the error (it may hold a secret)', () => {
    expect(errorOf('{"OCI":{"Password":"hunter2-secret" x}}')).not.toContain('hunter2');
  });

  it.each([
    ['[]', 'an array'],
    ['"text"', 'a string'],
    ['42', 'a number'],
    ['null', 'null'],
  ])('requires an object at the top level, not %s', (text, kind) => {
    expect(errorOf(text)).toBe(`appsettings.json must contain a JSON object at the top level, not ${kind}`);
  });

  it('reads a document nested exactly MAX_JSON_DEPTH levels deep', () => {
    const text = `${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}`;

    expect(parseJsonConfig(text, 'f.json')).toEqual([{ key: Array(MAX_JSON_DEPTH).fill('a').join(':'), value: '1' }]);
  });

  it.each([
    ['objects', MAX_JSON_DEPTH + 1, '{"a":', '}'],
    ['arrays', 10_000, '[', ']'],
    ['objects', 10_000, '{"a":', '}'],
  ])('refuses %s nested %i levels deep with a one-line error, not a stack overflow', (_kind, depth, open, close) => {
    expect(errorOf(`{"x":${open.repeat(depth - 1)}1${close.repeat(depth - 1)}}`)).toBe(
      `appsettings.json is nested more than ${MAX_JSON_DEPTH} levels deep`,
    );
  });
});
