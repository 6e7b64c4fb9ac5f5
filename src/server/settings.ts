// The server's configuration (SPEC 7, the Doctor:* keys), validated at start: an invalid value is
// a ConfigError (exit 2, one line naming the key and its source). So is listening beyond loopback
// without Doctor:Api:Token.

import { ConfigError, type Configuration } from '../config/configuration.js';
import { parseDuration } from '../engine/duration.js';
import { parseStorageTarget, type StorageTarget } from '../store/open.js';
import type { Retention, RunMode } from '../store/types.js';

export interface ServerSettings {
  host: string;
  port: number;
  token?: string;
  /** Host header names accepted besides the loopback ones (Doctor:Api:AllowedHosts). */
  allowedHosts: string[];
  storage: StorageTarget;
  retention: Retention;
  schedule?: { intervalMs: number; mode: RunMode };
  maxConcurrentRuns: number;
  tls?: { certificatePath: string; keyPath: string };
}

export interface ServeFlags {
  host?: string;
  port?: string;
}

export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];
const MIN_SCHEDULE_MS = 60_000;

/** `Doctor:Api:Port '99999' (from --set)`: names the key, the value and where it came from. */
function describe(config: Configuration, key: string): string {
  const entry = config.entry(key);
  return `${key} '${entry?.value ?? ''}' (from ${entry?.source ?? 'default'})`;
}

function integer(config: Configuration, key: string, fallback: number, min: number, max: number): number {
  const text = config.get(key)?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new ConfigError(`invalid ${describe(config, key)}: expected a whole number from ${min} to ${max}`);
  return value;
}

/** Doctor:Api:AllowedHosts as a comma-separated value or as an array (Doctor:Api:AllowedHosts:0, …). */
function allowedHosts(config: Configuration): string[] {
  const values = config
    .entries()
    .filter((e) => /^doctor:api:allowedhosts(:\d+)?$/i.test(e.key))
    .map((e) => e.value);
  return values
    .flatMap((v) => v.split(','))
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

export function readServerSettings(config: Configuration, flags: ServeFlags, cwd: string): ServerSettings {
  const host = (flags.host ?? config.get('Doctor:Api:Host') ?? '127.0.0.1').trim();
  if (host === '') throw new ConfigError(`invalid ${describe(config, 'Doctor:Api:Host')}: empty host`);
  let port = integer(config, 'Doctor:Api:Port', 5080, 0, 65535);
  if (flags.port !== undefined) {
    if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65535)
      throw new ConfigError(`invalid --port '${flags.port}': expected a port number from 0 to 65535`);
    port = Number(flags.port);
  }
  const token = config.get('Doctor:Api:Token') || undefined;
  if (token !== undefined && token.length < 16)
    throw new ConfigError('invalid Doctor:Api:Token: use at least 16 characters');
  if (!LOOPBACK_HOSTS.includes(host.replace(/^\[|\]$/g, '').toLowerCase()) && token === undefined) {
    throw new ConfigError(
      `refusing to listen on ${host} without Doctor:Api:Token: set a token, or listen on 127.0.0.1`,
    );
  }

  const intervalText = config.get('Doctor:Schedule:Interval')?.trim();
  let schedule: ServerSettings['schedule'];
  if (intervalText) {
    const intervalMs = parseDuration(intervalText);
    if (intervalMs === undefined || intervalMs < MIN_SCHEDULE_MS)
      throw new ConfigError(
        `invalid ${describe(config, 'Doctor:Schedule:Interval')}: expected a duration of at least 1m, e.g. 5m`,
      );
    const mode = (config.get('Doctor:Schedule:Mode')?.trim().toLowerCase() || 'quick') as RunMode;
    if (!['quick', 'normal', 'full'].includes(mode))
      throw new ConfigError(`invalid ${describe(config, 'Doctor:Schedule:Mode')}: expected quick, normal or full`);
    schedule = { intervalMs, mode };
  }

  const certificatePath = config.get('Doctor:Api:Tls:CertificatePath')?.trim();
  const keyPath = config.get('Doctor:Api:Tls:KeyPath')?.trim();
  if (Boolean(certificatePath) !== Boolean(keyPath))
    throw new ConfigError('Doctor:Api:Tls needs both CertificatePath and KeyPath');

  return {
    host,
    port,
    token,
    allowedHosts: allowedHosts(config),
    storage: parseStorageTarget(config.get('Doctor:Storage:ConnectionString'), cwd, 'Doctor:Storage:ConnectionString'),
    retention: {
      retentionDays: integer(config, 'Doctor:Storage:RetentionDays', 30, 0, 36_500),
      maxRuns: integer(config, 'Doctor:Storage:MaxRuns', 10_000, 0, 100_000_000),
    },
    schedule,
    maxConcurrentRuns: integer(config, 'Doctor:Api:MaxConcurrentRuns', 4, 1, 1000),
    tls: certificatePath && keyPath ? { certificatePath, keyPath } : undefined,
  };
}
