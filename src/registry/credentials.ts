// Which credential the OCI checks use, and where it came from: bearer token, username/password,
// a docker config (opt-in), or nothing. Resolution never reveals a secret; it registers every
// secret it reads with the redaction gate.

import type { OciSettings, Setting } from '../config/oci-settings.js';
import { registerCredentialPair, registerSecret } from '../util/redact.js';

export type AuthMethod = 'basic' | 'bearer' | 'anonymous';

export interface ResolvedCredential {
  method: AuthMethod;
  username?: string;
  password?: string;
  token?: string;
  /** An OAuth2 refresh token (docker `identitytoken`), exchanged with grant_type=refresh_token. */
  identityToken?: string;
  /** Where the credential came from, e.g. `env:OCI__Username`, `docker-config:credHelpers`. */
  source: string | null;
  /** A configuration mistake that makes the credential unusable (checked before any request). */
  problem?: { diagnosis: string; missingKey: string };
  /** Notes from the docker-config lookup (not found, helper failed …). */
  dockerConfig?: { status: 'found' | 'not-found' | 'error'; detail: string; helper?: string; exitCode?: number };
}

/**
 * Where a credential came from, never its value: an environment variable or a flag names itself
 * (`env:OCI__Username`, `--username`); a file or `--set` adds the key (`appsettings.Production.json:OCI:Username`).
 */
function describe(setting: Setting): string {
  const namesItself =
    setting.source.startsWith('env:') || (setting.source.startsWith('--') && setting.source !== '--set');
  return namesItself ? setting.source : `${setting.source}:${setting.key}`;
}

/**
 * The credential the checks use. A docker-config credential helper gets `helperTimeoutMs` at most:
 * the run's checks wait on it, so it must answer well within their own timeout.
 */
export async function resolveCredential(
  settings: OciSettings,
  registryHost: string,
  env: Record<string, string | undefined>,
  helperTimeoutMs: number,
): Promise<ResolvedCredential> {
  const { token, username, password } = settings;
  if (token) {
    registerSecret(token.value);
    return { method: 'bearer', token: token.value, source: describe(token) };
  }
  if (username && !password) {
    return {
      method: 'basic',
      username: username.value,
      source: describe(username),
      problem: {
        diagnosis:
          `A username is configured (${describe(username)}) but no password: ` +
          `a secret reference probably did not resolve.`,
        missingKey: 'OCI:Password',
      },
    };
  }
  if (password && !username) {
    registerSecret(password.value);
    return {
      method: 'basic',
      password: password.value,
      source: describe(password),
      problem: {
        diagnosis: `A password is configured (${describe(password)}) but no username, so it cannot be used.`,
        missingKey: 'OCI:Username',
      },
    };
  }
  if (username && password) {
    registerCredentialPair(username.value, password.value);
    return { method: 'basic', username: username.value, password: password.value, source: describe(username) };
  }
  if (settings.dockerConfigPath)
    return fromDockerConfig(settings.dockerConfigPath.value, registryHost, env, helperTimeoutMs);
  return { method: 'anonymous', source: null };
}

async function fromDockerConfig(
  path: string,
  registryHost: string,
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<ResolvedCredential> {
  // Loaded only when a docker config is in play: it brings child_process for credential helpers.
  const { resolveDockerCredential } = await import('./docker-config.js');
  const found = await resolveDockerCredential({
    path: path === 'true' ? undefined : path,
    registryHost,
    env,
    timeoutMs,
  });
  if (found.kind === 'not-found') {
    return {
      method: 'anonymous',
      source: null,
      dockerConfig: {
        status: 'not-found',
        detail:
          `no entry for ${registryHost} (tried ` +
          `${found.triedKeys.join(', ')})${found.hint ? `; ${found.hint}` : ''}`,
      },
    };
  }
  if (found.kind === 'error') {
    return {
      method: 'anonymous',
      source: null,
      dockerConfig: { status: 'error', detail: found.message, helper: found.helper, exitCode: found.exitCode },
    };
  }
  const base = {
    source: found.source,
    dockerConfig: { status: 'found' as const, detail: `entry ${found.matchedKey}`, helper: found.helper },
  };
  if (found.registryToken) return { method: 'bearer', token: found.registryToken, ...base };
  if (found.identityToken)
    return { method: 'basic', username: found.username, identityToken: found.identityToken, ...base };
  return { method: 'basic', username: found.username, password: found.password, ...base };
}
