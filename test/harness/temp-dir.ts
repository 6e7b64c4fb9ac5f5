// Vitest setup file: each test file gets a temp dir of its own inside the run's (TMPDIR, so
// os.tmpdir(), points there while the file runs), removed with whatever is in it when the file's
// tests are done: credentials, refresh tokens and configuration the tests wrote never stay behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const runTmp = tmpdir();
const fileTmp = mkdtempSync(join(runTmp, 'test-file-'));
process.env.TMPDIR = fileTmp;

afterAll(() => {
  process.env.TMPDIR = runTmp;
  rmSync(fileTmp, { recursive: true, force: true });
});
