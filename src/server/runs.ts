// The server's runs: each starts on the same engine as the CLI (runDoctor) with a secret set of
// its own, its engine events become the API's events (sequence number, progress), every finished
// check is redacted and stored at once, and the events of runs in progress are kept so a late
// subscriber first gets what already happened. Finished runs are read back from the store.

import type { Configuration } from '../config/configuration.js';
import { runDoctor } from '../doctor.js';
import type { RunEvent } from '../engine/run.js';
import type { Selection } from '../engine/selection.js';
import { summarize } from '../engine/severity.js';
import type { CheckResult, Report, ReportSummary } from '../engine/types.js';
import { orderedResult } from '../render/json.js';
import type { RunMode, RunStatus, RunStore, RunTrigger, StoredReport } from '../store/types.js';
import { DOCTOR_VERSION } from '../version.js';
import { byText } from '../util/compare.js';
import { redactDeep, registerSecret, withRunSecrets } from '../util/redact.js';

export type DoctorEventType = RunEvent['type'];

export interface DoctorEvent {
  type: DoctorEventType;
  runId: string;
  seq: number;
  progress: { done: number; total: number };
  checkId?: string;
  result?: CheckResult;
  summary?: ReportSummary;
  status?: RunStatus;
}

export type EventListener = (event: DoctorEvent) => void;

export interface RunRequest {
  selection: Selection;
  mode: RunMode;
  trigger: RunTrigger;
  timeoutMs?: number;
}

export interface RunManagerOptions {
  store: RunStore;
  instanceId: string;
  maxConcurrentRuns: number;
  /** Reads the configuration files again (throws ConfigError when they no longer load). */
  loadConfig(): Configuration;
  /** Told about every finished run (metrics, schedule back-off, retention). */
  onFinished(report: StoredReport): void;
  log(message: string): void;
}

/** More runs in progress than Doctor:Api:MaxConcurrentRuns allows. */
export class TooManyRuns extends Error {
  override name = 'TooManyRuns';
}

interface ActiveRun {
  runId: string;
  trigger: RunTrigger;
  mode: RunMode;
  startedAt: string;
  total: number;
  results: CheckResult[];
  events: DoctorEvent[];
  listeners: Set<EventListener>;
  /** Store writes of this run, in order. */
  writes: Promise<void>;
  /** Completed or interrupted: later engine events are ignored. */
  finished: boolean;
}

export function selectionFor(mode: RunMode, filters: Omit<Selection, 'quick' | 'full'> = {}): Selection {
  return { ...filters, quick: mode === 'quick', full: mode === 'full' };
}

/** An event with its fields in the documented order. */
function makeEvent(
  type: DoctorEventType,
  runId: string,
  seq: number,
  progress: DoctorEvent['progress'],
  extra: Partial<DoctorEvent> = {},
): DoctorEvent {
  return { type, runId, seq, progress, ...extra };
}

/** The events a finished (stored) run would have sent, for a subscriber who comes after it. */
export function eventsOfReport(report: StoredReport): DoctorEvent[] {
  const total = report.results.length;
  const events: DoctorEvent[] = [makeEvent('run.started', report.runId, 0, { done: 0, total }, { status: 'running' })];
  report.results.forEach((result, i) => {
    events.push(
      makeEvent('check.started', report.runId, events.length, { done: i, total }, { checkId: result.checkId }),
    );
    events.push(
      makeEvent(
        'check.completed',
        report.runId,
        events.length,
        { done: i + 1, total },
        { checkId: result.checkId, result },
      ),
    );
  });
  if (report.status !== 'running') {
    events.push(
      makeEvent(
        'run.completed',
        report.runId,
        events.length,
        { done: total, total },
        { summary: report.summary, status: report.status },
      ),
    );
  }
  return events;
}

export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  private readonly everyRun = new Set<EventListener>();

  constructor(private readonly options: RunManagerOptions) {}

  /**
   * Starts a run and returns its id at once with the promise of its stored report. Throws
   * TooManyRuns, or ConfigError when the configuration no longer loads.
   */
  start(request: RunRequest): { runId: string; finished: Promise<StoredReport> } {
    if (this.active.size >= this.options.maxConcurrentRuns)
      throw new TooManyRuns(`${this.active.size} runs are in progress (Doctor:Api:MaxConcurrentRuns)`);
    const config = this.options.loadConfig();
    let run: ActiveRun | undefined;
    const finished = withRunSecrets(async () => {
      for (const secret of config.secretValues()) registerSecret(secret);
      const report = await runDoctor({
        config,
        selection: request.selection,
        timeoutMs: request.timeoutMs,
        // Runs inside this run's secret scope: what it emits is redacted with the run's secrets.
        onEvent: (event) => {
          if (event.type === 'run.started') run = this.begin(event.runId, event.checkIds.length, request);
          else if (run) this.record(run, event);
        },
      });
      return this.complete(run!, report, 'completed');
    });
    // The engine announces run.started before its first await, so the run exists by now.
    if (!run) {
      finished.catch(() => undefined);
      throw new Error('the engine did not announce the run');
    }
    const runId = (run as ActiveRun).runId;
    finished.catch((error: unknown) => this.options.log(`run ${runId} failed: ${(error as Error).message}`));
    return { runId, finished };
  }

  /** A run in progress as the API shows it (results so far), or undefined when it is not running here. */
  live(runId: string): StoredReport | undefined {
    const run = this.active.get(runId);
    if (!run) return undefined;
    return { ...this.partialReport(run), completedAt: null, status: 'running', trigger: run.trigger, mode: run.mode };
  }

  /**
   * Subscribes to one run's events (runId) or to every run's (undefined). Returns what already
   * happened in the runs in progress, to send first, and undefined for a run not in progress here.
   */
  subscribe(
    runId: string | undefined,
    listener: EventListener,
  ): { replay: DoctorEvent[]; unsubscribe(): void } | undefined {
    if (runId === undefined) {
      this.everyRun.add(listener);
      return {
        replay: [...this.active.values()].flatMap((r) => r.events),
        unsubscribe: () => this.everyRun.delete(listener),
      };
    }
    const run = this.active.get(runId);
    if (!run) return undefined;
    run.listeners.add(listener);
    return { replay: [...run.events], unsubscribe: () => run.listeners.delete(listener) };
  }

  /** Clean shutdown: every run in progress is stored as interrupted, with the results it has. */
  async interruptAll(): Promise<void> {
    const now = new Date();
    await Promise.allSettled(
      [...this.active.values()].map((run) =>
        this.complete(
          run,
          { completedAt: now.toISOString(), durationMs: now.getTime() - Date.parse(run.startedAt) },
          'interrupted',
        ),
      ),
    );
  }

  private begin(runId: string, total: number, request: RunRequest): ActiveRun {
    const run: ActiveRun = {
      runId,
      trigger: request.trigger,
      mode: request.mode,
      startedAt: new Date().toISOString(),
      total,
      results: [],
      events: [],
      listeners: new Set(),
      writes: Promise.resolve(),
      finished: false,
    };
    this.active.set(runId, run);
    this.write(run, () =>
      this.options.store.startRun({
        runId,
        instanceId: this.options.instanceId,
        trigger: run.trigger,
        mode: run.mode,
        startedAt: run.startedAt,
        doctorVersion: DOCTOR_VERSION,
      }),
    );
    this.emit(run, 'run.started', { status: 'running' });
    return run;
  }

  private record(run: ActiveRun, event: RunEvent): void {
    if (run.finished) return;
    if (event.type === 'check.started') this.emit(run, 'check.started', { checkId: event.checkId });
    if (event.type === 'check.completed') {
      const result = redactDeep(orderedResult(event.result));
      run.results.push(result);
      this.write(run, () => this.options.store.addResult(run.runId, result));
      this.emit(run, 'check.completed', { checkId: result.checkId, result });
    }
  }

  private async complete(
    run: ActiveRun,
    timing: Pick<Report, 'completedAt' | 'durationMs'>,
    status: Exclude<RunStatus, 'running'>,
  ): Promise<StoredReport> {
    const stored: StoredReport = {
      ...this.partialReport(run),
      ...timing,
      status,
      trigger: run.trigger,
      mode: run.mode,
    };
    if (run.finished) return stored;
    run.finished = true;
    this.write(run, () => this.options.store.finishRun({ ...stored, completedAt: timing.completedAt }, status));
    await run.writes;
    this.emit(run, 'run.completed', { summary: stored.summary, status });
    // Removed only once stored, so a subscriber always finds the run in one place or the other.
    this.active.delete(run.runId);
    this.options.onFinished(stored);
    this.options.log(
      `run ${run.runId} ${status} (trigger ${run.trigger}, overall ${stored.summary.overall}, ` +
        `${stored.results.length} checks, ${timing.durationMs} ms)`,
    );
    return stored;
  }

  /** What the run has so far, as a report; results ordered by check id. */
  private partialReport(run: ActiveRun): Omit<Report, 'completedAt'> {
    const results = [...run.results].sort((a, b) => byText(a.checkId, b.checkId));
    return {
      schemaVersion: '1.0',
      runId: run.runId,
      startedAt: run.startedAt,
      durationMs: Date.now() - Date.parse(run.startedAt),
      doctorVersion: DOCTOR_VERSION,
      summary: summarize(results),
      results,
    };
  }

  private write(run: ActiveRun, operation: () => Promise<void>): void {
    run.writes = run.writes
      .then(operation)
      .catch((error: unknown) => this.options.log(`storing run ${run.runId} failed: ${(error as Error).message}`));
  }

  private emit(run: ActiveRun, type: DoctorEventType, extra?: Partial<DoctorEvent>): void {
    const emitted = makeEvent(
      type,
      run.runId,
      run.events.length,
      { done: run.results.length, total: run.total },
      extra,
    );
    run.events.push(emitted);
    for (const listener of [...run.listeners, ...this.everyRun]) listener(emitted);
  }
}
