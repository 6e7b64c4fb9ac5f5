// Reads configuration files (JSON, dotenv) as text; a file that cannot be read becomes a one-line
// ConfigError naming the file and the reason in words.

import { readFileSync } from 'node:fs';
import { ConfigError } from './configuration.js';

export type FileKind = 'config file' | 'env file';

const REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a parent of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

/**
 * The file's text without a byte-order mark. With `optional`, a file that does not exist gives
 * undefined; every other failure (and a missing required file) is a ConfigError.
 */
export function readConfigText(path: string, name: string, kind: FileKind, optional = false): string | undefined {
  try {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (optional && code === 'ENOENT') return undefined;
    const reason = REASONS[code] ?? (code || String((error as Error).message).split('\n')[0]);
    throw new ConfigError(`cannot read ${kind} ${name}: ${reason}`);
  }
}
