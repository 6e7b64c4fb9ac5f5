// Real CNCF distribution registries (`docker-registry serve`) for the tests: which instances exist,
// their configuration files, starting and stopping the processes (and those an earlier run that was
// killed left running), and reading their access logs.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { request } from './http.mjs';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;
/** Each registry's pid, written next to its config.yml the moment it starts. */
const PID_FILE = 'registry.pid';

/**
 * The registry instances. `tls` names the certificate served (none: plain HTTP); `realm` says
 * which token server address token registries send clients to.
 */
export const REGISTRY_DEFINITIONS = {
  open: { tls: null, auth: 'none', deleteEnabled: true },
  openNoDelete: { tls: null, auth: 'none', deleteEnabled: false },
  basic: { tls: 'server', auth: 'basic', deleteEnabled: true },
  token: { tls: 'server', auth: 'token', realm: 'token', deleteEnabled: true },
  tokenNoDelete: { tls: 'server', auth: 'token', realm: 'token', deleteEnabled: false },
  tokenDeadRealm: { tls: 'server', auth: 'token', realm: 'dead', deleteEnabled: true },
  tokenRedirectRealm: { tls: 'server', auth: 'token', realm: 'redirect', deleteEnabled: true },
  expiring: { tls: 'expiringSoon', auth: 'none', deleteEnabled: true },
};

/**
 * Asks the OS for `count` distinct free TCP ports on 127.0.0.1 (all held open until every one is
 * picked, so none is handed out twice).
 */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/**
 * Writes the configuration of one registry into `dir`, starts it and waits until it answers on
 * /v2/. Returns its description (as in env.json) and the child process, which `onSpawn` gets as
 * soon as it exists.
 * @param {{ name: string, definition: object, dir: string, port: number, tls?: { certPath: string, keyPath: string },
 *   ca?: Buffer, htpasswdPath?: string, token?: { realm: string, service: string, issuer: string, rootCertBundle: string },
 *   onSpawn?: (child: import('node:child_process').ChildProcess) => void }} options
 */
export async function startRegistry({ name, definition, dir, port, tls, ca, htpasswdPath, token, onSpawn }) {
  const storageDir = join(dir, 'storage');
  mkdirSync(storageDir, { recursive: true });
  const configPath = join(dir, 'config.yml');
  const accessLogPath = join(dir, 'access.log');
  const errorLogPath = join(dir, 'error.log');
  writeFileSync(
    configPath,
    registryConfig({ name, port, storageDir, deleteEnabled: definition.deleteEnabled, tls, htpasswdPath, token }),
  );

  const stdout = openSync(accessLogPath, 'a');
  const stderr = openSync(errorLogPath, 'a');
  const child = spawn('docker-registry', ['serve', configPath], {
    stdio: ['ignore', stdout, stderr],
    env: environmentWithoutRegistryOverrides(),
  });
  onSpawn?.(child);
  closeSync(stdout);
  closeSync(stderr);
  await once(child, 'spawn');
  writeFileSync(join(dir, PID_FILE), `${child.pid}\n`);

  const url = `${tls ? 'https' : 'http'}://${HOST}:${port}`;
  try {
    await waitUntilServing(child, url, ca, errorLogPath);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }

  const info = {
    name,
    url,
    host: `${HOST}:${port}`,
    port,
    tls: Boolean(tls),
    auth: definition.auth,
    deleteEnabled: definition.deleteEnabled,
    storageDir,
    configPath,
    accessLogPath,
    errorLogPath,
  };
  if (tls) info.certPath = tls.certPath;
  if (token) Object.assign(info, { realm: token.realm, service: token.service });
  return { info, child };
}

/** distribution reads REGISTRY_* variables as configuration overrides: keep them away from it. */
function environmentWithoutRegistryOverrides() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toUpperCase().startsWith('REGISTRY_')));
}

/** The YAML configuration; every value is written as a JSON string, which YAML reads as is. */
function registryConfig({ name, port, storageDir, deleteEnabled, tls, htpasswdPath, token }) {
  const q = JSON.stringify;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  fields:',
    `    registry: ${q(name)}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(storageDir)}`,
    '  delete:',
    `    enabled: ${deleteEnabled}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(`${HOST}:${port}`)}`,
    `  secret: ${q(randomBytes(16).toString('hex'))}`,
  ];
  if (tls) lines.push('  tls:', `    certificate: ${q(tls.certPath)}`, `    key: ${q(tls.keyPath)}`);
  if (htpasswdPath) lines.push('auth:', '  htpasswd:', '    realm: "stella-test"', `    path: ${q(htpasswdPath)}`);
  if (token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${q(token.realm)}`,
      `    service: ${q(token.service)}`,
      `    issuer: ${q(token.issuer)}`,
      `    rootcertbundle: ${q(token.rootCertBundle)}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function waitUntilServing(child, url, ca, errorLogPath) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`registry at ${url} exited during start-up:\n${tail(errorLogPath)}`);
    }
    try {
      await request(`${url}/v2/`, { ca, timeoutMs: 1_000 });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`registry at ${url} did not answer on /v2/ within ${READY_TIMEOUT_MS} ms:\n${tail(errorLogPath)}`);
}

function tail(path) {
  return readFileSync(path, 'utf8').split('\n').slice(-10).join('\n');
}

/** SIGTERM, then SIGKILL when the process has not exited after a short grace period. */
export async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Stops the registries that an earlier run started under `registriesDir` and left running (a run
 * killed with SIGKILL cannot stop them). Only a process recorded in a registry's pid file whose
 * command line is still `docker-registry serve <that registry's config.yml>` is signalled, so a
 * reused pid or anybody else's registry is left alone.
 */
export async function stopLeftoverRegistries(registriesDir) {
  if (!existsSync(registriesDir)) return;
  const leftovers = readdirSync(registriesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(registriesDir, entry.name, PID_FILE)))
    .map((entry) => {
      const dir = join(registriesDir, entry.name);
      return { pid: Number(readFileSync(join(dir, PID_FILE), 'utf8').trim()), configPath: join(dir, 'config.yml') };
    })
    .filter(({ pid, configPath }) => Number.isInteger(pid) && pid > 0 && isRegistryServing(pid, configPath))
    .map(({ pid }) => pid);
  for (const pid of leftovers) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (leftovers.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const pid of leftovers.filter(isRunning)) process.kill(pid, 'SIGKILL');
}

/** Whether `pid` is a running `docker-registry serve <configPath>`. */
function isRegistryServing(pid, configPath) {
  let argv;
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  return (
    argv[0].split('/').pop() === 'docker-registry' && argv[1] === 'serve' && argv[2] === configPath && isRunning(pid)
  );
}

/** Whether the process exists and has not exited (a zombie waiting to be reaped counts as gone). */
export function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

// Combined log format: 127.0.0.1 - - [date] "GET /v2/ HTTP/1.1" 401 87 "referer" "user agent"
const ACCESS_LOG_LINE = /^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "[^"]*" "([^"]*)"/;

/** A position in the registry's access log; pass it as `since` to see only later requests. */
export function accessLogMark(registry) {
  return statSync(registry.accessLogPath).size;
}

/**
 * The registry's access log as entries: { method, path, query, status, size, userAgent, time },
 * `path` without the query string, `query` without the leading '?'. distribution writes the line
 * before Go flushes a small response, so a request is in the log once its answer has arrived
 * (only a large body can reach the client before its line is written).
 * @param {{ accessLogPath: string }} registry
 * @param {{ since?: number }} [options]
 */
export function readAccessLog(registry, { since = 0 } = {}) {
  const text = readFileSync(registry.accessLogPath).subarray(since).toString('utf8');
  const entries = [];
  for (const line of text.split('\n')) {
    const match = ACCESS_LOG_LINE.exec(line);
    if (!match) continue;
    const [, remote, time, method, target, status, size, userAgent] = match;
    const queryAt = target.indexOf('?');
    entries.push({
      method,
      path: queryAt < 0 ? target : target.slice(0, queryAt),
      query: queryAt < 0 ? '' : target.slice(queryAt + 1),
      status: Number(status),
      size: size === '-' ? 0 : Number(size),
      userAgent,
      remote,
      time,
    });
  }
  return entries;
}

/**
 * How many access-log entries match `filter` ({ method, path: string | RegExp, status }).
 * @param {{ accessLogPath: string }} registry
 */
export function countRequests(registry, filter = {}, { since = 0 } = {}) {
  return readAccessLog(registry, { since }).filter(
    (entry) =>
      (filter.method === undefined || entry.method === filter.method) &&
      (filter.status === undefined || entry.status === filter.status) &&
      (filter.path === undefined ||
        (filter.path instanceof RegExp ? filter.path.test(entry.path) : entry.path === filter.path)),
  ).length;
}
