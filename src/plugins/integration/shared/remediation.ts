// Remediation steps with the run's real values filled in: the registry host, the repository, and
// the configuration key as an environment variable (compose), a JSON path (bare metal) and a Helm
// value or Kubernetes secret (kubernetes). Secrets always appear as placeholders such as <password>.

import type { RemediationStep } from '../../../engine/types.js';
import { shellDoubleQuote, shellQuote } from '../../../util/shell.js';
import { isLoopbackHost } from '../../../net/credential-gate.js';
import { curlCommand } from './curl-command.js';

export type Step = Omit<RemediationStep, 'order'>;

const APPSETTINGS = '/etc/stellaops/appsettings.Production.json';
const SERVICE = 'stellaops-platform';
const RELEASE = 'stellaops';
const SECRET_NAME = 'stellaops-registry-creds';

/** `OCI:RegistryUrl` → `OCI__RegistryUrl`. */
export function envVarName(key: string): string {
  return key.split(':').join('__');
}

/** Segments joined by dots, an array index (`CI:Systems:1`) as `[1]`, as jq and Helm's --set spell it. */
function dotted(parts: string[]): string {
  return parts.map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`)).join('');
}

/** `OCI:RegistryUrl` → `.OCI.RegistryUrl`, `CI:Systems:1:Token` → `.CI.Systems[1].Token`. */
export function jsonPath(key: string): string {
  return '.' + dotted(key.split(':'));
}

/** An environment variable's name read as a key (`VAULT_ADDR`): it keeps its spelling. */
const ENV_VARIABLE = /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/;

/** `OCI:CaCertificatePath` → `oci.caCertificatePath`, `CI:Systems:1:Url` → `ci.systems[1].url`. */
export function helmValue(key: string): string {
  return dotted(
    key
      .split(':')
      .map((part) =>
        ENV_VARIABLE.test(part)
          ? part
          : part
              .replace(/^[A-Z]+(?=[A-Z][a-z]|$)/, (acronym) => acronym.toLowerCase())
              .replace(/^./, (c) => c.toLowerCase()),
      ),
  );
}

/** Gives consecutive order numbers to steps collected from several builders. */
export function numbered(...groups: Array<Array<Step | RemediationStep>>): RemediationStep[] {
  return groups.flat().map(({ environment, description, command, safe }, i) => ({
    order: i + 1,
    environment,
    description,
    ...(command === undefined ? {} : { command }),
    safe,
  }));
}

/**
 * A value as Compose reads it from `.env`: single-quoted, so it is taken literally (a `$` in
 * `robot$project+name` is not interpolated, a `#` or a space does not end it), with `'` as `\'`.
 */
export function dotenvValue(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

/** A value for `helm --set-string`: a backslash and a comma are escaped (a comma would start another key). */
export function helmSetValue(value: string): string {
  return value.replace(/[\\,]/g, (c) => `\\${c}`);
}

/** Replaces or appends each `NAME='value'` line of `.env` (no sed: the value is data, never a pattern). */
function composeSet(pairs: Array<[string, string]>): string {
  const lines = pairs.map(([key, value]) => {
    const name = envVarName(key);
    const line = shellDoubleQuote(`${name}=${dotenvValue(value)}`);
    return `{ grep -v '^${name}=' .env 2>/dev/null; printf '%s\\n' ${line}; } > .env.new && mv .env.new .env`;
  });
  return [...lines, 'docker compose up -d'].join('\n');
}

/** Sets each key with `jq --arg`, so a value is a JSON string whatever quotes or backslashes it holds. */
function baremetalSet(pairs: Array<[string, string]>): string {
  const args = pairs.map(([, value], i) => `--arg v${i} ${shellQuote(value)}`).join(' ');
  const filter = pairs.map(([key], i) => `${jsonPath(key)} = $v${i}`).join(' | ');
  return [
    `sudo jq ${args} '${filter}' ${APPSETTINGS} > /tmp/appsettings.json \\`,
    `  && sudo mv /tmp/appsettings.json ${APPSETTINGS}`,
    `sudo systemctl restart ${SERVICE}`,
  ].join('\n');
}

/**
 * `--set-string key=value` as one shell word: a numbered key's `[0]` must not meet the shell's
 * globbing, and the value stays a string with Helm's own separators escaped.
 */
const helmSet = (key: string, value: string): string =>
  `--set-string ${shellQuote(`${helmValue(key)}=${helmSetValue(value)}`)}`;

/** Steps that set one or more configuration keys in each environment. Values may be placeholders. */
export function setConfigSteps(key: string, value: string, more: Array<[string, string]> = []): Step[] {
  const pairs: Array<[string, string]> = [[key, value], ...more];
  const names = pairs.map(([k]) => k).join(', ');
  return [
    {
      environment: 'compose',
      description: `Set ${pairs.map(([k]) => envVarName(k)).join(', ')} in .env and recreate the services`,
      command: composeSet(pairs),
      safe: false,
    },
    {
      environment: 'baremetal',
      description: `Set ${pairs.map(([k]) => jsonPath(k)).join(', ')} in ${APPSETTINGS} and restart`,
      command: baremetalSet(pairs),
      safe: false,
    },
    {
      environment: 'kubernetes',
      description: `Set ${names} through the Helm values and roll out`,
      command: `helm upgrade ${RELEASE} ./chart --reuse-values ${pairs.map(([k, v]) => helmSet(k, v)).join(' ')}`,
      safe: false,
    },
  ];
}

/** Steps that store registry credentials in each environment (secrets as placeholders). */
export function credentialSteps(registryUrl: string, username: string | undefined): Step[] {
  const user = username ?? '<username>';
  const host = new URL(registryUrl).host;
  return [
    {
      environment: 'compose',
      description:
        'Put the current credentials in .env (the password from your secret store, never in the compose file) ' +
        'and recreate the services',
      command: composeSet([
        ['OCI:Username', user],
        ['OCI:Password', '<password>'],
      ]),
      safe: false,
    },
    {
      environment: 'baremetal',
      description: `Test the credentials by hand, then store them in ${APPSETTINGS} and restart`,
      command: [
        curlCommand(`${registryUrl}/v2/`, { show: 'status', basicUser: user }),
        baremetalSet([
          ['OCI:Username', user],
          ['OCI:Password', '<password>'],
        ]),
      ].join('\n'),
      safe: false,
    },
    {
      environment: 'kubernetes',
      description: 'Create or update the credentials secret and point the release at it',
      command: [
        `kubectl create secret generic ${SECRET_NAME} \\`,
        `  --from-literal=username=${shellQuote(user)} \\`,
        `  --from-literal=password='<password>' \\`,
        `  --dry-run=client -o yaml | kubectl apply -f -`,
        `helm upgrade ${RELEASE} ./chart --reuse-values --set oci.registryUrl=${shellQuote(registryUrl)} --set ` +
          `oci.existingSecret=${SECRET_NAME}`,
      ].join('\n'),
      safe: false,
    },
    {
      environment: 'any',
      description: `Confirm the account works with the Docker CLI`,
      command: `docker login ${host}`,
      safe: false,
    },
  ];
}

/** How the platform reaches the registry: its URL and TLS settings, as configured. */
export interface PlatformView {
  url: URL;
  caPath: string | undefined;
  skipTlsVerify: boolean;
  /** What the URL names, for the notes and placeholders: `registry` (the default), `Git provider`. */
  noun?: string;
}

/**
 * One read-only command as it runs where the platform runs: its compose service, its service user,
 * its pod. `build` gets the registry origin and curl TLS options as seen from there: inside a
 * container or pod, 127.0.0.1 is that container and host paths do not exist, so a loopback registry
 * becomes host.docker.internal (compose) or a placeholder for its service (Kubernetes), and a CA
 * path a placeholder for where it is mounted; the step says so.
 */
export function fromWherePlatformRuns(
  description: string,
  view: PlatformView,
  build: (origin: string, tls: string) => string,
): Step[] {
  const { url } = view;
  const noun = view.noun ?? 'registry';
  const loopback = isLoopbackHost(url.hostname);
  const port = url.port ? `:${url.port}` : '';
  const inContainer = (host: string, caPlaceholder: string): { origin: string; tls: string } => ({
    origin: loopback ? `${url.protocol}//${host}${port}` : url.origin,
    tls: curlTlsOptions(url, view.caPath === undefined ? undefined : caPlaceholder, view.skipTlsVerify),
  });
  const compose = inContainer('host.docker.internal', '<ca-path-inside-the-container>');
  const pod = inContainer(`<${noun.toLowerCase().replace(/\W+/g, '-')}-service>`, '<ca-path-inside-the-pod>');
  const composeNotes = [
    loopback
      ? `${url.hostname} inside the container is the container itself: host.docker.internal reaches the Docker ` +
        `host (on Linux add extra_hosts: ["host.docker.internal:host-gateway"]), or use the ${noun}'s compose ` +
        `service name`
      : '',
    view.caPath !== undefined && !view.skipTlsVerify && url.protocol === 'https:'
      ? `${view.caPath} is a path on this machine: use the path where the CA is mounted into the container`
      : '',
  ];
  const podNotes = [
    loopback ? `${url.hostname} inside a pod is the pod itself: use the ${noun}'s Service name` : '',
    view.caPath !== undefined && !view.skipTlsVerify && url.protocol === 'https:'
      ? 'use the path where the CA is mounted into the pod'
      : '',
  ];
  const noted = (text: string, notes: string[]): string => [text, ...notes.filter(Boolean)].join('; ');
  return [
    {
      environment: 'compose',
      description: noted(`${description}, from the platform container`, composeNotes),
      command: `docker compose exec platform sh -c ${shellQuote(build(compose.origin, compose.tls))}`,
      safe: true,
    },
    {
      environment: 'baremetal',
      description: `${description}, as the platform's service user`,
      command: `sudo -u stellaops ${build(url.origin, curlTlsOptions(url, view.caPath, view.skipTlsVerify))}`,
      safe: true,
    },
    {
      environment: 'kubernetes',
      description: noted(`${description}, from the platform pod`, podNotes),
      command: `kubectl exec deploy/stellaops-platform -- sh -c ${shellQuote(build(pod.origin, pod.tls))}`,
      safe: true,
    },
  ];
}

/** A read-only command that reproduces the probe (safe to run). */
export function probeStep(description: string, command: string): Step {
  return { environment: 'any', description, command, safe: true };
}

/** `curl` options matching the session's TLS settings for this URL; none for plain http://. */
export function curlTlsOptions(url: URL, caPath: string | undefined, skipVerify: boolean): string {
  if (url.protocol !== 'https:') return '';
  if (skipVerify) return ' -k';
  return caPath ? ` --cacert ${shellQuote(caPath)}` : '';
}
