// check.integration.oci.registry — can this machine reach the registry and does it speak the
// distribution API? `GET /v2/` without credentials (SPEC 4.1), plus TLS certificate facts and a
// warning when the certificate expires within 14 days.
//
// Two parts: gatherRegistry asks the registry and returns plain facts; judgeRegistry, pure and
// synchronous, turns the facts into the verdict, and the evidence is built from the facts.

import { curlCommand } from '../shared/curl-command.js';
import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { isHttpToHttpsAnswer, type ConnectionError, type ConnectionErrorClass } from '../../../net/errors.js';
import { headerValue } from '../../../net/http-client.js';
import type { TlsFacts } from '../../../net/tls-facts.js';
import { rateLimitEvidence } from '../../../registry/operations.js';
import { productOf, type ProductRecognition } from '../../../registry/products.js';
import { redirectTarget } from '../../../registry/session.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { connectionFailure, tlsEvidence, type ConnectionTarget } from '../shared/connection-failure.js';
import { curlTlsOptions, numbered, probeStep, setConfigSteps } from '../shared/remediation.js';

export const CERT_WARN_DAYS = 14;

/** What the anonymous `GET /v2/` showed: a connection failure, or an answer. */
export interface RegistryFacts {
  connection: ConnectionTarget;
  skipTlsVerify: boolean;
  caPath: string | undefined;
  probe:
    | {
        kind: 'error';
        error: { errorClass: ConnectionErrorClass; message: string; detail?: string };
        tls: TlsFacts | null;
        latencyMs: number;
      }
    | {
        kind: 'answer';
        status: number;
        latencyMs: number;
        /** The scheme of the first challenge (`bearer`, `basic`), when the answer carried one. */
        authScheme: string | null;
        apiVersion: string | null;
        /** The first 512 bytes of the body, to recognise a TLS port answering plain HTTP. */
        bodyStart: string;
        location: string | null;
        /** The URL that answered, against which a relative Location is read. */
        url: URL;
        tls: TlsFacts | null;
        rateLimit: Record<string, string>;
        /** The registry product the answer shows. */
        product: ProductRecognition;
      };
}

async function gatherRegistry(target: OciTarget): Promise<RegistryFacts> {
  const { session, settings } = target;
  const base = {
    connection: target.connection,
    skipTlsVerify: settings.skipTlsVerify,
    caPath: settings.caCertificatePath?.value,
  };
  const ping = await session.ping();
  if (ping.kind === 'error')
    return { ...base, probe: { kind: 'error', error: ping.error, tls: ping.tls, latencyMs: ping.latencyMs } };
  const res = ping.response;
  const challenges = await session.challenges();
  return {
    ...base,
    probe: {
      kind: 'answer',
      status: res.status,
      latencyMs: res.latencyMs,
      authScheme: challenges.challenges[0]?.scheme ?? null,
      apiVersion: headerValue(res, 'docker-distribution-api-version'),
      bodyStart: res.body.toString('utf8', 0, Math.min(res.body.length, 512)),
      location: headerValue(res, 'location'),
      url: res.url,
      tls: res.tls,
      rateLimit: rateLimitEvidence(res),
      product: await productOf(session),
    },
  };
}

type Answer = Extract<RegistryFacts['probe'], { kind: 'answer' }>;

/** What every row of the judge reads when the registry answered, worked out once from the facts. */
interface RegistryCase {
  f: RegistryFacts;
  probe: Answer;
  url: URL;
  evidence: Evidence;
  /** The probe replayed with curl, with the run's TLS options. */
  curl: string;
  /** The first half of a healthy verdict: reachable, and whether anonymously. */
  reachable: string;
}

/** One row of the decision table: its verdict when it applies, else undefined. */
type Row = (c: RegistryCase) => CheckOutcome | undefined;

const plainHttpToTls: Row = ({ f, probe }) =>
  isHttpToHttpsAnswer(probe.status, probe.bodyStart)
    ? connectionFailure(
        f.connection,
        { errorClass: 'http_to_https', message: `the server answered 400 "${probe.bodyStart.trim()}"` },
        null,
      )
    : undefined;

const redirected: Row = ({ f, probe, evidence, curl }) => {
  if (probe.status < 300 || probe.status > 399 || !probe.location) return undefined;
  let target: URL;
  try {
    target = redirectTarget(probe.location, probe.url);
  } catch (error) {
    return connectionFailure(f.connection, error as ConnectionError, null);
  }
  const base = target.href.replace(/\/v2\/?$/, '');
  return {
    severity: 'warn',
    diagnosis:
      `The registry redirects GET /v2/ (${probe.status}) to ${target.href}: clients that do not follow it, and ` +
      `credentials that must not cross hosts, will fail. Point OCI:RegistryUrl at ${base} directly.`,
    evidence: { ...evidence, redirect_location: target.href },
    likelyCauses: [
      'OCI:RegistryUrl uses http:// and the server redirects to https://',
      'A reverse proxy or load balancer moved the registry to another host or path',
    ],
    remediation: numbered([probeStep('See the redirect', curl)], setConfigSteps('OCI:RegistryUrl', base)),
  };
};

function unexpectedStatusCauses(status: number): string[] {
  if (status === 403)
    return [
      'An IP allowlist or firewall rule on the registry does not include this machine',
      'A web application firewall blocks the request',
    ];
  if (status >= 500)
    return [
      'The registry backend (storage, database) is failing',
      'A reverse proxy cannot reach the registry behind it',
    ];
  return [
    'OCI:RegistryUrl points at something that is not the registry API (a UI, a path prefix)',
    'A reverse proxy does not forward /v2/',
  ];
}

const unexpectedStatus: Row = ({ probe: { status }, url, evidence, curl }) =>
  status !== 200 && status !== 401
    ? {
        severity: 'warn',
        diagnosis:
          status === 403
            ? `The registry answered 403 Forbidden to an anonymous GET /v2/: it is reachable but refuses this ` +
              `client before authentication (IP allowlist, WAF or network policy).`
            : `The registry answered ${status} to GET /v2/ (expected 200 or 401): it is reachable but ` +
              `${status >= 500 ? 'unhealthy' : 'does not behave like an OCI registry at this URL'}.`,
        evidence,
        likelyCauses: unexpectedStatusCauses(status),
        remediation: numbered(
          [probeStep('Reproduce the probe and read the answer', curl)],
          status === 404 ? setConfigSteps('OCI:RegistryUrl', `${url.protocol}//<registry-api-host>`) : [],
        ),
      }
    : undefined;

const certificateExpiringSoon: Row = ({ probe, url, evidence, reachable }) => {
  const days = probe.tls?.daysRemaining;
  if (typeof days !== 'number' || days >= CERT_WARN_DAYS) return undefined;
  return {
    severity: 'warn',
    diagnosis: `${reachable}, but its TLS certificate expires in ${days} day(s) (${probe.tls?.notAfterUtc}).`,
    evidence,
    likelyCauses: ['Certificate renewal (ACME/cert-manager/manual) is not set up or is failing'],
    remediation: numbered([
      probeStep(
        'Show the certificate dates',
        `openssl s_client -connect ${url.hostname}:${url.port || 443} </dev/null 2>/dev/null ` +
          `| openssl x509 -noout -dates -subject`,
      ),
      {
        environment: 'kubernetes',
        description: 'With cert-manager, check the certificate and force a renewal',
        command: 'kubectl get certificate -A\ncmctl renew -n <namespace> <certificate>',
        safe: false,
      },
      {
        environment: 'baremetal',
        description: 'Renew the certificate (certbot shown) and reload the registry',
        command: 'sudo certbot renew\nsudo systemctl reload docker-registry',
        safe: false,
      },
      {
        environment: 'compose',
        description: 'Replace the certificate files mounted into the registry container and restart it',
        command: 'docker compose restart registry',
        safe: false,
      },
    ]),
  };
};

const tlsVerifySkipped: Row = ({ f, url, evidence, reachable }) =>
  f.skipTlsVerify && url.protocol === 'https:'
    ? {
        severity: 'warn',
        diagnosis:
          `${reachable}, but TLS verification is switched off (OCI:SkipTlsVerify=true): anyone on the network ` +
          `path could impersonate the registry.`,
        evidence,
        likelyCauses: ['Skip-verify was set to work around a private CA'],
        remediation: numbered(
          setConfigSteps('OCI:SkipTlsVerify', 'false', [
            ['OCI:CaCertificatePath', '/etc/stellaops/certs/registry-ca.pem'],
          ]),
        ),
      }
    : undefined;

/** The decision table for an answer, in order: the first row that applies gives the verdict. */
const ROWS: Row[] = [plainHttpToTls, redirected, unexpectedStatus, certificateExpiringSoon, tlsVerifySkipped];

function answerEvidence(f: RegistryFacts, probe: Answer): Evidence {
  return {
    registry_url: f.connection.url.origin,
    status_code: probe.status,
    is_auth_required: probe.status === 401,
    auth_scheme: probe.authScheme,
    api_version: probe.apiVersion,
    registry_product: probe.product.product,
    registry_product_evidence: probe.product.evidence,
    latency_ms: probe.latencyMs,
    error_class: null,
    error_message: null,
    is_tls_verify_skipped: f.skipTlsVerify,
    ...tlsEvidence(probe.tls),
    ...probe.rateLimit,
  };
}

/** The verdict on the facts; pure. */
export function judgeRegistry(f: RegistryFacts): CheckOutcome {
  const { connection, probe } = f;
  if (probe.kind === 'error') {
    const outcome = connectionFailure(connection, probe.error, probe.tls);
    return {
      ...outcome,
      evidence: { ...outcome.evidence, status_code: null, latency_ms: probe.latencyMs, ...tlsEvidence(probe.tls) },
    };
  }
  const url = connection.url;
  const c: RegistryCase = {
    f,
    probe,
    url,
    evidence: answerEvidence(f, probe),
    curl: curlCommand(`${url.origin}/v2/`, { show: 'response', tls: curlTlsOptions(url, f.caPath, f.skipTlsVerify) }),
    reachable:
      probe.status === 200
        ? 'The registry is reachable and allows anonymous access to the API'
        : `The registry is reachable and requires authentication (${probe.authScheme ?? 'no challenge'})`,
  };
  for (const row of ROWS) {
    const outcome = row(c);
    if (outcome) return outcome;
  }
  return { severity: 'pass', diagnosis: `${c.reachable}.`, evidence: c.evidence };
}

export const runRegistryCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, async (target) => judgeRegistry(await gatherRegistry(target)), { usesCredential: false });
