// One connectivity check (`stella doctor --check check.integration.oci.registry`) against the local
// open HTTP registry, next to `skopeo inspect --no-creds` of the test image on the same registry:
// wall-time medians, the ratio, and how many registry requests one run of each makes.
import {
  STELLA,
  accessLogMark,
  emptyAuthFile,
  heading,
  isolatedStella,
  loadEnv,
  measure,
  median,
  printRequests,
  readAccessLog,
  summary,
  timeCommand,
} from './lib.mjs';

const env = loadEnv();
const registry = env.registries.open;
const image = `docker://${registry.host}/${env.image.repository}:${env.image.tag}`;
const authFile = emptyAuthFile();
const { cwd, env: stellaEnv } = isolatedStella();

const commands = {
  'stella --check oci.registry': {
    command: STELLA,
    args: ['doctor', '--check', 'check.integration.oci.registry', '--registry', registry.url, '--format', 'json'],
    env: stellaEnv,
    cwd,
  },
  'skopeo inspect --no-creds': {
    command: 'skopeo',
    args: ['inspect', '--authfile', authFile, '--tls-verify=false', '--no-creds', image],
  },
};
// Node's own start-up, measured in the same rounds: the floor under any `stella` run.
const floor = { 'node -e 0 (floor)': { command: process.execPath, args: ['-e', '0'] } };

heading(`connectivity check vs skopeo inspect — open registry ${registry.url}`);

const times = await measure({ ...commands, ...floor });
for (const [name, values] of Object.entries(times)) console.log(`  ${name.padEnd(28)} ${summary(values)}`);
const [stellaName, skopeoName] = Object.keys(commands);
const ratio = median(times[stellaName]) / median(times[skopeoName]);
const beyondFloor = median(times[stellaName]) - median(times['node -e 0 (floor)']);
console.log(
  `  ratio stella / skopeo = ${ratio.toFixed(2)}x  (stella beyond node's own start-up: ${beyondFloor.toFixed(1)} ms)`,
);

console.log('  registry requests in one run:');
for (const [name, { command, args, env: childEnv, cwd: childCwd }] of Object.entries(commands)) {
  const mark = accessLogMark(registry);
  const result = await timeCommand(command, args, { env: childEnv, cwd: childCwd });
  const entries = readAccessLog(registry, { since: mark });
  let note = '';
  if (name === stellaName) {
    const check = JSON.parse(result.stdout).results?.[0];
    note = check ? ` — severity ${check.severity}` : '';
  }
  console.log(`  ${name.padEnd(28)} ${entries.length} request(s)${note}`);
  printRequests(entries, '      ');
}
