// Exit code 3: an error outside any check (here the engine itself failing) is an internal error,
// reported in one redacted line, never a stack trace.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/doctor.js', () => ({
  runDoctor: async () => {
    throw new Error('the engine fell over');
  },
}));

afterEach(() => vi.restoreAllMocks());

describe('main', () => {
  it('returns 3 and prints one line for an internal error', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const { main } = await import('../../src/cli/main.js');
    // An empty env file, so no .env of the working directory is read.
    const envFile = join(mkdtempSync(join(tmpdir(), 'stella-cli-')), 'empty.env');
    writeFileSync(envFile, '');

    const code = await main(['doctor', '--env-file', envFile]);

    expect(code).toBe(3);
    expect(written.join('')).toBe('stella: internal error: the engine fell over\n');
  });
});
