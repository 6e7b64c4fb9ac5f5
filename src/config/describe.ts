// The effective configuration as `stella doctor config` shows it: every key with its value and
// source, secrets masked. Values of secret-looking keys are always masked (an empty value stays
// empty, which says "not set" without revealing anything); any other value goes through the
// redaction gate, so a registered secret inside it is masked too.

import { MASK, redactText } from '../util/redact.js';
import { byText } from '../util/compare.js';
import { isSecretKey, type ConfigEntry, type Configuration } from './configuration.js';
import { OCI_KEYS } from './oci-keys.js';

export interface DescribedEntry {
  key: string;
  value: string;
  source: string;
  isSecret: boolean;
}

/**
 * Plain environment variables the doctor reads; the rest of the process environment is not shown.
 * A variable that is a key's fallback (NODE_EXTRA_CA_CERTS for OCI:CaCertificatePath) is shown as
 * the source of that key instead, where it is what the key resolves to.
 */
const READ_VARIABLES = new Set(
  [
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'NO_PROXY',
    'DOCKER_CONFIG',
    'STELLAOPS_ENVIRONMENT',
    'DOTNET_ENVIRONMENT',
    'ASPNETCORE_ENVIRONMENT',
    'NO_COLOR',
  ].map((v) => v.toLowerCase()),
);

/** Hierarchical keys (`Section:Key`) and the variables the doctor reads, sorted by key. */
export function describeConfiguration(config: Configuration): DescribedEntry[] {
  const shown = config.entries().filter(({ key }) => key.includes(':') || READ_VARIABLES.has(key.toLowerCase()));
  return [...shown, ...variablesAsTheirKeys(config)]
    .sort((a, b) => byText(a.key.toLowerCase(), b.key.toLowerCase()))
    .map(({ key, value, source }) => {
      const isSecret = isSecretKey(key);
      if (isSecret) return { key, value: value === '' ? '' : MASK, source, isSecret };
      return { key, value: redactText(value), source, isSecret };
    });
}

/** Keys that resolve to a plain environment variable they fall back to, with that variable as the source. */
function variablesAsTheirKeys(config: Configuration): ConfigEntry[] {
  return OCI_KEYS.flatMap((spec): ConfigEntry[] => {
    if (config.first(spec.key) !== undefined) return [];
    const variable = spec.fallbacks
      .map((name) => config.first(name))
      .find((entry) => entry !== undefined && !entry.key.includes(':'));
    return variable ? [{ key: spec.key, value: variable.value, source: variable.source }] : [];
  });
}
