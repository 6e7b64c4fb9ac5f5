// The effective configuration as `stella doctor config` shows it: every key with its value and
// source, secrets masked. Values of secret-looking keys are always masked (an empty value stays
// empty, which says "not set" without revealing anything); any other value goes through the
// redaction gate, so a registered secret inside it is masked too.

import { MASK, redactText } from '../util/redact.js';
import { isSecretKey, type Configuration } from './configuration.js';

export interface DescribedEntry {
  key: string;
  value: string;
  source: string;
  isSecret: boolean;
}

/** Plain environment variables the doctor reads; the rest of the process environment is not shown. */
const READ_VARIABLES = new Set(
  ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'DOCKER_CONFIG', 'STELLAOPS_ENVIRONMENT', 'DOTNET_ENVIRONMENT', 'ASPNETCORE_ENVIRONMENT', 'NO_COLOR'].map((v) => v.toLowerCase()),
);

/** Hierarchical keys (`Section:Key`) and the variables the doctor reads, sorted by key. */
export function describeConfiguration(config: Configuration): DescribedEntry[] {
  const shown = config.entries().filter(({ key }) => key.includes(':') || READ_VARIABLES.has(key.toLowerCase()));
  return shown.map(({ key, value, source }) => {
    const isSecret = isSecretKey(key);
    if (isSecret) return { key, value: value === '' ? '' : MASK, source, isSecret };
    return { key, value: redactText(value), source, isSecret };
  });
}
