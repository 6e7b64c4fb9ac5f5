// The library entry point: runDoctor(options) loads the configuration, selects the checks and
// runs them, returning the same Report the CLI renders.

import { loadConfiguration, type ConfigLoadOptions } from './config/load.js';
import type { Configuration } from './config/configuration.js';
import { validateConfiguration } from './config/validate.js';
import { runChecks, type RunEvent } from './engine/run.js';
import { selectChecks, type Selection } from './engine/selection.js';
import type { Report } from './engine/types.js';
import { allChecks } from './plugins/index.js';
import { DOCTOR_VERSION, PACKAGE_ROOT } from './version.js';

export interface DoctorOptions {
  /** A loaded configuration, or the options to load one (defaults: current directory, process.env). */
  config?: Configuration | Partial<ConfigLoadOptions>;
  selection?: Selection;
  timeoutMs?: number;
  parallel?: number;
  onEvent?: (event: RunEvent) => void;
  env?: Record<string, string | undefined>;
  /** Arguments (shell words, no secrets) that make each verification command re-check the same target. */
  verifyArgs?: string;
}

export const RUNBOOK_BASE_KEY = 'Doctor:RunbookBaseUrl';

export function defaultRunbookBase(): string {
  return new URL('docs/doctor/articles/', PACKAGE_ROOT).href;
}

/** Runs the selected checks. Throws ConfigError for invalid configuration or an unknown check id. */
export async function runDoctor(options: DoctorOptions = {}): Promise<Report> {
  const env = options.env ?? process.env;
  const given =
    options.config && 'get' in options.config && typeof options.config.get === 'function'
      ? (options.config as Configuration)
      : undefined;
  // A configuration built by the caller is held to the same rules, and its secrets masked, as a loaded one.
  if (given) validateConfiguration(given, env);
  const config =
    given ?? loadConfiguration({ cwd: process.cwd(), env, ...(options.config as Partial<ConfigLoadOptions>) });
  const checks = selectChecks(allChecks(), options.selection ?? {});
  return runChecks({
    checks,
    config,
    env,
    timeoutMs: options.timeoutMs,
    parallel: options.parallel,
    onEvent: options.onEvent,
    doctorVersion: DOCTOR_VERSION,
    runbookBaseUrl: config.get(RUNBOOK_BASE_KEY) || defaultRunbookBase(),
    verifyArgs: options.verifyArgs,
  });
}
