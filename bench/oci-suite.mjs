// The full OCI suite (all six checks, admin credentials, the test CA) against the local token-auth
// registry, next to one `skopeo inspect` of the test image with the same credentials: wall-time
// medians and ratio (target: suite <= 2.5x skopeo), and for one run of each the registry requests
// (access log) and token requests (token server log), listing what the suite sent and any request
// it sent twice, and a timeline of one extra traced run showing where the suite's time goes.
import {
  STELLA,
  STELLA_NODE_ENTRY,
  accessLogMark,
  duplicates,
  emptyAuthFile,
  heading,
  isolatedStella,
  loadEnv,
  measure,
  median,
  pathsWithSeveralMethods,
  printRequests,
  printTimeline,
  readAccessLog,
  shorten,
  summary,
  timeCommand,
  tokenServerLog,
  tracedRun,
  verdict,
} from './lib.mjs';

const TARGET_RATIO = 2.5;
const env = loadEnv();
const registry = env.registries.token;
const admin = env.users.admin;
const authFile = emptyAuthFile();
const { cwd, env: stellaEnv } = isolatedStella({
  OCI__Username: admin.username,
  OCI__CaCertificatePath: env.caCertPath,
});

const SUITE = 'stella doctor (full run: 6 OCI checks, the rest not configured)';
const PEER = 'skopeo inspect';
const commands = {
  [SUITE]: {
    command: STELLA,
    args: ['doctor', '--registry', registry.url, '--password-stdin', '--format', 'json'],
    input: `${admin.password}\n`,
    env: stellaEnv,
    cwd,
    okCodes: [0, 1], // exit 1 = a check failed; still a complete run, reported below
  },
  [PEER]: {
    command: 'skopeo',
    args: [
      'inspect',
      '--authfile',
      authFile,
      '--cert-dir',
      env.caCertDir,
      '--creds',
      `${admin.username}:${admin.password}`,
      `docker://${registry.host}/${env.image.repository}:${env.image.tag}`,
    ],
  },
  'node -e 0 (floor)': { command: process.execPath, args: ['-e', '0'] },
};
// Started as plain `node bin/stella.cjs`, Node 20 builds its root store from its ~145 bundled
// certificates (~20 ms, with the first TLS context), and where NODE_EXTRA_CA_CERTS is set (this
// machine sets it to the system bundle) parses that file too while it starts (~40 ms): costs skopeo
// never pays and the `stella` command spares Node (see bin/stella). For comparison: the suite
// started that way, and node's own start-up without the variable.
const NODE_DIRECT = 'node bin/stella.cjs (Node builds its root store)';
const UNSET = 'NODE_EXTRA_CA_CERTS unset';
commands[NODE_DIRECT] = {
  ...commands[SUITE],
  command: process.execPath,
  args: [STELLA_NODE_ENTRY, ...commands[SUITE].args],
};
if (process.env.NODE_EXTRA_CA_CERTS) {
  commands[`node -e 0, ${UNSET}`] = {
    command: process.execPath,
    args: ['-e', '0'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
  };
}

heading(`full OCI suite vs skopeo inspect — token registry ${registry.url}`);

const times = await measure(commands);
for (const [name, values] of Object.entries(times)) console.log(`  ${name.padEnd(54)} ${summary(values)}`);
const ratio = median(times[SUITE]) / median(times[PEER]);
console.log(
  `  ratio suite / skopeo = ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x): ${verdict(ratio <= TARGET_RATIO)}`,
);
// The same ratio round by round (each round runs every command once, back to back), which keeps
// the machine's drifting load out of the comparison.
const paired = times[SUITE].map((ms, round) => ms / times[PEER][round]);
const pairedWithin = paired.filter((r) => r <= TARGET_RATIO).length;
console.log(
  `  per-round ratios: median ${median(paired).toFixed(2)}x (min ${Math.min(...paired).toFixed(2)}, max ${Math.max(...paired).toFixed(2)}); ${pairedWithin} of ${paired.length} rounds <= ${TARGET_RATIO}x`,
);
console.log(
  `  suite beyond node's own start-up: ${(median(times[SUITE]) - median(times['node -e 0 (floor)'])).toFixed(1)} ms`,
);
if (times[NODE_DIRECT]) {
  const directRatio = median(times[NODE_DIRECT]) / median(times[PEER]);
  console.log(`  ratio ${NODE_DIRECT} / skopeo = ${directRatio.toFixed(2)}x`);
}

const runs = {};
for (const name of [SUITE, PEER]) runs[name] = await observeOneRun(commands[name]);

console.log('\n  one run of each:');
for (const [name, run] of Object.entries(runs)) {
  console.log(
    `  ${name.padEnd(26)} ${String(run.requests.length).padStart(2)} registry request(s), ${run.tokens.length} token request(s), ${run.ms.toFixed(1)} ms`,
  );
}

const suite = runs[SUITE];
if (suite.report) {
  console.log('\n  suite results (durationMs as reported by each check; checks run in parallel):');
  for (const r of suite.report.results) {
    console.log(`    ${r.checkId.padEnd(36)} ${r.severity.padEnd(5)} ${String(r.durationMs).padStart(5)} ms`);
  }
} else {
  console.log(`\n  suite output was not a JSON report (exit ${suite.code}): ${suite.stderr.trim().split('\n')[0]}`);
}

console.log('\n  registry requests of the suite, in log order (status, method, path):');
printRequests(suite.requests);
const twice = duplicates(suite.requests);
console.log(
  twice.length
    ? '  requests sent more than once (same method, path and query):'
    : '  no request was sent twice (same method, path and query).',
);
for (const [key, statuses] of twice) console.log(`    ${statuses.length}x ${key}  (statuses ${statuses.join(', ')})`);
const multi = pathsWithSeveralMethods(suite.requests);
if (multi.length) console.log('  paths requested with several methods:');
for (const [path, methods] of multi) console.log(`    ${path}: ${methods.join(', ')}`);

console.log('\n  token requests of the suite:');
for (const t of suite.tokens)
  console.log(`    ${t.status} ${t.method} ${t.path} user=${t.user ?? '-'} ${describeScopes(t.query)}`);
const tokenTwice = countDuplicates(suite.tokens.map((t) => `${t.method} ${describeScopes(t.query)}`));
for (const [key, n] of tokenTwice) console.log(`    token request sent ${n}x: ${key}`);

console.log('\n  registry requests of skopeo inspect:');
printRequests(runs[PEER].requests);

const traced = await tracedRun(commands[SUITE]);
console.log(
  `\n  where the time goes (one extra run with bench/trace-http.mjs preloaded, ${traced.ms.toFixed(1)} ms spawn to exit):`,
);
printTimeline(traced.events);

/** One run with the access-log and token-log positions taken just before and after it. */
async function observeOneRun({ command, args, input, env: childEnv, cwd: childCwd }) {
  const tokensBefore = (await tokenServerLog(env)).length;
  const mark = accessLogMark(registry);
  const result = await timeCommand(command, args, { input, env: childEnv, cwd: childCwd });
  const requests = readAccessLog(registry, { since: mark });
  const tokens = (await tokenServerLog(env)).slice(tokensBefore);
  let report = null;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    // skopeo's output, or a broken run: no report
  }
  return { ...result, requests, tokens, report: report?.results ? report : null };
}

function describeScopes(query) {
  const params = new URLSearchParams(query);
  const scopes = params.getAll('scope');
  return scopes.length ? `scope=${scopes.map(shorten).join(' + ')}` : '(no scope)';
}

function countDuplicates(keys) {
  const counts = new Map();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1);
}
