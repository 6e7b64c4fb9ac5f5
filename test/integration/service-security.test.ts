// Security of `stella doctor serve`: with Doctor:Api:Token every route but /healthz and /readyz
// needs the bearer token; and no canary secret (registry passwords right and wrong, their
// encodings, the API token) appears in any route, event, metric, log line or stored row — the
// SQLite file read byte by byte, the PostgreSQL tables read directly.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestEnv } from '../harness/test-env.js';
import { api, readEvents, startService, type RunningService } from './service.js';

const env = loadTestEnv();
const TOKEN = `canary-api-token-${randomUUID()}`;
const WRONG = `canary-Wr0ng-${randomUUID().slice(0, 8)}`;
const POSTGRES_URL = process.env.STELLA_TEST_POSTGRES_URL!;
const REGISTRY_CHECK = 'check.integration.oci.registry';

function encodings(secret: string, username = 'admin'): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [secret, b64(secret), encodeURIComponent(secret), b64(`${username}:${secret}`)];
}

const CANARIES = [...new Set([...encodings(env.users.admin.password), ...encodings(WRONG), TOKEN])];

function expectClean(where: string, text: string): void {
  for (const canary of CANARIES)
    expect(text.includes(canary), `${where} holds a canary (${canary.slice(0, 6)}…)`).toBe(false);
}

describe('with Doctor:Api:Token', () => {
  let server: RunningService;
  beforeAll(async () => {
    server = await startService({ Doctor__Api__Token: TOKEN, OCI__RegistryUrl: env.registries.open.url });
  });
  afterAll(() => server.stop());

  const DATA_ROUTES = [
    ['POST', '/api/v1/doctor/run'],
    ['GET', '/api/v1/doctor/runs'],
    ['GET', '/api/v1/doctor/runs/some-run'],
    ['GET', '/api/v1/doctor/runs/some-run/events'],
    ['GET', '/api/v1/doctor/stream'],
    ['GET', '/api/v1/doctor/checks'],
    ['GET', `/api/v1/doctor/checks/${REGISTRY_CHECK}/article`],
    ['GET', `/api/v1/doctor/checks/${REGISTRY_CHECK}/history`],
    ['GET', '/api/v1/doctor/openapi.json'],
    ['GET', '/metrics'],
    ['GET', '/api/v1/doctor/no-such-route'],
  ] as const;

  it.each(DATA_ROUTES)('%s %s is 401 without the token and with a wrong one', async (method, path) => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
    ]) {
      const {
        status,
        body,
        headers: answer,
      } = await api(server.url, path, { method, headers, body: method === 'POST' ? {} : undefined });

      expect(status).toBe(401);
      expect(answer.get('www-authenticate')).toBe('Bearer');
      expect(body.error.code).toBe('unauthorized');
    }
  });

  it.each(DATA_ROUTES.filter(([, path]) => !path.includes('events') && !path.includes('stream')))(
    '%s %s answers with the token',
    async (method, path) => {
      const { status } = await api(server.url, path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
        body: method === 'POST' ? { checks: [REGISTRY_CHECK] } : undefined,
      });

      expect([200, 202, 404]).toContain(status);
      expect(status === 404).toBe(path.includes('some-run') || path.includes('no-such-route'));
    },
  );

  it('streams events with the token', async () => {
    const { messages } = await readEvents(`${server.url}/api/v1/doctor/stream`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      until: (m) => m.length > 0,
    });

    expect(messages[0]!.comment).toBe('stella doctor events');
  });

  it.each(['/healthz', '/readyz'])('%s answers without the token', async (path) => {
    expect((await api(server.url, path)).status).toBe(200);
  });

  it('never logs the token', async () => {
    await api(server.url, '/api/v1/doctor/run?wait=true', {
      body: { checks: [REGISTRY_CHECK] },
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    expect(server.log()).toMatch(/run \S+ completed/);
    expectClean('the server log', server.log());
  });
});

const STORES: Array<[string, () => Promise<{ vars: Record<string, string>; rows: (dir: string) => Promise<string> }>]> =
  [
    [
      'SQLite',
      async () => ({
        vars: {},
        // Every byte of the database, its write-ahead log and the rows as SQLite returns them.
        rows: async (dir) => {
          const files = readdirSync(dir)
            .filter((f) => f.startsWith('doctor.db'))
            .map((f) => readFileSync(join(dir, f)).toString('latin1'));
          const db = new Database(join(dir, 'doctor.db'), { readonly: true });
          const tables = ['runs', 'results', 'instances', 'schema_migrations'].map((t) =>
            JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all()),
          );
          db.close();
          return [...files, ...tables].join('\n');
        },
      }),
    ],
    [
      'PostgreSQL',
      async () => {
        const name = `canary_${randomUUID().replaceAll('-', '')}`;
        const admin = new pg.Client(POSTGRES_URL);
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const url = POSTGRES_URL.replace(/\/doctor$/, `/${name}`);
        return {
          vars: { Doctor__Storage__ConnectionString: url },
          rows: async () => {
            const client = new pg.Client(url);
            await client.connect();
            const tables = await Promise.all(
              ['runs', 'results', 'instances', 'schema_migrations'].map(async (t) =>
                JSON.stringify((await client.query(`SELECT * FROM ${t}`)).rows),
              ),
            );
            await client.end();
            return tables.join('\n');
          },
        };
      },
    ],
  ];

describe.each(STORES)('canary secrets with the %s store', (_name, prepare) => {
  it('no canary in any route, event, metric, log line or stored row, on passing and failing runs', async () => {
    const store = await prepare();
    const seen: Array<[string, string]> = [];
    const record = (where: string, value: unknown) =>
      seen.push([where, typeof value === 'string' ? value : JSON.stringify(value)]);
    const base = { ...store.vars, OCI__CaCertificatePath: env.caCertPath, OCI__Username: 'admin' };
    for (const [label, vars] of [
      [
        'right password, basic registry',
        { ...base, OCI__RegistryUrl: env.registries.basic.url, OCI__Password: env.users.admin.password },
      ],
      [
        'wrong password, token registry',
        { ...base, OCI__RegistryUrl: env.registries.token.url, OCI__Password: WRONG, Doctor__Api__Token: TOKEN },
      ],
    ] as const) {
      const server = await startService(vars);
      const auth = 'Doctor__Api__Token' in vars ? { authorization: `Bearer ${TOKEN}` } : undefined;
      try {
        const stream = readEvents(`${server.url}/api/v1/doctor/stream`, {
          headers: auth,
          until: (m) => m.some((x) => x.event === 'run.completed'),
        });
        const started = await api(server.url, '/api/v1/doctor/run', { body: { mode: 'full' }, headers: auth });
        record(`${label}: POST run`, started.body);
        record(`${label}: /stream`, await stream);
        record(
          `${label}: run events`,
          await readEvents(`${server.url}/api/v1/doctor/runs/${started.body.runId}/events`, { headers: auth }),
        );
        record(
          `${label}: POST run?wait=true`,
          (await api(server.url, '/api/v1/doctor/run?wait=true', { body: { mode: 'full' }, headers: auth })).body,
        );
        for (const path of [
          `/api/v1/doctor/runs/${started.body.runId}`,
          '/api/v1/doctor/runs',
          '/api/v1/doctor/checks',
          '/api/v1/doctor/openapi.json',
          '/metrics',
          '/healthz',
          '/readyz',
          '/api/v1/doctor/runs/nope',
          ...['registry', 'credentials', 'pull', 'push', 'referrers', 'capabilities'].map(
            (c) => `/api/v1/doctor/checks/check.integration.oci.${c}/history`,
          ),
        ]) {
          record(`${label}: GET ${path}`, (await api(server.url, path, { headers: auth })).body);
        }
        record(
          `${label}: 400`,
          (await api(server.url, '/api/v1/doctor/run', { body: { checks: [WRONG] }, headers: auth })).body,
        );
        await server.close();
        record(`${label}: server log`, server.log());
        record(`${label}: stored rows`, await store.rows(server.dir));
      } finally {
        await server.stop();
      }
    }

    expect(seen.find(([where]) => where.includes('wrong password') && where.includes('wait=true'))![1]).toContain(
      '"severity":"fail"',
    );
    for (const [where, text] of seen) expectClean(where, text);
  });
});
