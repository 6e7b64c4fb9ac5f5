// The one way the tool reads a file it was pointed at (configuration, dotenv, CA bundle, Docker
// config): within a size cap. Regular files and pipes (`--env-file <(…)`, `/dev/stdin`) are read,
// symbolic links are followed, devices and other special files are refused, so a path to
// /dev/zero or /dev/urandom cannot grow the process without end.

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** Why a file could not be read, in words; `code` is the errno code when there was one. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a parent of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

/** The file's text (UTF-8, without a byte-order mark); symbolic links are followed. Throws UnreadableFileError. */
export function readTextWithin(path: string, maxBytes: number): string {
  let fd: number | undefined;
  try {
    // stat before open: opening some devices has effects of its own.
    refuseSpecialFile(statSync(path));
    fd = openSync(path, 'r');
    const info = fstatSync(fd);
    refuseSpecialFile(info);
    if (info.isFile() && info.size > maxBytes) throw tooLarge(maxBytes);
    return readFdWithin(fd, maxBytes).replace(/^\uFEFF/, '');
  } catch (error) {
    throw asUnreadable(error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads an open descriptor (a file, a pipe, a terminal) to its end, refusing more than maxBytes. */
export function readFdWithin(fd: number, maxBytes: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    total += read;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(Buffer.from(chunk.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function refuseSpecialFile(info: {
  isFile(): boolean;
  isFIFO(): boolean;
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): void {
  if (info.isFile() || info.isFIFO()) return;
  if (info.isDirectory()) throw new UnreadableFileError(REASONS.EISDIR!, 'EISDIR');
  if (info.isCharacterDevice() || info.isBlockDevice()) throw new UnreadableFileError('is a device, not a file');
  throw new UnreadableFileError('is not a regular file or a pipe');
}

function tooLarge(maxBytes: number): UnreadableFileError {
  return new UnreadableFileError(`larger than the ${maxBytes} bytes read`);
}

function asUnreadable(error: unknown): UnreadableFileError {
  if (error instanceof UnreadableFileError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new UnreadableFileError(
    REASONS[code] ?? (code || String((error as Error).message).split('\n')[0]),
    code || undefined,
  );
}
