// The OCI distribution grammar for what configuration puts into a request path: repository names,
// tags and digests. A value outside it (`../admin`, `a?b`, a line break) must never reach a URL.

const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const MAX_NAME_LENGTH = 255;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
/** Registered algorithms have an exact encoding; others only the general one. */
const ENCODED: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };

export function isRepositoryName(text: string): boolean {
  return text.length <= MAX_NAME_LENGTH && NAME.test(text);
}

export function isTag(text: string): boolean {
  return TAG.test(text);
}

export function isDigest(text: string): boolean {
  const match = DIGEST.exec(text);
  return match !== null && (ENCODED[match[1]!]?.test(match[2]!) ?? true);
}
