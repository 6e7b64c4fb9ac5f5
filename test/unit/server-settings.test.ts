// The service's Doctor:* configuration: defaults, the storage connection string in each accepted
// form, and a one-line ConfigError naming the key and its source for every invalid value.
import { describe, expect, it } from 'vitest';
import { Configuration } from '../../src/config/configuration.js';
import { readServerSettings } from '../../src/server/settings.js';
import { configErrorOf } from './config-error.js';

function settings(values: Record<string, string>, flags: { host?: string; port?: string } = {}) {
  const config = new Configuration(
    Object.entries(values).map(([key, value]) => ({ key, value, source: `env:${key.replaceAll(':', '__')}` })),
  );
  return readServerSettings(config, flags, '/srv/doctor');
}

describe('readServerSettings', () => {
  it('defaults: 127.0.0.1:5080, SQLite stella-doctor.db in the current directory, 30 days, 10000 runs, 4 runs at once, no schedule', () => {
    expect(settings({})).toEqual({
      host: '127.0.0.1',
      port: 5080,
      token: undefined,
      allowedHosts: [],
      storage: { kind: 'sqlite', path: '/srv/doctor/stella-doctor.db' },
      retention: { retentionDays: 30, maxRuns: 10000 },
      schedule: undefined,
      maxConcurrentRuns: 4,
      tls: undefined,
    });
  });

  it.each([
    [
      'postgres://doctor:pw@db:5432/doctor',
      {
        kind: 'postgres',
        config: { connectionString: 'postgres://doctor:pw@db:5432/doctor' },
        location: 'postgres://db:5432/doctor',
      },
    ],
    [
      'postgresql://db/doctor',
      { kind: 'postgres', config: { connectionString: 'postgresql://db/doctor' }, location: 'postgres://db/doctor' },
    ],
    [
      'Host=db;Port=5433;Database=doctor;Username=stella;Password=pw',
      {
        kind: 'postgres',
        config: { host: 'db', port: 5433, database: 'doctor', user: 'stella', password: 'pw' },
        location: 'postgres://db:5433/doctor',
      },
    ],
    ['sqlite:data/doctor.db', { kind: 'sqlite', path: '/srv/doctor/data/doctor.db' }],
    ['/var/lib/doctor.db', { kind: 'sqlite', path: '/var/lib/doctor.db' }],
  ])('Doctor:Storage:ConnectionString %s selects its store', (value, expected) => {
    expect(settings({ 'Doctor:Storage:ConnectionString': value }).storage).toEqual(expected);
  });

  it.each([
    [
      { 'Doctor:Api:Port': '99999' },
      {},
      "invalid Doctor:Api:Port '99999' (from env:Doctor__Api__Port): expected a whole number from 0 to 65535",
    ],
    [{}, { port: 'http' }, "invalid --port 'http': expected a port number from 0 to 65535"],
    [
      { 'Doctor:Storage:RetentionDays': '-1' },
      {},
      "invalid Doctor:Storage:RetentionDays '-1' (from env:Doctor__Storage__RetentionDays): expected a whole number from 0 to 36500",
    ],
    [
      { 'Doctor:Storage:MaxRuns': 'lots' },
      {},
      "invalid Doctor:Storage:MaxRuns 'lots' (from env:Doctor__Storage__MaxRuns): expected a whole number from 0 to 100000000",
    ],
    [
      { 'Doctor:Api:MaxConcurrentRuns': '0' },
      {},
      "invalid Doctor:Api:MaxConcurrentRuns '0' (from env:Doctor__Api__MaxConcurrentRuns): expected a whole number from 1 to 1000",
    ],
    [
      { 'Doctor:Schedule:Interval': '30s' },
      {},
      "invalid Doctor:Schedule:Interval '30s' (from env:Doctor__Schedule__Interval): expected a duration of at least 1m, e.g. 5m",
    ],
    [
      { 'Doctor:Schedule:Interval': '5' },
      {},
      "invalid Doctor:Schedule:Interval '5' (from env:Doctor__Schedule__Interval): expected a duration of at least 1m, e.g. 5m",
    ],
    [
      { 'Doctor:Schedule:Interval': '5m', 'Doctor:Schedule:Mode': 'slow' },
      {},
      "invalid Doctor:Schedule:Mode 'slow' (from env:Doctor__Schedule__Mode): expected quick, normal or full",
    ],
    [
      { 'Doctor:Storage:ConnectionString': 'mysql://db/doctor' },
      {},
      "Doctor:Storage:ConnectionString: unsupported database 'mysql' (expected postgres://, postgresql://, sqlite:PATH or a file path)",
    ],
    [
      { 'Doctor:Storage:ConnectionString': 'Server=db;Encrypt=yes' },
      {},
      "Doctor:Storage:ConnectionString: unsupported connection string part 'Encrypt' (known: Host, Port, Database, Username, Password)",
    ],
    [
      { 'Doctor:Storage:ConnectionString': 'Host=db;hunter2-pasted' },
      {},
      'Doctor:Storage:ConnectionString: a connection string part is not Name=Value',
    ],
    [{ 'Doctor:Api:Tls:CertificatePath': '/c.pem' }, {}, 'Doctor:Api:Tls needs both CertificatePath and KeyPath'],
    [{ 'Doctor:Api:Token': 'short' }, {}, 'invalid Doctor:Api:Token: use at least 16 characters'],
  ])('%j %j is a configuration error: %s', (values, flags, message) => {
    expect(configErrorOf(() => settings(values, flags))).toBe(message);
  });

  it.each(['0.0.0.0', '192.168.1.10', '::'])('refuses to listen on %s without Doctor:Api:Token', (host) => {
    expect(configErrorOf(() => settings({}, { host }))).toBe(
      `refusing to listen on ${host} without Doctor:Api:Token: set a token, or listen on 127.0.0.1`,
    );
  });

  it.each(['127.0.0.1', '::1', '[::1]', 'localhost'])('listens on %s without a token', (host) => {
    expect(settings({}, { host }).host).toBe(host);
  });

  it('listens anywhere once Doctor:Api:Token is set', () => {
    expect(settings({ 'Doctor:Api:Token': 'a-token-of-sixteen+' }, { host: '0.0.0.0' })).toMatchObject({
      host: '0.0.0.0',
      token: 'a-token-of-sixteen+',
    });
  });

  it('reads Doctor:Api:AllowedHosts as a list or as an array, lower-cased', () => {
    expect(settings({ 'Doctor:Api:AllowedHosts': 'Doctor.Internal, ops.example' }).allowedHosts).toEqual([
      'doctor.internal',
      'ops.example',
    ]);
    expect(
      settings({ 'Doctor:Api:AllowedHosts:0': 'a.example', 'Doctor:Api:AllowedHosts:1': 'b.example' }).allowedHosts,
    ).toEqual(['a.example', 'b.example']);
  });

  it('reads a schedule with its mode, quick by default', () => {
    expect(settings({ 'Doctor:Schedule:Interval': '5m' }).schedule).toEqual({ intervalMs: 300_000, mode: 'quick' });
    expect(settings({ 'Doctor:Schedule:Interval': '1h', 'Doctor:Schedule:Mode': 'Full' }).schedule).toEqual({
      intervalMs: 3_600_000,
      mode: 'full',
    });
  });
});
