// The engine: runs the selected checks in a worker pool with a per-check timeout, isolates
// failures (a throwing check becomes an internal-error fail, a hung one a timed-out fail),
// turns canRun=false into skip, and assembles the Report ordered by check id.

import { randomUUID } from 'node:crypto';
import type { Configuration } from '../config/configuration.js';
import { summarize } from './severity.js';
import type { CanRun, CheckContext, CheckDefinition, CheckOutcome, CheckResult, Report, RunScope } from './types.js';
import { byText } from '../util/compare.js';

export type RunEvent =
  | { type: 'run.started'; runId: string; checkIds: string[] }
  | { type: 'check.started'; runId: string; checkId: string }
  | { type: 'check.completed'; runId: string; result: CheckResult }
  | { type: 'run.completed'; runId: string; report: Report };

export interface RunOptions {
  checks: CheckDefinition[];
  config: Configuration;
  env?: Record<string, string | undefined>;
  parallel?: number;
  timeoutMs?: number;
  doctorVersion: string;
  runbookBaseUrl: string;
  /** Arguments (shell words) that make a verification command re-check the same target. */
  verifyArgs?: string;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
}

export const DEFAULT_PARALLEL = 4;
export const DEFAULT_TIMEOUT_MS = 30_000;

class CheckTimeout extends Error {
  override name = 'CheckTimeout';
}

/** Per-run shared facts; disposers run once the last check has finished. */
class Scope implements RunScope {
  private readonly values = new Map<string, unknown>();
  private readonly disposers: Array<() => void | Promise<void>> = [];

  getOrCreate<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = create();
    this.values.set(key, value);
    if (dispose) this.disposers.push(() => dispose(value));
    return value;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.disposers.map((d) => d()));
  }
}

/** The command that re-runs one check; `targetArgs` (shell words) name the same target as the run. */
export function verificationCommand(checkId: string, targetArgs = ''): string {
  return `stella doctor run --check ${checkId}${targetArgs ? ` ${targetArgs}` : ''}`;
}

export function runbookUrl(baseUrl: string, article: string): string {
  return baseUrl.replace(/\/?$/, '/') + article.replace(/^docs\/doctor\/articles\//, '');
}

function internalError(error: unknown): CheckOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    severity: 'fail',
    diagnosis: `The check itself broke before it could reach a verdict: ${message}`,
    evidence: { internal_error: true, error_message: message },
    likelyCauses: ['A defect in Stella Doctor; please report it with this output'],
  };
}

function timedOut(timeoutMs: number): CheckOutcome {
  return {
    severity: 'fail',
    diagnosis:
      `The check did not finish within ${formatMs(timeoutMs)} and was stopped; the registry or the network is ` +
      `too slow or not answering.`,
    evidence: { timed_out: true, timeout_ms: timeoutMs },
    likelyCauses: [
      'The registry accepts connections but does not answer (overloaded, hung, or a proxy/firewall swallowing traffic)',
      'The timeout is too short for this network',
    ],
  };
}

async function runOne(check: CheckDefinition, ctx: CheckContext, timeoutMs: number): Promise<CheckOutcome> {
  let canRun: CanRun;
  try {
    canRun = check.canRun(ctx);
  } catch (error) {
    return internalError(error);
  }
  if (!canRun.runnable) return { severity: 'skip', diagnosis: canRun.reason, evidence: {} };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CheckTimeout(`the check did not finish within ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([check.run(ctx, controller.signal), timeout]);
  } catch (error) {
    return error instanceof CheckTimeout || controller.signal.reason instanceof CheckTimeout
      ? timedOut(timeoutMs)
      : internalError(error);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Runs the checks and returns the report. Never throws because of a check. */
export async function runChecks(options: RunOptions): Promise<Report> {
  const now = options.now ?? (() => new Date());
  const runId = randomUUID();
  const started = now();
  const startedMs = performance.now();
  const scope = new Scope();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const checks = [...options.checks].sort((a, b) => byText(a.id, b.id));
  const ctx: CheckContext = {
    config: options.config,
    scope,
    env: options.env ?? process.env,
    timeoutMs,
    selectedCheckIds: checks.map((c) => c.id),
    plannedNeeds: checks.flatMap((c) => (c.needs ? [c.needs] : [])),
    userAgent: `stella-doctor/${options.doctorVersion} run/${runId}`,
    now,
  };
  const results: CheckResult[] = [];
  options.onEvent?.({ type: 'run.started', runId, checkIds: ctx.selectedCheckIds });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < checks.length) {
      const check = checks[next++]!;
      options.onEvent?.({ type: 'check.started', runId, checkId: check.id });
      const checkStarted = now();
      const t0 = performance.now();
      const outcome = await runOne(check, ctx, timeoutMs);
      const result: CheckResult = {
        checkId: check.id,
        pluginId: check.pluginId,
        category: check.category,
        name: check.name,
        tags: [...check.tags],
        severity: outcome.severity,
        diagnosis: outcome.diagnosis,
        evidence: outcome.evidence,
        likelyCauses: outcome.likelyCauses ?? [],
        remediation: {
          runbookUrl: runbookUrl(options.runbookBaseUrl, check.article),
          steps: outcome.remediation ?? [],
        },
        verificationCommand: verificationCommand(check.id, options.verifyArgs),
        durationMs: Math.round(performance.now() - t0),
        startedAt: checkStarted.toISOString(),
      };
      results.push(result);
      options.onEvent?.({ type: 'check.completed', runId, result });
    }
  };
  const workers = Math.max(1, Math.min(options.parallel ?? DEFAULT_PARALLEL, checks.length));
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await scope.dispose();
  }

  results.sort((a, b) => byText(a.checkId, b.checkId));
  const report: Report = {
    schemaVersion: '1.0',
    runId,
    startedAt: started.toISOString(),
    completedAt: now().toISOString(),
    durationMs: Math.round(performance.now() - startedMs),
    doctorVersion: options.doctorVersion,
    summary: summarize(results),
    results,
  };
  options.onEvent?.({ type: 'run.completed', runId, report });
  return report;
}
