// check.integration.oci.registry — can this machine reach the registry and does it speak the
// distribution API? `GET /v2/` without credentials (SPEC 4.1), plus TLS certificate facts and a
// warning when the certificate expires within 14 days.

import type { CheckDefinition, CheckOutcome, Evidence } from '../../../engine/types.js';
import { isHttpToHttpsAnswer, type ConnectionError } from '../../../net/errors.js';
import { headerValue } from '../../../net/http-client.js';
import { rateLimitEvidence } from '../../../registry/operations.js';
import { redirectTarget } from '../../../registry/session.js';
import { probeTarget, type OciTarget } from './oci-context.js';
import { connectionFailure, tlsEvidence } from '../shared/connection-failure.js';
import { curlTlsOptions, numbered, probeStep, setConfigSteps } from '../shared/remediation.js';

export const CERT_WARN_DAYS = 14;

async function probeRegistry(target: OciTarget): Promise<CheckOutcome> {
  const { session, settings } = target;
  const ping = await session.ping();
  if (ping.kind === 'error') {
    const outcome = connectionFailure(target.connection, ping.error, ping.tls);
    outcome.evidence = { ...outcome.evidence, status_code: null, latency_ms: ping.latencyMs, ...tlsEvidence(ping.tls) };
    return outcome;
  }
  const res = ping.response;
  const challenges = await session.challenges();
  const scheme = challenges.challenges[0]?.scheme ?? null;
  const evidence: Evidence = {
    registry_url: session.baseUrl.origin,
    status_code: res.status,
    is_auth_required: res.status === 401,
    auth_scheme: scheme,
    api_version: headerValue(res, 'docker-distribution-api-version'),
    latency_ms: res.latencyMs,
    error_class: null,
    error_message: null,
    is_tls_verify_skipped: settings.skipTlsVerify,
    ...tlsEvidence(res.tls),
    ...rateLimitEvidence(res),
  };
  const curl = `curl -sS -i${curlTlsOptions(session.baseUrl, settings.caCertificatePath?.value, settings.skipTlsVerify)} ${session.baseUrl.origin}/v2/`;

  const bodyText = res.body.toString('utf8', 0, Math.min(res.body.length, 512));
  if (isHttpToHttpsAnswer(res.status, bodyText)) {
    return connectionFailure(target.connection, { errorClass: 'http_to_https', message: `the server answered 400 "${bodyText.trim()}"` }, null);
  }

  const location = headerValue(res, 'location');
  if (res.status >= 300 && res.status <= 399 && location) {
    let redirected: URL;
    try {
      redirected = redirectTarget(location, res.url);
    } catch (error) {
      return connectionFailure(target.connection, error as ConnectionError, null);
    }
    const base = redirected.href.replace(/\/v2\/?$/, '');
    evidence.redirect_location = redirected.href;
    return {
      severity: 'warn',
      diagnosis: `The registry redirects GET /v2/ (${res.status}) to ${redirected.href}: clients that do not follow it, and credentials that must not cross hosts, will fail. Point OCI:RegistryUrl at ${base} directly.`,
      evidence,
      likelyCauses: ['OCI:RegistryUrl uses http:// and the server redirects to https://', 'A reverse proxy or load balancer moved the registry to another host or path'],
      remediation: numbered([probeStep('See the redirect', curl)], setConfigSteps('OCI:RegistryUrl', base)),
    };
  }

  if (res.status !== 200 && res.status !== 401) {
    const isForbidden = res.status === 403;
    return {
      severity: 'warn',
      diagnosis: isForbidden
        ? `The registry answered 403 Forbidden to an anonymous GET /v2/: it is reachable but refuses this client before authentication (IP allowlist, WAF or network policy).`
        : `The registry answered ${res.status} to GET /v2/ (expected 200 or 401): it is reachable but ${res.status >= 500 ? 'unhealthy' : 'does not behave like an OCI registry at this URL'}.`,
      evidence,
      likelyCauses: isForbidden
        ? ['An IP allowlist or firewall rule on the registry does not include this machine', 'A web application firewall blocks the request']
        : res.status >= 500
          ? ['The registry backend (storage, database) is failing', 'A reverse proxy cannot reach the registry behind it']
          : ['OCI:RegistryUrl points at something that is not the registry API (a UI, a path prefix)', 'A reverse proxy does not forward /v2/'],
      remediation: numbered([probeStep('Reproduce the probe and read the answer', curl)], res.status === 404 ? setConfigSteps('OCI:RegistryUrl', `${session.baseUrl.protocol}//<registry-api-host>`) : []),
    };
  }

  const days = res.tls?.daysRemaining;
  const isExpiringSoon = typeof days === 'number' && days < CERT_WARN_DAYS;
  const reachable = res.status === 200 ? 'The registry is reachable and allows anonymous access to the API' : `The registry is reachable and requires authentication (${scheme ?? 'no challenge'})`;
  if (isExpiringSoon) {
    return {
      severity: 'warn',
      diagnosis: `${reachable}, but its TLS certificate expires in ${days} day(s) (${res.tls?.notAfterUtc}).`,
      evidence,
      likelyCauses: ['Certificate renewal (ACME/cert-manager/manual) is not set up or is failing'],
      remediation: numbered([
        probeStep('Show the certificate dates', `openssl s_client -connect ${session.baseUrl.hostname}:${session.baseUrl.port || 443} </dev/null 2>/dev/null | openssl x509 -noout -dates -subject`),
        { environment: 'kubernetes', description: 'With cert-manager, check the certificate and force a renewal', command: 'kubectl get certificate -A\ncmctl renew -n <namespace> <certificate>', safe: false },
        { environment: 'baremetal', description: 'Renew the certificate (certbot shown) and reload the registry', command: 'sudo certbot renew\nsudo systemctl reload docker-registry', safe: false },
        { environment: 'compose', description: 'Replace the certificate files mounted into the registry container and restart it', command: 'docker compose restart registry', safe: false },
      ]),
    };
  }
  if (settings.skipTlsVerify && session.baseUrl.protocol === 'https:') {
    return {
      severity: 'warn',
      diagnosis: `${reachable}, but TLS verification is switched off (OCI:SkipTlsVerify=true): anyone on the network path could impersonate the registry.`,
      evidence,
      likelyCauses: ['Skip-verify was set to work around a private CA'],
      remediation: numbered(setConfigSteps('OCI:SkipTlsVerify', 'false', [['OCI:CaCertificatePath', '/etc/stellaops/certs/registry-ca.pem']])),
    };
  }
  return { severity: 'pass', diagnosis: `${reachable}.`, evidence };
}

export const runRegistryCheck: CheckDefinition['run'] = (ctx, signal) => probeTarget(ctx, signal, probeRegistry, { usesCredential: false });
