// Connection failures, classified into named causes and said in words of the host that was asked;
// the library's own message is kept apart, for the evidence. A server that cannot be reached is a
// finding, so the cause must be precise. What to do about each cause is the diagnosis's business.

export type ConnectionErrorClass =
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'reset'
  | 'unreachable'
  | 'tls_untrusted'
  | 'tls_hostname'
  | 'tls_expired'
  | 'tls_handshake'
  | 'https_to_http'
  | 'http_to_https'
  | 'proxy'
  | 'redirect'
  | 'aborted'
  | 'unknown';

/** What each cause means, said of the host that was asked: the diagnosis's words, not a library's. */
const SUMMARIES: Record<ConnectionErrorClass, (url: URL) => string> = {
  dns: (url) => `the name ${url.hostname} does not resolve`,
  refused: (url) => `nothing accepts connections on ${url.host}`,
  timeout: (url) => `${url.host} did not answer in time`,
  reset: (url) => `${url.host} closed the connection before answering`,
  unreachable: (url) => `there is no network route to ${url.host}`,
  tls_untrusted: (url) => `the certificate of ${url.host} is not signed by a trusted CA`,
  tls_hostname: (url) => `the certificate of ${url.host} does not name ${url.hostname}`,
  tls_expired: (url) => `the certificate of ${url.host} has expired or is not yet valid`,
  tls_handshake: (url) => `the TLS handshake with ${url.host} failed`,
  https_to_http: (url) => `${url.host} answered the TLS handshake in plain HTTP`,
  http_to_https: (url) => `${url.host} expects TLS on this port`,
  proxy: (url) => `the proxy for ${url.host} failed`,
  redirect: (url) => `${url.host} redirected in a way that cannot be followed`,
  aborted: (url) => `the request to ${url.host} was cancelled`,
  unknown: (url) => `the connection to ${url.host} failed`,
};

export class ConnectionError extends Error {
  override name = 'ConnectionError';
  readonly errorClass: ConnectionErrorClass;
  readonly code: string | undefined;
  /** The underlying library's own message (OpenSSL, libuv), one line, for the evidence only. */
  readonly detail: string | undefined;

  constructor(errorClass: ConnectionErrorClass, message: string, code?: string, detail?: string) {
    super(message);
    this.errorClass = errorClass;
    this.code = code;
    this.detail = detail;
  }
}

const BY_CODE: Record<string, ConnectionErrorClass> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls_untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls_untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls_untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls_untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls_untrusted',
  CERT_UNTRUSTED: 'tls_untrusted',
  CERT_SIGNATURE_FAILURE: 'tls_untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls_hostname',
  HOSTNAME_MISMATCH: 'tls_hostname',
  CERT_HAS_EXPIRED: 'tls_expired',
  CERT_NOT_YET_VALID: 'tls_expired',
  ERR_SSL_WRONG_VERSION_NUMBER: 'https_to_http',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'https_to_http',
  ERR_SSL_HTTP_REQUEST: 'http_to_https',
};

/**
 * Turns whatever node:net/tls/http threw while asking `url` into a classified ConnectionError whose
 * message is for people; the library's own message is kept, on one line, as its detail.
 */
export function classifyConnectionError(error: unknown, url: URL): ConnectionError {
  if (error instanceof ConnectionError) return error;
  const err = error as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code;
  const raw = err?.message ?? String(error);
  const classified = (errorClass: ConnectionErrorClass): ConnectionError => {
    const summary = SUMMARIES[errorClass](url);
    return new ConnectionError(
      errorClass,
      errorClass === 'unknown' && code ? `${summary} (${code})` : summary,
      code,
      raw.replace(/\s*\n\s*/g, ' ').trim(),
    );
  };
  if (code && BY_CODE[code]) return classified(BY_CODE[code]);
  if (/wrong version number|packet length too long/i.test(raw)) return classified('https_to_http');
  if (/socket hang up/i.test(raw)) return classified('reset');
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS') || /ssl|tls/i.test(raw))
    return classified('tls_handshake');
  if (err?.name === 'AbortError') return classified('aborted');
  return classified('unknown');
}

/** A plain-HTTP request that reached a TLS port answers 400 with one of these bodies. */
export function isHttpToHttpsAnswer(status: number, body: string): boolean {
  return status === 400 && /HTTP request to an HTTPS server|plain HTTP request was sent to HTTPS port/i.test(body);
}
