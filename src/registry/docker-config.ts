// Docker's config.json as an opt-in credential source (`--docker-config [PATH]`,
// `OCI:DockerConfigPath`): finds the credential for a registry the way Docker does — credHelpers,
// then credsStore, then auths — running credential helpers with the `docker-credential-<name> get`
// protocol. Every secret is registered with the redaction gate the moment it is read, and nothing a
// helper prints ever reaches a message.

import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readTextWithin, type UnreadableFileError } from '../util/bounded-read.js';
import { registerCredentialPair, registerSecret } from '../util/redact.js';
import { describeJsonError } from '../config/json-source.js';

export type DockerCredentialSource = 'docker-config:auths' | 'docker-config:credHelpers' | 'docker-config:credsStore';

export type DockerCredentialResult =
  | {
      kind: 'found';
      source: DockerCredentialSource;
      /** The config key (or, for a credsStore, the server URL asked) that supplied the credential. */
      matchedKey: string;
      username?: string;
      password?: string;
      /** An OAuth2 refresh token (`identitytoken`, or a helper's `<token>` answer). */
      identityToken?: string;
      /** A ready bearer token (`registrytoken`), sent as is. */
      registryToken?: string;
      /** The helper program that answered, `docker-credential-<name>`. */
      helper?: string;
    }
  | { kind: 'not-found'; triedKeys: string[]; hint?: string }
  | { kind: 'error'; message: string; helper?: string; exitCode?: number };

export type DockerCredentialRequest = {
  /** The config file; `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`, when absent. */
  path?: string;
  /** The registry host (`host[:port]`) or URL; never the token realm's host. */
  registryHost: string;
  /** Environment for the default path and for credential helpers (PATH); the process's when absent. */
  env?: Record<string, string | undefined>;
  /** How long a credential helper may take (never more than the default's 5 s). */
  timeoutMs?: number;
};

type Credential = Pick<
  Extract<DockerCredentialResult, { kind: 'found' }>,
  'username' | 'password' | 'identityToken' | 'registryToken'
>;

/** An `auths` entry: a credential, or an `auth` value that is not base64 of `user:password`. */
type AuthEntry = { key: string; credential: Credential } | { key: string; malformedAuth: true };

type DockerConfig = { auths: AuthEntry[]; credHelpers: Array<[key: string, helper: string]>; credsStore?: string };

type HelperRun = { serverUrl: string; env: Record<string, string | undefined>; timeoutMs: number; path: string };

type HelperAnswer =
  | { kind: 'answer'; username: string; secret: string }
  | { kind: 'not-found' }
  | { kind: 'failed'; message: string; exitCode?: number };

/** The key `docker login` writes for Docker Hub, and the server URL its helpers are asked for. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DOCKER_HUB_KEY = 'index.docker.io';
const DEFAULT_HELPER_TIMEOUT_MS = 5_000;
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_HELPER_OUTPUT_BYTES = 64 * 1024;
/** Helper names become part of a program name: no path separators, nothing a shell would read. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function defaultDockerConfigPath(env: Record<string, string | undefined> = process.env): string {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/**
 * The registry a config key or host names, compared the way Docker does: no `http(s)://`, no path,
 * lower-cased, and Docker Hub's names (`docker.io`, `index.docker.io`, `registry-1.docker.io`,
 * `https://index.docker.io/v1/`) as one.
 */
export function normalizeRegistryKey(keyOrHost: string): string {
  const host = keyOrHost
    .trim()
    .replace(/^https?:\/\//i, '')
    .split('/')[0]!
    .toLowerCase();
  return DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB_KEY : host;
}

export async function resolveDockerCredential(request: DockerCredentialRequest): Promise<DockerCredentialResult> {
  const env = request.env ?? process.env;
  const path = request.path ?? defaultDockerConfigPath(env);
  const config = await loadDockerConfig(path);
  if ('message' in config) return config;

  const target = normalizeRegistryKey(request.registryHost);
  const serverUrl = target === DOCKER_HUB_KEY ? DOCKER_HUB_SERVER : target;
  const run: HelperRun = {
    serverUrl,
    env,
    timeoutMs: Math.min(request.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS, DEFAULT_HELPER_TIMEOUT_MS),
    path,
  };
  const triedKeys: string[] = [];

  const perRegistry = config.credHelpers.find(([key]) => normalizeRegistryKey(key) === target);
  if (perRegistry) {
    triedKeys.push(`credHelpers[${perRegistry[0]}]`);
    const result = await fromHelper(perRegistry[1], 'docker-config:credHelpers', perRegistry[0], run);
    if (result) return result;
  }
  if (config.credsStore !== undefined) {
    triedKeys.push(`credsStore(${config.credsStore})`);
    const result = await fromHelper(config.credsStore, 'docker-config:credsStore', serverUrl, run);
    if (result) return result;
  }
  triedKeys.push(`auths[${serverUrl}]`);
  const matches = config.auths.filter((entry) => normalizeRegistryKey(entry.key) === target);
  const entry = [...matches.filter((m) => m.key === serverUrl), ...matches.filter((m) => m.key !== serverUrl)].find(
    (m) => 'malformedAuth' in m || Object.values(m.credential).some((value) => value !== undefined),
  );
  if (entry && 'malformedAuth' in entry) {
    return {
      kind: 'error',
      message: `the "auth" value of auths["${entry.key}"] in ${path} is not the base64 of user:password`,
    };
  }
  if (entry) return { kind: 'found', source: 'docker-config:auths', matchedKey: entry.key, ...entry.credential };
  const hint = notFoundHint(config, target, run, matches[0]?.key);
  return hint === undefined ? { kind: 'not-found', triedKeys } : { kind: 'not-found', triedKeys, hint };
}

/** Why a lookup missed: an entry without a secret, or a key for a neighbouring host or port. */
function notFoundHint(
  config: DockerConfig,
  target: string,
  run: HelperRun,
  emptyKey: string | undefined,
): string | undefined {
  if (emptyKey !== undefined) {
    const store =
      config.credsStore === undefined
        ? 'but no credsStore is configured'
        : `and credsStore "${config.credsStore}" has none for ${run.serverUrl}`;
    return `auths["${emptyKey}"] in ${run.path} holds no secret: Docker keeps it in a credential store, ${store}`;
  }
  const site = siteOf(target);
  const near = [...config.credHelpers.map(([key]) => key), ...config.auths.map((entry) => entry.key)].find((key) => {
    const other = normalizeRegistryKey(key);
    return other !== target && siteOf(other) === site;
  });
  if (near === undefined) return undefined;
  return (
    `${run.path} has a credential for "${near}" but none for "${run.serverUrl}": credentials are looked up under ` +
    `the registry's own host name and port`
  );
}

/**
 * A host without its port, reduced to its last two labels (`registry.gitlab.com` → `gitlab.com`); IP literals stay
 * whole.
 */
function siteOf(key: string): string {
  const host = key.replace(/:\d+$/, '');
  if (host.startsWith('[') || /^[\d.]+$/.test(host)) return host;
  return host.split('.').slice(-2).join('.');
}

async function loadDockerConfig(path: string): Promise<DockerConfig | { kind: 'error'; message: string }> {
  let text: string;
  try {
    text = readTextWithin(path, MAX_CONFIG_BYTES);
  } catch (error) {
    const { code, message } = error as UnreadableFileError;
    return {
      kind: 'error',
      message:
        code === 'ENOENT' ? `Docker config ${path} does not exist` : `cannot read Docker config ${path}: ${message}`,
    };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { kind: 'error', message: `Docker config ${path} is not valid JSON ${describeJsonError(text, error)}` };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { kind: 'error', message: `Docker config ${path} does not hold a JSON object` };
  }
  const root = document as Record<string, unknown>;
  const credsStore = typeof root.credsStore === 'string' && root.credsStore !== '' ? root.credsStore : undefined;
  return {
    auths: Object.entries(asObject(root.auths)).map(([key, entry]) => readAuthEntry(key, asObject(entry))),
    credHelpers: Object.entries(asObject(root.credHelpers)).filter(
      (pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== '',
    ),
    ...(credsStore === undefined ? {} : { credsStore }),
  };
}

/** Untrusted JSON is read leniently: anything that is not an object reads as an empty one. */
function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function readAuthEntry(key: string, entry: Record<string, unknown>): AuthEntry {
  const [auth, username, password, identityToken, registryToken] = [
    'auth',
    'username',
    'password',
    'identitytoken',
    'registrytoken',
  ].map((field) => (typeof entry[field] === 'string' && entry[field] !== '' ? (entry[field] as string) : undefined));
  registerSecret(auth);
  registerCredentialPair(username, password);
  registerSecret(identityToken);
  registerSecret(registryToken);
  const tokens = { identityToken, registryToken };
  if (auth === undefined) return { key, credential: { username, password, ...tokens } };
  // Like Docker, `auth` wins over separate username/password fields; the password may hold ':'.
  const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(auth) ? Buffer.from(auth, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) return { key, malformedAuth: true };
  const pair = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  registerCredentialPair(pair.username, pair.password);
  return { key, credential: { ...pair, ...tokens } };
}

/** The helper's credential or failure; undefined when it has no credential, so the lookup goes on. */
async function fromHelper(
  name: string,
  source: DockerCredentialSource,
  matchedKey: string,
  run: HelperRun,
): Promise<DockerCredentialResult | undefined> {
  const helper = `docker-credential-${name}`;
  const where = `${source === 'docker-config:credHelpers' ? 'credHelpers' : 'credsStore'} in ${run.path}`;
  if (!HELPER_NAME.test(name))
    return { kind: 'error', message: `"${name}" (${where}) is not a valid credential helper name`, helper };
  const answer = await runHelper(helper, run);
  if (answer.kind === 'not-found') return undefined;
  if (answer.kind === 'failed') {
    const failure = { kind: 'error' as const, message: `${answer.message} (${where})`, helper };
    return answer.exitCode === undefined ? failure : { ...failure, exitCode: answer.exitCode };
  }
  const credential =
    answer.username === '<token>'
      ? { identityToken: answer.secret }
      : { username: answer.username, password: answer.secret };
  return { kind: 'found', source, matchedKey, helper, ...credential };
}

/**
 * `<helper> get` with the server URL on stdin, no shell. Only the exit status and, on success, the
 * JSON answer are used; stderr is not even read. A helper that outlives the timeout is killed.
 */
function runHelper(helper: string, run: HelperRun): Promise<HelperAnswer> {
  return new Promise((resolve) => {
    const child = spawn(helper, ['get'], { env: run.env, stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (answer: HelperAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      child.stdin.destroy();
      child.stdout.destroy();
      resolve(answer);
    };
    const timer = setTimeout(
      () => settle({ kind: 'failed', message: `${helper} timed out after ${run.timeoutMs} ms` }),
      run.timeoutMs,
    );
    child.on('error', (error: NodeJS.ErrnoException) =>
      settle({ kind: 'failed', message: startFailure(helper, error.code) }),
    );
    // A helper may exit without reading its input; the broken pipe is not the failure to report.
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_HELPER_OUTPUT_BYTES)
        settle({ kind: 'failed', message: `${helper} printed more than ${MAX_HELPER_OUTPUT_BYTES} bytes` });
      else chunks.push(chunk);
    });
    child.on('close', (code, signal) =>
      settle(helperAnswer(helper, code, signal, Buffer.concat(chunks).toString('utf8'))),
    );
    child.stdin.end(run.serverUrl);
  });
}

function startFailure(helper: string, code: string | undefined): string {
  if (code === 'ENOENT') return `${helper} is not on PATH`;
  if (code === 'EACCES') return `${helper} is not executable`;
  return `${helper} could not be started (${code ?? 'unknown error'})`;
}

function helperAnswer(
  helper: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stdout: string,
): HelperAnswer {
  if (code === 0) return parseAnswer(helper, stdout);
  if (/credentials not found/i.test(stdout)) return { kind: 'not-found' };
  if (code === null) return { kind: 'failed', message: `${helper} was stopped by ${signal ?? 'a signal'}` };
  return { kind: 'failed', message: `${helper} failed with exit status ${code}`, exitCode: code };
}

function parseAnswer(helper: string, stdout: string): HelperAnswer {
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    answer = undefined;
  }
  const fields = asObject(answer);
  if (typeof fields.Secret !== 'string')
    return {
      kind: 'failed',
      message: `${helper} answered with something other than a {"Username","Secret"} credential`,
    };
  const username = typeof fields.Username === 'string' ? fields.Username : '';
  registerCredentialPair(username, fields.Secret);
  return { kind: 'answer', username, secret: fields.Secret };
}
