// The service (`stella doctor serve`, SQLite store) under load, measured, never asserted:
// 1. throughput next to Prometheus blackbox_exporter probing the same open registry's /v2/ with its
//    http_2xx module: 50 concurrent clients, POST /api/v1/doctor/run?wait=true of
//    check.integration.oci.registry against GET /probe?target=…&module=http_2xx — rps, p50/p95, ratio
//    (target ≥ 0.5× blackbox);
// 2. with 100,000 runs stored: GET runs?limit=50 and a check's history p95 (target < 20 ms each),
//    database size per run, server RSS (target < 150 MB);
// 3. 200 concurrent SSE subscribers to one run: all receive every event; RSS growth (target < 50 MB).
// Every process started here listens on 127.0.0.1 and is stopped by PID at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../test/harness/registries.mjs';
import { ROOT, STELLA, heading, loadEnv, verdict } from './lib.mjs';

const CLIENTS = 50;
const LOAD_SECONDS = Number(process.env.BENCH_SERVICE_SECONDS ?? 10);
const STORED_RUNS = Number(process.env.BENCH_STORED_RUNS ?? 100_000);
const SUBSCRIBERS = 200;
const CHECK = 'check.integration.oci.registry';

const env = loadEnv();
const registry = env.registries.open;
const dir = mkdtempSync(join(tmpdir(), 'stella-bench-service-'));
const children = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) / 1024;
}

/** Starts `stella doctor serve` on a free port and waits for its listening line. */
async function startServe(vars) {
  const [port] = await freePorts(1);
  const child = spawn(STELLA, ['doctor', 'serve', '--port', String(port)], {
    cwd: dir,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  for (let i = 0; i < 300 && !log.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 100));
  if (!log.includes('listening on')) throw new Error(`serve did not start: ${log}`);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** CLIENTS loops for LOAD_SECONDS, each request timed; returns rps and latencies. */
async function load(request) {
  const latencies = [];
  let errors = 0;
  const until = Date.now() + LOAD_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        const ok = await request().catch(() => false);
        if (ok) latencies.push(performance.now() - t0);
        else errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    errors,
    n: latencies.length,
  };
}

function line(name, r) {
  console.log(
    `  ${name.padEnd(44)} ${r.rps.toFixed(0).padStart(6)} rps  p50 ${r.p50.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms  (${r.n} ok, ${r.errors} errors)`,
  );
}

async function throughput() {
  heading(`throughput: ${CLIENTS} clients for ${LOAD_SECONDS} s, stella serve (SQLite) vs blackbox_exporter`);
  const [bbPort] = await freePorts(1);
  writeFileSync(join(dir, 'blackbox.yml'), 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n');
  const blackbox = spawn(
    'prometheus-blackbox-exporter',
    [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`],
    { stdio: 'ignore' },
  );
  children.push(blackbox);
  const probe = `http://127.0.0.1:${bbPort}/probe?target=${encodeURIComponent(`${registry.url}/v2/`)}&module=http_2xx`;
  for (
    let i = 0;
    i < 100 &&
    !(await fetch(probe).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 100));
  const probeText = await (await fetch(probe)).text();
  if (!/^probe_success 1$/m.test(probeText)) throw new Error(`blackbox_exporter probe did not succeed:\n${probeText}`);

  const serve = await startServe({
    OCI__RegistryUrl: registry.url,
    Doctor__Storage__ConnectionString: `sqlite:${join(dir, 'throughput.db')}`,
    Doctor__Api__MaxConcurrentRuns: '1000',
  });
  const run = async () => {
    const response = await fetch(`${serve.url}/api/v1/doctor/run?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ checks: [CHECK] }),
    });
    const body = await response.json();
    return response.status === 200 && body.summary.pass === 1;
  };
  const probeOnce = async () => /^probe_success 1$/m.test(await (await fetch(probe)).text());
  await load(run);
  const stella = await load(run);
  const bb = await load(probeOnce);
  line('stella: POST run?wait=true (registry check)', stella);
  line('blackbox_exporter: GET /probe http_2xx', bb);
  const ratio = stella.rps / bb.rps;
  console.log(`  ratio stella / blackbox = ${ratio.toFixed(2)}x (target ≥ 0.5x): ${verdict(ratio >= 0.5)}`);
  await stop(serve.child);
  await stop(blackbox);
}

/** Writes STORED_RUNS completed runs of the six checks straight into a migrated SQLite database. */
async function seed(path) {
  const { openStore } = await import(join(ROOT, 'dist/store/open.js'));
  const store = await openStore({ kind: 'sqlite', path });
  await store.close();
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const run = db.prepare(
    "INSERT INTO runs (run_id, instance_id, status, trigger_name, mode, doctor_version, started_at, completed_at, duration_ms) VALUES (?, 'seed', 'completed', 'schedule', 'full', '0.1.0', ?, ?, 120)",
  );
  const result = db.prepare(
    'INSERT INTO results (run_id, check_id, severity, diagnosis, started_at, body) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const checks = ['capabilities', 'credentials', 'pull', 'push', 'referrers', 'registry'].map(
    (c) => `check.integration.oci.${c}`,
  );
  const start = Date.now() - STORED_RUNS * 60_000;
  db.transaction(() => {
    for (let i = 0; i < STORED_RUNS; i++) {
      const runId = `seed-${String(i).padStart(7, '0')}`;
      const at = new Date(start + i * 60_000).toISOString();
      run.run(runId, at, at);
      for (const checkId of checks) {
        const diagnosis = `${checkId} answered as expected in run ${i}.`;
        const body = JSON.stringify({
          checkId,
          pluginId: 'stellaops.doctor.integration',
          category: 'integration',
          name: checkId,
          tags: ['registry', 'oci'],
          severity: 'pass',
          diagnosis,
          evidence: { status_code: 200, duration_ms: 12, registry_host: '127.0.0.1:5000' },
          likelyCauses: [],
          remediation: { runbookUrl: 'file:///docs/doctor/articles/x.md', steps: [] },
          verificationCommand: `stella doctor run --check ${checkId}`,
          durationMs: 12,
          startedAt: at,
        });
        result.run(runId, checkId, 'pass', diagnosis, at, body);
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function timedGets(url, count) {
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

async function history() {
  heading(`history: ${STORED_RUNS.toLocaleString('en')} runs stored (SQLite)`);
  const path = join(dir, 'history.db');
  const t0 = performance.now();
  await seed(path);
  console.log(
    `  seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s; database ${(statSync(path).size / 1e6).toFixed(1)} MB = ${(statSync(path).size / STORED_RUNS / 1024).toFixed(2)} KiB per run (6 results each)`,
  );
  const serve = await startServe({
    Doctor__Storage__ConnectionString: `sqlite:${path}`,
    Doctor__Storage__MaxRuns: '0',
    Doctor__Storage__RetentionDays: '0',
  });
  const first = await (await fetch(`${serve.url}/api/v1/doctor/runs?limit=50`)).json();
  await timedGets(`${serve.url}/api/v1/doctor/runs?limit=50`, 20);
  const page = await timedGets(`${serve.url}/api/v1/doctor/runs?limit=50`, 200);
  const older = await timedGets(`${serve.url}/api/v1/doctor/runs?limit=50&before=${first.next}`, 200);
  const checkHistory = await timedGets(`${serve.url}/api/v1/doctor/checks/${CHECK}/history?limit=50`, 200);
  for (const [name, values] of [
    ['GET runs?limit=50', page],
    ['GET runs?limit=50&before=…', older],
    [`GET checks/${CHECK}/history`, checkHistory],
  ]) {
    const p95 = percentile(values, 95);
    console.log(
      `  ${name.padEnd(58)} p50 ${percentile(values, 50).toFixed(1).padStart(5)} ms  p95 ${p95.toFixed(1).padStart(5)} ms (target < 20 ms): ${verdict(p95 < 20)}`,
    );
  }
  const rss = rssMb(serve.child.pid);
  console.log(`  server RSS ${rss.toFixed(1)} MB (target < 150 MB): ${verdict(rss < 150)}`);
  await stop(serve.child);
}

/** A TCP server that accepts and never answers: runs against it last as long as their timeout. */
async function hungRegistry() {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function subscribe(url) {
  return new Promise((resolve, reject) => {
    const events = [];
    let buffer = '';
    http
      .get(url, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          for (const match of buffer.matchAll(/^event: (\S+)$/gm)) events.push(match[1]);
          buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
        });
        res.on('end', () => resolve(events));
      })
      .on('error', reject);
  });
}

async function subscribers() {
  heading(`${SUBSCRIBERS} SSE subscribers to one run`);
  const hung = await hungRegistry();
  const serve = await startServe({
    OCI__RegistryUrl: hung.url,
    Doctor__Storage__ConnectionString: `sqlite:${join(dir, 'sse.db')}`,
  });
  await fetch(`${serve.url}/healthz`);
  const before = rssMb(serve.child.pid);
  const started = await (
    await fetch(`${serve.url}/api/v1/doctor/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'full', timeout: '5s' }),
    })
  ).json();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(serve.child.pid))), 50);
  const received = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, () => subscribe(`${serve.url}/api/v1/doctor/runs/${started.runId}/events`)),
  );
  clearInterval(sampler);
  const expected = received.reduce((a, b) => (b.length > a.length ? b : a));
  const complete = received.filter(
    (events) => events.length === expected.length && events.at(-1) === 'run.completed',
  ).length;
  console.log(
    `  ${complete}/${SUBSCRIBERS} subscribers received all ${expected.length} events ending with run.completed: ${verdict(complete === SUBSCRIBERS)}`,
  );
  console.log(
    `  server RSS ${before.toFixed(1)} MB before, ${peak.toFixed(1)} MB peak: growth ${(peak - before).toFixed(1)} MB (target < 50 MB): ${verdict(peak - before < 50)}`,
  );
  await stop(serve.child);
  hung.close();
}

await throughput();
await history();
await subscribers();
