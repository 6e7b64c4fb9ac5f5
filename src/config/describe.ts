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

/** Sorted by key, as Configuration.entries() is. */
export function describeConfiguration(config: Configuration): DescribedEntry[] {
  return config.entries().map(({ key, value, source }) => {
    const isSecret = isSecretKey(key);
    if (isSecret) return { key, value: value === '' ? '' : MASK, source, isSecret };
    return { key, value: redactText(value), source, isSecret };
  });
}
