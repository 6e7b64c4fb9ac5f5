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

/** The verdict on the facts; pure. */
export function judgeRegistry(f: RegistryFacts): CheckOutcome {
  const { connection, probe } = f;
  const url = connection.url;
  if (probe.kind === 'error') {
    const outcome = connectionFailure(connection, probe.error, probe.tls);
    outcome.evidence = {
      ...outcome.evidence,
      status_code: null,
      latency_ms: probe.latencyMs,
      ...tlsEvidence(probe.tls),
    };
    return outcome;
  }
  const { status } = probe;
  const evidence: Evidence = {
    registry_url: url.origin,
    status_code: status,
    is_auth_required: status === 401,
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
  const curl = curlCommand(`${url.origin}/v2/`, {
    show: 'response',
    tls: curlTlsOptions(url, f.caPath, f.skipTlsVerify),
  });

  if (isHttpToHttpsAnswer(status, probe.bodyStart)) {
    return connectionFailure(
      connection,
      { errorClass: 'http_to_https', message: `the server answered 400 "${probe.bodyStart.trim()}"` },
      null,
    );
  }

  if (status >= 300 && status <= 399 && probe.location) {
    let redirected: URL;
    try {
      redirected = redirectTarget(probe.location, probe.url);
    } catch (error) {
      return connectionFailure(connection, error as ConnectionError, null);
    }
    const base = redirected.href.replace(/\/v2\/?$/, '');
    evidence.redirect_location = redirected.href;
    return {
      severity: 'warn',
      diagnosis:
        `The registry redirects GET /v2/ (${status}) to ${redirected.href}: clients that do not follow it, and ` +
        `credentials that must not cross hosts, will fail. Point OCI:RegistryUrl at ${base} directly.`,
      evidence,
      likelyCauses: [
        'OCI:RegistryUrl uses http:// and the server redirects to https://',
        'A reverse proxy or load balancer moved the registry to another host or path',
      ],
      remediation: numbered([probeStep('See the redirect', curl)], setConfigSteps('OCI:RegistryUrl', base)),
    };
  }

  if (status !== 200 && status !== 401) {
    const isForbidden = status === 403;
    return {
      severity: 'warn',
      diagnosis: isForbidden
        ? `The registry answered 403 Forbidden to an anonymous GET /v2/: it is reachable but refuses this client ` +
          `before authentication (IP allowlist, WAF or network policy).`
        : `The registry answered ${status} to GET /v2/ (expected 200 or 401): it is reachable but ` +
          `${status >= 500 ? 'unhealthy' : 'does not behave like an OCI registry at this URL'}.`,
      evidence,
      likelyCauses: isForbidden
        ? [
            'An IP allowlist or firewall rule on the registry does not include this machine',
            'A web application firewall blocks the request',
          ]
        : status >= 500
          ? [
              'The registry backend (storage, database) is failing',
              'A reverse proxy cannot reach the registry behind it',
            ]
          : [
              'OCI:RegistryUrl points at something that is not the registry API (a UI, a path prefix)',
              'A reverse proxy does not forward /v2/',
            ],
      remediation: numbered(
        [probeStep('Reproduce the probe and read the answer', curl)],
        status === 404 ? setConfigSteps('OCI:RegistryUrl', `${url.protocol}//<registry-api-host>`) : [],
      ),
    };
  }

  const days = probe.tls?.daysRemaining;
  const isExpiringSoon = typeof days === 'number' && days < CERT_WARN_DAYS;
  const reachable =
    status === 200
      ? 'The registry is reachable and allows anonymous access to the API'
      : `The registry is reachable and requires authentication (${probe.authScheme ?? 'no challenge'})`;
  if (isExpiringSoon) {
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
  }
  if (f.skipTlsVerify && url.protocol === 'https:') {
    return {
      severity: 'warn',
      diagnosis:
        `${reachable}, but TLS verification is switched off (OCI:SkipTlsVerify=true): anyone on the network path ` +
        `could impersonate the registry.`,
      evidence,
      likelyCauses: ['Skip-verify was set to work around a private CA'],
      remediation: numbered(
        setConfigSteps('OCI:SkipTlsVerify', 'false', [
          ['OCI:CaCertificatePath', '/etc/stellaops/certs/registry-ca.pem'],
        ]),
      ),
    };
  }
  return { severity: 'pass', diagnosis: `${reachable}.`, evidence };
}

export const runRegistryCheck: CheckDefinition['run'] = (ctx, signal) =>
  probeTarget(ctx, signal, async (target) => judgeRegistry(await gatherRegistry(target)), { usesCredential: false });
