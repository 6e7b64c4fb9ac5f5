// A configured CA file, read once and bounded: its PEM, or the configuration verdict that names
// the key and the reason it cannot be used (missing, unreadable, not PEM, absurdly large).

import type { CheckOutcome } from '../../../engine/types.js';
import { readTextWithin, type UnreadableFileError } from '../../../util/bounded-read.js';
import { numbered, setConfigSteps } from './remediation.js';

/** A CA bundle far larger than a system's whole root store (~200 KB) is not a CA bundle. */
const MAX_CA_BUNDLE_BYTES = 4 * 1024 * 1024;

/**
 * The PEM text of the file `setting` names, or the fail verdict: its fix sets `fixKey` (the
 * section's own key, whichever fallback supplied the path) to a file named after `slug`.
 */
export function readCaBundle(
  setting: { value: string; key: string },
  fixKey: string,
  slug: string,
): { pem: string } | { failure: CheckOutcome } {
  try {
    const pem = readTextWithin(setting.value, MAX_CA_BUNDLE_BYTES);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('the file holds no PEM certificate');
    return { pem };
  } catch (error) {
    const reason = (error as UnreadableFileError).code === 'ENOENT' ? 'does not exist' : (error as Error).message;
    return {
      failure: {
        severity: 'fail',
        diagnosis: `The CA certificate file ${setting.value} (${setting.key}) cannot be used: ${reason}.`,
        evidence: { is_configuration_error: true, config_key: setting.key },
        likelyCauses: [
          'The path is wrong or the file was not mounted into the container',
          'The file is not a PEM-encoded certificate',
        ],
        remediation: numbered(setConfigSteps(fixKey, `/etc/stellaops/certs/${slug}-ca.pem`)),
      },
    };
  }
}
