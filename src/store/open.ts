// Doctor:Storage:ConnectionString → the store: unset → the SQLite file stella-doctor.db in the
// current directory; `sqlite:PATH` or a plain path → SQLite; a postgres:// or postgresql:// URL, or
// an Npgsql-style `Host=…;Database=…;` string → PostgreSQL; anything else is a configuration error.

import { resolve } from 'node:path';
import type { PoolConfig } from 'pg';
import { ConfigError } from '../config/configuration.js';
import { SqlRunStore } from './sql-store.js';
import type { RunStore } from './types.js';

export type StorageTarget =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; config: PoolConfig; location: string };

export const DEFAULT_SQLITE_FILE = 'stella-doctor.db';

/** Npgsql keys (lower-case, spaces removed) and the pg option each one sets. */
const NPGSQL_KEYS: Record<string, keyof PoolConfig> = {
  host: 'host',
  server: 'host',
  port: 'port',
  database: 'database',
  username: 'user',
  userid: 'user',
  user: 'user',
  password: 'password',
};

function parseNpgsql(text: string, where: string): StorageTarget {
  const config: Record<string, string | number> = {};
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).replace(/\s+/g, '').toLowerCase();
    // A part without `=` is not echoed: it may be a password pasted in the wrong place.
    if (eq <= 0) throw new ConfigError(`${where}: a connection string part is not Name=Value`);
    const option = NPGSQL_KEYS[name];
    if (!option)
      throw new ConfigError(
        `${where}: unsupported connection string part '${part.slice(0, eq).trim()}' (known: Host, Port, ` +
          `Database, Username, Password)`,
      );
    const value = part.slice(eq + 1).trim();
    if (option === 'port' && !/^\d{1,5}$/.test(value))
      throw new ConfigError(`${where}: Port '${value}' is not a port number`);
    config[option] = option === 'port' ? Number(value) : value;
  }
  if (!config.host) throw new ConfigError(`${where}: a PostgreSQL connection string needs Host=`);
  return {
    kind: 'postgres',
    config,
    location: `postgres://${config.host}:${config.port ?? 5432}/${config.database ?? ''}`,
  };
}

/** Parses the connection string; `where` names the key and its source in errors. */
export function parseStorageTarget(value: string | undefined, cwd: string, where: string): StorageTarget {
  const text = value?.trim() ?? '';
  if (text === '') return { kind: 'sqlite', path: resolve(cwd, DEFAULT_SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(`${where}: not a valid PostgreSQL URL`);
    }
    return { kind: 'postgres', config: { connectionString: text }, location: `postgres://${url.host}${url.pathname}` };
  }
  if (/^sqlite:/i.test(text)) {
    const path = text.slice('sqlite:'.length);
    if (path === '') throw new ConfigError(`${where}: sqlite: needs a file path`);
    return { kind: 'sqlite', path: resolve(cwd, path) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    throw new ConfigError(
      `${where}: unsupported database '${text.split(':')[0]}' (expected postgres://, postgresql://, ` +
        `sqlite:PATH or a file path)`,
    );
  if (text.includes('=')) return parseNpgsql(text, where);
  return { kind: 'sqlite', path: resolve(cwd, text) };
}

/** Opens the store and applies its migrations. Throws ConfigError when the driver is missing. */
export async function openStore(target: StorageTarget): Promise<RunStore> {
  if (target.kind === 'sqlite') {
    const { openSqlite } = await import('./sqlite.js');
    return SqlRunStore.open(openSqlite(target.path));
  }
  const { openPostgres } = await import('./postgres.js');
  return SqlRunStore.open(await openPostgres(target.config, target.location));
}
