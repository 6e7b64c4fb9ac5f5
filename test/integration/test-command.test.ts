// scripts/test.sh always ends with the one summary line over every step and every Node run: with
// a type error in a test file, and when it is stopped with SIGTERM. It runs here in a scratch copy
// of the project where the expensive steps are stand-ins (npm, the installs, the CLI build, the
// formatting check, and a vitest that writes a report or waits to be stopped); the type-check is the
// real tsc.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The stand-in for vitest: a report of 2 passed and 1 skipped tests, or (WAIT_TO_BE_STOPPED) a run
 * that waits for SIGTERM, a minute at the most.
 */
const VITEST = `import { writeFileSync } from 'node:fs';
const report = process.argv.find((arg) => arg.startsWith('--outputFile=')).slice('--outputFile='.length);
if (process.env.WAIT_TO_BE_STOPPED) {
  process.on('SIGTERM', () => { writeFileSync(process.env.WAIT_TO_BE_STOPPED + '.stopped', ''); process.exit(143); });
  writeFileSync(process.env.WAIT_TO_BE_STOPPED, '');
  setTimeout(() => process.exit(1), 60_000);
} else {
  writeFileSync(report, JSON.stringify({ numPassedTests: 2, numFailedTests: 0, numPendingTests: 1, numTodoTests: 0 }));
}
`;

/** A scratch project: the real test.sh and test-summary.mjs, tsc and a test file; stand-ins for the rest. */
function scratchProject({ typeError }: { typeError: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'test-command-'));
  const write = (path: string, text: string, mode = 0o644): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    chmodSync(join(dir, path), mode);
  };
  for (const script of ['scripts/test.sh', 'scripts/test-summary.mjs'])
    write(script, readFileSync(join(ROOT, script), 'utf8'));
  write('scripts/test-prereqs.sh', 'exit 0\n');
  write('scripts/build-cli.mjs', '');
  write('scripts/check-format.mjs', "console.log('formatting: clean');\n");
  write('bin/npm', '#!/bin/sh\nexit 0\n', 0o755);
  write('tools/test-node/package-lock.json', '{}\n');
  write('tools/test-node/node_modules/.installed-lock.json', '{}\n');
  for (const version of ['22', '24']) {
    write(
      `tools/test-node/node_modules/node${version}/bin/node`,
      `#!/bin/sh\n[ "$1" = --version ] && echo v${version}.0.0 && exit 0\nexec ${process.execPath} "$@"\n`,
      0o755,
    );
  }
  write('node_modules/vitest/vitest.mjs', VITEST);
  mkdirSync(join(dir, 'node_modules/.bin'));
  symlinkSync(join(ROOT, 'node_modules/typescript/bin/tsc'), join(dir, 'node_modules/.bin/tsc'));
  write(
    'tsconfig.test.json',
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['test'] }),
  );
  write(
    'test/sum.test.ts',
    typeError ? "export const sum: number = 'one' + 'two';\n" : 'export const sum: number = 1 + 2;\n',
  );
  return dir;
}

const started: ChildProcess[] = [];
afterEach(() => {
  // A test command that failed to stop is killed with everything it started (its process group).
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
});

function testCommand(dir: string, env: Record<string, string> = {}) {
  const child = spawn('bash', [join(dir, 'scripts/test.sh')], {
    env: { PATH: `${join(dir, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, TMPDIR: tmpdir(), ...env },
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => ({
    code: code as number | null,
    lines: output.trimEnd().split('\n'),
  }));
  return { child, exited };
}

describe('the test command', () => {
  it('sums every Node run in its last line', async () => {
    const { exited } = testCommand(scratchProject({ typeError: false }));

    const { code, lines } = await exited;

    expect(lines.slice(-4)).toEqual([
      `tests on Node ${process.version}: 2 passed, 0 failed, 1 skipped`,
      'tests on Node v22.0.0: 2 passed, 0 failed, 1 skipped',
      'tests on Node v24.0.0: 2 passed, 0 failed, 1 skipped',
      '6 passed, 0 failed, 3 skipped',
    ]);
    expect(code).toBe(0);
  });

  it('ends with the summary line, the type-check counted as a failure, when a test file has a type error', async () => {
    const { exited } = testCommand(scratchProject({ typeError: true }));

    const { code, lines } = await exited;

    expect(lines).toContain('type-check: failed (exit status 2)');
    expect(lines.join('\n')).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(lines.at(-1)).toBe('6 passed, 1 failed, 3 skipped');
    expect(code).toBe(1);
  });

  it('stops the running tests on SIGTERM and still ends with the summary line', async () => {
    const dir = scratchProject({ typeError: false });
    const waiting = join(dir, 'tests-waiting');
    const { child, exited } = testCommand(dir, { WAIT_TO_BE_STOPPED: waiting });
    await expect.poll(() => existsSync(waiting), { timeout: 20_000 }).toBe(true);

    child.kill('SIGTERM');
    const { code, lines } = await exited;

    expect(existsSync(`${waiting}.stopped`)).toBe(true);
    expect(lines.slice(-2)).toEqual([
      `tests on Node ${process.version} (stopped by SIGTERM): 0 passed, 1 failed, 0 skipped (no test report was written)`,
      '0 passed, 1 failed, 0 skipped',
    ]);
    expect(code).toBe(143);
  });
});
