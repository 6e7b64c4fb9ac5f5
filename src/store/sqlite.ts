// The SQLite driver (better-sqlite3, an optional dependency loaded only by `serve`): one file,
// write-ahead log, foreign keys on so a deleted run takes its results with it.

import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigError } from '../config/configuration.js';
import type { SqlDriver, SqlSession } from './sql-store.js';

const MAX_CACHED_STATEMENTS = 256;

export function openSqlite(path: string): SqlDriver {
  let Database: typeof BetterSqlite3;
  try {
    Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  } catch (error) {
    throw new ConfigError(
      `the SQLite store needs the optional dependency better-sqlite3, which did not load ` +
        `(${(error as Error).message.split('\n')[0]}); ` +
        `point Doctor:Storage:ConnectionString at PostgreSQL instead`,
    );
  }
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('NODE_MODULE_VERSION')) {
      throw new ConfigError(
        `the SQLite store's better-sqlite3 was built for another Node version than ${process.version}: run npm ` +
          `rebuild better-sqlite3, or use PostgreSQL`,
      );
    }
    throw new ConfigError(
      `Doctor:Storage:ConnectionString: cannot open the SQLite database ${path} (${message.split('\n')[0]!.trim()})`,
    );
  }
  // The store issues a few dozen distinct statements over and over: each is compiled once. The
  // cache is bounded in case a caller ever builds statement text from data.
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepared = (sql: string): BetterSqlite3.Statement => {
    const cached = statements.get(sql);
    if (cached) return cached;
    const statement = db.prepare(sql);
    if (statements.size < MAX_CACHED_STATEMENTS) statements.set(sql, statement);
    return statement;
  };
  const session: SqlSession = {
    all: async (sql, params = []) => prepared(sql).all(...params) as Record<string, unknown>[],
    run: async (sql, params = []) => prepared(sql).run(...params).changes,
    script: async (sql) => {
      db.exec(sql);
    },
  };
  return {
    ...session,
    dialect: 'sqlite',
    location: path,
    // One connection: a statement issued elsewhere meanwhile joins the transaction. Only start-up
    // work (migrations, the orphan sweep) uses one.
    async transaction(fn) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(session);
        db.exec('COMMIT');
        return value;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    // A SQLite file belongs to one server: nobody else can hold the lock.
    async exclusively(_name, fn) {
      await fn();
      return true;
    },
    async close() {
      db.close();
    },
  };
}
