// The harness leaves nothing behind, however a run ends: a test run stopped with SIGTERM (a CI
// job's timeout, maybe twice: to the process group and passed on by scripts/test.sh) or SIGINT
// stops its registries and removes its temp dir; registries that a run killed with SIGKILL left
// running are stopped by the next start in the same directory, and only those (a recorded pid that
// is not that directory's registry is left alone); a test file's temp files go with it, and a run
// that leaves anything in its temp dir fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TestEnvironment } from '../harness/test-env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS_CLI = join(ROOT, 'test/harness/cli.mjs');

/** The pids of the docker-registry processes serving a config.yml under `dir` (a zombie has no command line). */
function registriesUnder(dir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const [command, verb, config] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return command!.endsWith('docker-registry') && verb === 'serve' && config!.startsWith(`${dir}/`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/**
 * A test run of its own, with the real global setup and setup file, in `scratch` (its environment
 * in `scratch`/env): vitest on the given test files (name → source).
 */
function testRun(
  scratch: string,
  files: Record<string, string>,
  env: Record<string, string> = {},
): { run: ChildProcess; output: () => string } {
  for (const [name, source] of Object.entries(files)) writeFileSync(join(scratch, name), source);
  writeFileSync(
    join(scratch, 'vitest.config.mjs'),
    `export default ${JSON.stringify({
      test: {
        include: Object.keys(files),
        globalSetup: [join(ROOT, 'test/harness/global-setup.ts')],
        setupFiles: [join(ROOT, 'test/harness/temp-dir.ts')],
        pool: 'forks',
        testTimeout: 120_000,
      },
    })};\n`,
  );
  const run = spawn(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', scratch], {
    env: { ...process.env, STELLA_TEST_ENV_DIR: join(scratch, 'env'), ...env },
  });
  let output = '';
  run.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  run.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { run, output: () => output };
}

describe('a test run stopped by a signal', () => {
  it.each([
    ['SIGTERM', false],
    ['SIGINT', false],
    ['SIGTERM', true],
  ] as const)(
    'stops its registries and removes its temp dir on %s (repeated until it exits: %s)',
    async (signal, repeated) => {
      const scratch = mkdtempSync(join(tmpdir(), 'stopped-run-'));
      const envDir = join(scratch, 'env');
      const started = join(scratch, 'test-started');
      const { run } = testRun(
        scratch,
        {
          'waits.test.mjs':
            "import { writeFileSync } from 'node:fs';\nimport { it } from 'vitest';\n" +
            "it('waits to be stopped', async () => { writeFileSync(process.env.TEST_STARTED, ''); await new Promise(() => {}); });\n",
        },
        { TEST_STARTED: started },
      );
      await waitFor('the test to start', () => existsSync(started));
      expect(registriesUnder(envDir)).toHaveLength(8);
      expect(readdirSync(join(envDir, 'tmp'))).toHaveLength(1);

      run.kill(signal);
      const again = repeated ? setInterval(() => run.kill(signal), 1) : undefined;
      await stopped(run);
      clearInterval(again);

      await waitFor('the registries to stop', () => registriesUnder(envDir).length === 0, 5_000);
      expect(existsSync(join(envDir, 'tmp'))).toBe(false);
      expect(existsSync(join(envDir, 'env.json'))).toBe(false);
    },
    120_000,
  );
});

describe('temp files', () => {
  it("are removed with their test file's temp dir, and a run fails naming anything left in its own", async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'temp-files-'));
    const writes = (path: string): string =>
      "import { mkdtempSync, writeFileSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport { join } from 'node:path';\n" +
      `import { it } from 'vitest';\nit('writes a refresh token', () => { writeFileSync(${path}, 'refresh-token'); });\n`;
    const { run, output } = testRun(scratch, {
      'tidy.test.mjs': writes("join(mkdtempSync(join(tmpdir(), 'stella-oauth-')), 'token')"),
      'untidy.test.mjs': writes("join(tmpdir(), '..', 'left-behind')"),
    });

    await stopped(run);

    expect(output().split('\n')).toContain(
      `the tests left files in their temp dir ${join(scratch, 'env/tmp')}: left-behind`,
    );
    expect(run.exitCode).toBe(1);
    expect(existsSync(join(scratch, 'env/tmp'))).toBe(false);
  }, 120_000);
});

describe('registries a killed run left running', () => {
  it('are stopped by the next start in that directory, and a recorded pid of anything else is not', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'killed-run-'));
    const envDir = join(scratch, 'env');
    const up = (): ChildProcess => spawn(process.execPath, [HARNESS_CLI, 'up', '--dir', envDir], { stdio: 'ignore' });
    const envJson = join(envDir, 'env.json');

    const killed = up();
    await waitFor('the environment to start', () => existsSync(envJson));
    const leftovers = Object.values((JSON.parse(readFileSync(envJson, 'utf8')) as TestEnvironment).pids.registries);
    killed.kill('SIGKILL');
    await stopped(killed);
    expect(registriesUnder(envDir).sort()).toEqual(leftovers.sort());

    // Recorded in the same directory: a docker-registry serving another directory's config.yml.
    const elsewhere = join(scratch, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(
      join(elsewhere, 'config.yml'),
      `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${JSON.stringify(elsewhere)}\nhttp:\n  addr: 127.0.0.1:0\n`,
    );
    const bystander = spawn('docker-registry', ['serve', join(elsewhere, 'config.yml')], { stdio: 'ignore' });
    await once(bystander, 'spawn');
    mkdirSync(join(envDir, 'registries/bystander'));
    writeFileSync(join(envDir, 'registries/bystander/registry.pid'), `${bystander.pid}\n`);

    rmSync(envJson);
    const next = up();
    await waitFor('the next environment to start', () => existsSync(envJson));

    const running = registriesUnder(envDir);
    expect(running).toHaveLength(8);
    expect(running.filter((pid) => leftovers.includes(pid))).toEqual([]);
    expect(registriesUnder(elsewhere)).toEqual([bystander.pid]);
    next.kill('SIGTERM');
    bystander.kill('SIGTERM');
    await Promise.all([stopped(next), stopped(bystander)]);
    expect(registriesUnder(envDir)).toEqual([]);
  }, 120_000);
});
