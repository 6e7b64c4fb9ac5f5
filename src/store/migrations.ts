// Versioned schema migrations, applied in order on start (each once, recorded in
// schema_migrations). A migration is never edited once released: a change is a new version.
// The SQL is written once; the few words the two databases spell differently are filled in.

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  sql(dialect: Dialect): string;
}

const SERIAL_KEY: Record<Dialect, string> = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGSERIAL PRIMARY KEY',
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, results and instances',
    sql: (dialect) => `
      CREATE TABLE runs (
        seq ${SERIAL_KEY[dialect]},
        run_id TEXT NOT NULL UNIQUE,
        instance_id TEXT NOT NULL,
        status TEXT NOT NULL,
        trigger_name TEXT NOT NULL,
        mode TEXT NOT NULL,
        doctor_version TEXT NOT NULL,
        started_at TEXT NOT NULL,
        completed_at TEXT,
        duration_ms INTEGER
      );
      CREATE INDEX runs_started_at ON runs (started_at);
      CREATE INDEX runs_running ON runs (instance_id) WHERE status = 'running';
      CREATE TABLE results (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        diagnosis TEXT NOT NULL,
        started_at TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (run_id, check_id)
      );
      CREATE INDEX results_check_history ON results (check_id, started_at);
      CREATE TABLE instances (
        instance_id TEXT PRIMARY KEY,
        heartbeat_at TEXT NOT NULL
      );`,
  },
];
