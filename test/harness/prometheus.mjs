// A real Prometheus server (Debian's `prometheus`) for the scrape test: its own configuration and
// TSDB in a temp directory, listening on 127.0.0.1 at a free port, scraping the given targets at a
// short interval. stopPrometheus stops exactly the process it started and removes the directory.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from './registries.mjs';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;

/**
 * @param {{ dir: string, target: string, bearerToken?: string, scrapeInterval?: string }} options
 *   target is host:port of the /metrics endpoint.
 */
export async function startPrometheus({ dir, target, bearerToken, scrapeInterval = '1s' }) {
  mkdirSync(join(dir, 'data'), { recursive: true });
  const [port] = await freePorts(1);
  const auth = bearerToken
    ? `    authorization:\n      type: Bearer\n      credentials_file: ${join(dir, 'token')}\n`
    : '';
  if (bearerToken) writeFileSync(join(dir, 'token'), bearerToken, { mode: 0o600 });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${scrapeInterval}\n  scrape_timeout: ${scrapeInterval}\nscrape_configs:\n  - job_name: stella-doctor\n    static_configs:\n      - targets: ['${target}']\n${auth}`,
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${HOST}:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log.slice(-2000)}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, pid: child.pid, child, dir, log: () => log };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`prometheus did not get ready within ${READY_TIMEOUT_MS} ms: ${log.slice(-2000)}`);
}

/** Stops the server startPrometheus returned and removes its directory. */
export async function stopPrometheus(prometheus) {
  if (prometheus.child.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.child.once('exit', resolve));
    prometheus.child.kill('SIGTERM');
    const timer = setTimeout(() => prometheus.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(prometheus.dir, { recursive: true, force: true });
}
