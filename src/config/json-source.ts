// JSON configuration files (appsettings*.json, --config FILE) flattened into .NET-style keys:
// nested objects become `A:B:C`, arrays are indexed (`A:0`), numbers and booleans become strings,
// null becomes the empty string. Malformed JSON is a one-line ConfigError with line and column, and
// so is a document nested deeper than any configuration needs.

import { ConfigError } from './configuration.js';

/** Far deeper than any configuration section; deep enough nesting would exhaust the stack. */
export const MAX_JSON_DEPTH = 64;

export interface FlatValue {
  key: string;
  value: string;
}

/** The flattened values of a JSON configuration document whose top level must be an object. */
export function parseJsonConfig(text: string, name: string): FlatValue[] {
  if (text.trim() === '') throw new ConfigError(`malformed JSON in ${name} at line 1, column 1: the file is empty`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`malformed JSON in ${name} ${describeJsonError(text, error)}`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`${name} must contain a JSON object at the top level, not ${kindOf(document)}`);
  }
  const out: FlatValue[] = [];
  flatten(document, '', out, name, 0);
  return out;
}

function flatten(value: unknown, path: string, out: FlatValue[], name: string, depth: number): void {
  if (depth > MAX_JSON_DEPTH) throw new ConfigError(`${name} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  if (value === null) {
    out.push({ key: path, value: '' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => flatten(item, join(path, String(index)), out, name, depth + 1));
    return;
  }
  if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, join(path, key), out, name, depth + 1);
    return;
  }
  out.push({ key: path, value: String(value) });
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}:${key}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Where and what a JSON.parse error is (`at line 4, column 3: expected …`), never quoting the text. */
export function describeJsonError(text: string, error: unknown): string {
  const message = String((error as Error).message);
  const { line, column } = lineAndColumn(text, errorPosition(text, message));
  return `at line ${line}, column ${column}: ${describeSyntaxError(message)}`;
}

/**
 * The offset V8 reports (`… in JSON at position 42`). Messages of the form
 * `Unexpected token 'x', "…" is not valid JSON` carry no offset: then the offending character is
 * found as the end of the longest prefix of the text that is still valid JSON so far.
 */
function errorPosition(text: string, message: string): number {
  const reported = /at position (\d+)/.exec(message);
  if (reported) return Number(reported[1]);
  if (/^Unexpected end of JSON input/.test(message)) return text.trimEnd().length;
  // Prefixes of a viable prefix are viable, so binary search for the shortest non-viable one.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (isViablePrefix(text.slice(0, middle + 1))) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** True when the text parses, or fails only because it ends too early. */
function isViablePrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = String((error as Error).message);
    if (/^Unexpected end of JSON input/.test(message)) return true;
    const reported = /at position (\d+)/.exec(message);
    return reported !== null && Number(reported[1]) >= prefix.length;
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(position, text.length));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** V8's wording without the position or the quoted excerpt (which could hold a secret). */
function describeSyntaxError(message: string): string {
  const token = /^Unexpected token '([\s\S]+?)', [\s\S]* is not valid JSON$/.exec(message);
  if (token) return `unexpected character '${JSON.stringify(token[1]).slice(1, -1)}'`;
  const text = message
    .replace(/\s+(?:in JSON )?at position \d+[\s\S]*$/, '')
    .replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
  return text.charAt(0).toLowerCase() + text.slice(1);
}
