// Reading configuration files: byte-order marks, and unreadable files reported in words, never as
// stack traces.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readConfigText } from '../../src/config/files.js';
import { configErrorOf } from './config-error.js';

// Running as root makes permission errors impossible to produce for real: the reader is fed them.
const { statSync } = vi.hoisted(() => ({ statSync: vi.fn() }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  statSync.mockImplementation(real.statSync);
  return { ...real, statSync };
});

function failWith(code: string | undefined, message = `${code}: failure`): void {
  statSync.mockImplementationOnce(() => {
    throw Object.assign(new Error(message), code === undefined ? {} : { code });
  });
}

describe('readConfigText', () => {
  it('returns the text without a byte-order mark', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'stella-files-'));
    fs.writeFileSync(join(dir, 'a.json'), '\uFEFF{"a":1}');

    expect(readConfigText(join(dir, 'a.json'), 'a.json', 'config file')).toBe('{"a":1}');
    fs.rmSync(dir, { recursive: true });
  });

  it.each([
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['EISDIR', 'is a directory, not a file'],
    ['ENOTDIR', 'a parent of the path is not a directory'],
    ['ENOENT', 'file not found'],
    ['EIO', 'EIO'],
  ])('explains %s in words', (code, reason) => {
    failWith(code);

    expect(configErrorOf(() => readConfigText('/x/a.json', 'a.json', 'config file'))).toBe(
      `cannot read config file a.json: ${reason}`,
    );
  });

  it('uses the first line of the message when there is no code', () => {
    failWith(undefined, 'odd failure\nwith details');

    expect(configErrorOf(() => readConfigText('/x/.env', '.env', 'env file'))).toBe(
      'cannot read env file .env: odd failure',
    );
  });

  it('returns undefined for a missing optional file, but still fails on other errors', () => {
    failWith('ENOENT');
    expect(readConfigText('/x/a.json', 'a.json', 'config file', true)).toBeUndefined();

    failWith('EACCES');
    expect(configErrorOf(() => readConfigText('/x/a.json', 'a.json', 'config file', true))).toBe(
      'cannot read config file a.json: permission denied',
    );
  });
});
