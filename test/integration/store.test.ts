// One store test suite, run against both backends: a real SQLite file and a real PostgreSQL
// database (a fresh database in the cluster the service global setup started). Whatever passes
// here holds for the API, whichever database is configured.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult, Report } from '../../src/engine/types.js';
import { summarize } from '../../src/engine/severity.js';
import { openStore, parseStorageTarget } from '../../src/store/open.js';
import type { RunStore, RunStart } from '../../src/store/types.js';
import { CAPABILITIES, CREDENTIALS, PULL, REGISTRY } from '../unit/render-fixture.js';

const POSTGRES_URL = process.env.STELLA_TEST_POSTGRES_URL!;
const tempDir = mkdtempSync(join(tmpdir(), 'stella-store-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

/** A fresh PostgreSQL database in the test cluster, so each test starts empty. */
async function freshPostgresUrl(): Promise<string> {
  const name = `store_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client(POSTGRES_URL);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return POSTGRES_URL.replace(/\/doctor$/, `/${name}`);
}

const BACKENDS: Array<[string, () => Promise<string>]> = [
  ['sqlite', async () => `sqlite:${join(tempDir, `${randomUUID()}.db`)}`],
  ['postgres', freshPostgresUrl],
];

function start(runId: string, fields: Partial<RunStart> = {}): RunStart {
  return {
    runId,
    instanceId: 'instance-a',
    trigger: 'api',
    mode: 'normal',
    startedAt: '2026-01-01T10:00:00.000Z',
    doctorVersion: '0.1.0',
    ...fields,
  };
}

function report(runId: string, results: CheckResult[], startedAt = '2026-01-01T10:00:00.000Z'): Report {
  return {
    schemaVersion: '1.0',
    runId,
    startedAt,
    completedAt: '2026-01-01T10:00:02.000Z',
    durationMs: 2000,
    doctorVersion: '0.1.0',
    summary: summarize(results),
    results,
  };
}

async function storeRun(
  store: RunStore,
  runId: string,
  results: CheckResult[],
  fields: Partial<RunStart> = {},
): Promise<void> {
  await store.startRun(start(runId, fields));
  for (const result of results) await store.addResult(runId, result);
  await store.finishRun(report(runId, results, fields.startedAt), 'completed');
}

describe.each(BACKENDS)('run store on %s', (_backend, connection) => {
  let store: RunStore;
  let connectionString: string;
  beforeEach(async () => {
    connectionString = await connection();
    store = await openStore(parseStorageTarget(connectionString, tempDir, 'test'));
    return () => store.close();
  });

  it('gives back a finished run as the CLI report plus status, trigger and mode, results ordered by check id', async () => {
    await storeRun(store, 'run-1', [REGISTRY, CAPABILITIES, PULL], { trigger: 'schedule', mode: 'quick' });

    const stored = await store.getRun('run-1');

    expect(stored).toEqual({
      ...report('run-1', [CAPABILITIES, PULL, REGISTRY]),
      status: 'completed',
      trigger: 'schedule',
      mode: 'quick',
    });
  });

  it('shows a run in progress with the results stored so far and no completion time', async () => {
    await store.startRun(start('run-live'));
    await store.addResult('run-live', CREDENTIALS);

    const stored = await store.getRun('run-live');

    expect(stored).toMatchObject({
      status: 'running',
      completedAt: null,
      results: [CREDENTIALS],
      summary: { total: 1, fail: 1, overall: 'fail' },
    });
  });

  it('answers undefined for an unknown run id', async () => {
    expect(await store.getRun('no-such-run')).toBeUndefined();
  });

  it('lists runs newest first in pages, with a cursor until the last page', async () => {
    for (let i = 1; i <= 5; i++) await storeRun(store, `run-${i}`, i === 3 ? [CREDENTIALS, PULL] : [PULL]);

    const first = await store.listRuns(2);
    const second = await store.listRuns(2, first.next!);
    const last = await store.listRuns(2, second.next!);

    expect(first.runs.map((r) => r.runId)).toEqual(['run-5', 'run-4']);
    expect(second.runs.map((r) => r.runId)).toEqual(['run-3', 'run-2']);
    expect(second.runs[0]!.summary).toEqual(summarize([CREDENTIALS, PULL]));
    expect(last).toEqual({
      runs: [expect.objectContaining({ runId: 'run-1', status: 'completed', trigger: 'api' })],
      next: null,
    });
  });

  it("returns a check's history newest first, limited, with run id, severity, diagnosis and time", async () => {
    for (const [i, hour] of [
      [1, '08'],
      [2, '09'],
      [3, '10'],
    ] as const) {
      await storeRun(store, `run-${i}`, [{ ...CREDENTIALS, startedAt: `2026-01-01T${hour}:00:00.000Z` }, PULL]);
    }

    const history = await store.checkHistory(CREDENTIALS.checkId, 2);

    expect(history).toEqual([
      { runId: 'run-3', severity: 'fail', diagnosis: CREDENTIALS.diagnosis, startedAt: '2026-01-01T10:00:00.000Z' },
      { runId: 'run-2', severity: 'fail', diagnosis: CREDENTIALS.diagnosis, startedAt: '2026-01-01T09:00:00.000Z' },
    ]);
  });

  it('marks interrupted the running runs of instances whose heartbeat is stale, keeping their stored results', async () => {
    const now = new Date('2026-01-01T12:00:00.000Z');
    await store.heartbeat('dead', new Date('2026-01-01T11:00:00.000Z'));
    await store.heartbeat('alive', new Date('2026-01-01T11:59:55.000Z'));
    await store.startRun(start('run-dead', { instanceId: 'dead' }));
    await store.addResult('run-dead', PULL);
    await store.startRun(start('run-alive', { instanceId: 'alive' }));
    await store.startRun(start('run-mine', { instanceId: 'me' }));
    await store.startRun(start('run-unknown-instance', { instanceId: 'never-beat' }));

    const changed = await store.interruptOrphans('me', new Date('2026-01-01T11:59:30.000Z'), now);

    expect(changed).toBe(2);
    expect(await store.getRun('run-dead')).toMatchObject({
      status: 'interrupted',
      completedAt: now.toISOString(),
      results: [PULL],
    });
    expect((await store.getRun('run-unknown-instance'))?.status).toBe('interrupted');
    expect((await store.getRun('run-alive'))?.status).toBe('running');
    expect((await store.getRun('run-mine'))?.status).toBe('running');
  });

  it('deletes finished runs older than RetentionDays, with their results, but never a running one', async () => {
    await storeRun(store, 'old', [PULL], { startedAt: '2026-01-01T00:00:00.000Z' });
    await store.startRun(start('old-running', { startedAt: '2026-01-01T00:00:00.000Z' }));
    await storeRun(store, 'recent', [PULL], { startedAt: '2026-01-30T00:00:00.000Z' });

    const deleted = await store.enforceRetention(
      { retentionDays: 10, maxRuns: 0 },
      new Date('2026-02-01T00:00:00.000Z'),
    );

    expect(deleted).toBe(1);
    expect(await store.getRun('old')).toBeUndefined();
    expect(await store.checkHistory(PULL.checkId, 10)).toEqual([expect.objectContaining({ runId: 'recent' })]);
    expect((await store.getRun('old-running'))?.status).toBe('running');
  });

  it('keeps only the newest MaxRuns runs', async () => {
    for (let i = 1; i <= 5; i++) await storeRun(store, `run-${i}`, [PULL]);

    await store.enforceRetention({ retentionDays: 0, maxRuns: 2 }, new Date('2026-01-02T00:00:00.000Z'));

    expect((await store.listRuns(10)).runs.map((r) => r.runId)).toEqual(['run-5', 'run-4']);
    expect(await store.checkHistory(PULL.checkId, 10)).toHaveLength(2);
  });

  it('applies each migration once: reopening the database keeps what was stored', async () => {
    await storeRun(store, 'kept', [PULL]);
    await store.close();

    store = await openStore(parseStorageTarget(connectionString, tempDir, 'test'));

    expect((await store.getRun('kept'))?.results).toEqual([PULL]);
  });

  it('runs an exclusive task once across servers: on PostgreSQL a second server skips it while the first holds the lock (a SQLite file has one server)', async () => {
    const other = await openStore(parseStorageTarget(connectionString, tempDir, 'test'));
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    try {
      const first = store.exclusively('schedule', () => holding);
      await new Promise((resolve) => setTimeout(resolve, 100));

      const second = await other.exclusively('schedule', async () => undefined);
      release();

      expect(await first).toBe(true);
      // A SQLite file has one server, so it never skips; PostgreSQL servers take turns.
      expect(second).toBe(store.kind === 'sqlite');
      expect(await other.exclusively('schedule', async () => undefined)).toBe(true);
    } finally {
      release();
      await other.close();
    }
  });

  it('answers ping while the database is open', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
