// The hostile cases that need the real process: huge and endless bodies, a 4 MiB manifest of
// nested arrays and a 50 MiB token answer must keep the whole CLI under 200 MB of peak memory
// (measured as the child's maxRSS), and a credential helper that hangs must not keep it past
// --timeout. Each run also gets the corpus's common proofs: verdicts, no internal error, within
// its timeout, no canary at another host or in the output.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/engine/types.js';
import {
  CANARY,
  SECRETS,
  startHostileWorld,
  type BehaviourName,
  type HostileWorld,
} from '../fakes/hostile-registry.js';
import { CHILD_PATH } from './cli.js';
import {
  expectBoundedVerdicts,
  expectNoLeak,
  expectVerdicts,
  MEASURED_IN_CLI,
  PUSH_REPO,
  removeTempDir,
  resultsByKey,
  tempDir,
  type HostileRun,
} from './hostile.js';

const STELLA_CJS = fileURLToPath(new URL('../../bin/stella.cjs', import.meta.url));
const HELPERS = fileURLToPath(new URL('../fixtures/docker-credential-helpers', import.meta.url));
const PEAK_LIMIT_MB = 200;

/** Loaded into the child with --require: writes its peak resident set (KiB) when it exits. */
const PRELOAD = join(tempDir, 'peak-rss.cjs');
writeFileSync(
  PRELOAD,
  "process.on('exit', () => require('node:fs').writeFileSync(process.env.STELLA_TEST_PEAK_FILE, String(process.resourceUsage().maxRSS)));\n",
);

const worlds: HostileWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
  removeTempDir();
});

/** Peak memory measured per case, printed at the end of the file's run. */
const measured: string[] = [];
afterAll(() => console.log(`peak RSS of the CLI:\n  ${measured.join('\n  ')}`));

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  peakMb: number;
}

/** `node bin/stella.cjs doctor … --format json` against the world, without blocking this process's fakes. */
function stellaDoctor(
  world: HostileWorld,
  timeoutMs: number,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const peakFile = join(tempDir, `peak-${world.registry.port}.txt`);
  const args = [
    '--require',
    PRELOAD,
    STELLA_CJS,
    'doctor',
    '--registry',
    world.registry.url,
    '--set',
    `OCI:PushTestRepository=${PUSH_REPO}`,
    '--format',
    'json',
    '--timeout',
    `${timeoutMs}ms`,
    ...extraArgs,
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: CHILD_PATH, HOME: '/nonexistent', STELLA_TEST_PEAK_FILE: peakFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => {
      const peakMb = Number(readFileSync(peakFile, 'utf8')) / 1024;
      resolve({ status, stdout, stderr, elapsedMs: Date.now() - started, peakMb });
    });
  });
}

const PASSWORD_ENV = { OCI__Username: CANARY.username, OCI__Password: CANARY.password };

interface MemoryCase {
  behaviour: BehaviourName;
  proves: string;
  defect?: number;
  verdicts: string;
  evidence?: Record<string, Record<string, unknown>>;
}

const MEMORY_CASES: MemoryCase[] = [
  {
    behaviour: 'manifest-100-mib',
    proves: 'a 100 MiB manifest is read no further than the cap',
    verdicts: 'pass pass pass pass pass info',
    evidence: { capabilities: { is_mount_supported: false } },
  },
  {
    behaviour: 'manifest-endless',
    proves: 'an endless manifest is read no further than the cap',
    verdicts: 'pass pass pass pass pass info',
    evidence: { capabilities: { is_mount_supported: false } },
  },
  {
    behaviour: 'body-endless',
    proves: 'endless bodies on every route are cut',
    verdicts: 'pass pass warn warn warn warn',
    evidence: { registry: { status_code: 200 } },
  },
  {
    behaviour: 'token-50-mib',
    proves: 'a 50 MiB token answer is cut and is "cannot verify"',
    verdicts: 'pass warn fail fail warn warn',
    evidence: { credentials: { token_exchange: 'unreachable' } },
  },
  {
    behaviour: 'manifest-4-mib-nested-arrays',
    defect: 11,
    proves: 'a 4 MiB manifest of nested arrays is refused without holding the parse in memory',
    verdicts: 'pass pass pass pass pass info',
    evidence: { capabilities: { is_mount_supported: false } },
  },
];

/** The report of a CLI run, with the corpus's common proofs. */
async function expectCliRun(world: HostileWorld, run: CliRun, timeoutMs: number): Promise<Report> {
  expect(run.stderr).toBe('');
  expect([0, 1]).toContain(run.status);
  for (const secret of SECRETS) expect(run.stdout + run.stderr).not.toContain(secret);
  const report = JSON.parse(run.stdout) as Report;
  const asRun: HostileRun = { world, report, byKey: resultsByKey(report), elapsedMs: run.elapsedMs, timeoutMs };
  await expectNoLeak(asRun);
  expectBoundedVerdicts(asRun);
  return report;
}

describe.concurrent('hostile bodies: peak memory of the whole CLI', () => {
  it('measures every behaviour the corpus leaves to the CLI', () => {
    expect(MEMORY_CASES.map((c) => c.behaviour).sort()).toEqual([...MEASURED_IN_CLI].sort());
  });

  it.each(
    MEMORY_CASES.map(
      (c) =>
        [
          `${c.behaviour}${c.defect ? ` [defect ${c.defect}]` : ''}: ${c.proves}, under ${PEAK_LIMIT_MB} MB`,
          c,
        ] as const,
    ),
  )('%s', async (_name, c) => {
    const world = await startHostileWorld(c.behaviour);
    worlds.push(world);
    const timeoutMs = 10_000;

    const run = await stellaDoctor(world, timeoutMs, [], PASSWORD_ENV);

    measured.push(`${c.behaviour}: ${run.peakMb.toFixed(1)} MB in ${run.elapsedMs} ms`);
    expect(run.peakMb).toBeLessThan(PEAK_LIMIT_MB);
    const report = await expectCliRun(world, run, timeoutMs);
    const byKey = resultsByKey(report);
    expectVerdicts(byKey, c.verdicts);
    for (const [key, evidence] of Object.entries(c.evidence ?? {}))
      expect(byKey[key as keyof typeof byKey].evidence, key).toMatchObject(evidence);
  });
});

describe('hostile credential helper', () => {
  it('a helper that never answers [defect 10]: the process ends within --timeout 2s and the credentials fail', async () => {
    const world = await startHostileWorld('well-behaved-basic');
    worlds.push(world);
    const dockerConfig = join(tempDir, 'hang.json');
    writeFileSync(dockerConfig, JSON.stringify({ credHelpers: { [new URL(world.registry.url).host]: 'hang' } }));
    const timeoutMs = 2000;

    const run = await stellaDoctor(world, timeoutMs, ['--docker-config', dockerConfig], {
      PATH: `${HELPERS}:${CHILD_PATH}`,
    });

    const report = await expectCliRun(world, run, timeoutMs);
    const byKey = resultsByKey(report);
    expectVerdicts(byKey, 'pass fail fail fail fail fail');
    expect(byKey.credentials.evidence).toMatchObject({
      credential_helper: 'docker-credential-hang',
      docker_config_status: 'error',
    });
    expect(world.registry.log.some((r) => r.headers.authorization !== undefined)).toBe(false);
  });
});
