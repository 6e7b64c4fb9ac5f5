// The verdict any check gives when the system it probes cannot be reached: the named cause in
// words, its fix, the certificate facts when TLS was the problem, and steps per environment. It
// knows the target only by its configuration keys, URL and names, so a registry, a Git provider or
// a Vault server get the same named causes with their own keys in the fixes.

import type { CheckOutcome, Evidence } from '../../../engine/types.js';
import type { CredentialOriginError, InsecureCredentialsError } from '../../../net/credential-gate.js';
import type { ConnectionErrorClass } from '../../../net/errors.js';
import type { TlsFacts } from '../../../net/tls-facts.js';
import type { CredentialsWithheldError } from '../../../registry/session.js';
import { curlCommand } from './curl-command.js';
import {
  curlTlsOptions,
  fromWherePlatformRuns,
  numbered,
  probeStep,
  setConfigSteps,
  type Step,
} from './remediation.js';

/** A system a check connects to, as the diagnosis names it. */
export interface ConnectionTarget {
  /** What it is, for sentences: `registry`, `Git provider`, `Vault server`. */
  noun: string;
  /** The URL the check used. */
  url: URL;
  /** The configuration key of that URL (`OCI:RegistryUrl`). */
  urlKey: string;
  /** The value as configured, when it named no scheme and https:// was assumed. */
  schemelessValue?: string;
  /** The configuration key of its CA file (`OCI:CaCertificatePath`), and the file, if set. */
  caKey: string;
  caPath: string | undefined;
  skipTlsVerify: boolean;
  /** The path a reproduction asks for (`/v2/`). */
  probePath: string;
  /** The evidence key of the URL (`registry_url`). */
  urlEvidence: string;
  /** A short name for files and objects about it (`registry` → `stellaops-registry-ca`). */
  slug: string;
  /** Names the service goes by: its systemd unit and its compose service. */
  serviceNames: { systemd: string; compose: string };
}

/** The one-line fix of each cause, with the target's own keys. */
const FIXES: Record<ConnectionErrorClass, (t: ConnectionTarget) => string> = {
  dns: (t) =>
    `The host name does not resolve: check the spelling of ${t.urlKey} and the ` +
    `DNS/hosts configuration of this machine.`,
  refused: (t) =>
    `Nothing listens on that host and port: check the port in ${t.urlKey} and that the ${t.noun} is running.`,
  timeout: (t) =>
    `The ${t.noun} did not answer in time: check firewalls, security groups and proxies between here and the ` +
    `${t.noun}, and whether it is overloaded.`,
  reset: (t) =>
    `The connection was cut by the other side: check load balancers, proxies and TLS offloaders in front of ` +
    `the ${t.noun}.`,
  unreachable: (t) => `No network route to the ${t.noun}: check routing, VPN and network policies.`,
  tls_untrusted: (t) =>
    `The certificate is not signed by a trusted CA: set ${t.caKey} (or NODE_EXTRA_CA_CERTS) to the PEM of the ` +
    `${t.noun}'s CA. Like Node, Stella Doctor trusts Mozilla's roots as bundled with Node, not the system ` +
    `trust store: to trust that too, name its bundle (/etc/ssl/certs/ca-certificates.crt on Debian).`,
  tls_hostname: (t) =>
    `The certificate does not name this host: use a host name listed in the certificate's SANs in ${t.urlKey}, ` +
    `or reissue the certificate with this name.`,
  tls_expired: (t) =>
    `The certificate is expired or not yet valid: renew the ${t.noun}'s certificate (and check this machine's clock).`,
  tls_handshake: (t) =>
    `The TLS handshake failed: check the TLS versions and ciphers the ${t.noun} and any TLS offloader accept.`,
  https_to_http: (t) =>
    `The ${t.noun} speaks plain HTTP on this port: use http:// in ${t.urlKey} (only on a trusted network) or ` +
    `enable TLS on the ${t.noun}.`,
  http_to_https: (t) => `The ${t.noun} expects TLS on this port: use https:// in ${t.urlKey}.`,
  proxy: (t) =>
    `The proxy refused or failed the connection: check HTTPS_PROXY/HTTP_PROXY, the proxy credentials, and ` +
    `NO_PROXY for the ${t.noun}'s host.`,
  redirect: (t) =>
    `The ${t.noun} redirected in a loop, too often or to something that is not http(s): check ${t.urlKey} and ` +
    `any reverse proxy rewriting it.`,
  aborted: () => 'The request was cancelled before it finished.',
  unknown: (t) =>
    `An unexpected network error: run the verification command with --verbose and check the ${t.noun}'s logs.`,
};

const CAUSES: Record<ConnectionErrorClass, (t: ConnectionTarget) => string[]> = {
  dns: (t) => [
    `The host name in ${t.urlKey} is misspelled`,
    `This machine uses a DNS server that does not know the ${t.noun} (split-horizon DNS, missing hosts entry)`,
  ],
  refused: (t) => [
    `The ${t.noun} process is not running`,
    `The port in ${t.urlKey} is wrong`,
    `The ${t.noun} listens only on another interface (for example 127.0.0.1 on another host)`,
  ],
  timeout: (t) => [
    'A firewall or security group drops the traffic',
    `The ${t.noun} is overloaded or hung`,
    'A proxy is required but not configured (HTTPS_PROXY)',
  ],
  reset: (t) => ['A load balancer or TLS offloader closes the connection', `The ${t.noun} crashed while answering`],
  unreachable: (t) => [
    `No route to the ${t.noun}'s network (VPN down, wrong subnet)`,
    'A network policy blocks egress',
  ],
  tls_untrusted: (t) => [
    `The ${t.noun} uses a private or self-signed CA that this machine does not trust`,
    `An intermediate certificate is missing from the ${t.noun}'s chain`,
    'A TLS-inspecting proxy re-signs the traffic',
  ],
  tls_hostname: (t) => [
    `${t.urlKey} uses a name or IP address that the certificate does not list`,
    'The certificate was issued for another host',
  ],
  tls_expired: (t) => [`The ${t.noun}'s certificate has expired and was not renewed`, "This machine's clock is wrong"],
  tls_handshake: (t) => [
    `The ${t.noun} and this client share no TLS version or cipher`,
    'Something that is not TLS answers on this port',
  ],
  https_to_http: (t) => [`The ${t.noun} serves plain HTTP on this port but ${t.urlKey} says https://`],
  http_to_https: (t) => [`The ${t.noun} serves TLS on this port but ${t.urlKey} says http://`],
  proxy: (t) => [
    'The proxy in HTTPS_PROXY/HTTP_PROXY is down or refuses CONNECT',
    'The proxy requires credentials',
    `The ${t.noun}'s host should be in NO_PROXY`,
  ],
  redirect: (t) => [
    `A reverse proxy redirects ${t.probePath} in a loop (for example http↔https)`,
    `${t.urlKey} points at a login page`,
  ],
  aborted: () => ['The run was cancelled'],
  unknown: () => ['An unexpected network error'],
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

function stepsFor(errorClass: ConnectionErrorClass, t: ConnectionTarget): Step[] {
  const { url } = t;
  const view = { url, caPath: t.caPath, skipTlsVerify: t.skipTlsVerify, noun: t.noun };
  const verbose = (origin: string, tls: string): string =>
    curlCommand(`${origin}${t.probePath}`, { show: 'verbose', tls });
  const reproduce = probeStep(
    'Reproduce the probe and read the connection and TLS details',
    verbose(url.origin, curlTlsOptions(url, t.caPath, t.skipTlsVerify)),
  );
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const withPort = url.port ? `:${url.port}` : '';
  switch (errorClass) {
    case 'tls_untrusted':
      return [
        reproduce,
        probeStep(
          `See the certificate chain the ${t.noun} presents`,
          `openssl s_client -connect ${url.hostname}:${port} -servername ${url.hostname} -showcerts </dev/null`,
        ),
        ...setConfigSteps(t.caKey, `/etc/stellaops/certs/${t.slug}-ca.pem`),
        {
          environment: 'kubernetes',
          description: 'Ship the CA as a ConfigMap mounted at that path',
          command:
            `kubectl create configmap stellaops-${t.slug}-ca --from-file=${t.slug}-ca.pem=./${t.slug}-ca.pem ` +
            `--dry-run=client -o yaml | kubectl apply -f -`,
          safe: false,
        },
      ];
    case 'tls_hostname':
      return [
        reproduce,
        probeStep(
          'List the names the certificate is valid for',
          `openssl s_client -connect ${url.hostname}:${port} </dev/null 2>/dev/null ` +
            `| openssl x509 -noout -ext subjectAltName`,
        ),
        ...setConfigSteps(t.urlKey, `${url.protocol}//<name-from-the-certificate>${withPort}`),
      ];
    case 'tls_expired':
      return [
        reproduce,
        probeStep(
          'Show the certificate dates',
          `openssl s_client -connect ${url.hostname}:${port} </dev/null 2>/dev/null | openssl x509 -noout -dates`,
        ),
        probeStep("Check this machine's clock", 'date -u'),
      ];
    case 'https_to_http':
      return [reproduce, ...setConfigSteps(t.urlKey, `http://${url.host}`)];
    case 'http_to_https':
      return [reproduce, ...setConfigSteps(t.urlKey, `https://${url.host}`)];
    case 'dns':
      return [
        reproduce,
        probeStep('Resolve the name the way this machine does', `getent hosts ${url.hostname}`),
        ...setConfigSteps(t.urlKey, url.origin),
      ];
    case 'proxy':
      return [
        reproduce,
        probeStep('Show the proxy settings this process sees', 'env | grep -i _proxy'),
        {
          environment: 'compose',
          description: `Exempt the ${t.noun} from the proxy in the platform service's environment`,
          command: `echo 'NO_PROXY=${url.hostname}' >> .env\ndocker compose up -d`,
          safe: false,
        },
        {
          environment: 'baremetal',
          description: `Exempt the ${t.noun} from the proxy in the service unit`,
          command:
            `sudo systemctl edit stellaops-platform   # add: [Service] ` +
            `Environment=NO_PROXY=${url.hostname}\nsudo systemctl restart stellaops-platform`,
          safe: false,
        },
        {
          environment: 'kubernetes',
          description: `Exempt the ${t.noun} from the proxy in the deployment`,
          command: `kubectl set env deployment/stellaops-platform NO_PROXY=${url.hostname}`,
          safe: false,
        },
      ];
    case 'refused':
      return [
        reproduce,
        {
          environment: 'compose',
          description: `Check that the ${t.noun}'s container is up and publishes the port`,
          command: `docker compose ps\ndocker compose logs --tail=50 ${t.serviceNames.compose}`,
          safe: true,
        },
        {
          environment: 'baremetal',
          description: `Check the ${t.noun}'s service and what listens on the port`,
          command: `systemctl status ${t.serviceNames.systemd} --no-pager\nss -ltnp | grep ':${port}'`,
          safe: true,
        },
        {
          environment: 'kubernetes',
          description: `Check the ${t.noun}'s Service has ready endpoints`,
          command: `kubectl get svc,endpoints -A | grep -i ${t.serviceNames.compose}`,
          safe: true,
        },
      ];
    default:
      return [
        reproduce,
        ...fromWherePlatformRuns('Test the same path', view, verbose),
        {
          environment: 'baremetal',
          description: `Trace the network path to the ${t.noun}`,
          command: `tracepath -p ${port} ${url.hostname}`,
          safe: true,
        },
      ];
  }
}

/** The fail verdict for a target that cannot be reached, shared by every check that connects to one. */
export function connectionFailure(
  t: ConnectionTarget,
  error: { errorClass: ConnectionErrorClass; message: string; detail?: string },
  tls: TlsFacts | null,
  what = `The ${t.noun} cannot be reached`,
): CheckOutcome {
  const schemeNote =
    t.schemelessValue !== undefined
      ? ` (${t.urlKey} '${t.schemelessValue}' names no scheme: tried ${t.url.origin}; a ${t.noun} on plain HTTP ` +
        `needs http://)`
      : '';
  return {
    severity: 'fail',
    diagnosis: `${what} (${error.errorClass}): ${error.message}${schemeNote}. ${FIXES[error.errorClass](t)}`,
    evidence: {
      [t.urlEvidence]: t.url.origin,
      error_class: error.errorClass,
      error_message: error.detail ?? error.message,
      ...(tls ? tlsEvidence(tls) : {}),
    },
    likelyCauses: CAUSES[error.errorClass](t),
    remediation: numbered(stepsFor(error.errorClass, t)),
  };
}

/** The fail verdict when credentials would have crossed plain HTTP to a remote host. */
export function insecureCredentialsFailure(
  t: ConnectionTarget,
  allowKey: string,
  error: InsecureCredentialsError,
): CheckOutcome {
  return {
    severity: 'fail',
    diagnosis:
      `Credentials were not sent: ${error.url.host} is reached over plain HTTP and is not a loopback address, ` +
      'so the password or token would travel unencrypted.',
    evidence: { [t.urlEvidence]: t.url.origin, is_insecure_transport: true, blocked_url_host: error.url.host },
    likelyCauses: [
      `${t.urlKey} uses http:// for a remote ${t.noun}`,
      ...(error.url.origin === t.url.origin ? [] : [`The ${t.noun} sent this client on to an http:// address`]),
    ],
    remediation: numbered(
      setConfigSteps(t.urlKey, `https://${t.url.host}`),
      onlyIf('only on a network you trust', setConfigSteps(allowKey, 'true')),
    ),
  };
}

/** The fail verdict when a request would have carried credentials to an origin they do not belong to. */
export function credentialOriginFailure(t: ConnectionTarget, error: CredentialOriginError): CheckOutcome {
  return {
    severity: 'fail',
    diagnosis:
      `Credentials were not sent: the ${t.noun} pointed a request that needs them at ${error.url.origin}, ` +
      `which is not where they belong (${error.belongsTo ?? t.url.origin}).`,
    evidence: { [t.urlEvidence]: t.url.origin, credentials_withheld_from: error.url.origin },
    likelyCauses: [
      'A reverse proxy rewrites Location headers to another host or to http://',
      `The ${t.noun} is configured with a different external URL than ${t.urlKey}`,
    ],
    remediation: numbered(
      onlyIf(`only if that origin is the ${t.noun} you mean to use`, setConfigSteps(t.urlKey, error.url.origin)),
    ),
  };
}

/** The warning when a redirect took a request to another origin that then asked for the withheld credentials. */
export function credentialsWithheldWarning(t: ConnectionTarget, error: CredentialsWithheldError): CheckOutcome {
  const origin = error.response.credentialsWithheldFrom!;
  return {
    severity: 'warn',
    diagnosis:
      `The credentials could not be checked: ${t.url.host} redirected ${error.request} to ${origin}, another ` +
      `origin, so they were withheld from it, and its ${error.response.status} says nothing about them.`,
    evidence: {
      [t.urlEvidence]: t.url.origin,
      status_code: error.response.status,
      credentials_withheld_from: origin,
      credentials_valid: null,
      redirected_request: error.request,
    },
    likelyCauses: [
      `A reverse proxy, CDN or load balancer in front of the ${t.noun} redirects API requests to another host ` +
        'or to http://',
      `${t.urlKey} names a front end rather than the ${t.noun}'s API host`,
    ],
    remediation: numbered(
      onlyIf(`only if that origin is the ${t.noun} you mean to use`, setConfigSteps(t.urlKey, origin)),
    ),
  };
}

/** The same steps, each saying when to take it. */
function onlyIf(condition: string, steps: Step[]): Step[] {
  return steps.map((s) => ({ ...s, description: `${s.description} (${condition})` }));
}
