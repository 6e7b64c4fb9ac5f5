// Live events of `stella doctor serve` over real sockets: per run (a late subscriber first gets
// what already happened, the stream ends after run.completed) and for every run (/stream, with
// keep-alive comments), many subscribers at once, and the metrics every run feeds.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHungRegistry } from '../fakes/hung-registry.js';
import { loadTestEnv } from '../harness/test-env.js';
import { api, readEvents, startService, type RunningService, type SseMessage } from './service.js';

const env = loadTestEnv();
const REGISTRY_CHECK = 'check.integration.oci.registry';

let server: RunningService;
let hung: Awaited<ReturnType<typeof startHungRegistry>>;
beforeAll(async () => {
  hung = await startHungRegistry();
  server = await startService({ OCI__RegistryUrl: env.registries.open.url });
});
afterAll(async () => {
  await server.stop();
  await hung.close();
});

/** Runs test against a service whose registry never answers, so its runs last as long as their timeout. */
async function withHungRegistry(
  test: (slow: RunningService, startRun: (checks: string[], timeout: string) => Promise<string>) => Promise<void>,
): Promise<void> {
  const slow = await startService({ OCI__RegistryUrl: hung.url });
  const startRun = async (checks: string[], timeout: string): Promise<string> =>
    (await api(slow.url, '/api/v1/doctor/run', { body: { checks, timeout } })).body.runId;
  try {
    await test(slow, startRun);
  } finally {
    await slow.stop();
  }
}

function types(messages: SseMessage[]): string[] {
  return messages.filter((m) => m.event).map((m) => m.event!);
}

describe('events of one run', () => {
  it('a subscriber after the run ended gets every event in order, with ids runId:seq and progress, then the stream ends', async () => {
    const { body: report } = await api(server.url, '/api/v1/doctor/run?wait=true', { body: { mode: 'full' } });

    const { messages, endedByServer } = await readEvents(`${server.url}/api/v1/doctor/runs/${report.runId}/events`);

    const events = messages.filter((m) => m.event);
    const total = report.results.length;
    expect(endedByServer).toBe(true);
    expect(types(events)).toEqual([
      'run.started',
      ...report.results.flatMap(() => ['check.started', 'check.completed']),
      'run.completed',
    ]);
    expect(events.map((m) => m.id)).toEqual(events.map((_m, seq) => `${report.runId}:${seq}`));
    expect(events[0]!.data).toEqual({
      type: 'run.started',
      runId: report.runId,
      seq: 0,
      progress: { done: 0, total },
      status: 'running',
    });
    expect(events.filter((m) => m.event === 'check.completed').map((m) => m.data!.result)).toEqual(report.results);
    expect(events.at(-1)!.data).toEqual({
      type: 'run.completed',
      runId: report.runId,
      seq: events.length - 1,
      progress: { done: total, total },
      summary: report.summary,
      status: 'completed',
    });
  });

  it('a subscriber during the run first gets what already happened, then the rest, and the same events as a late one', async () => {
    await withHungRegistry(async (slow, startRun) => {
      const runId = await startRun([REGISTRY_CHECK, 'check.integration.oci.referrers'], '1500ms');

      const live = await readEvents(`${slow.url}/api/v1/doctor/runs/${runId}/events`);
      const late = await readEvents(`${slow.url}/api/v1/doctor/runs/${runId}/events`);

      expect(live.endedByServer).toBe(true);
      expect(types(live.messages)).toEqual([
        'run.started',
        'check.started',
        'check.started',
        'check.completed',
        'check.completed',
        'run.completed',
      ]);
      expect(
        live.messages
          .filter((m) => m.event === 'check.completed')
          .map((m) => (m.data!.progress as { done: number }).done),
      ).toEqual([1, 2]);
      expect(late.messages.filter((m) => m.event === 'run.completed').map((m) => m.data)).toEqual(
        live.messages.filter((m) => m.event === 'run.completed').map((m) => m.data),
      );
    });
  });

  it('a run interrupted by shutdown ends its stream with run.completed carrying status interrupted', async () => {
    await withHungRegistry(async (slow, startRun) => {
      const runId = await startRun([REGISTRY_CHECK], '20s');

      const { messages } = await readEvents(`${slow.url}/api/v1/doctor/runs/${runId}/events`, {
        onOpen: () => void slow.close(),
      });

      expect(messages.filter((m) => m.event).at(-1)!.data).toMatchObject({
        type: 'run.completed',
        status: 'interrupted',
      });
    });
  });

  it('50 subscribers to one run all receive every event', async () => {
    await withHungRegistry(async (slow, startRun) => {
      const runId = await startRun([REGISTRY_CHECK], '1s');

      const reads = await Promise.all(
        Array.from({ length: 50 }, () => readEvents(`${slow.url}/api/v1/doctor/runs/${runId}/events`)),
      );

      for (const read of reads)
        expect(types(read.messages)).toEqual(['run.started', 'check.started', 'check.completed', 'run.completed']);
    });
  });
});

describe('the stream of every run', () => {
  it('sends keep-alive comments while idle, then the events of runs started later', async () => {
    const reading = readEvents(`${server.url}/api/v1/doctor/stream`, {
      until: (messages) => messages.some((m) => m.event === 'run.completed'),
      onOpen: () =>
        setTimeout(() => void api(server.url, '/api/v1/doctor/run', { body: { checks: [REGISTRY_CHECK] } }), 500),
    });

    const { messages } = await reading;

    expect(messages.filter((m) => m.comment === 'keep-alive').length).toBeGreaterThanOrEqual(1);
    expect(types(messages)).toEqual(['run.started', 'check.started', 'check.completed', 'run.completed']);
  });

  it('a subscriber that disconnects is forgotten: the server holds no listener for it', async () => {
    const listeners = () => (server.service.runs as unknown as { everyRun: Set<unknown> }).everyRun.size;
    await expect.poll(listeners).toBe(0);
    let connected = 0;

    await Promise.all(
      Array.from({ length: 20 }, () =>
        readEvents(`${server.url}/api/v1/doctor/stream`, {
          until: (m) => m.length > 0 && (connected = Math.max(connected, listeners())) > 0,
        }),
      ),
    );

    expect(connected).toBeGreaterThan(0);
    await expect.poll(listeners).toBe(0);
  });

  it('first replays the runs in progress', async () => {
    await withHungRegistry(async (slow, startRun) => {
      const runId = await startRun([REGISTRY_CHECK], '1s');

      const { messages } = await readEvents(`${slow.url}/api/v1/doctor/stream`, {
        until: (m) => m.some((x) => x.event === 'run.completed'),
      });

      expect(messages.filter((m) => m.event).map((m) => m.id)).toEqual([0, 1, 2, 3].map((seq) => `${runId}:${seq}`));
    });
  });
});

describe('metrics', () => {
  it('every run feeds /metrics with the SPEC names and labels, and promtool check metrics accepts the output', async () => {
    const unconfigured = await startService();
    try {
      await api(unconfigured.url, '/api/v1/doctor/run?wait=true', { body: { checks: [REGISTRY_CHECK] } });
      await api(server.url, '/api/v1/doctor/run?wait=true', { body: { checks: [REGISTRY_CHECK] } });

      const configured = (await api(server.url, '/metrics')).body as string;
      const skipped = (await api(unconfigured.url, '/metrics')).body as string;

      const labels = `check_id="${REGISTRY_CHECK}",plugin="stellaops.doctor.integration",category="integration"`;
      expect(configured).toContain(`stella_doctor_check_status{${labels},status="pass"} 1`);
      for (const other of ['info', 'warn', 'fail', 'skip'])
        expect(configured).toContain(`stella_doctor_check_status{${labels},status="${other}"} 0`);
      expect(configured).toContain(`stella_doctor_check_success{${labels}} 1`);
      expect(configured).toMatch(
        new RegExp(`stella_doctor_check_duration_seconds\\{check_id="${REGISTRY_CHECK}"\\} [0-9.e-]+\\n`),
      );
      expect(configured).toMatch(
        new RegExp(`stella_doctor_check_last_run_timestamp_seconds\\{check_id="${REGISTRY_CHECK}"\\} 1[0-9]{9}`),
      );
      expect(configured).toMatch(/stella_doctor_runs_total\{trigger="api",overall="pass"\} [1-9]/);
      expect(configured).toContain('stella_doctor_run_duration_seconds_bucket{le="+Inf"}');
      expect(configured).toMatch(/stella_doctor_build_info\{version="[^"]+"\} 1/);
      expect(skipped).toContain(`stella_doctor_check_status{${labels},status="skip"} 1`);
      expect(skipped).not.toContain('stella_doctor_check_success{');
      for (const text of [configured, skipped]) {
        const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        expect(promtool.stdout + promtool.stderr).toBe('');
        expect(promtool.status).toBe(0);
      }
    } finally {
      await unconfigured.stop();
    }
  });

  it('a check against a TLS registry records the certificate expiry as an absolute timestamp', async () => {
    const tls = await startService({
      OCI__RegistryUrl: env.registries.expiring.url,
      OCI__CaCertificatePath: env.caCertPath,
    });
    try {
      const { body: report } = await api(tls.url, '/api/v1/doctor/run?wait=true', {
        body: { checks: [REGISTRY_CHECK] },
      });
      const metrics = (await api(tls.url, '/metrics')).body as string;

      const notAfter = Date.parse(String(report.results[0].evidence.tls_not_after_utc)) / 1000;
      expect(notAfter).toBeGreaterThan(Date.now() / 1000);
      expect(metrics).toContain(
        `stella_doctor_tls_cert_expiry_timestamp_seconds{check_id="${REGISTRY_CHECK}"} ${notAfter}`,
      );
    } finally {
      await tls.stop();
    }
  });

  it('a schedule runs the checks at start with trigger schedule, and feeds the history and the metrics', async () => {
    const scheduled = await startService({
      OCI__RegistryUrl: env.registries.open.url,
      Doctor__Schedule__Interval: '1m',
      Doctor__Schedule__Mode: 'quick',
    });
    try {
      await expect
        .poll(async () =>
          (await api(scheduled.url, '/api/v1/doctor/runs')).body.runs.map(
            (r: { trigger: string; status: string }) => `${r.trigger} ${r.status}`,
          ),
        )
        .toEqual(['schedule completed']);

      expect((await api(scheduled.url, '/metrics')).body).toMatch(
        /stella_doctor_runs_total\{trigger="schedule",overall="pass"\} 1/,
      );
    } finally {
      await scheduled.stop();
    }
  });
});
