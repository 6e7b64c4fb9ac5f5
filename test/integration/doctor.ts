// Runs real checks in-process against the test environment, with a clean environment (no proxy,
// no NODE_EXTRA_CA_CERTS from the machine) and configuration given as `--set`-style pairs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctor } from '../../src/doctor.js';
import type { CheckResult, Report } from '../../src/engine/types.js';
import { integrationPlugin } from '../../src/plugins/integration/index.js';
import { CHECK_IDS } from '../../src/plugins/integration/oci/preconditions.js';

export { CHECK_IDS as CHECK } from '../../src/plugins/integration/oci/preconditions.js';

export const ALL_OCI: string[] = Object.values(CHECK_IDS);

/** Every check of the catalog: a full run runs these (the ones not configured skip). */
export const ALL_CHECKS: string[] = integrationPlugin.checks.map((check) => check.id);

const emptyDir = mkdtempSync(join(tmpdir(), 'stella-it-'));

export interface DoctorRun {
  settings: Record<string, string>;
  checks: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
}

export async function doctor({ settings, checks, timeoutMs, env = {} }: DoctorRun): Promise<Report> {
  const sets = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  return runDoctor({ config: { cwd: emptyDir, env, sets }, selection: { checks }, timeoutMs, env });
}

/** One check's result. */
export async function check(
  checkId: string,
  settings: Record<string, string>,
  extra: Omit<DoctorRun, 'settings' | 'checks'> = {},
): Promise<CheckResult> {
  const report = await doctor({ settings, checks: [checkId], ...extra });
  return report.results[0]!;
}
