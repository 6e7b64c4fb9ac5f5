// Parses dotenv files: `KEY=value` and `export KEY=value` lines, `#` comments, blank lines,
// 'single' quoted values (literal but for \', as Compose reads them) and "double" quoted values
// (with \n, \r, \t, \" and \\ escapes). An unquoted value ends at a `#` that follows whitespace.
// Keys are returned as written (`OCI__Username`).

import { ConfigError } from './configuration.js';

export interface DotenvEntry {
  key: string;
  value: string;
  /** 1-based line number in the file. */
  line: number;
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.:-]*)\s*=(.*)$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

export function parseDotenv(text: string, name: string): DotenvEntry[] {
  const entries: DotenvEntry[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = LINE.exec(raw);
    if (!match) throw malformed(name, line, 'expected KEY=value');
    const value = parseValue(match[2]!);
    if (typeof value !== 'string') throw malformed(name, line, value.problem);
    entries.push({ key: match[1]!, value, line });
  }
  return entries;
}

function parseValue(raw: string): string | { problem: string } {
  const text = raw.trimStart();
  if (text.startsWith("'")) return parseSingleQuoted(text);
  if (text.startsWith('"')) return parseDoubleQuoted(text);
  return raw.replace(/\s#.*$/, '').trim();
}

/** Literal but for `\'`, a quote inside the value (as Compose reads single-quoted values). */
function parseSingleQuoted(text: string): string | { problem: string } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === "'") return afterQuote(text.slice(i + 1)) ?? value;
    if (char === '\\' && text[i + 1] === "'") {
      value += "'";
      i++;
    } else {
      value += char;
    }
  }
  return { problem: 'unterminated single-quoted value' };
}

function parseDoubleQuoted(text: string): string | { problem: string } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') return afterQuote(text.slice(i + 1)) ?? value;
    if (char !== '\\' || i + 1 === text.length) {
      value += char;
      continue;
    }
    const next = text[++i]!;
    value += ESCAPES[next] ?? `\\${next}`;
  }
  return { problem: 'unterminated double-quoted value' };
}

/** Only whitespace and a comment may follow a closing quote. */
function afterQuote(rest: string): { problem: string } | undefined {
  return /^\s*(#.*)?$/.test(rest) ? undefined : { problem: 'unexpected text after the closing quote' };
}

function malformed(name: string, line: number, problem: string): ConfigError {
  return new ConfigError(`malformed line ${line} in ${name}: ${problem}`);
}
