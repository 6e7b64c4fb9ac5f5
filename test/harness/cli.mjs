#!/usr/bin/env node
// Command line for the test environment, for scripts that run outside the test runner:
//   node test/harness/cli.mjs up --dir DIR     start everything, write DIR/env.json, run until signalled
//   node test/harness/cli.mjs down --dir DIR   stop the `up` process running for DIR
// `up` keeps running because the token server lives in its process; `env.json` appears once
// every registry is serving and holds the test image.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startTestEnvironment, stopTestEnvironment } from './env.mjs';
import { isRunning } from './registries.mjs';

const USAGE = 'usage: node test/harness/cli.mjs up|down --dir DIR';
const DOWN_TIMEOUT_MS = 10_000;

const [command, ...rest] = process.argv.slice(2);
const dirFlag = rest.indexOf('--dir');
if (!['up', 'down'].includes(command) || dirFlag < 0 || !rest[dirFlag + 1]) {
  console.error(USAGE);
  process.exit(2);
}
const dir = resolve(rest[dirFlag + 1]);
const pidPath = join(dir, 'harness.pid');

if (command === 'up') await up();
else await down();

async function up() {
  const running = runningHarnessPid();
  if (running !== null) {
    console.error(`a test environment is already running for ${dir} (pid ${running})`);
    process.exit(1);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(pidPath, `${process.pid}\n`);

  // Signals are handled from the start, so a `down` during start-up still stops every process.
  const starting = startTestEnvironment({ dir });
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the test environment`);
    const env = await starting.catch(() => null);
    if (env) await stopTestEnvironment(env);
    rmSync(pidPath, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    const env = await starting;
    if (!stopping) printSummary(env);
  } catch (error) {
    rmSync(pidPath, { force: true });
    throw error;
  }
}

async function down() {
  const pid = runningHarnessPid();
  if (pid === null) {
    console.log(`no test environment is running for ${dir}`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + DOWN_TIMEOUT_MS;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      console.error(`pid ${pid} did not stop within ${DOWN_TIMEOUT_MS} ms`);
      process.exit(1);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  console.log(`stopped the test environment for ${dir} (pid ${pid})`);
}

/** The pid in DIR/harness.pid when that process is alive and is this harness's `up`. */
function runningHarnessPid() {
  if (!existsSync(pidPath)) return null;
  const pid = Number(readFileSync(pidPath, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return null;
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return cmdline.some((arg) => arg.endsWith('cli.mjs')) && cmdline.includes('up') ? pid : null;
}

function printSummary(env) {
  const lines = [`test environment up in ${env.startupMs} ms (pid ${process.pid})`];
  for (const registry of Object.values(env.registries)) {
    const details = [registry.auth, registry.deleteEnabled ? 'delete' : 'no delete'];
    if (registry.realm) details.push(`realm ${registry.realm}`);
    lines.push(`  ${registry.name.padEnd(20)} ${registry.url.padEnd(26)} ${details.join(', ')}`);
  }
  lines.push(`  ${'token server'.padEnd(20)} ${env.tokenServer.url}`);
  lines.push(`  image ${env.image.repository}:${env.image.tag} ${env.image.manifestDigest}`);
  lines.push(`  env: ${env.envPath}`);
  console.log(lines.join('\n'));
}
