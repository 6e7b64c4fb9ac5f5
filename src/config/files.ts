// Reads configuration files (JSON, dotenv) as text, within a size cap; a file that cannot be read
// becomes a one-line ConfigError naming the file and the reason in words.

import { readTextWithin, UnreadableFileError } from '../util/bounded-read.js';
import { ConfigError } from './configuration.js';

export type FileKind = 'config file' | 'env file';

/** No configuration file of this tool comes near this size. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The file's text without a byte-order mark. With `optional`, a file that does not exist gives
 * undefined; every other failure (and a missing required file) is a ConfigError.
 */
export function readConfigText(path: string, name: string, kind: FileKind, optional = false): string | undefined {
  try {
    return readTextWithin(path, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    if (optional && error.code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read ${kind} ${name}: ${error.message}`);
  }
}
