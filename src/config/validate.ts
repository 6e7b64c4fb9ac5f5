// Configuration that cannot be valid is refused when it is loaded (SPEC 3 and 9), before any check
// runs or any request is sent: URLs that are not http(s) or carry credentials, ports out of range,
// booleans that are not true/false, repository names, tags and digests outside the OCI grammar,
// credentials that cannot travel in a header, malformed proxy URLs. Secret values are registered
// with the redaction gate first; each problem is one ConfigError line naming the key and its
// source, never the value (it may be a secret).

import { registerSecret } from '../util/redact.js';
import { ConfigError, type ConfigEntry, type Configuration } from './configuration.js';
import { isDigest, isRepositoryName, isTag } from './oci-grammar.js';
import { urlProblem } from './url.js';
import { didYouMean } from '../util/suggest.js';

type Check = (value: string) => string | undefined;

/** URLs of systems the doctor talks to or links to: http(s), no userinfo (the hint says where credentials go). */
function url(credentialsInstead: string, allowFile = false): Check {
  return (value) => urlProblem(value, { defaultScheme: 'https', credentialsInstead, allowFile });
}

const boolean: Check = (value) => (/^(true|false)$/i.test(value.trim()) ? undefined : 'expected true or false');

const repository: Check = (value) =>
  isRepositoryName(value)
    ? undefined
    : "not a repository name (lowercase path components of a-z and 0-9, separated inside by '.', '_', '__' or " +
      "'-', joined by '/', at most 255 characters)";

const reference: Check = (value) =>
  isTag(value) || isDigest(value)
    ? undefined
    : 'neither a tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -) nor a digest (algorithm:encoded, ' +
      'sha256 with 64 lowercase hex digits)';

/** Credentials (and a Vault namespace) travel in a header or a form body, where a line break cannot go. */
const credential: Check = (value) =>
  /[\x00-\x08\x0a-\x1f\x7f]/.test(value) ? 'contains a line break or another control character' : undefined;

const credentialsOf = (section: string): string =>
  `remove it and set ${section}:Username and ${section}:Password (or ${section}:Token) instead`;

/** Every key the doctor reads whose value has a shape to check, by lower-cased key. */
const CHECKS: Record<string, Check> = {
  'oci:registryurl': url(credentialsOf('OCI')),
  'registry:url': url(credentialsOf('Registry')),
  'doctor:runbookbaseurl': url('a runbook link carries no credentials', true),
  'oci:skiptlsverify': boolean,
  'oci:allowinsecurecredentials': boolean,
  'oci:testrepository': repository,
  'registry:testrepository': repository,
  'oci:pushtestrepository': repository,
  'oci:testtag': reference,
  'registry:testtag': reference,
  'oci:username': credential,
  'registry:username': credential,
  'oci:password': credential,
  'registry:password': credential,
  'oci:token': credential,
  'registry:token': credential,
  // The Vault CLI's own variables, read last by the secrets manager check.
  vault_addr: url('remove it and set VAULT_TOKEN instead'),
  vault_token: credential,
  vault_namespace: credential,
};

/** The sections of the Git provider, CI system and secrets manager checks (SPEC 10), by lower-cased key. */
const SYSTEM_SECTION = /^(git|scm|github|gitlab|gitea|ci|ci:systems:\d+|secrets:vault|secrets:managers:\d+|vault)$/;

/** The kinds each section's `Type` or `Provider` may name. */
const SYSTEM_TYPES: Array<[RegExp, string[]]> = [
  [/^(git|scm|github|gitlab|gitea)$/, ['auto', 'github', 'gitlab', 'gitea', 'bitbucket', 'azuredevops']],
  [/^ci(:systems:\d+)?$/, ['jenkins', 'gitlab', 'github', 'azuredevops', 'generic']],
  [/^(secrets:managers:\d+|secrets:vault|vault)$/, ['vault', 'azurekeyvault', 'generic']],
];

function oneOf(kinds: string[]): Check {
  return (value) =>
    kinds.includes(value.trim().toLowerCase())
      ? undefined
      : `not one of ${kinds.join(', ')}${didYouMean(value.trim().toLowerCase(), kinds)}`;
}

/** The shape of a key in one of those sections (`CI:Systems:0:Url`), judged on its last segment. */
function systemKeyCheck(key: string): Check | undefined {
  const at = key.lastIndexOf(':');
  const section = key.slice(0, at).toLowerCase();
  if (!SYSTEM_SECTION.test(section)) return undefined;
  switch (key.slice(at + 1).toLowerCase()) {
    case 'url':
      return url(`remove it and set ${key.slice(0, at)}:Token (or :Username) instead`);
    case 'skiptlsverify':
    case 'allowinsecurecredentials':
      return boolean;
    case 'token':
    case 'username':
    case 'namespace':
      return credential;
    case 'type':
    case 'provider':
      return oneOf(SYSTEM_TYPES.find(([pattern]) => pattern.test(section))?.[1] ?? []);
    default:
      return undefined;
  }
}

/** Proxy URLs keep their own convention (SPEC 3): `host:port` means http, and userinfo is allowed. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];
const proxy: Check = (value) => urlProblem(value, { defaultScheme: 'http' });

/**
 * Registers the secret values, then throws a ConfigError for the first value that cannot be valid; an empty value
 * means "not set".
 */
export function validateConfiguration(config: Configuration, env: Record<string, string | undefined>): void {
  for (const secret of config.secretValues()) registerSecret(secret);
  for (const entry of config.entries()) refuse(entry, CHECKS[entry.key.toLowerCase()] ?? systemKeyCheck(entry.key));
  // Both spellings of a proxy variable are read, so both are checked, from the environment itself.
  for (const name of PROXY_VARIABLES) refuse({ key: name, value: env[name] ?? '', source: `env:${name}` }, proxy);
}

function refuse(entry: ConfigEntry, check: Check | undefined): void {
  if (check === undefined || entry.value === '') return;
  const problem = check(entry.value);
  if (problem !== undefined) throw new ConfigError(`invalid ${entry.key} (${entry.source}): ${problem}`);
}
