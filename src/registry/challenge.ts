// Parses `WWW-Authenticate` headers (RFC 7235 challenges, RFC 6750 Bearer parameters, Docker token
// auth) and the Docker scope grammar. Several challenges per line and several lines are read; a
// malformed header becomes a reason next to whatever parsed before the fault, never an exception.

export type Challenge = {
  /** The auth scheme, lower-cased (`bearer`, `basic`, `negotiate` …). */
  scheme: string;
  /** Auth parameters; names lower-cased, values unquoted and unescaped (no prototype: `__proto__` is data). */
  params: Record<string, string>;
  /** The token68 form (`Negotiate abc==`), for schemes that carry one instead of parameters. */
  token68?: string;
};

export type ParseResult =
  { ok: true; challenges: Challenge[] } | { ok: false; reason: string; challenges: Challenge[] };

/** One Docker token scope: `repository:library/alpine:pull,push`. */
export type Scope = { type: string; name: string; actions: string[] };

/** Headers longer than this are refused unread; real challenges are a few hundred characters. */
export const MAX_CHALLENGE_LENGTH = 8192;

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'quoted'; text: string; at: number }
  | { kind: 'equals'; at: number }
  | { kind: 'comma'; at: number }
  | { kind: 'invalid'; reason: string; at: number };

/** RFC 7230 `token`: what scheme and parameter names are made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;
/** Schemes defined with auth-params only: there `realm=` is a parameter missing its value, not token68. */
const PARAMETER_SCHEMES = new Set(['basic', 'bearer', 'digest']);

export function parseChallenges(headers: string | string[] | undefined): ParseResult {
  const lines = headers === undefined ? [] : typeof headers === 'string' ? [headers] : headers;
  const length = lines.reduce((total, line) => total + line.length, 0);
  if (length > MAX_CHALLENGE_LENGTH) {
    return {
      ok: false,
      reason: `the header is ${length} characters long, more than the ${MAX_CHALLENGE_LENGTH} read`,
      challenges: [],
    };
  }
  const challenges: Challenge[] = [];
  for (const [index, line] of lines.entries()) {
    if (/^[ \t]*$/.test(line)) continue;
    const parsed = parseLine(line);
    challenges.push(...parsed.challenges);
    if (parsed.reason !== undefined) {
      const reason = lines.length > 1 ? `header line ${index + 1}: ${parsed.reason}` : parsed.reason;
      return { ok: false, reason, challenges };
    }
  }
  return { ok: true, challenges };
}

/** A response's `WWW-Authenticate`, read once: the raw text for the evidence and its parsed challenges. */
export interface AuthenticateHeader {
  raw: string | null;
  parsed: ParseResult;
  /** The RFC 6750 `error=` of the first challenge that carries one (`invalid_token`, `insufficient_scope`). */
  error: string | null;
}

/** The one reader of `WWW-Authenticate` response headers (repeated headers are joined for the evidence). */
export function readAuthenticate(res: { headers: Record<string, string | string[] | undefined> }): AuthenticateHeader {
  const header = res.headers['www-authenticate'];
  const parsed = parseChallenges(header);
  const error = parsed.challenges.find((challenge) => challenge.params.error !== undefined)?.params.error ?? null;
  return { raw: header === undefined ? null : Array.isArray(header) ? header.join(', ') : header, parsed, error };
}

/** The realm as an absolute http(s) URL, or undefined when it is missing, relative or another scheme. */
export function realmUrl(challenge: Challenge): URL | undefined {
  const realm = challenge.params.realm;
  if (realm === undefined || !URL.canParse(realm)) return undefined;
  const url = new URL(realm);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}

/** The Bearer challenge to follow: the first whose realm is a usable URL, else the first Bearer. */
export function bearerChallenge(challenges: Challenge[]): Challenge | undefined {
  const bearers = challenges.filter((challenge) => challenge.scheme === 'bearer');
  return bearers.find((challenge) => realmUrl(challenge) !== undefined) ?? bearers[0];
}

/** The scopes of a space-separated `scope` value (challenge parameter or OAuth2 form field). */
export function splitScopes(scope: string): string[] {
  return scope.split(/[ \t]+/).filter((part) => part !== '');
}

/**
 * `type:name:actions`. The type ends at the first ':' and the actions start after the last one,
 * so a name holding a `host:port` stays whole. Undefined when there is no type, name or action list.
 */
export function parseScope(scope: string): Scope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last - first < 2) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((action) => action !== ''),
  };
}

export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

function parseLine(line: string): { challenges: Challenge[]; reason?: string } {
  const tokens = tokenize(line);
  const challenges: Challenge[] = [];
  const fail = (reason: string) => ({ challenges, reason });
  let current: Challenge | undefined;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.kind === 'comma') {
      i++;
      continue;
    }
    if (token.kind !== 'word') return fail(unexpected(token, 'an auth scheme'));
    if (tokens[i + 1]?.kind === 'equals') {
      if (!current)
        return fail(`parameter "${clip(token.text)}" at column ${token.at + 1} comes before any auth scheme`);
      const next = readParameter(tokens, i, current.params);
      if (typeof next === 'string') return fail(next);
      i = next;
    } else {
      if (!TOKEN.test(token.text))
        return fail(`"${clip(token.text)}" at column ${token.at + 1} is not a valid auth scheme`);
      current = { scheme: token.text.toLowerCase(), params: Object.create(null) as Record<string, string> };
      challenges.push(current);
      i++;
      const token68 = readToken68(tokens, i, current.scheme);
      if (token68) {
        current.token68 = token68.value;
        i = token68.next;
      } else if (tokens[i]?.kind === 'word' && tokens[i + 1]?.kind === 'equals') {
        continue; // the scheme's first parameter, read by the next turn of the loop
      }
    }
    const separator = tokens[i];
    if (separator && separator.kind !== 'comma') return fail(unexpected(separator, "','"));
  }
  return challenges.length > 0 ? { challenges } : fail('the header holds separators but no auth scheme');
}

/** Reads `name=value` at tokens[i] into params; the index after it, or the reason it is malformed. */
function readParameter(tokens: Token[], i: number, params: Record<string, string>): number | string {
  const name = tokens[i] as Extract<Token, { kind: 'word' }>;
  const value = tokens[i + 2];
  const key = name.text.toLowerCase();
  if (!TOKEN.test(name.text)) return `"${clip(name.text)}" at column ${name.at + 1} is not a valid parameter name`;
  if (value === undefined || value.kind === 'comma') return `parameter "${key}" at column ${name.at + 1} has no value`;
  if (value.kind !== 'word' && value.kind !== 'quoted') return unexpected(value, `a value for "${key}"`);
  if (Object.hasOwn(params, key)) return `parameter "${key}" at column ${name.at + 1} appears twice in one challenge`;
  params[key] = value.text;
  return i + 3;
}

/** A token68 right after the scheme: a word, optional '=' padding, then a comma or the end. */
function readToken68(tokens: Token[], i: number, scheme: string): { value: string; next: number } | undefined {
  const word = tokens[i];
  if (word?.kind !== 'word' || PARAMETER_SCHEMES.has(scheme)) return undefined;
  let next = i + 1;
  while (tokens[next]?.kind === 'equals') next++;
  const after = tokens[next];
  if (after && after.kind !== 'comma') return undefined;
  const value = word.text + '='.repeat(next - i - 1);
  return TOKEN68.test(value) ? { value, next } : undefined;
}

function unexpected(token: Token, expected: string): string {
  if (token.kind === 'invalid') return token.reason;
  return `expected ${expected} at column ${token.at + 1}, found ${describe(token)}`;
}

function describe(token: Exclude<Token, { kind: 'invalid' }>): string {
  switch (token.kind) {
    case 'word':
      return `"${clip(token.text)}"`;
    case 'quoted':
      return 'a quoted string';
    case 'equals':
      return "'='";
    case 'comma':
      return "','";
  }
}

/** Header text quoted in a reason is cut short: reasons are one line. */
function clip(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}

/**
 * Words (runs of visible ASCII other than `"`, `,` and `=`, so unquoted values such as URLs stay
 * whole), quoted strings with backslash escapes, '=' and ','. Spaces and tabs separate. The first
 * character that fits none of these ends the list with an `invalid` token.
 */
function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === ',' || c === '=') {
      tokens.push({ kind: c === ',' ? 'comma' : 'equals', at: i });
      i++;
    } else if (c === '"') {
      const quoted = readQuoted(line, i);
      tokens.push(quoted.token);
      if (quoted.token.kind === 'invalid') return tokens;
      i = quoted.end;
    } else {
      const start = i;
      while (i < line.length && isWordChar(line[i]!)) i++;
      // A word cut short by a character that belongs to nothing is dropped with it, not kept truncated.
      if (i < line.length && !isSeparator(line[i]!)) {
        tokens.push({
          kind: 'invalid',
          reason: `unexpected character ${codePoint(line[i]!)} at column ${i + 1}`,
          at: i,
        });
        return tokens;
      }
      tokens.push({ kind: 'word', text: line.slice(start, i), at: start });
    }
  }
  return tokens;
}

function readQuoted(line: string, start: number): { token: Token; end: number } {
  let text = '';
  let i = start + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') return { token: { kind: 'quoted', text, at: start }, end: i + 1 };
    if (c === '\\') i++;
    const literal = line[i];
    if (literal === undefined) break;
    if (isControl(literal)) {
      return {
        token: { kind: 'invalid', reason: `unexpected character ${codePoint(literal)} at column ${i + 1}`, at: i },
        end: i,
      };
    }
    text += literal;
    i++;
  }
  return {
    token: { kind: 'invalid', reason: `unterminated quoted string starting at column ${start + 1}`, at: start },
    end: i,
  };
}

function isSeparator(c: string): boolean {
  return c === ' ' || c === '\t' || c === '"' || c === ',' || c === '=';
}

function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !isSeparator(c);
}

/** Control characters other than tab, which a quoted string may not hold even escaped. */
function isControl(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code < 0x20 && c !== '\t') || code === 0x7f;
}

function codePoint(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
