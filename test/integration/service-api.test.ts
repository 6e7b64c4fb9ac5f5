// The HTTP API of `stella doctor serve` against the real engine, a real SQLite store and the
// test environment's open registry: runs, reports, history, catalog, the error shape for every
// kind of bad request, and the OpenAPI document checked against real responses.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../src/plugins/index.js';
import { renderCheckList } from '../../src/render/catalog.js';
import { openStore } from '../../src/store/open.js';
import { startHungRegistry } from '../fakes/hung-registry.js';
import { loadTestEnv } from '../harness/test-env.js';
import { api, startService, type RunningService } from './service.js';

const env = loadTestEnv();
const REGISTRY_CHECK = 'check.integration.oci.registry';
const reportSchema = JSON.parse(
  readFileSync(new URL('../../schema/doctor-report.schema.json', import.meta.url), 'utf8'),
) as object;

let server: RunningService;
beforeAll(async () => {
  server = await startService({ OCI__RegistryUrl: env.registries.open.url });
});
afterAll(() => server.stop());

/** fetch() sets Host itself; node:http sends the one given. */
function getWithHost(host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${server.url}/api/v1/doctor/runs`, { headers: { host } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

function runNow(body: unknown = { checks: [REGISTRY_CHECK] }) {
  return api(server.url, '/api/v1/doctor/run?wait=true', { body });
}

describe('runs', () => {
  it('POST run?wait=true answers 200 with the CLI JSON report (same schema) plus status, trigger and mode', async () => {
    const { status, body } = await runNow({ checks: [REGISTRY_CHECK], mode: 'quick' });

    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'completed',
      trigger: 'api',
      mode: 'quick',
      summary: { total: 1, pass: 1, overall: 'pass' },
    });
    const { status: _s, trigger: _t, mode: _m, ...cliReport } = body;
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(reportSchema);
    expect(validate(cliReport), JSON.stringify(validate.errors)).toBe(true);
  });

  it('POST run answers 202 {runId, status: running} at once; the run then shows up finished in the history', async () => {
    const started = await api(server.url, '/api/v1/doctor/run', {
      body: { checks: [REGISTRY_CHECK], trigger: 'dashboard' },
    });

    expect(started.status).toBe(202);
    expect(started.body).toEqual({ runId: expect.any(String), status: 'running' });
    await expect
      .poll(async () => (await api(server.url, `/api/v1/doctor/runs/${started.body.runId}`)).body.status)
      .toBe('completed');
    const runs = await api(server.url, '/api/v1/doctor/runs?limit=50');
    expect(runs.body.runs).toContainEqual(
      expect.objectContaining({ runId: started.body.runId, status: 'completed', trigger: 'dashboard' }),
    );
  });

  it('GET runs pages newest first: next leads to the older runs and is null on the last page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await runNow()).body.runId);

    const first = await api(server.url, '/api/v1/doctor/runs?limit=2');
    const second = await api(server.url, `/api/v1/doctor/runs?limit=2&before=${first.body.next}`);

    expect(first.body.runs.map((r: { runId: string }) => r.runId)).toEqual([ids[2], ids[1]]);
    expect(second.body.runs[0].runId).toBe(ids[0]);
  });

  it("GET a check's history lists its recent results with run id, severity, diagnosis and time", async () => {
    const { body: report } = await runNow();

    const { status, body } = await api(server.url, `/api/v1/doctor/checks/${REGISTRY_CHECK}/history?limit=1`);

    expect(status).toBe(200);
    expect(body).toEqual({
      checkId: REGISTRY_CHECK,
      results: [
        {
          runId: report.runId,
          severity: 'pass',
          diagnosis: report.results[0].diagnosis,
          startedAt: report.results[0].startedAt,
        },
      ],
    });
  });

  it('GET checks is the catalog exactly as `stella doctor list --format json` prints it', async () => {
    const { body } = await api(server.url, '/api/v1/doctor/checks');

    expect(body).toEqual(JSON.parse(renderCheckList(allChecks(), 'json')));
  });

  it("GET a check's article answers its knowledge-base markdown", async () => {
    const { status, body, headers } = await api(server.url, `/api/v1/doctor/checks/${REGISTRY_CHECK}/article`);

    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(body).toContain(`checkId: ${REGISTRY_CHECK}`);
  });

  it('reads the configuration files again for every run: a registry written to appsettings.json after start is checked, a broken file is 422', async () => {
    const unconfigured = await startService();
    try {
      const before = await api(unconfigured.url, '/api/v1/doctor/run?wait=true', {
        body: { checks: [REGISTRY_CHECK] },
      });
      writeFileSync(
        join(unconfigured.dir, 'appsettings.json'),
        JSON.stringify({ OCI: { RegistryUrl: env.registries.open.url } }),
      );
      const after = await api(unconfigured.url, '/api/v1/doctor/run?wait=true', { body: { checks: [REGISTRY_CHECK] } });
      writeFileSync(join(unconfigured.dir, 'appsettings.json'), '{ not json');
      const broken = await api(unconfigured.url, '/api/v1/doctor/run?wait=true', {
        body: { checks: [REGISTRY_CHECK] },
      });

      expect(before.body.summary.overall).toBe('skip');
      expect(after.body.summary.overall).toBe('pass');
      expect(broken.status).toBe(422);
      expect(broken.body.error).toEqual({
        code: 'configuration_error',
        message: expect.stringContaining('appsettings.json'),
      });
      expect(broken.body.error.message).not.toContain('\n');
    } finally {
      await unconfigured.stop();
    }
  });
});

describe('bad requests get the error shape, never a crash', () => {
  it.each([
    ['an unknown check id', { checks: [REGISTRY_CHECK, 'check.nope'] }, 'checks[1]'],
    ['an unknown field', { checks: [REGISTRY_CHECK], colour: 'red' }, 'colour'],
    ['a wrong type', { mode: 5 }, 'mode'],
    ['a mode that does not exist', { mode: 'slow' }, 'mode'],
    ['a duration without a unit', { timeout: '30' }, 'timeout'],
    ['a trigger the API does not take', { trigger: 'schedule' }, 'trigger'],
    ['checks that are not a list', { checks: REGISTRY_CHECK }, 'checks'],
  ])('%s is 400 naming the field', async (_name, body, field) => {
    const { status, body: answer } = await api(server.url, '/api/v1/doctor/run', { body });

    expect(status).toBe(400);
    expect(answer).toEqual({ error: { code: 'bad_request', message: expect.any(String), field } });
  });

  it.each([
    ['malformed JSON', 400, '{"checks": ['],
    ['a JSON string instead of an object', 400, '"run"'],
    ['invalid UTF-8', 400, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['a body over the size limit', 413, JSON.stringify({ checks: [], pad: 'x'.repeat(70 * 1024) })],
    ['an empty body', 400, ''],
  ])('%s gets %i in the error shape', async (_name, expected, payload) => {
    const response = await fetch(`${server.url}/api/v1/doctor/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });

    expect(response.status).toBe(expected);
    expect(((await response.json()) as { error: unknown }).error).toEqual(
      expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
    );
  });

  it('a POST that is not application/json is 415 (a cross-site form cannot start a run)', async () => {
    const response = await fetch(`${server.url}/api/v1/doctor/run`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });

    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });

  it.each([
    ['an unknown run id', '/api/v1/doctor/runs/no-such-run'],
    ["an unknown run id's events", '/api/v1/doctor/runs/no-such-run/events'],
    ["an unknown check's article", '/api/v1/doctor/checks/check.nope/article'],
    ["an unknown check's history", '/api/v1/doctor/checks/check.nope/history'],
    ['an unknown route', '/api/v1/doctor/nothing-here'],
  ])('%s is 404 in the error shape', async (_name, path) => {
    const { status, body } = await api(server.url, path);

    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=many', 'limit'],
    ['before=yesterday', 'before'],
    ['sort=asc', 'sort'],
  ])('GET runs?%s is 400 naming the parameter', async (query, field) => {
    const { status, body } = await api(server.url, `/api/v1/doctor/runs?${query}`);

    expect(status).toBe(400);
    expect(body.error.field).toBe(field);
  });

  it('the server still answers after all of the above', async () => {
    expect((await api(server.url, '/healthz')).body).toEqual({ status: 'ok', store: { kind: 'sqlite', status: 'ok' } });
  });
});

describe('limits and refusals', () => {
  it('answers 429 when Doctor:Api:MaxConcurrentRuns runs are in progress, and stores a run stopped by shutdown as interrupted', async () => {
    const hung = await startHungRegistry();
    const limited = await startService({ OCI__RegistryUrl: hung.url, Doctor__Api__MaxConcurrentRuns: '1' });
    try {
      const first = await api(limited.url, '/api/v1/doctor/run', {
        body: { checks: [REGISTRY_CHECK], timeout: '20s' },
      });
      const second = await api(limited.url, '/api/v1/doctor/run', { body: { checks: [REGISTRY_CHECK] } });

      expect(first.status).toBe(202);
      expect(second.status).toBe(429);
      expect(second.body.error.code).toBe('too_many_runs');
      await limited.close();
      const reopened = await openStore({ kind: 'sqlite', path: join(limited.dir, 'doctor.db') });
      expect(await reopened.getRun(first.body.runId)).toMatchObject({
        status: 'interrupted',
        completedAt: expect.any(String),
      });
      await reopened.close();
    } finally {
      await limited.stop();
      await hung.close();
    }
  });

  it('answers a WebSocket upgrade on the stream with 426 naming Server-Sent Events', async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'GET /api/v1/doctor/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
    });

    expect(answer).toMatch(/^HTTP\/1\.1 426 /);
    expect(answer).toContain('Server-Sent Events');
  });

  it('refuses a Host header that is not loopback (DNS rebinding), accepts localhost with a port', async () => {
    const refused = await getWithHost('attacker.example');
    const accepted = await getWithHost('localhost:5080');

    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('host_not_allowed');
    expect(accepted.status).toBe(200);
  });

  it('/readyz is 503 and /healthz still 200 (store unavailable) when the store stops answering; reading the history is then a 500 in the error shape, not a crash', async () => {
    const broken = await startService();
    try {
      await broken.service.store.close();

      const ready = await api(broken.url, '/readyz');
      const health = await api(broken.url, '/healthz');
      const runs = await api(broken.url, '/api/v1/doctor/runs');

      expect(ready).toMatchObject({
        status: 503,
        body: { status: 'unavailable', store: { kind: 'sqlite', status: 'unavailable' } },
      });
      expect(health).toMatchObject({
        status: 200,
        body: { status: 'ok', store: { kind: 'sqlite', status: 'unavailable' } },
      });
      expect(runs).toMatchObject({ status: 500, body: { error: { code: 'internal_error' } } });
    } finally {
      await broken.stop();
    }
  });

  it('answers HEAD of the event stream at once (404) instead of holding a connection open', async () => {
    const response = await fetch(`${server.url}/api/v1/doctor/stream`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(5000),
    });

    expect(response.status).toBe(404);
  });

  it('sends no CORS headers, even to a request with an Origin', async () => {
    const response = await fetch(`${server.url}/api/v1/doctor/runs`, {
      headers: { origin: 'https://attacker.example' },
    });
    const preflight = await fetch(`${server.url}/api/v1/doctor/run`, {
      method: 'OPTIONS',
      headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' },
    });

    expect([...response.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect([...preflight.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});

describe('HTTPS', () => {
  it('serves HTTPS with Doctor:Api:Tls:CertificatePath and KeyPath', async () => {
    const tls = await startService({
      Doctor__Api__Tls__CertificatePath: env.certs.server.certPath,
      Doctor__Api__Tls__KeyPath: env.certs.server.keyPath,
    });
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        https
          .get(`${tls.url}/healthz`, { ca: readFileSync(env.caCertPath) }, (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          })
          .on('error', reject);
      });

      expect(tls.url).toMatch(/^https:/);
      expect(answer).toEqual({
        status: 200,
        body: JSON.stringify({ status: 'ok', store: { kind: 'sqlite', status: 'ok' } }),
      });
    } finally {
      await tls.stop();
    }
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes every route of the API', async () => {
    const { body } = await api(server.url, '/api/v1/doctor/openapi.json');

    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths).sort()).toEqual([
      '/api/v1/doctor/checks',
      '/api/v1/doctor/checks/{checkId}/article',
      '/api/v1/doctor/checks/{checkId}/history',
      '/api/v1/doctor/openapi.json',
      '/api/v1/doctor/run',
      '/api/v1/doctor/runs',
      '/api/v1/doctor/runs/{runId}',
      '/api/v1/doctor/runs/{runId}/events',
      '/api/v1/doctor/stream',
      '/healthz',
      '/metrics',
      '/readyz',
    ]);
  });

  it('matches the real responses: each answer validates against the schema the document gives for its status', async () => {
    const { body: document } = await api(server.url, '/api/v1/doctor/openapi.json');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(document, 'openapi');
    const { body: done } = await runNow();
    const calls: Array<[string, string, string, unknown?]> = [
      ['post', '/api/v1/doctor/run', '/api/v1/doctor/run?wait=true', { checks: [REGISTRY_CHECK] }],
      ['post', '/api/v1/doctor/run', '/api/v1/doctor/run', { checks: [REGISTRY_CHECK] }],
      ['post', '/api/v1/doctor/run', '/api/v1/doctor/run', { checks: ['check.nope'] }],
      ['get', '/api/v1/doctor/runs', '/api/v1/doctor/runs?limit=3'],
      ['get', '/api/v1/doctor/runs/{runId}', `/api/v1/doctor/runs/${done.runId}`],
      ['get', '/api/v1/doctor/runs/{runId}', '/api/v1/doctor/runs/no-such-run'],
      ['get', '/api/v1/doctor/checks', '/api/v1/doctor/checks'],
      ['get', '/api/v1/doctor/checks/{checkId}/history', `/api/v1/doctor/checks/${REGISTRY_CHECK}/history`],
      ['get', '/healthz', '/healthz'],
      ['get', '/readyz', '/readyz'],
    ];
    for (const [method, route, path, body] of calls) {
      const response = await api(server.url, path, { method: method.toUpperCase(), body });
      const pointer = `openapi#/paths/${route.replaceAll('/', '~1')}/${method}/responses/${response.status}/content/application~1json/schema`;
      const valid = ajv.validate({ $ref: pointer }, response.body);
      expect(valid, `${method} ${path} → ${response.status}: ${JSON.stringify(ajv.errors)}`).toBe(true);
    }
  });
});
