// Requests to one configured HttpSystem, for checks that gather facts from a Git provider, a CI
// system or a secrets manager: the system's TLS trust and CA file, the run's proxies and user
// agent, its credential sent only to its own origin, bounded JSON. Everything a request can meet
// below HTTP — no connection, TLS refused, a credential that must not travel — becomes the one
// shared verdict with the system's own configuration keys in its fixes. Loaded only when such a
// check runs (it pulls in the network layer).

import type { CheckContext, CheckOutcome } from '../../../engine/types.js';
import { CredentialOriginError, InsecureCredentialsError } from '../../../net/credential-gate.js';
import { ConnectionError } from '../../../net/errors.js';
import { HttpClient, headerValue, type HttpResponse } from '../../../net/http-client.js';
import { proxyEnvironment } from '../../../net/proxy.js';
import { inspectCertificate } from '../../../net/tls-facts.js';
import { parseBoundedJson } from '../../../util/bounded-json.js';
import { readCaBundle } from './ca-bundle.js';
import {
  connectionFailure,
  credentialOriginFailure,
  insecureCredentialsFailure,
  type ConnectionTarget,
} from './connection-failure.js';
import { pathBelow, type HttpSystem } from './http-system.js';

/** How a kind of system is named in diagnoses and fixes; the URL and keys come from the system. */
export type SystemKind = Pick<ConnectionTarget, 'noun' | 'probePath' | 'urlEvidence' | 'slug' | 'serviceNames'>;

export interface Answer {
  status: number;
  /** One response header (repeated ones joined by ', '), or null. */
  header(name: string): string | null;
  /** The body as JSON (an object or an array) within the nesting bound, else undefined. */
  document: object | undefined;
  /** The document when it is an object (not an array). */
  json: Record<string, unknown> | undefined;
  text: string;
  latencyMs: number;
  response: HttpResponse;
}

export interface RequestOptions {
  /** Headers that carry the system's credential: sent to its origin only. */
  credentialHeaders?: Record<string, string>;
  headers?: Record<string, string>;
}

/** Requests against one system; each failure below HTTP ends the gathering with its verdict. */
export class SystemClient {
  constructor(
    private readonly client: HttpClient,
    readonly system: HttpSystem,
    private readonly signal: AbortSignal,
  ) {}

  /** GET a path below the system's base URL (`api/v4/version`), never following a redirect. */
  async get(path: string, options: RequestOptions = {}): Promise<Answer> {
    const url = resolveBelow(this.system.url, path);
    const credential = options.credentialHeaders;
    const response = await this.client.request({
      method: 'GET',
      url,
      headers: { accept: 'application/json', ...options.headers, ...credential },
      ...(credential ? { secretOrigin: this.system.url.origin } : {}),
      signal: this.signal,
    });
    const text = response.body.toString('utf8');
    const parsed = parseBoundedJson(text);
    const document = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : undefined;
    return {
      status: response.status,
      header: (name) => headerValue(response, name.toLowerCase()),
      document,
      json: document && !Array.isArray(document) ? (document as Record<string, unknown>) : undefined,
      text,
      latencyMs: response.latencyMs,
      response,
    };
  }
}

/** `https://host/prefix` + `api/v4/version` → `https://host/prefix/api/v4/version` (the query kept). */
export function resolveBelow(base: URL, path: string): URL {
  const url = new URL(base.href);
  const [pathname, query] = path.split('?', 2) as [string, string | undefined];
  url.pathname = pathBelow(base, pathname);
  url.search = query === undefined ? '' : `?${query}`;
  return url;
}

/** The system as connection diagnosis names it. */
export function connectionTargetOf(system: HttpSystem, kind: SystemKind): ConnectionTarget {
  return {
    ...kind,
    url: system.url,
    urlKey: system.urlKey,
    ...(system.schemelessValue !== undefined ? { schemelessValue: system.schemelessValue } : {}),
    caKey: system.caKey,
    caPath: system.caCertificatePath?.value,
    skipTlsVerify: system.skipTlsVerify,
  };
}

/**
 * Runs `gather` against the system and returns its facts, or the verdict that ended it: the CA
 * file unusable, the system unreachable, or a credential refused by the gate. Requests are bounded
 * a little below the check's timeout so the verdict, not the engine's timeout, reports a hang.
 */
export async function gatherFrom<Facts>(
  ctx: CheckContext,
  system: HttpSystem,
  kind: SystemKind,
  signal: AbortSignal,
  gather: (client: SystemClient) => Promise<Facts>,
): Promise<Facts | { failure: CheckOutcome }> {
  const target = connectionTargetOf(system, kind);
  const ca = system.caCertificatePath ? readCaBundle(system.caCertificatePath, system.caKey, kind.slug) : undefined;
  if (ca && 'failure' in ca) return ca;
  const client = new HttpClient({
    ...(ca ? { caPem: ca.pem } : {}),
    skipTlsVerify: system.skipTlsVerify,
    allowInsecureCredentials: system.allowInsecureCredentials,
    timeoutMs: Math.max(100, Math.floor(ctx.timeoutMs * 0.9)),
    proxyEnv: proxyEnvironment(ctx.env),
    userAgent: ctx.userAgent,
  });
  try {
    return await gather(new SystemClient(client, system, signal));
  } catch (error) {
    if (error instanceof ConnectionError) {
      const tls = error.errorClass.startsWith('tls_') ? await inspectCertificate(system.url) : null;
      return { failure: connectionFailure(target, error, tls) };
    }
    if (error instanceof InsecureCredentialsError)
      return { failure: insecureCredentialsFailure(target, system.allowInsecureKey, error) };
    if (error instanceof CredentialOriginError) return { failure: credentialOriginFailure(target, error) };
    throw error;
  } finally {
    client.close();
  }
}
