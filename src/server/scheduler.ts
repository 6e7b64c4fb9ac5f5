// Scheduled runs (Doctor:Schedule:Interval, Doctor:Schedule:Mode, trigger `schedule`): one at a
// time, the next one timed from the start of the last, so a run that outlasts the interval is
// never stacked. After a scheduled run whose credentials check failed the interval doubles (at
// most 1 h) until the configuration changes or a manual run gets past the credentials check: a
// monitor must not lock an account.

import type { StoredReport } from '../store/types.js';

export const CREDENTIALS_CHECK = 'check.integration.oci.credentials';
export const MAX_BACKOFF_MS = 3_600_000;

export interface SchedulerOptions {
  intervalMs: number;
  /** Runs a scheduled run to its end; throws when it cannot start (the tick is then skipped and logged). */
  run(): Promise<unknown>;
  /** A fingerprint of the configuration as it is on disk now (throws when it does not load). */
  fingerprint(): string;
  log(message: string): void;
}

function credentialsFailed(report: StoredReport): boolean {
  return report.results.some((r) => r.checkId === CREDENTIALS_CHECK && r.severity === 'fail');
}

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The configuration fingerprint when back-off began; undefined when not backing off. */
  private backoffFingerprint: string | undefined;
  private delayMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.delayMs = options.intervalMs;
  }

  /** The current delay between scheduled runs (the interval, or more while backing off). */
  get currentDelayMs(): number {
    return this.delayMs;
  }

  start(): void {
    this.plan(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Told about every finished run, whatever started it. */
  observe(report: StoredReport): void {
    if (report.trigger === 'schedule' && credentialsFailed(report)) {
      if (this.backoffFingerprint === undefined) this.backoffFingerprint = this.safeFingerprint();
      this.delayMs = Math.max(this.options.intervalMs, Math.min(this.delayMs * 2, MAX_BACKOFF_MS));
      this.options.log(
        `scheduled runs back off to every ${Math.round(this.delayMs / 1000)} s: the credentials check failed`,
      );
    } else if (
      report.trigger !== 'schedule' &&
      report.results.some((r) => r.checkId === CREDENTIALS_CHECK) &&
      !credentialsFailed(report)
    ) {
      this.reset('a manual run got past the credentials check');
    }
  }

  private reset(why: string): void {
    if (this.backoffFingerprint === undefined) return;
    this.backoffFingerprint = undefined;
    this.delayMs = this.options.intervalMs;
    this.options.log(`scheduled runs back to every ${Math.round(this.delayMs / 1000)} s: ${why}`);
  }

  private safeFingerprint(): string | undefined {
    try {
      return this.options.fingerprint();
    } catch {
      return undefined;
    }
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.backoffFingerprint !== undefined && this.safeFingerprint() !== this.backoffFingerprint)
      this.reset('the configuration changed');
    const started = Date.now();
    try {
      await this.options.run();
    } catch (error) {
      this.options.log(`scheduled run skipped: ${(error as Error).message}`);
    } finally {
      this.plan(Math.max(0, started + this.delayMs - Date.now()));
    }
  }
}
