// The real `stella doctor serve` command as a child process: start-up refusals (exit 2, one
// line), a server killed with SIGKILL during a run (the run is `interrupted` after the next start,
// its stored results kept), a clean SIGTERM (exit 0, the run interrupted), `--help`, and a real
// Prometheus server scraping it with the bearer token.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHungRegistry } from '../fakes/hung-registry.js';
import { startPrometheus, stopPrometheus } from '../harness/prometheus.mjs';
import { loadTestEnv } from '../harness/test-env.js';
import { CHILD_PATH, STELLA_COMMAND, stella } from './cli.js';
import { api, readEvents } from './service.js';

const env = loadTestEnv();
const REGISTRY_CHECK = 'check.integration.oci.registry';
const PUSH_CHECK = 'check.integration.oci.push';
const TOKEN = 'scrape-token-0123456789abcdef';

let dir: string;
let hung: Awaited<ReturnType<typeof startHungRegistry>>;
const children = new Set<ChildProcess>();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stella-serve-'));
  hung = await startHungRegistry();
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await hung.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `stella doctor serve --port 0` in dir and waits for its listening line. */
async function serve(vars: Record<string, string>): Promise<Served> {
  const child = spawn(STELLA_COMMAND, ['doctor', 'serve', '--port', '0'], {
    cwd: dir,
    env: {
      PATH: CHILD_PATH,
      HOME: '/nonexistent',
      Doctor__Storage__ConnectionString: `sqlite:${join(dir, 'doctor.db')}`,
      ...vars,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 20_000);
    child.stderr!.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

describe('start-up', () => {
  it.each([
    [
      ['--host', '0.0.0.0'],
      {},
      'stella: error: refusing to listen on 0.0.0.0 without Doctor:Api:Token: set a token, or listen on 127.0.0.1',
    ],
    [
      [],
      { Doctor__Api__Port: '70000' },
      "stella: error: invalid Doctor:Api:Port '70000' (from env:Doctor__Api__Port): expected a whole number from 0 to 65535",
    ],
    [
      [],
      { Doctor__Storage__ConnectionString: 'redis://cache' },
      "stella: error: Doctor:Storage:ConnectionString: unsupported database 'redis' (expected postgres://, postgresql://, sqlite:PATH or a file path)",
    ],
    [
      [],
      { Doctor__Storage__ConnectionString: 'sqlite:/nonexistent/dir/doctor.db' },
      'stella: error: Doctor:Storage:ConnectionString: cannot open the SQLite database /nonexistent/dir/doctor.db (Cannot open database because the directory does not exist)',
    ],
  ])('%j %j refuses to start: exit 2 and one line', (args, vars, line) => {
    const result = stella(['doctor', 'serve', ...args], { env: vars, cwd: dir });

    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
  });

  it('--help describes the command, its Doctor:* keys and its routes', () => {
    const result = stella(['doctor', 'serve', '--help']);

    expect(result.status).toBe(0);
    for (const text of [
      'stella doctor serve [--host 127.0.0.1] [--port 5080]',
      'Doctor:Api:Token',
      'Doctor:Storage:ConnectionString',
      'Doctor:Schedule:Interval',
      'GET  /metrics',
    ]) {
      expect(result.stdout).toContain(text);
    }
  });
});

describe('stopping', () => {
  it('a run in progress when the server is killed with SIGKILL is interrupted after the next start (report and event stream); its stored results are kept', async () => {
    const vars = { OCI__RegistryUrl: hung.url };
    const first = await serve(vars);
    const { body: started } = await api(first.url, '/api/v1/doctor/run', {
      body: { checks: [REGISTRY_CHECK, PUSH_CHECK], timeout: '60s' },
    });
    await expect
      .poll(async () => (await api(first.url, `/api/v1/doctor/runs/${started.runId}`)).body.results.length)
      .toBe(1);

    first.child.kill('SIGKILL');
    await first.exited;
    const second = await serve(vars);
    const { body: report } = await api(second.url, `/api/v1/doctor/runs/${started.runId}`);

    expect(report).toMatchObject({
      status: 'interrupted',
      completedAt: expect.any(String),
      results: [expect.objectContaining({ checkId: PUSH_CHECK, severity: 'skip' })],
    });
    expect(second.stderr()).toContain('1 run(s) left running by a stopped server are now interrupted');
    const { messages } = await readEvents(`${second.url}/api/v1/doctor/runs/${started.runId}/events`);
    expect(messages.filter((m) => m.event).at(-1)!.data).toMatchObject({
      type: 'run.completed',
      status: 'interrupted',
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('SIGTERM stops the server with exit 0 and stores the run in progress as interrupted', async () => {
    const vars = { OCI__RegistryUrl: hung.url };
    const first = await serve(vars);
    const { body: started } = await api(first.url, '/api/v1/doctor/run', {
      body: { checks: [REGISTRY_CHECK], timeout: '60s' },
    });

    first.child.kill('SIGTERM');
    const code = await first.exited;
    const second = await serve(vars);
    const { body: report } = await api(second.url, `/api/v1/doctor/runs/${started.runId}`);

    expect(code).toBe(0);
    expect(first.stderr()).toContain('SIGTERM: stopping');
    expect(report.status).toBe('interrupted');
    expect(second.stderr()).not.toContain('left running by a stopped server');
    second.child.kill('SIGTERM');
    await second.exited;
  });
});

describe('Prometheus', () => {
  it('a real Prometheus server scrapes /metrics with the bearer token and its query API returns stella_doctor_check_status of the configured check', async () => {
    const served = await serve({ OCI__RegistryUrl: env.registries.open.url, Doctor__Api__Token: TOKEN });
    await api(served.url, '/api/v1/doctor/run?wait=true', {
      body: { checks: [REGISTRY_CHECK] },
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const prometheus = await startPrometheus({
      dir: join(dir, 'prometheus'),
      target: new URL(served.url).host,
      bearerToken: TOKEN,
    });
    try {
      const query = `${prometheus.url}/api/v1/query?query=${encodeURIComponent(`stella_doctor_check_status{check_id="${REGISTRY_CHECK}",status="pass"}`)}`;

      await expect
        .poll(
          async () =>
            (
              (await (await fetch(query)).json()) as {
                data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
              }
            ).data.result,
          { timeout: 20_000, interval: 500 },
        )
        .toEqual([
          {
            metric: expect.objectContaining({
              __name__: 'stella_doctor_check_status',
              check_id: REGISTRY_CHECK,
              status: 'pass',
              job: 'stella-doctor',
            }),
            value: [expect.any(Number), '1'],
          },
        ]);
      const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
        data: { activeTargets: Array<{ health: string }> };
      };
      expect(targets.data.activeTargets.map((t) => t.health)).toEqual(['up']);
    } finally {
      await stopPrometheus(prometheus);
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
