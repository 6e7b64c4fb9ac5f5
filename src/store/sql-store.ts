// The RunStore on top of SQL, written once for both databases: a driver (sqlite.ts, postgres.ts)
// only runs statements (placeholders are `?`) and sessions; the queries, the row mapping, the
// migrations and the retention rules live here.

import type { CheckResult, Report, ReportSummary, Severity } from '../engine/types.js';
import { summarize, worstSeverity } from '../engine/severity.js';
import { MIGRATIONS, type Dialect } from './migrations.js';
import type {
  CheckHistoryItem,
  Retention,
  RunListItem,
  RunMode,
  RunPage,
  RunStart,
  RunStatus,
  RunStore,
  RunTrigger,
  StoredReport,
} from './types.js';

export type Row = Record<string, unknown>;

/** One connection (or the SQLite database) on which statements run in order. */
export interface SqlSession {
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Several statements, no parameters (migrations). */
  script(sql: string): Promise<void>;
}

export interface SqlDriver extends SqlSession {
  readonly dialect: Dialect;
  readonly location: string;
  /** fn on one connection inside a transaction; on PostgreSQL under the migration advisory lock when `locked`. */
  transaction<T>(fn: (session: SqlSession) => Promise<T>, locked?: boolean): Promise<T>;
  /** fn while holding the named lock across servers, or false at once when another holds it. */
  exclusively(name: string, fn: () => Promise<unknown>): Promise<boolean>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
const SEVERITIES: readonly Severity[] = ['pass', 'info', 'warn', 'fail', 'skip'];

interface RunRow {
  run_id: string;
  status: RunStatus;
  trigger_name: RunTrigger;
  mode: RunMode;
  doctor_version: string;
  started_at: string;
  completed_at: string | null;
  duration_ms: number | null;
  seq: number | string;
}

export class SqlRunStore implements RunStore {
  readonly kind: Dialect;
  readonly location: string;

  private constructor(private readonly db: SqlDriver) {
    this.kind = db.dialect;
    this.location = db.location;
  }

  /** Opens the store over a driver and applies the migrations it has not seen yet. */
  static async open(db: SqlDriver): Promise<SqlRunStore> {
    await db.transaction(async (session) => {
      await session.script(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, ' +
          'applied_at TEXT NOT NULL)',
      );
      const applied = new Set(
        (await session.all('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
      );
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await session.script(migration.sql(db.dialect));
        await session.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      }
    }, true);
    return new SqlRunStore(db);
  }

  async startRun(run: RunStart): Promise<void> {
    await this.db.run(
      'INSERT INTO runs (run_id, instance_id, status, trigger_name, mode, doctor_version, started_at) VALUES ' +
        '(?, ?, ?, ?, ?, ?, ?)',
      [run.runId, run.instanceId, 'running', run.trigger, run.mode, run.doctorVersion, run.startedAt],
    );
  }

  async addResult(runId: string, result: CheckResult): Promise<void> {
    await this.db.run(
      'INSERT INTO results (run_id, check_id, severity, diagnosis, started_at, body) VALUES (?, ?, ?, ?, ?, ?)',
      [runId, result.checkId, result.severity, result.diagnosis, result.startedAt, JSON.stringify(result)],
    );
  }

  async finishRun(report: Report, status: Exclude<RunStatus, 'running'>): Promise<void> {
    await this.db.run('UPDATE runs SET status = ?, completed_at = ?, duration_ms = ? WHERE run_id = ?', [
      status,
      report.completedAt,
      report.durationMs,
      report.runId,
    ]);
  }

  async getRun(runId: string): Promise<StoredReport | undefined> {
    const [row] = (await this.db.all('SELECT * FROM runs WHERE run_id = ?', [runId])) as unknown as RunRow[];
    if (!row) return undefined;
    const results = (await this.db.all('SELECT body FROM results WHERE run_id = ? ORDER BY check_id', [runId])).map(
      (r) => JSON.parse(String(r.body)) as CheckResult,
    );
    return {
      schemaVersion: '1.0',
      runId: row.run_id,
      startedAt: row.started_at,
      completedAt: row.completed_at,
      durationMs: row.duration_ms ?? Date.now() - Date.parse(row.started_at),
      doctorVersion: row.doctor_version,
      summary: summarize(results),
      results,
      status: row.status,
      trigger: row.trigger_name,
      mode: row.mode,
    };
  }

  async listRuns(limit: number, before?: string): Promise<RunPage> {
    const rows = (await this.db.all(
      before === undefined
        ? 'SELECT * FROM runs ORDER BY seq DESC LIMIT ?'
        : 'SELECT * FROM runs WHERE seq < ? ORDER BY seq DESC LIMIT ?',
      before === undefined ? [limit + 1] : [Number(before), limit + 1],
    )) as unknown as RunRow[];
    const page = rows.slice(0, limit);
    const summaries = await this.summaries(page.map((r) => r.run_id));
    const runs: RunListItem[] = page.map((row) => ({
      runId: row.run_id,
      status: row.status,
      trigger: row.trigger_name,
      startedAt: row.started_at,
      completedAt: row.completed_at,
      summary: summaries.get(row.run_id) ?? summarize([]),
    }));
    return { runs, next: rows.length > limit ? String(page[page.length - 1]!.seq) : null };
  }

  /** The summary of each run, counted from its stored results. */
  private async summaries(runIds: string[]): Promise<Map<string, ReportSummary>> {
    const summaries = new Map(runIds.map((id) => [id, summarize([])]));
    if (runIds.length === 0) return summaries;
    const rows = await this.db.all(
      `SELECT run_id, severity, COUNT(*) AS n FROM results WHERE run_id IN ` +
        `(${runIds.map(() => '?').join(', ')}) GROUP BY run_id, severity`,
      runIds,
    );
    for (const row of rows) {
      const summary = summaries.get(String(row.run_id))!;
      summary[row.severity as Severity] += Number(row.n);
      summary.total += Number(row.n);
    }
    for (const summary of summaries.values()) {
      summary.overall = worstSeverity(SEVERITIES.filter((s) => summary[s] > 0));
    }
    return summaries;
  }

  async checkHistory(checkId: string, limit: number): Promise<CheckHistoryItem[]> {
    const rows = await this.db.all(
      'SELECT run_id, severity, diagnosis, started_at FROM results WHERE check_id = ? ORDER BY started_at DESC LIMIT ?',
      [checkId, limit],
    );
    return rows.map((r) => ({
      runId: String(r.run_id),
      severity: r.severity as Severity,
      diagnosis: String(r.diagnosis),
      startedAt: String(r.started_at),
    }));
  }

  async heartbeat(instanceId: string, now: Date): Promise<void> {
    await this.db.run(
      'INSERT INTO instances (instance_id, heartbeat_at) VALUES (?, ?) ON CONFLICT (instance_id) DO UPDATE SET ' +
        'heartbeat_at = excluded.heartbeat_at',
      [instanceId, now.toISOString()],
    );
  }

  async interruptOrphans(instanceId: string, staleBefore: Date, now: Date): Promise<number> {
    return this.db.transaction(async (session) => {
      const changed = await session.run(
        `UPDATE runs SET status = 'interrupted', completed_at = ? WHERE status = 'running' AND instance_id <> ?
           AND instance_id NOT IN (SELECT instance_id FROM instances WHERE heartbeat_at >= ?)`,
        [now.toISOString(), instanceId, staleBefore.toISOString()],
      );
      await session.run('DELETE FROM instances WHERE heartbeat_at < ? AND instance_id <> ?', [
        staleBefore.toISOString(),
        instanceId,
      ]);
      return changed;
    });
  }

  async enforceRetention(retention: Retention, now: Date): Promise<number> {
    let deleted = 0;
    if (retention.retentionDays > 0) {
      const cutoff = new Date(now.getTime() - retention.retentionDays * DAY_MS).toISOString();
      deleted += await this.db.run("DELETE FROM runs WHERE started_at < ? AND status <> 'running'", [cutoff]);
    }
    if (retention.maxRuns > 0) {
      const [oldestKept] = await this.db.all('SELECT seq FROM runs ORDER BY seq DESC LIMIT 1 OFFSET ?', [
        retention.maxRuns - 1,
      ]);
      if (oldestKept)
        deleted += await this.db.run("DELETE FROM runs WHERE seq < ? AND status <> 'running'", [
          Number(oldestKept.seq),
        ]);
    }
    return deleted;
  }

  exclusively(name: string, fn: () => Promise<unknown>): Promise<boolean> {
    return this.db.exclusively(name, fn);
  }

  async ping(): Promise<void> {
    await this.db.all('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
