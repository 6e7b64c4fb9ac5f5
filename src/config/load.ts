// Builds the effective Configuration from the layered sources of SPEC 3, later wins: built-in
// defaults; appsettings.json then appsettings.{Environment}.json from the config directory; each
// --config FILE; a dotenv file; process environment variables (`__` stands for `:`); each
// --set Key=Value; then the convenience flags. Every value remembers the source it came from.
// Every value is then validated (validate.ts), its secrets registered with the redaction gate first.

import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, Configuration } from './configuration.js';
import { BUILT_IN_DEFAULTS, DEFAULT_SOURCE } from './defaults.js';
import { parseDotenv } from './dotenv.js';
import { readConfigText } from './files.js';
import { parseJsonConfig } from './json-source.js';
import { validateConfiguration } from './validate.js';

export interface ConfigLoadOptions {
  /** Current directory: relative paths are resolved against it. */
  cwd: string;
  /** --config-dir: where appsettings*.json are read from (default cwd). */
  configDir?: string;
  /** --environment: selects appsettings.{Environment}.json. */
  environment?: string;
  /** Each --config FILE, in order; every one must exist. */
  configFiles?: string[];
  /** --env-file FILE (must exist); without it `.env` in cwd is read when present. */
  envFile?: string;
  /** The process environment. */
  env: Record<string, string | undefined>;
  /** Each --set Key=Value, in order. */
  sets?: string[];
  /** --registry URL → OCI:RegistryUrl */
  registry?: string;
  /** --username U → OCI:Username */
  username?: string;
  /** Read from stdin by the CLI (--password-stdin) → OCI:Password */
  password?: string;
  /** --docker-config [PATH] → OCI:DockerConfigPath; `true` means the default Docker config file. */
  dockerConfig?: string | true;
}

export interface EnvironmentName {
  name: string;
  /** `--environment`, `env:STELLAOPS_ENVIRONMENT`, … or `default`. */
  source: string;
}

const ENVIRONMENT_VARIABLES = ['STELLAOPS_ENVIRONMENT', 'DOTNET_ENVIRONMENT', 'ASPNETCORE_ENVIRONMENT'];

/** --environment, else the first of the environment variables that is set, else `Production`. */
export function resolveEnvironmentName(options: Pick<ConfigLoadOptions, 'environment' | 'env'>): EnvironmentName {
  const flag = options.environment?.trim();
  if (flag) return { name: flag, source: '--environment' };
  for (const variable of ENVIRONMENT_VARIABLES) {
    const value = options.env[variable]?.trim();
    if (value) return { name: value, source: `env:${variable}` };
  }
  return { name: 'Production', source: DEFAULT_SOURCE };
}

/** Throws ConfigError (one line) for unreadable or malformed sources, bad --set arguments and invalid values. */
export function loadConfiguration(options: ConfigLoadOptions): Configuration {
  const config = new Configuration();
  for (const [key, value] of Object.entries(BUILT_IN_DEFAULTS)) config.set({ key, value, source: DEFAULT_SOURCE });
  addAppSettings(config, options);
  for (const file of options.configFiles ?? []) {
    addJsonFile(config, resolve(options.cwd, file), file, `config:${file}`);
  }
  addDotenv(config, options);
  for (const [name, value] of Object.entries(options.env)) {
    if (name === '' || value === undefined) continue;
    config.set({ key: toKey(name), value, source: `env:${name}` });
  }
  for (const assignment of options.sets ?? []) config.set({ ...parseSet(assignment), source: '--set' });
  addFlags(config, options);
  validateConfiguration(config, options.env);
  return config;
}

function addAppSettings(config: Configuration, options: ConfigLoadOptions): void {
  const dir = resolve(options.cwd, options.configDir ?? '.');
  if (options.configDir !== undefined && !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError(`config directory not found: ${options.configDir}`);
  }
  const { name } = resolveEnvironmentName(options);
  for (const file of ['appsettings.json', `appsettings.${name}.json`]) {
    const path = join(dir, file);
    const shown = displayPath(options.cwd, path);
    addJsonFile(config, path, shown, shown, true);
  }
}

function addJsonFile(config: Configuration, path: string, name: string, source: string, optional = false): void {
  const text = readConfigText(path, name, 'config file', optional);
  if (text === undefined) return;
  for (const { key, value } of parseJsonConfig(text, name)) config.set({ key, value, source });
}

function addDotenv(config: Configuration, options: ConfigLoadOptions): void {
  const given = options.envFile;
  const path = resolve(options.cwd, given ?? '.env');
  // `.env` is optional, and is often a Python virtualenv directory rather than a file; anything
  // else named `.env` (a link to a device, say) is read, or refused, like a given file.
  if (given === undefined && (statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? true)) return;
  const name = given ?? '.env';
  const text = readConfigText(path, name, 'env file')!;
  const source = given === undefined ? '.env' : `env-file:${given}`;
  for (const { key, value } of parseDotenv(text, name)) config.set({ key: toKey(key), value, source });
}

function addFlags(config: Configuration, options: ConfigLoadOptions): void {
  const flags: Array<[string | undefined, string, string]> = [
    [options.registry, 'OCI:RegistryUrl', '--registry'],
    [options.username, 'OCI:Username', '--username'],
    [options.password, 'OCI:Password', '--password-stdin'],
    [dockerConfigPath(options), 'OCI:DockerConfigPath', '--docker-config'],
  ];
  for (const [value, key, source] of flags) {
    if (value !== undefined) config.set({ key, value, source });
  }
}

/** `--docker-config` without a path: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
function dockerConfigPath(options: ConfigLoadOptions): string | undefined {
  if (options.dockerConfig !== true) return options.dockerConfig;
  return join(options.env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

function parseSet(assignment: string): { key: string; value: string } {
  const equals = assignment.indexOf('=');
  if (equals < 0) throw new ConfigError(`invalid --set "${assignment}": expected Key=Value`);
  const key = assignment.slice(0, equals).trim();
  // The value is not echoed: it may be a secret.
  if (key === '') throw new ConfigError('invalid --set "=…": the key before "=" is empty');
  return { key: toKey(key), value: assignment.slice(equals + 1) };
}

/** Environment-variable spelling to configuration key: `OCI__RegistryUrl` → `OCI:RegistryUrl`. */
function toKey(name: string): string {
  return name.replaceAll('__', ':');
}

/** A path inside cwd is shown relative to it (`appsettings.json`, `conf/appsettings.json`), any other absolute. */
function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
