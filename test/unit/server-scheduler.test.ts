// Scheduled runs: one at a time and never stacked when a run outlasts the interval; after a
// failed credentials check the interval doubles up to 1 h, and returns to normal when the
// configuration changes or a manual run gets past the credentials check.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_BACKOFF_MS, Scheduler } from '../../src/server/scheduler.js';
import type { StoredReport } from '../../src/store/types.js';
import { CREDENTIALS, PULL } from './render-fixture.js';

const MINUTE = 60_000;

function report(trigger: StoredReport['trigger'], credentials: 'pass' | 'fail'): StoredReport {
  const results = [{ ...CREDENTIALS, severity: credentials }, PULL];
  return {
    schemaVersion: '1.0',
    runId: 'r',
    startedAt: '',
    completedAt: '',
    durationMs: 1,
    doctorVersion: '0',
    summary: { total: 2, pass: 0, info: 0, warn: 0, fail: 0, skip: 0, overall: 'pass' },
    results,
    status: 'completed',
    trigger,
    mode: 'quick',
  };
}

let fingerprint = 'config-1';
let runs: Array<{ started: number; finish: (r: StoredReport) => void }> = [];
let scheduler: Scheduler;

beforeEach(() => {
  vi.useFakeTimers();
  fingerprint = 'config-1';
  runs = [];
  scheduler = new Scheduler({
    intervalMs: MINUTE,
    run: () =>
      new Promise<StoredReport>((resolve) => {
        runs.push({
          started: Date.now(),
          finish: (r) => {
            scheduler.observe(r);
            resolve(r);
          },
        });
      }),
    fingerprint: () => fingerprint,
    log: () => undefined,
  });
  scheduler.start();
});
afterEach(() => {
  scheduler.stop();
  vi.useRealTimers();
});

describe('Scheduler', () => {
  it('runs at once, then once per interval; a run that outlasts the interval is not stacked', async () => {
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(3 * MINUTE);
    expect(runs).toHaveLength(1);
    runs[0]!.finish(report('schedule', 'pass'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(2);

    runs[1]!.finish(report('schedule', 'pass'));
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(3);
  });

  it('doubles the interval after each failed credentials check, at most 1 h', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(scheduler.currentDelayMs);
      runs.at(-1)!.finish(report('schedule', 'fail'));
      await vi.advanceTimersByTimeAsync(0);
      delays.push(scheduler.currentDelayMs);
    }

    expect(delays).toEqual([2, 4, 8, 16, 32, 60, 60, 60].map((m) => Math.min(m * MINUTE, MAX_BACKOFF_MS)));
  });

  it('returns to the interval when the configuration on disk changes', async () => {
    await vi.advanceTimersByTimeAsync(0);
    runs[0]!.finish(report('schedule', 'fail'));
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.currentDelayMs).toBe(2 * MINUTE);

    fingerprint = 'config-2';
    await vi.advanceTimersByTimeAsync(2 * MINUTE);

    expect(scheduler.currentDelayMs).toBe(MINUTE);
  });

  it('returns to the interval when a manual run gets past the credentials check, not when it fails it too', async () => {
    await vi.advanceTimersByTimeAsync(0);
    runs[0]!.finish(report('schedule', 'fail'));

    scheduler.observe(report('api', 'fail'));
    expect(scheduler.currentDelayMs).toBe(2 * MINUTE);
    scheduler.observe(report('dashboard', 'pass'));
    expect(scheduler.currentDelayMs).toBe(MINUTE);
  });

  it('skips a tick whose run cannot start and tries again an interval later', async () => {
    const run = vi.fn(() => Promise.reject(new Error('configuration does not load')));
    const logged: string[] = [];
    const failing = new Scheduler({ intervalMs: MINUTE, run, fingerprint: () => 'x', log: (m) => logged.push(m) });
    failing.start();

    await vi.advanceTimersByTimeAsync(2 * MINUTE);

    expect(run).toHaveBeenCalledTimes(3);
    expect(logged[0]).toBe('scheduled run skipped: configuration does not load');
    failing.stop();
  });
});
