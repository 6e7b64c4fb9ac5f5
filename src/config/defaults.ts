// The built-in defaults: the first configuration source, overridden by every other one.

import { OCI_KEYS } from './oci-keys.js';

export const DEFAULT_SOURCE = 'default';

export const BUILT_IN_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  OCI_KEYS.flatMap((spec): Array<[string, string]> => ('default' in spec ? [[spec.key, spec.default]] : [])),
);
