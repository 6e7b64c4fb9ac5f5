// Run history: the one interface the server stores runs through, whatever the database
// (SQLite by default, PostgreSQL on request — see open.ts). Reports are stored redacted.

import type { CheckResult, Report, ReportSummary, Severity } from '../engine/types.js';

export type RunStatus = 'running' | 'completed' | 'interrupted';
export type RunTrigger = 'api' | 'dashboard' | 'schedule';
export type RunMode = 'quick' | 'normal' | 'full';

export interface RunStart {
  runId: string;
  /** The server process that runs it: "interrupted" is decided by that instance's heartbeat. */
  instanceId: string;
  trigger: RunTrigger;
  mode: RunMode;
  startedAt: string;
  doctorVersion: string;
}

/** A report as the API serves it: the CLI's JSON report plus the run's status, trigger and mode. */
export interface StoredReport extends Omit<Report, 'completedAt'> {
  completedAt: string | null;
  status: RunStatus;
  trigger: RunTrigger;
  mode: RunMode;
}

export interface RunListItem {
  runId: string;
  status: RunStatus;
  trigger: RunTrigger;
  startedAt: string;
  completedAt: string | null;
  summary: ReportSummary;
}

export interface RunPage {
  runs: RunListItem[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: string | null;
}

export interface CheckHistoryItem {
  runId: string;
  severity: Severity;
  diagnosis: string;
  startedAt: string;
}

export interface Retention {
  /** Runs that started longer ago are deleted; 0 keeps them. */
  retentionDays: number;
  /** Only the newest this many runs are kept; 0 = no limit. */
  maxRuns: number;
}

export interface RunStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, secrets masked (for the start-up log line and /healthz). */
  readonly location: string;
  startRun(run: RunStart): Promise<void>;
  /** Stores one finished check at once, so a crash loses none of what was already done. */
  addResult(runId: string, result: CheckResult): Promise<void>;
  finishRun(report: Report, status: Exclude<RunStatus, 'running'>): Promise<void>;
  getRun(runId: string): Promise<StoredReport | undefined>;
  listRuns(limit: number, before?: string): Promise<RunPage>;
  checkHistory(checkId: string, limit: number): Promise<CheckHistoryItem[]>;
  /** Records that this instance is alive. */
  heartbeat(instanceId: string, now: Date): Promise<void>;
  /** Marks `interrupted` every running run of another instance whose heartbeat is older than staleBefore. */
  interruptOrphans(instanceId: string, staleBefore: Date, now: Date): Promise<number>;
  /** Deletes finished runs beyond the retention limits; returns how many. */
  enforceRetention(retention: Retention, now: Date): Promise<number>;
  /**
   * Runs fn unless another server sharing the database is running it (PostgreSQL advisory lock;
   * a SQLite file has one server): scheduled runs happen once. Resolves false when skipped.
   */
  exclusively(name: string, fn: () => Promise<unknown>): Promise<boolean>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
