// Runs the OCI checks against the hostile fakes (test/fakes/hostile-registry.ts) and states what
// holds for every run against them: a verdict from every check and no internal error, the run
// within its timeout, and no canary secret at a host it does not belong to or in the report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CheckResult, Report } from '../../src/engine/types.js';
import { renderReport } from '../../src/render/index.js';
import {
  CANARY,
  SECRETS,
  startHostileWorld,
  type BehaviourName,
  type HostileWorld,
  type SeenRequest,
} from '../fakes/hostile-registry.js';
import { loadTestEnv } from '../harness/test-env.js';
import { ALL_OCI, CHECK, doctor } from './doctor.js';

const env = loadTestEnv();
const TLS = { cert: readFileSync(env.certs.server.certPath), key: readFileSync(env.certs.server.keyPath) };
export const tempDir = mkdtempSync(join(tmpdir(), 'stella-hostile-'));
export const removeTempDir = (): void => rmSync(tempDir, { recursive: true, force: true });

export type CheckKey = keyof typeof CHECK;
export const CHECK_KEYS = Object.keys(CHECK) as CheckKey[];
/** What the fakes may ask for: a password, a docker config identity (refresh) token, or nothing. */
export type Credentials = 'password' | 'identity-token' | 'none';
/** The behaviours whose point is the whole process's peak memory: hostile-memory.test.ts runs them through the CLI. */
export const MEASURED_IN_CLI: BehaviourName[] = [
  'manifest-100-mib',
  'manifest-endless',
  'body-endless',
  'token-50-mib',
  'manifest-4-mib-nested-arrays',
];
/** A separate repository to push to, so the mount probe runs. */
export const PUSH_REPO = 'hostile/push-probe';

export interface HostileRun {
  world: HostileWorld;
  report: Report;
  byKey: Record<CheckKey, CheckResult>;
  elapsedMs: number;
  timeoutMs: number;
}

/** The settings of a run against `url` with these credentials. */
export function settingsFor(url: string, credentials: Credentials): Record<string, string> {
  const settings: Record<string, string> = {
    'OCI:RegistryUrl': url,
    'OCI:PushTestRepository': PUSH_REPO,
    'OCI:CaCertificatePath': env.caCertPath,
  };
  if (credentials === 'password')
    Object.assign(settings, { 'OCI:Username': CANARY.username, 'OCI:Password': CANARY.password });
  if (credentials === 'identity-token') {
    const file = join(tempDir, `docker-config-${new URL(url).port}.json`);
    writeFileSync(
      file,
      JSON.stringify({ auths: { [new URL(url).host]: { username: '<token>', identitytoken: CANARY.identityToken } } }),
    );
    settings['OCI:DockerConfigPath'] = file;
  }
  return settings;
}

/** Every OCI check against a world of this behaviour; the world is closed by the caller's `worlds`. */
export async function runAgainst(
  name: BehaviourName,
  worlds: HostileWorld[],
  options: { credentials?: Credentials; timeoutMs?: number } = {},
): Promise<HostileRun> {
  const world = await startHostileWorld(name, TLS);
  worlds.push(world);
  const timeoutMs = options.timeoutMs ?? 3000;
  const started = Date.now();
  const report = await doctor({
    settings: settingsFor(world.registry.url, options.credentials ?? 'password'),
    checks: ALL_OCI,
    timeoutMs,
  });
  const elapsedMs = Date.now() - started;
  return { world, report, byKey: resultsByKey(report), elapsedMs, timeoutMs };
}

/** The report's results by check key. */
export function resultsByKey(report: Report): Record<CheckKey, CheckResult> {
  return Object.fromEntries(
    CHECK_KEYS.map((key) => [key, report.results.find((r) => r.checkId === CHECK[key])!]),
  ) as Record<CheckKey, CheckResult>;
}

/** The severities of the six checks, in CHECK order ("pass warn|fail …"); `a|b` allows either. */
export function expectVerdicts(byKey: Record<CheckKey, CheckResult>, verdicts: string): void {
  const pattern = verdicts
    .split(' ')
    .map((v) => `(${v})`)
    .join(' ');
  expect(CHECK_KEYS.map((key) => byKey[key].severity).join(' '), CHECK_KEYS.join(' ')).toMatch(
    new RegExp(`^${pattern}$`),
  );
}

/** No check broke or ran out of time, and the whole run ended within its timeout (plus a margin). */
export function expectBoundedVerdicts(run: Pick<HostileRun, 'report' | 'elapsedMs' | 'timeoutMs'>): void {
  for (const result of run.report.results) {
    expect(result.evidence.internal_error, `${result.checkId}: ${result.diagnosis}`).toBeUndefined();
  }
  expect(run.elapsedMs).toBeLessThan(run.timeoutMs + 1000);
}

/** The secrets that appear in a request, by their canary names. */
export function secretsIn(request: SeenRequest): string[] {
  const text = JSON.stringify(request);
  return SECRETS.filter((secret) => text.includes(secret));
}

/** Neither another host nor a downgraded origin received a secret, and the report shows none. */
export async function expectNoLeak(run: HostileRun): Promise<void> {
  for (const fake of [run.world.other, run.world.plain]) {
    const leaks = fake.log
      .filter((request) => secretsIn(request).length > 0)
      .map((r) => `${r.method} ${r.origin}${r.url}`);
    expect(leaks, `secrets reached ${fake.origin}`).toEqual([]);
  }
  await expectCleanReport(run.report);
}

/** The text (verbose) and JSON renderings of the report hold no canary. */
export async function expectCleanReport(report: Report): Promise<void> {
  for (const format of ['text', 'json'] as const) {
    const rendered = await renderReport(report, format, { verbose: true });
    for (const secret of SECRETS) expect(rendered, `${format} report holds a canary`).not.toContain(secret);
  }
}
