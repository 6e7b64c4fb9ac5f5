// The one redaction gate. Every byte that leaves the process (renderers, `config`, errors, logs)
// passes through redactText/redactDeep. Secrets are known by value — configured passwords and
// tokens, the base64 of user:password, every token a token service issued during the run — and
// by shape (Authorization values, JWTs), so a secret nobody registered is still masked.
// Inside withRunSecrets() the secrets registered belong to that run alone (a server runs many);
// the process-wide ones (the CLI's configuration, a server's own token) are masked everywhere.

import { AsyncLocalStorage } from 'node:async_hooks';

export const MASK = '****';

const processSecrets = new Set<string>();
const runSecrets = new AsyncLocalStorage<Set<string>>();

/** Runs fn with a secret set of its own: what fn registers is masked inside fn, and other runs never see it. */
export function withRunSecrets<T>(fn: () => T): T {
  return runSecrets.run(new Set(), fn);
}

/** The set registerSecret adds to: the current run's, else the process-wide one. */
function currentSecrets(): Set<string> {
  return runSecrets.getStore() ?? processSecrets;
}

/** Every secret the gate masks here: the process-wide ones and the current run's. */
function knownSecrets(): Set<string> {
  const run = runSecrets.getStore();
  return run ? new Set([...processSecrets, ...run]) : processSecrets;
}

/** Secrets shorter than this are not matched by value (they would mask ordinary words). */
const MIN_SECRET_LENGTH = 4;

/** Register a secret value; its base64 and URL-encoded forms are registered with it. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString('base64')]) {
    if (form.length >= MIN_SECRET_LENGTH) currentSecrets().add(form);
  }
}

/** Register a username/password pair: the password and the base64 of `user:password`. */
export function registerCredentialPair(username: string | undefined, password: string | undefined): void {
  registerSecret(password);
  if (username !== undefined && password) registerSecret(`${username}:${password}`);
}

/** Forget every registered secret of the current run, else the process-wide ones (tests). */
export function clearSecrets(): void {
  currentSecrets().clear();
}

/** Whether the text holds a registered secret's value (or one of its encodings). */
export function containsSecret(text: string): boolean {
  for (const secret of knownSecrets()) if (text.includes(secret)) return true;
  return false;
}

function looksLikeCredential(raw: string): boolean {
  const value = raw.replace(/[.]+$/, '');
  if (/[0-9+/=._~-]/.test(value)) return true;
  return value.length >= 20 && /[a-z]/.test(value) && /[A-Z]/.test(value);
}

type Replacement = string | ((substring: string, ...groups: string[]) => string);

const SHAPES: Array<[RegExp, Replacement]> = [
  // Authorization / Proxy-Authorization header values, in any spelling
  // (a shell variable or a <placeholder> in a copy/paste command is not a secret).
  [/\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:basic|bearer|token)\s+)(?![$<])[^\s"',;]+/gi, `$1${MASK}`],
  // `Basic xyz`/`Bearer xyz` where xyz looks like a credential, not a word ("Bearer challenge").
  [
    /\b(basic|bearer)\s+([A-Za-z0-9+/=._~-]{8,})/gi,
    (whole: string, scheme: string, value: string) => (looksLikeCredential(value) ? `${scheme} ${MASK}` : whole),
  ],
  // JSON Web Tokens (three base64url segments, the first starting with eyJ).
  [/eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g, MASK],
  // user:password@ in URLs, the user possibly empty and the password possibly holding a raw `@`.
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s]*@/gi, `$1${MASK}@`],
  // token-service answers that slipped into a message.
  [/("(?:access_token|refresh_token|token|identitytoken|password|secret)"\s*:\s*")[^"]*"/gi, `$1${MASK}"`],
];

export function redactText(text: string): string {
  let out = text;
  const secrets = knownSecrets();
  if (secrets.size > 0) {
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
  }
  for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement as string);
  return out;
}

/** Redact every string inside a JSON-like value (objects, arrays), returning a copy. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
