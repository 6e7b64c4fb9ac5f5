// What every OCI check needs when it probes: the registry URL and the CA file read, and the run's one
// RegistrySession for that registry — created on first use with the token scopes every selected
// check will need, so one token request can serve the whole run.

import type { OciSettings } from '../../../config/oci-settings.js';
import type { CheckContext, CheckOutcome } from '../../../engine/types.js';
import { resolveCredential } from '../../../registry/credentials.js';
import { proxyEnvironment } from '../../../net/proxy.js';
import { ConnectionError } from '../../../net/errors.js';
import { CredentialOriginError, InsecureCredentialsError } from '../../../net/credential-gate.js';
import { CredentialsWithheldError, RegistrySession } from '../../../registry/session.js';
import { readCaBundle } from '../shared/ca-bundle.js';
import {
  connectionFailure,
  credentialOriginFailure,
  credentialsWithheldWarning,
  insecureCredentialsFailure,
  type ConnectionTarget,
} from '../shared/connection-failure.js';
import { CHECK_IDS, isManifestBodyPlanned, plannedScopes, settingsOf } from './preconditions.js';
import { curlCommand } from '../shared/curl-command.js';
import { fromWherePlatformRuns, numbered } from '../shared/remediation.js';

export interface OciTarget {
  settings: OciSettings;
  session: RegistrySession;
  /** host[:port] of the registry, for messages and remediation. */
  host: string;
  /** The registry as connection diagnosis names it: its keys, URL and TLS settings. */
  connection: ConnectionTarget;
  /**
   * The check's own abort signal, for requests only this check makes. Shared (memoised) requests
   * are bounded by their own deadline instead, and cancels of upload sessions or mount links are
   * never aborted: what a probe opened is always closed.
   */
  signal: AbortSignal;
}

type OpenedTarget = Omit<OciTarget, 'signal'> | { failure: CheckOutcome };

/** The session for the configured registry, or a configuration failure to report as the verdict. */
export function openTarget(ctx: CheckContext, signal: AbortSignal): OciTarget | { failure: CheckOutcome } {
  // Resolved once per run: every check shares the URL check, the CA file read and the session.
  const opened = ctx.scope.getOrCreate<OpenedTarget>(
    'oci:target',
    () => resolveTarget(ctx),
    (o) => {
      if ('session' in o) o.session.close();
    },
  );
  return 'failure' in opened ? opened : { ...opened, signal };
}

function resolveTarget(ctx: CheckContext): OpenedTarget {
  const settings = settingsOf(ctx);
  // A valid http(s) URL: the configuration was validated when loaded.
  const url = new URL(settings.registryUrl!.value);
  const ca = settings.caCertificatePath
    ? readCaBundle(settings.caCertificatePath, 'OCI:CaCertificatePath', 'registry')
    : undefined;
  if (ca && 'failure' in ca) return ca;
  const caPem = ca?.pem;
  const session = new RegistrySession(
    {
      registryUrl: url,
      caPem,
      skipTlsVerify: settings.skipTlsVerify,
      allowInsecureCredentials: settings.allowInsecureCredentials,
      requestTimeoutMs: Math.max(100, Math.floor(ctx.timeoutMs * 0.9)),
      proxyEnv: proxyEnvironment(ctx.env),
      plannedScopes: plannedScopes(settings, ctx.plannedNeeds),
      isManifestBodyPlanned: isManifestBodyPlanned(ctx.plannedNeeds),
      userAgent: ctx.userAgent,
    },
    // Half the check's time: what waits on the credential still has time to name a hung helper.
    () => resolveCredential(settings, url.host, ctx.env, Math.max(50, Math.floor(ctx.timeoutMs / 2))),
  );
  return { settings, session, host: url.host, connection: registryConnection(settings, url) };
}

/** The registry as a connection target: its configuration keys and how the platform names it. */
function registryConnection(settings: OciSettings, url: URL): ConnectionTarget {
  return {
    noun: 'registry',
    url,
    urlKey: 'OCI:RegistryUrl',
    ...(settings.registryUrl?.normalizedFrom !== undefined
      ? { schemelessValue: settings.registryUrl.normalizedFrom }
      : {}),
    caKey: 'OCI:CaCertificatePath',
    caPath: settings.caCertificatePath?.value,
    skipTlsVerify: settings.skipTlsVerify,
    probePath: '/v2/',
    urlEvidence: 'registry_url',
    slug: 'registry',
    serviceNames: { systemd: 'docker-registry', compose: 'registry' },
  };
}

/**
 * The body of every OCI check: open the target, run the probe, and turn the failures that every
 * probe can meet (unreachable registry, credentials that must not travel) into verdicts. Probes
 * that use the credential first need a usable credential and a registry that answered `/v2/`.
 */
export async function probeTarget(
  ctx: CheckContext,
  signal: AbortSignal,
  probe: (target: OciTarget) => Promise<CheckOutcome>,
  options: { usesCredential: boolean } = { usesCredential: true },
): Promise<CheckOutcome> {
  const target = openTarget(ctx, signal);
  if ('failure' in target) return target.failure;
  return withEveryEnvironment(withWithheldCredentials(await verdictOf(target, probe, options), target), target);
}

/** Every verdict of a run in which a redirect or Location was denied the credentials says so. */
function withWithheldCredentials(outcome: CheckOutcome, target: OciTarget): CheckOutcome {
  const withheld = target.session.credentialsWithheldFrom;
  if (withheld.length === 0) return outcome;
  return { ...outcome, evidence: { ...outcome.evidence, credentials_withheld_from: withheld.join(', ') } };
}

async function verdictOf(
  target: OciTarget,
  probe: (target: OciTarget) => Promise<CheckOutcome>,
  options: { usesCredential: boolean },
): Promise<CheckOutcome> {
  try {
    if (options.usesCredential) {
      const unusable = await unusableCredential(target);
      if (unusable) return unusable;
      // A registry that did not answer the shared /v2/ probe gets no further requests: every
      // check fails with the same cause at once instead of waiting out its own deadline.
      const ping = await target.session.ping();
      if (ping.kind === 'error') return connectionFailure(target.connection, ping.error, ping.tls);
    }
    return await probe(target);
  } catch (error) {
    if (error instanceof InsecureCredentialsError)
      return insecureCredentialsFailure(target.connection, 'OCI:AllowInsecureCredentials', error);
    if (error instanceof CredentialOriginError) return credentialOriginFailure(target.connection, error);
    if (error instanceof CredentialsWithheldError) return credentialsWithheldWarning(target.connection, error);
    if (error instanceof ConnectionError) return connectionFailure(target.connection, error, null);
    throw error;
  }
}

/**
 * Every warn or fail carries steps for compose, bare metal and Kubernetes. Where a verdict's own
 * steps are registry-side only, the reproduction is added as it runs from where the platform runs
 * (its container, its service user, its pod), which is where network and trust problems differ.
 */
function withEveryEnvironment(outcome: CheckOutcome, target: OciTarget): CheckOutcome {
  if (outcome.severity !== 'warn' && outcome.severity !== 'fail') return outcome;
  const steps = outcome.remediation ?? [];
  const missing = (['compose', 'baremetal', 'kubernetes'] as const).filter(
    (env) => !steps.some((s) => s.environment === env),
  );
  if (missing.length === 0) return outcome;
  const { settings, session } = target;
  const view = {
    url: session.baseUrl,
    caPath: settings.caCertificatePath?.value,
    skipTlsVerify: settings.skipTlsVerify,
  };
  const added = fromWherePlatformRuns('Check what the registry answers', view, (origin, tls) =>
    curlCommand(`${origin}/v2/`, { show: 'response', tls }),
  ).filter((s) => missing.includes(s.environment as (typeof missing)[number]));
  return { ...outcome, remediation: numbered(steps, added) };
}

/**
 * A credential that cannot be used makes every authorization probe meaningless: say so, point at the credentials
 * check.
 */
async function unusableCredential(target: OciTarget): Promise<CheckOutcome | undefined> {
  const credential = await target.session.credential();
  const problem =
    credential.problem?.diagnosis ??
    (credential.dockerConfig?.status === 'error' ? credential.dockerConfig.detail : undefined);
  if (!problem) return undefined;
  return {
    severity: 'fail',
    diagnosis: `The configured credential cannot be used, so this probe would be meaningless: ${problem}`,
    evidence: {
      registry_url: target.session.baseUrl.origin,
      auth_method: credential.method,
      credential_source: credential.source,
      credentials_valid: false,
    },
    likelyCauses: ['A secret reference did not resolve (see check.integration.oci.credentials)'],
    remediation: numbered([
      {
        environment: 'any',
        description: 'Diagnose the credential first',
        command: `stella doctor run --check ${CHECK_IDS.credentials} --verbose`,
        safe: true,
      },
    ]),
  };
}
