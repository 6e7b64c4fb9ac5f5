// The PostgreSQL driver (pg, an optional dependency loaded only by `serve`). Several servers may
// share one database: migrations run under an advisory lock so they happen once.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Pg from 'pg';
import { ConfigError } from '../config/configuration.js';
import type { SqlDriver, SqlSession } from './sql-store.js';

/** Arbitrary, fixed: the advisory lock every Stella Doctor server takes to migrate. */
const MIGRATION_LOCK = 0x5d0c7001;

/** The advisory lock key of a named lock: the first 31 bits of its SHA-256. */
function lockKey(name: string): number {
  return createHash('sha256').update(`stella-doctor:${name}`).digest().readUInt32BE(0) >>> 1;
}

/** `?` placeholders to PostgreSQL's `$1, $2, …` (the store's SQL has no `?` in literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function sessionOf(client: Pg.Pool | Pg.PoolClient): SqlSession {
  return {
    all: async (sql, params = []) => (await client.query(numbered(sql), [...params])).rows as Record<string, unknown>[],
    run: async (sql, params = []) => (await client.query(numbered(sql), [...params])).rowCount ?? 0,
    script: async (sql) => {
      await client.query(sql);
    },
  };
}

export async function openPostgres(config: Pg.PoolConfig, location: string): Promise<SqlDriver> {
  let pg: typeof Pg;
  try {
    pg = createRequire(import.meta.url)('pg') as typeof Pg;
  } catch (error) {
    throw new ConfigError(
      `the PostgreSQL store needs the optional dependency pg, which did not load ` +
        `(${(error as Error).message.split('\n')[0]})`,
    );
  }
  const pool = new pg.Pool({ ...config, max: 8, connectionTimeoutMillis: 10_000 });
  // An idle connection the server drops (a restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return {
    ...sessionOf(pool),
    dialect: 'postgres',
    location,
    async transaction(fn, locked = false) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (locked) await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const value = await fn(sessionOf(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    // A session lock, held on one connection for as long as fn runs.
    async exclusively(name, fn) {
      const client = await pool.connect();
      try {
        const key = lockKey(name);
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
        if (!rows[0]?.locked) return false;
        try {
          await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
        return true;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
