// The dotenv parser: comments, export, quotes and escapes, `__` keys, and one-line errors naming
// file and line.
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/config/dotenv.js';
import { configErrorOf } from './config-error.js';

function values(text: string): Record<string, string> {
  return Object.fromEntries(parseDotenv(text, '.env').map((e) => [e.key, e.value]));
}

const errorOf = (text: string): string => configErrorOf(() => parseDotenv(text, 'deploy/.env'));

describe('parseDotenv', () => {
  it('reads KEY=value and export KEY=value, skipping comments and blank lines, with line numbers', () => {
    const entries = parseDotenv('# comment\n\nOCI__Username=alice\n  export OCI__TestTag = 3.20  \n', '.env');

    expect(entries).toEqual([
      { key: 'OCI__Username', value: 'alice', line: 3 },
      { key: 'OCI__TestTag', value: '3.20', line: 4 },
    ]);
  });

  it('keeps single-quoted values literally', () => {
    expect(values("A='x \\n y # not a comment'")).toEqual({ A: 'x \\n y # not a comment' });
  });

  it('expands \\n, \\r, \\t, \\" and \\\\ in double-quoted values and keeps other escapes', () => {
    expect(values('A="line1\\nline2\\t\\"q\\" \\\\ \\d # kept"')).toEqual({ A: 'line1\nline2\t"q" \\ \\d # kept' });
  });

  it('allows a comment after a closing quote', () => {
    expect(values('A="x" # note\nB=\'y\'   # note')).toEqual({ A: 'x', B: 'y' });
  });

  it('ends an unquoted value at a # that follows whitespace only', () => {
    expect(values('A=abc#def\nB=abc #comment\nC= #only a comment\nD=#hash')).toEqual({
      A: 'abc#def',
      B: 'abc',
      C: '',
      D: '#hash',
    });
  });

  it('accepts empty values, = inside values, CRLF line endings and : in keys', () => {
    expect(values('A=\r\nB=x=y\r\nOCI:Token=t\r\n')).toEqual({ A: '', B: 'x=y', 'OCI:Token': 't' });
  });

  it('reports a line without = by file and line number', () => {
    expect(errorOf('A=1\nOCI__Username\n')).toBe('malformed line 2 in deploy/.env: expected KEY=value');
  });

  it('reports an invalid key', () => {
    expect(errorOf('1BAD=x')).toBe('malformed line 1 in deploy/.env: expected KEY=value');
  });

  it('reports an unterminated double-quoted value', () => {
    expect(errorOf('A=1\nB="open\n')).toBe('malformed line 2 in deploy/.env: unterminated double-quoted value');
  });

  it('reports an unterminated single-quoted value', () => {
    expect(errorOf("B='open")).toBe('malformed line 1 in deploy/.env: unterminated single-quoted value');
  });

  it('reports text after a closing quote', () => {
    expect(errorOf('\n\nB="x" y')).toBe('malformed line 3 in deploy/.env: unexpected text after the closing quote');
  });
});
