// The full suite against a registry that accepts TCP connections and never answers (a server on
// 127.0.0.1 started here), with `--timeout 2s` and credentials so the push check runs too: total
// wall time (target: under 3 s in all, not 2 s per check), every check's severity and start
// offset, and the request timeline of one extra traced run.
import net from 'node:net';
import { STELLA, heading, isolatedStella, median, printTimeline, timeCommand, tracedRun, verdict } from './lib.mjs';

const TARGET_MS = 3000;
const TIMEOUT = '2s';
const KILL_AFTER_MS = 60_000;
const RUNS =
  Number.parseInt(process.env.BENCH_HUNG_RUNS ?? '', 10) > 0 ? Number.parseInt(process.env.BENCH_HUNG_RUNS, 10) : 3;

const sockets = new Set();
let accepted = 0;
const server = net.createServer((socket) => {
  accepted += 1;
  sockets.add(socket);
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
  // Read and discard whatever arrives; never write a byte back.
  socket.resume();
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const url = `http://127.0.0.1:${server.address().port}`;
const { cwd, env } = isolatedStella();
const args = [
  'doctor',
  '--registry',
  url,
  '--timeout',
  TIMEOUT,
  '--username',
  'x',
  '--password-stdin',
  '--format',
  'json',
];

heading(`full suite against a hung registry (${url}, --timeout ${TIMEOUT})`);

const times = [];
let last = null;
let acceptedPerRun = 0;
for (let i = 0; i < RUNS; i += 1) {
  const before = accepted;
  last = await timeCommand(STELLA, args, { input: 'x\n', env, cwd, killAfterMs: KILL_AFTER_MS });
  acceptedPerRun = accepted - before;
  times.push(last.ms);
  if (last.killed) break;
}

const worst = Math.max(...times);
console.log(
  `  wall time: median ${median(times).toFixed(0)} ms, max ${worst.toFixed(0)} ms over ${times.length} run(s)` +
    `${last.killed ? ` (killed after ${KILL_AFTER_MS} ms)` : ''}; exit code ${last.code}`,
);
console.log(`  target: whole run < ${TARGET_MS} ms: ${verdict(worst < TARGET_MS)}`);
console.log(`  connections the hung server accepted in the last run: ${acceptedPerRun}`);

let report = null;
try {
  report = JSON.parse(last.stdout);
} catch {
  console.log(`  no JSON report: ${(last.stderr || last.stdout).trim().split('\n')[0] ?? ''}`);
}
if (report?.results) {
  const firstStart = Math.min(...report.results.map((r) => Date.parse(r.startedAt)));
  console.log('  checks (last run; start = ms after the first check started):');
  for (const r of report.results) {
    const ev = r.evidence ?? {};
    const facts = [
      ev.timed_out !== undefined ? `timed_out=${ev.timed_out}` : null,
      ev.error_class ? `error_class=${ev.error_class}` : null,
      ev.internal_error ? 'internal_error=true' : null,
    ].filter(Boolean);
    const start = Date.parse(r.startedAt) - firstStart;
    console.log(
      `    ${r.checkId.padEnd(36)} ${r.severity.padEnd(5)} start ${String(start).padStart(5)} ms, took ${String(r.durationMs).padStart(5)} ms  ${facts.join(' ')}`,
    );
    console.log(`      ${String(r.diagnosis ?? '').slice(0, 150)}`);
  }
}

const traced = await tracedRun({ command: STELLA, args, input: 'x\n', env, cwd, killAfterMs: KILL_AFTER_MS });
console.log(
  `\n  request timeline (one extra run with bench/trace-http.mjs preloaded, ${traced.ms.toFixed(0)} ms spawn to exit):`,
);
printTimeline(traced.events);

for (const socket of sockets) socket.destroy();
server.close();
