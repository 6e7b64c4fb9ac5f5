// The verdict every OCI check gives when the registry cannot be reached: the named cause, its
// one-line fix, the certificate facts when TLS was the problem, and steps per environment.

import type { CheckOutcome, Evidence } from '../../../engine/types.js';
import type { ConnectionErrorClass } from '../../../net/errors.js';
import { fixFor } from '../../../net/errors.js';
import type { TlsFacts } from '../../../net/tls-facts.js';
import type { CredentialOriginError, InsecureCredentialsError } from '../../../net/credential-gate.js';
import type { CredentialsWithheldError } from '../../../registry/session.js';
import type { OciTarget } from '../oci/oci-context.js';
import { curlTlsOptions, fromWherePlatformRuns, numbered, probeStep, setConfigSteps, type Step } from './remediation.js';

const CAUSES: Record<ConnectionErrorClass, string[]> = {
  dns: ['The host name in OCI:RegistryUrl is misspelled', 'This machine uses a DNS server that does not know the registry (split-horizon DNS, missing hosts entry)'],
  refused: ['The registry process is not running', 'The port in OCI:RegistryUrl is wrong', 'The registry listens only on another interface (for example 127.0.0.1 on another host)'],
  timeout: ['A firewall or security group drops the traffic', 'The registry is overloaded or hung', 'A proxy is required but not configured (HTTPS_PROXY)'],
  reset: ['A load balancer or TLS offloader closes the connection', 'The registry crashed while answering'],
  unreachable: ['No route to the registry network (VPN down, wrong subnet)', 'A network policy blocks egress'],
  tls_untrusted: ['The registry uses a private or self-signed CA that this machine does not trust', 'An intermediate certificate is missing from the registry\'s chain', 'A TLS-inspecting proxy re-signs the traffic'],
  tls_hostname: ['OCI:RegistryUrl uses a name or IP address that the certificate does not list', 'The certificate was issued for another host'],
  tls_expired: ['The registry certificate has expired and was not renewed', 'This machine\'s clock is wrong'],
  tls_handshake: ['The registry and this client share no TLS version or cipher', 'Something that is not TLS answers on this port'],
  https_to_http: ['The registry serves plain HTTP on this port but OCI:RegistryUrl says https://'],
  http_to_https: ['The registry serves TLS on this port but OCI:RegistryUrl says http://'],
  proxy: ['The proxy in HTTPS_PROXY/HTTP_PROXY is down or refuses CONNECT', 'The proxy requires credentials', 'The registry host should be in NO_PROXY'],
  redirect: ['A reverse proxy redirects /v2/ in a loop (for example http↔https)', 'OCI:RegistryUrl points at a login page'],
  aborted: ['The run was cancelled'],
  unknown: ['An unexpected network error'],
};

export function tlsEvidence(tls: TlsFacts | null): Evidence {
  return {
    tls_protocol: tls?.protocol ?? null,
    tls_subject: tls?.subject ?? null,
    tls_issuer: tls?.issuer ?? null,
    tls_san: tls?.san ?? [],
    tls_not_after_utc: tls?.notAfterUtc ?? null,
    tls_days_remaining: tls?.daysRemaining ?? null,
  };
}

function stepsFor(errorClass: ConnectionErrorClass, target: OciTarget): Step[] {
  const url = target.session.baseUrl;
  const { settings } = target;
  const view = { url, caPath: settings.caCertificatePath?.value, skipTlsVerify: settings.skipTlsVerify };
  const verbose = (origin: string, tls: string): string => `curl -sv${tls} ${origin}/v2/ -o /dev/null`;
  const curl = verbose(url.origin, curlTlsOptions(url, view.caPath, view.skipTlsVerify));
  const reproduce = probeStep('Reproduce the probe and read the connection and TLS details', curl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  switch (errorClass) {
    case 'tls_untrusted':
      return [
        reproduce,
        probeStep('See the certificate chain the registry presents', `openssl s_client -connect ${url.hostname}:${port} -servername ${url.hostname} -showcerts </dev/null`),
        ...setConfigSteps('OCI:CaCertificatePath', '/etc/stellaops/certs/registry-ca.pem'),
        {
          environment: 'kubernetes',
          description: 'Ship the CA as a ConfigMap mounted at that path',
          command: `kubectl create configmap stellaops-registry-ca --from-file=registry-ca.pem=./registry-ca.pem --dry-run=client -o yaml | kubectl apply -f -`,
          safe: false,
        },
      ];
    case 'tls_hostname':
      return [
        reproduce,
        probeStep('List the names the certificate is valid for', `openssl s_client -connect ${url.hostname}:${port} </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName`),
        ...setConfigSteps('OCI:RegistryUrl', `${url.protocol}//<name-from-the-certificate>${url.port ? `:${url.port}` : ''}`),
      ];
    case 'tls_expired':
      return [reproduce, probeStep('Show the certificate dates', `openssl s_client -connect ${url.hostname}:${port} </dev/null 2>/dev/null | openssl x509 -noout -dates`), probeStep('Check this machine\'s clock', 'date -u')];
    case 'https_to_http':
      return [reproduce, ...setConfigSteps('OCI:RegistryUrl', `http://${url.host}`)];
    case 'http_to_https':
      return [reproduce, ...setConfigSteps('OCI:RegistryUrl', `https://${url.host}`)];
    case 'dns':
      return [reproduce, probeStep('Resolve the name the way this machine does', `getent hosts ${url.hostname}`), ...setConfigSteps('OCI:RegistryUrl', url.origin)];
    case 'proxy':
      return [
        reproduce,
        probeStep('Show the proxy settings this process sees', 'env | grep -i _proxy'),
        { environment: 'compose', description: `Exempt the registry from the proxy in the platform service's environment`, command: `echo 'NO_PROXY=${url.hostname}' >> .env
docker compose up -d`, safe: false },
        {
          environment: 'baremetal',
          description: 'Exempt the registry from the proxy in the service unit',
          command: `sudo systemctl edit stellaops-platform   # add: [Service] Environment=NO_PROXY=${url.hostname}
sudo systemctl restart stellaops-platform`,
          safe: false,
        },
        { environment: 'kubernetes', description: 'Exempt the registry from the proxy in the deployment', command: `kubectl set env deployment/stellaops-platform NO_PROXY=${url.hostname}`, safe: false },
      ];
    case 'refused':
      return [
        reproduce,
        { environment: 'compose', description: 'Check that the registry container is up and publishes the port', command: `docker compose ps\ndocker compose logs --tail=50 registry`, safe: true },
        { environment: 'baremetal', description: 'Check the registry service and what listens on the port', command: `systemctl status docker-registry --no-pager\nss -ltnp | grep ':${port}'`, safe: true },
        { environment: 'kubernetes', description: 'Check the registry service has ready endpoints', command: `kubectl get svc,endpoints -A | grep -i registry`, safe: true },
      ];
    default:
      return [reproduce, ...fromWherePlatformRuns('Test the same path', view, verbose), { environment: 'baremetal', description: 'Trace the network path to the registry', command: `tracepath -p ${port} ${url.hostname}`, safe: true }];
  }
}

/** The fail verdict for an unreachable registry, shared by every OCI check. */
export function connectionFailure(
  target: OciTarget,
  error: { errorClass: ConnectionErrorClass; message: string; detail?: string },
  tls: TlsFacts | null,
  what = 'The registry cannot be reached',
): CheckOutcome {
  const fix = fixFor(error.errorClass);
  const guessed = target.settings.registryUrl?.normalizedFrom;
  const schemeNote = guessed !== undefined ? ` (OCI:RegistryUrl '${guessed}' names no scheme: tried ${target.session.baseUrl.origin}; plain HTTP registries need http://)` : '';
  return {
    severity: 'fail',
    diagnosis: `${what} (${error.errorClass}): ${error.message}${schemeNote}. ${fix}`,
    evidence: {
      registry_url: target.session.baseUrl.origin,
      error_class: error.errorClass,
      error_message: error.detail ?? error.message,
      ...(tls ? tlsEvidence(tls) : {}),
    },
    likelyCauses: CAUSES[error.errorClass],
    remediation: numbered(stepsFor(error.errorClass, target)),
  };
}

/** The fail verdict when credentials would have crossed plain HTTP to a remote host. */
export function insecureCredentialsFailure(target: OciTarget, error: InsecureCredentialsError): CheckOutcome {
  return {
    severity: 'fail',
    diagnosis: `Credentials were not sent: ${target.host} is reached over plain HTTP and is not a loopback address, so the password or token would travel unencrypted.`,
    evidence: { registry_url: target.session.baseUrl.origin, is_insecure_transport: true, blocked_url_host: error.url.host },
    likelyCauses: ['OCI:RegistryUrl uses http:// for a remote registry', 'The token realm named by the registry uses http://'],
    remediation: numbered(setConfigSteps('OCI:RegistryUrl', `https://${target.host}`), setConfigSteps('OCI:AllowInsecureCredentials', 'true').map((s) => ({ ...s, description: `${s.description} (only on a network you trust)` }))),
  };
}

/** The fail verdict when a request would have carried credentials to an origin they do not belong to. */
export function credentialOriginFailure(target: OciTarget, error: CredentialOriginError): CheckOutcome {
  return {
    severity: 'fail',
    diagnosis: `Credentials were not sent: the registry pointed a request that needs them at ${error.url.origin}, which is not where they belong (${error.belongsTo ?? target.session.baseUrl.origin}).`,
    evidence: { registry_url: target.session.baseUrl.origin, credentials_withheld_from: error.url.origin },
    likelyCauses: ['A reverse proxy rewrites Location headers to another host or to http://', 'The registry is configured with a different external URL than OCI:RegistryUrl'],
    remediation: numbered(setConfigSteps('OCI:RegistryUrl', error.url.origin).map((s) => ({ ...s, description: `${s.description} (only if that origin is the registry you mean to use)` }))),
  };
}

/** The warning when a redirect took a request to another origin that then asked for the withheld credentials. */
export function credentialsWithheldWarning(target: OciTarget, error: CredentialsWithheldError): CheckOutcome {
  const origin = error.response.credentialsWithheldFrom!;
  return {
    severity: 'warn',
    diagnosis: `The credentials could not be checked: ${target.host} redirected ${error.request} to ${origin}, another origin, so they were withheld from it, and its ${error.response.status} says nothing about them.`,
    evidence: { registry_url: target.session.baseUrl.origin, status_code: error.response.status, credentials_withheld_from: origin, credentials_valid: null, redirected_request: error.request },
    likelyCauses: ['A reverse proxy, CDN or load balancer in front of the registry redirects API requests to another host or to http://', 'OCI:RegistryUrl names a front end rather than the registry\'s API host'],
    remediation: numbered(setConfigSteps('OCI:RegistryUrl', origin).map((s) => ({ ...s, description: `${s.description} (only if that origin is the registry you mean to use)` }))),
  };
}
