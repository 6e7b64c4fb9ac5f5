// Configured URLs (SPEC 3): a value without `scheme://` is taken as `host[:port]` with a default
// scheme in front; only http and https are accepted, with a host and a port from 1 to 65535. A
// URL's userinfo is registered with the redaction gate the moment it is seen — whole, so that a
// password with a raw `@` is masked whole, not cut at its first `@` — whether or not it is allowed.

import { registerSecret } from '../util/redact.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * The configured text without surrounding whitespace and trailing slashes, with `scheme://` in
 * front when it has none (`registry.local:5000/` → `https://registry.local:5000`); undefined when
 * nothing is left, which means "not set".
 */
export function normalizeUrl(text: string, scheme: 'http' | 'https'): string | undefined {
  const trimmed = text.trim().replace(/\/+$/, '');
  if (trimmed === '') return undefined;
  return SCHEME.test(trimmed) ? trimmed : `${scheme}://${trimmed}`;
}

export interface UrlRules {
  defaultScheme: 'http' | 'https';
  /** Where credentials go instead, when userinfo is refused; userinfo is allowed without it. */
  credentialsInstead?: string;
  /** Also accept `file://` (a link to local documents, never a system the doctor talks to). */
  allowFile?: boolean;
}

/**
 * Why the configured text is not a usable http(s) URL, or undefined when it is (or is not set).
 * Never quotes the text: it may hold a password.
 */
export function urlProblem(text: string, rules: UrlRules): string | undefined {
  // The URL parser would drop tabs and line breaks without a word.
  if (/[\x00-\x1f\x7f]/.test(text)) return 'contains a line break or another control character';
  const full = normalizeUrl(text, rules.defaultScheme);
  if (full === undefined) return undefined;
  const [, scheme, authority] = /^([^:]+):\/\/([^/?#]*)/.exec(full)!;
  if (rules.allowFile && /^file$/i.test(scheme!)) return undefined;
  if (!/^https?$/i.test(scheme!))
    return `the scheme ${scheme}: is not http or https${rules.allowFile ? ' or file' : ''}`;
  const at = authority!.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority!.slice(0, at);
    registerSecret(userinfo);
    registerSecret(userinfo.slice(userinfo.indexOf(':') + 1));
    if (rules.credentialsInstead !== undefined)
      return `holds credentials (user:password@): ${rules.credentialsInstead}`;
    if (!isDecodable(userinfo)) return 'has a malformed %-escape in its user:password';
  }
  const hostPort = authority!.slice(at + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(hostPort)?.[1];
  if (port !== undefined && port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return 'the port is not a number from 1 to 65535';
  }
  try {
    new URL(full);
  } catch {
    return 'is not a valid URL';
  }
  return undefined;
}

function isDecodable(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}
