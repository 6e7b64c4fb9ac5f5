// Shared code for the benchmarks: timing a command as a child process (spawn to exit, measured
// with process.hrtime.bigint()), medians, alternating subject/peer runs, the test environment's
// env.json, the registry access log, the token server's request log, and traced extra runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { accessLogMark, readAccessLog } from '../test/harness/registries.mjs';
export { tokenServerLog } from '../test/harness/env.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The `stella` command as installed (the shell wrapper in bin/, see its header). */
export const STELLA = join(ROOT, 'bin', 'stella');
/** The Node entry point behind it, for runs that start Node directly. */
export const STELLA_NODE_ENTRY = join(ROOT, 'bin', 'stella.cjs');

/** Measured runs (after the warm-ups): --runs N, else BENCH_RUNS, else 15. */
export const RUNS = positiveInt(flagValue('--runs') ?? process.env.BENCH_RUNS, 15);
/** Unmeasured warm-up runs: --warmup N, else BENCH_WARMUP, else 2. */
export const WARMUP = positiveInt(flagValue('--warmup') ?? process.env.BENCH_WARMUP, 2, true);

function flagValue(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function positiveInt(text, fallback, zeroAllowed = false) {
  const n = Number(text);
  return Number.isInteger(n) && (n > 0 || (zeroAllowed && n === 0)) ? n : fallback;
}

/**
 * Runs one command as a child process. `ms` is the wall time from just before spawn() to the
 * child's 'exit' event. `input` is written to stdin (stdin is closed either way). A child still
 * running after `killAfterMs` is killed (SIGKILL) and reported with `killed: true`.
 * @returns {Promise<{ ms: number, code: number | string, killed: boolean, stdout: string, stderr: string }>}
 */
export function timeCommand(command, args, { input, env, cwd = ROOT, killAfterMs } = {}) {
  return new Promise((done, fail) => {
    const stdout = [];
    const stderr = [];
    let ms = 0;
    let code = null;
    let killed = false;
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const killer = killAfterMs
      ? setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, killAfterMs)
      : null;
    child.on('exit', (exitCode, signal) => {
      ms = Number(process.hrtime.bigint() - start) / 1e6;
      code = exitCode ?? signal;
      if (killer) clearTimeout(killer);
    });
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', fail);
    child.on('close', () =>
      done({
        ms,
        code,
        killed,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => {}); // a child that exits without reading stdin
    child.stdin.end(input ?? '');
  });
}

/**
 * Times every command WARMUP + RUNS times, interleaved (one run of each per round, the order
 * rotating each round so no command always goes first). Throws when a measured run exits with a
 * code its `okCodes` does not allow (default [0]).
 * @param {Record<string, { command: string, args: string[], input?: string, env?: object, cwd?: string, okCodes?: number[] }>} commands
 * @returns {Promise<Record<string, number[]>>} measured milliseconds per command
 */
export async function measure(commands, { runs = RUNS, warmup = WARMUP } = {}) {
  const names = Object.keys(commands);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + runs; round += 1) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const { command, args, input, env, cwd, okCodes = [0] } = commands[name];
      const result = await timeCommand(command, args, { input, env, cwd });
      if (!okCodes.includes(result.code)) {
        throw new Error(`${name}: exit ${result.code}\n${result.stderr.trim() || result.stdout.trim()}`);
      }
      if (round >= warmup) times[name].push(result.ms);
    }
  }
  return times;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** "median 41.2 ms (min 39.0, max 55.1, n=15)" */
export function summary(values) {
  const fmt = (v) => v.toFixed(1);
  return `median ${fmt(median(values)).padStart(7)} ms  (min ${fmt(Math.min(...values))}, max ${fmt(Math.max(...values))}, n=${values.length})`;
}

export function verdict(met) {
  return met ? 'target met' : 'TARGET MISSED';
}

export function heading(title) {
  console.log(`\n== ${title} ${'='.repeat(Math.max(3, 72 - title.length))}`);
}

/** The test environment described by BENCH_ENV (path to env.json). */
export function loadEnv() {
  const path = process.env.BENCH_ENV;
  if (!path) throw new Error('BENCH_ENV must point at the env.json of a running test environment (see bench/run.sh)');
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A fresh skopeo auth file holding `{}`; removed on exit. */
export function emptyAuthFile() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-skopeo-'));
  const path = join(dir, 'auth.json');
  writeFileSync(path, '{}\n');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return path;
}

/**
 * An empty working directory (removed on exit) and process.env without any OCI__/REGISTRY__
 * variables, so no stray .env, appsettings.json or exported setting changes what `stella` does.
 */
export function isolatedStella(extraEnv = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'bench-cwd-'));
  process.on('exit', () => rmSync(cwd, { recursive: true, force: true }));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OCI|REGISTRY)__/i.test(key)));
  return { cwd, env: { ...env, NO_COLOR: '1', ...extraEnv } };
}

/** "sha256:612771bd…" — digests shortened to 8 hex characters, upload ids to 8 characters. */
export function shorten(path) {
  return path
    .replace(/sha256([:-])([0-9a-f]{8})[0-9a-f]{56}/g, 'sha256$1$2…')
    .replace(/(\/uploads\/)([0-9a-f]{8})[0-9a-f-]{28}/g, '$1$2…');
}

/** A request as "METHOD /path?query", digests and upload ids shortened, the upload _state elided. */
export function requestKey(e) {
  const query = e.query ? `?${safeDecode(e.query.replace(/_state=[^&]*/, '_state=…'))}` : '';
  return `${e.method} ${shorten(e.path + query)}`;
}

/** Requests (method + path + query) that occur more than once, with their statuses. */
export function duplicates(entries) {
  const seen = new Map();
  for (const e of entries) seen.set(requestKey(e), [...(seen.get(requestKey(e)) ?? []), e.status]);
  return [...seen].filter(([, statuses]) => statuses.length > 1);
}

/** Paths requested with more than one method (e.g. HEAD then GET of one manifest). */
export function pathsWithSeveralMethods(entries) {
  const seen = new Map();
  for (const e of entries) {
    const key = shorten(e.path) + (e.query ? '?…' : '');
    seen.set(key, [...(seen.get(key) ?? []), e.method]);
  }
  return [...seen].filter(([, methods]) => new Set(methods).size > 1);
}

export function printRequests(entries, indent = '    ') {
  for (const e of entries) console.log(`${indent}${String(e.status).padEnd(4)} ${requestKey(e)}`);
}

export function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * One extra run with bench/trace-http.mjs preloaded (a little slower than a timed run).
 * @returns {Promise<{ ms: number, code: number | string, stdout: string, stderr: string, events: object[] | null }>}
 */
export async function tracedRun({ command, args, input, env, cwd, killAfterMs }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
  const logPath = join(dir, 'events.json');
  try {
    const result = await timeCommand(command, args, {
      input,
      env: withPreload(env ?? process.env, join(ROOT, 'bench', 'trace-http.mjs'), { BENCH_HTTP_LOG: logPath }),
      cwd,
      killAfterMs,
    });
    let events = null;
    try {
      events = JSON.parse(readFileSync(logPath, 'utf8')).sort((a, b) => a.at - b.at);
    } catch {
      // the process died before writing its trace
    }
    return { ...result, events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The environment with a module preloaded into every Node process started with it (through
 * NODE_OPTIONS, so that it reaches Node behind the `stella` wrapper too), plus extra variables.
 */
export function withPreload(env, modulePath, extra = {}) {
  const options = [env.NODE_OPTIONS, `--import="${modulePath}"`].filter(Boolean).join(' ');
  return { ...env, ...extra, NODE_OPTIONS: options };
}

/** Phases of a traced run and every TLS context, handshake and request in start order. */
export function printTimeline(events, indent = '    ') {
  if (!events) {
    console.log(`${indent}(no trace: the process did not exit normally)`);
    return;
  }
  const at = (name) => events.find((e) => e.event === name)?.at ?? 0;
  // Secure contexts are listed with the network events but do not start the network phase: the
  // `stella` command makes its first (empty) one while it starts (see bin/stella.cjs).
  const network = events.filter((e) => ['request', 'tls-handshake', 'secure-context'].includes(e.event));
  const contexts = events.filter((e) => e.event === 'secure-context');
  const connections = network.filter((e) => e.event !== 'secure-context');
  const firstNet = connections.length ? Math.min(...connections.map((e) => e.at)) : at('exit');
  const lastNet = connections.length ? Math.max(...connections.map((e) => e.at + e.ms)) : at('exit');
  const contextMs = contexts.reduce((sum, e) => sum + e.ms, 0);
  const ms = (v) => `${v.toFixed(1).padStart(7)} ms`;
  console.log(`${indent}node bootstrap        ${ms(at('preload'))}   process start -> first user code`);
  console.log(`${indent}CLI modules + config  ${ms(firstNet - at('preload'))}   -> first connection`);
  console.log(`${indent}network phase         ${ms(lastNet - firstNet)}   first connection -> last answer or abort`);
  if (contexts.length) {
    console.log(
      `${indent}TLS contexts          ${ms(contextMs)}   ${contexts.length} x tls.createSecureContext, ` +
        `with ${contexts.map((e) => e.caCount).join(', ')} CA certificate(s) (synchronous: blocks the event loop)`,
    );
  }
  console.log(`${indent}after the network     ${ms(at('exit') - lastNet)}   -> exit (report, rendering, shutdown)`);
  console.log(`${indent}events (start ms from process start, duration ms):`);
  for (const e of network) {
    let what;
    if (e.event === 'request') {
      const path = shorten(safeDecode(e.path.replace(/_state=[^&]*/, '_state=…'))).slice(0, 100);
      what = `${e.method} ${path} -> ${e.status ?? 'no answer'}${e.reused ? '' : ' (new connection)'}`;
    } else if (e.event === 'tls-handshake') {
      what = `TLS connection to ${e.target} (secure context + handshake)`;
    } else {
      what = `tls.createSecureContext (${e.caCount} CA certificates)`;
    }
    console.log(
      `${indent}  ${e.at.toFixed(1).padStart(7)} ${e.ms.toFixed(1).padStart(7)}  ${e.event.padEnd(14)} ${what}`,
    );
  }
}
