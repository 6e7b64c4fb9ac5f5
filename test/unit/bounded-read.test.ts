// The bounded reader every file the tool is pointed at goes through: regular files and pipes are
// read, symbolic links followed, devices refused, and nothing larger than the cap is held.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTextWithin, UnreadableFileError } from '../../src/util/bounded-read.js';
import { messageOf } from './config-error.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stella-read-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function reasonOf(run: () => unknown): string {
  return messageOf(UnreadableFileError, run);
}

/** A named pipe fed by a separate process (the read blocks this one until the writer opens it). */
function fifoFeeding(command: string): string {
  const path = join(dir, 'pipe');
  execFileSync('mkfifo', [path]);
  spawn('sh', ['-c', `${command} > '${path}'`], { stdio: 'ignore' });
  return path;
}

describe('readTextWithin', () => {
  it('reads a regular file through a symbolic link, without its byte-order mark', () => {
    writeFileSync(join(dir, 'real.env'), '\uFEFFA=1\n');
    symlinkSync(join(dir, 'real.env'), join(dir, 'link.env'));

    expect(readTextWithin(join(dir, 'link.env'), 100)).toBe('A=1\n');
  });

  it('reads a pipe to its end', () => {
    expect(readTextWithin(fifoFeeding("printf 'OCI__Username=u\\n'"), 100)).toBe('OCI__Username=u\n');
  });

  it('reads a pipe of exactly the cap and refuses one byte more', () => {
    expect(readTextWithin(fifoFeeding('head -c 1000 /dev/zero'), 1000)).toHaveLength(1000);
    rmSync(join(dir, 'pipe'));
    expect(reasonOf(() => readTextWithin(fifoFeeding('head -c 1001 /dev/zero'), 1000))).toBe(
      'larger than the 1000 bytes read',
    );
  });

  it('refuses a pipe that sends without end once it passes the cap', () => {
    expect(reasonOf(() => readTextWithin(fifoFeeding('yes'), 1000))).toBe('larger than the 1000 bytes read');
  });

  it('refuses a regular file larger than the cap', () => {
    writeFileSync(join(dir, 'big.json'), 'x'.repeat(1001));

    expect(reasonOf(() => readTextWithin(join(dir, 'big.json'), 1000))).toBe('larger than the 1000 bytes read');
  });

  it.each(['/dev/zero', '/dev/urandom'])('refuses a symbolic link to the device %s', (device) => {
    symlinkSync(device, join(dir, 'appsettings.json'));

    expect(reasonOf(() => readTextWithin(join(dir, 'appsettings.json'), 1000))).toBe('is a device, not a file');
  });

  it('explains a missing file and a directory in words, keeping the errno code', () => {
    let missing: unknown;
    try {
      readTextWithin(join(dir, 'nope'), 1000);
    } catch (error) {
      missing = error;
    }

    expect(missing).toMatchObject({ message: 'file not found', code: 'ENOENT' });
    expect(reasonOf(() => readTextWithin(dir, 1000))).toBe('is a directory, not a file');
  });
});
