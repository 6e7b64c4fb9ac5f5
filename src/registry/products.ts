// Which registry product answers, recognised from what the run already has — the registry host, the
// anonymous `/v2/` answer's headers and its challenge (scheme, realm, service) — never from an
// extra request. Rules are tried in order; the first that matches names the product and why, for
// the evidence (`registry_product`, `registry_product_evidence`). The realm's host is not trusted
// alone: Docker Hub is recognised by `service="registry.docker.io"` or its rate-limit headers too.

import { realmUrl, type Challenge } from './challenge.js';
import { readRegistryMessage } from './registry-message.js';
import type { RegistrySession } from './session.js';

export type RegistryProduct =
  | 'dockerhub'
  | 'ghcr'
  | 'gitlab'
  | 'ecr'
  | 'artifact-registry'
  | 'acr'
  | 'harbor'
  | 'quay'
  | 'artifactory'
  | 'nexus'
  | 'zot'
  | 'distribution'
  | 'unknown';

/** The facts recognition reads. */
export interface ProductSignals {
  /** The registry's host name (no port). */
  hostname: string;
  /** Headers of the anonymous `/v2/` answer. */
  headers: Record<string, string | string[] | undefined>;
  /** Challenges of the anonymous `/v2/` answer. */
  challenges: Challenge[];
  /** The registry's message in the body of the anonymous `/v2/` answer, if any. */
  message?: string | null;
}

export interface ProductRecognition {
  product: RegistryProduct;
  /** What gave it away, e.g. `service="registry.docker.io"`; null for `unknown`. */
  evidence: string | null;
}

/**
 * Products whose registries answer 401/403 alike for a repository that does not exist and one the
 * account may not read (Docker Hub, deliberately: docker/hub-feedback#728).
 */
const HIDES_EXISTENCE = new Set<RegistryProduct>(['dockerhub']);

/** Whether a 401/403 of this product can mean "no such repository" as much as "no access". */
export function hidesExistence(product: RegistryProduct): boolean {
  return HIDES_EXISTENCE.has(product);
}

/** The product's name for sentences. */
export const PRODUCT_NAMES: Record<RegistryProduct, string> = {
  dockerhub: 'Docker Hub',
  ghcr: 'GitHub Container Registry',
  gitlab: 'GitLab container registry',
  ecr: 'Amazon ECR',
  'artifact-registry': 'Google Artifact Registry',
  acr: 'Azure Container Registry',
  harbor: 'Harbor',
  quay: 'Quay',
  artifactory: 'JFrog Artifactory',
  nexus: 'Sonatype Nexus Repository',
  zot: 'zot',
  distribution: 'CNCF distribution',
  unknown: 'an unrecognised registry',
};

interface Seen {
  hostname: string;
  header(name: string): string | null;
  scheme: string | null;
  realm: string | null;
  realmPath: string | null;
  service: string | null;
  message: string;
}

type Rule = [RegistryProduct, (s: Seen) => string | null];

const when = (condition: boolean, evidence: string): string | null => (condition ? evidence : null);
const hostIs = (s: Seen, pattern: RegExp): string | null => when(pattern.test(s.hostname), `host ${s.hostname}`);
const serviceIs = (s: Seen, test: (service: string) => boolean): string | null =>
  when(s.service !== null && test(s.service), `service="${s.service}"`);
const realmPathIs = (s: Seen, test: (path: string) => boolean): string | null =>
  when(s.realmPath !== null && test(s.realmPath), `token realm path ${s.realmPath}`);
const basicRealmIs = (s: Seen, test: (realm: string) => boolean): string | null =>
  when(s.scheme === 'basic' && s.realm !== null && test(s.realm), `Basic realm="${s.realm}"`);
const headerSent = (s: Seen, name: string): string | null => when(s.header(name) !== null, `${name} header`);

const RULES: Rule[] = [
  [
    'dockerhub',
    (s) =>
      serviceIs(s, (v) => v === 'registry.docker.io') ??
      headerSent(s, 'docker-ratelimit-source') ??
      hostIs(s, /^(registry-1\.docker\.io|index\.docker\.io|docker\.io|registry\.hub\.docker\.com)$/),
  ],
  ['ghcr', (s) => hostIs(s, /^ghcr\.io$/) ?? serviceIs(s, (v) => v === 'ghcr.io')],
  [
    'gitlab',
    (s) =>
      hostIs(s, /^registry\.gitlab\.com$/) ??
      when(s.service === 'container_registry' && (s.realmPath ?? '').endsWith('/jwt/auth'), 'GitLab /jwt/auth realm'),
  ],
  [
    'ecr',
    (s) =>
      serviceIs(s, (v) => v === 'ecr.amazonaws.com') ?? hostIs(s, /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/),
  ],
  [
    'artifact-registry',
    (s) =>
      hostIs(s, /(^|\.)(gcr\.io|[a-z0-9-]+-docker\.pkg\.dev)$/) ??
      serviceIs(s, (v) => /(^|\.)(gcr\.io|[a-z0-9-]+-docker\.pkg\.dev)$/.test(v)),
  ],
  [
    'acr',
    (s) =>
      hostIs(s, /\.azurecr\.(io|cn|us)$/) ??
      when(
        (s.service ?? '').match(/\.azurecr\.(io|cn|us)$/) !== null && s.realmPath === '/oauth2/token',
        `ACR /oauth2/token realm for service="${s.service}"`,
      ) ??
      when(s.message.includes('aka.ms/acr'), 'an aka.ms/acr link in the /v2/ error message'),
  ],
  ['harbor', (s) => serviceIs(s, (v) => v === 'harbor-registry') ?? realmPathIs(s, (p) => p === '/service/token')],
  ['quay', (s) => hostIs(s, /^quay\.io$/) ?? realmPathIs(s, (p) => p === '/v2/auth')],
  [
    'artifactory',
    (s) =>
      headerSent(s, 'x-jfrog-version') ??
      headerSent(s, 'x-artifactory-id') ??
      basicRealmIs(s, (r) => r === 'Artifactory Realm') ??
      realmPathIs(s, (p) => p.includes('/artifactory/api/docker/')),
  ],
  [
    'nexus',
    (s) =>
      when(/^Nexus\//.test(s.header('server') ?? ''), `Server: ${s.header('server')}`) ??
      basicRealmIs(s, (r) => r.startsWith('Sonatype Nexus')),
  ],
  ['zot', (s) => basicRealmIs(s, (r) => r === 'zot')],
  [
    'distribution',
    (s) =>
      when(
        s.header('docker-distribution-api-version') !== null,
        'Docker-Distribution-API-Version header and no product-specific sign',
      ),
  ],
];

/** The product that answers, from the signals the anonymous `/v2/` probe gave. */
export function recognizeProduct(signals: ProductSignals): ProductRecognition {
  const challenge = signals.challenges.find((c) => c.scheme === 'bearer') ?? signals.challenges[0];
  const realm = challenge ? realmUrl(challenge) : undefined;
  const seen: Seen = {
    hostname: signals.hostname.toLowerCase(),
    header: (name) => {
      const value = signals.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    scheme: challenge?.scheme ?? null,
    realm: challenge?.params.realm ?? null,
    realmPath: realm?.pathname ?? null,
    service: challenge?.params.service ?? null,
    message: signals.message ?? '',
  };
  for (const [product, test] of RULES) {
    const evidence = test(seen);
    if (evidence !== null) return { product, evidence };
  }
  return { product: 'unknown', evidence: null };
}

/**
 * The product of the session's registry, from its anonymous `/v2/` probe. A run that has not sent
 * the probe (a credential that failed before any request) is not made to: the host alone decides.
 */
export async function productOf(session: RegistrySession): Promise<ProductRecognition> {
  const hostname = session.baseUrl.hostname;
  if (!session.isPinged) return recognizeProduct({ hostname, headers: {}, challenges: [] });
  const probe = await session.ping();
  const { challenges } = await session.challenges();
  if (probe.kind === 'error') return recognizeProduct({ hostname, headers: {}, challenges });
  const { headers, body } = probe.response;
  return recognizeProduct({ hostname, headers, challenges, message: readRegistryMessage(body).message });
}
