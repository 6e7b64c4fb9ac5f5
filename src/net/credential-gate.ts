// The one gate every request that carries a secret passes, asked by the HTTP client before a byte
// is written. A secret — an Authorization header, or a body holding a password or refresh token —
// belongs to one origin (scheme, host, port): the registry's, or that of the token realm the
// registry named. A request that carries one must say which origin it belongs to, and goes out only
// to that origin, and never over plain HTTP to a host that is not loopback unless the configuration
// explicitly allows it. Secrets are recognised by value too (every secret registered with the
// redaction gate), so a request that forgot to declare its secret is refused, not sent.

import { bareHostname } from '../util/hostname.js';
import { containsSecret } from '../util/redact.js';

/** The parts of a request the gate looks at. */
export interface GatedRequest {
  url: URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The origin (`https://host:port`) of the secret the request carries; absent when it carries none. */
  secretOrigin?: string;
}

/** Credentials would travel unprotected: refused rather than sent. */
export class InsecureCredentialsError extends Error {
  override name = 'InsecureCredentialsError';
  constructor(readonly url: URL) {
    super(
      `refusing to send credentials over plain HTTP to ${url.host}: set OCI:AllowInsecureCredentials=true only ` +
        `if this network is trusted, or use https://`,
    );
  }
}

/** A secret would have reached an origin it does not belong to: refused, nothing was sent. */
export class CredentialOriginError extends Error {
  override name = 'CredentialOriginError';
  constructor(
    readonly url: URL,
    readonly belongsTo: string | null,
  ) {
    super(`refusing to send credentials to ${url.origin}: they belong to ${belongsTo ?? 'no declared origin'}`);
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = bareHostname(hostname).toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';
}

/** Whether this request carries a secret: declared, an Authorization header, or a registered secret's value. */
function carriesSecret(req: GatedRequest): boolean {
  if (req.secretOrigin !== undefined) return true;
  const headers = Object.entries(req.headers ?? {});
  if (headers.some(([name]) => name.toLowerCase() === 'authorization')) return true;
  if (headers.some(([, value]) => containsSecret(value))) return true;
  return req.body !== undefined && req.body.length > 0 && containsSecret(req.body.toString());
}

/** Throws unless the request may go out as it is. */
export function admitRequest(req: GatedRequest, allowInsecureCredentials: boolean): void {
  if (!carriesSecret(req)) return;
  if (req.secretOrigin !== req.url.origin) throw new CredentialOriginError(req.url, req.secretOrigin ?? null);
  if (req.url.protocol === 'http:' && !isLoopbackHost(req.url.hostname) && !allowInsecureCredentials) {
    throw new InsecureCredentialsError(req.url);
  }
}
