// The HTTP layer every registry probe shares: the credential gate asked before every request, one
// keep-alive pool per session, a per-session CA and skip-verify choice, proxies from the environment (CONNECT for https), bounded body reads,
// a deadline per request, no automatic redirects (the session decides), connection errors
// classified into named causes, and the peer certificate's facts for the evidence.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { admitRequest } from './credential-gate.js';
import { ConnectionError, classifyConnectionError } from './errors.js';
import { proxyFor, type ProxyEnvironment } from './proxy.js';
import { bareHostname } from '../util/hostname.js';

export interface TlsFacts {
  protocol: string | null;
  subject: string | null;
  issuer: string | null;
  san: string[];
  notAfterUtc: string | null;
  daysRemaining: number | null;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The origin the secret in this request (Authorization header or body) belongs to; see credential-gate.ts. */
  secretOrigin?: string;
  /** Bodies longer than this are cut (and flagged); default 1 MiB. */
  maxBodyBytes?: number;
  /** Deadline for the whole exchange; default the client's. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  isBodyTruncated: boolean;
  url: URL;
  latencyMs: number;
  tls: TlsFacts | null;
}

export interface HttpClientOptions {
  /** Extra trusted CA certificates (PEM), added to the system roots. */
  caPem?: string;
  /** The system roots (default: Node's bundled Mozilla roots, see `bundledRootsWhereNeeded`). */
  systemRoots?: readonly string[];
  skipTlsVerify?: boolean;
  /** Credentials may go over plain HTTP to hosts that are not loopback (OCI:AllowInsecureCredentials). */
  allowInsecureCredentials?: boolean;
  timeoutMs: number;
  proxyEnv?: ProxyEnvironment;
  userAgent?: string;
}

export const DEFAULT_MAX_BODY = 1024 * 1024;

interface TlsSetup {
  options: tls.ConnectionOptions;
  agent: https.Agent;
}
const DAY_MS = 86_400_000;

/** A response header as one string (repeated headers joined by ', '), or null when absent. */
export function headerValue(res: Pick<HttpResponse, 'headers'>, name: string): string | null {
  const value = res.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Facts already read per connection: a keep-alive socket answers many requests with one certificate. */
const factsBySocket = new WeakMap<tls.TLSSocket, TlsFacts>();

/** Certificate facts from a TLS socket (read once per connection), or null for plain connections. */
export function tlsFacts(socket: unknown): TlsFacts | null {
  if (!(socket instanceof tls.TLSSocket)) return null;
  let facts = factsBySocket.get(socket);
  if (!facts) {
    facts = readTlsFacts(socket, Date.now());
    factsBySocket.set(socket, facts);
  }
  return facts;
}

function readTlsFacts(socket: tls.TLSSocket, now: number): TlsFacts {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return { protocol: socket.getProtocol(), subject: null, issuer: null, san: [], notAfterUtc: null, daysRemaining: null };
  const notAfter = cert.valid_to ? new Date(cert.valid_to) : null;
  return {
    protocol: socket.getProtocol(),
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    san: (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean),
    notAfterUtc: notAfter && !Number.isNaN(notAfter.getTime()) ? notAfter.toISOString() : null,
    daysRemaining: notAfter ? Math.floor((notAfter.getTime() - now) / DAY_MS) : null,
  };
}

function formatName(name: tls.Certificate | undefined): string | null {
  if (!name) return null;
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/**
 * Node's bundled roots where a context must name them itself, else undefined (Node's default
 * context already trusts exactly these). The `stella` command runs Node with --use-openssl-ca and
 * an empty OpenSSL store (see bin/stella), which spares the ~20 ms Node 20 spends building a store
 * of its bundled roots with the first TLS context, needed or not. There, a context without `ca`
 * would trust nothing, so it is given the bundled roots: the trust is the same either way. (Plain
 * `node bin/stella.cjs` with --use-openssl-ca in NODE_OPTIONS, which execArgv does not show, keeps
 * that user's choice of OpenSSL's store.)
 */
function bundledRootsWhereNeeded(): readonly string[] | undefined {
  return process.execArgv.includes('--use-openssl-ca') ? tls.rootCertificates : undefined;
}

export class HttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  /** TLS setups by trust: the extra CA alone, or the system roots plus the extra CA. */
  private readonly tlsSetups = new Map<'ca-only' | 'roots', TlsSetup>();
  /** Hosts whose certificate needed the system roots (a public token realm next to a private registry). */
  private readonly hostsNeedingRoots = new Set<string>();

  constructor(private readonly options: HttpClientOptions) {}

  /** Which trust a host's connections use: the extra CA alone, until that host needed the roots. */
  private trustFor(host: string): 'ca-only' | 'roots' {
    return this.options.caPem && !this.hostsNeedingRoots.has(host) ? 'ca-only' : 'roots';
  }

  /**
   * The certificates a context of this trust names (undefined: Node's default trust). With an
   * extra CA, the trust is the system roots plus that CA. A chain that verifies against the CA
   * alone verifies against both, so the CA alone is tried first: passing the ~145 system roots as
   * `ca` parses them into the secure context, blocking the event loop for ~20 ms, which a private
   * registry never needs. A host whose certificate fails against the CA alone is retried once with
   * the roots added — the handshake failed before any HTTP was sent — and remembered.
   */
  private trustedCertificates(trust: 'ca-only' | 'roots'): string[] | undefined {
    const roots = this.options.systemRoots ?? bundledRootsWhereNeeded();
    if (!this.options.caPem) return roots && [...roots];
    if (trust === 'ca-only') return [this.options.caPem];
    return [...(roots ?? tls.rootCertificates), this.options.caPem];
  }

  /** The TLS settings and pool for a host, built on first use. */
  private tlsSetupFor(host: string): TlsSetup {
    const trust = this.trustFor(host);
    let setup = this.tlsSetups.get(trust);
    if (!setup) {
      const ca = this.trustedCertificates(trust);
      const options: tls.ConnectionOptions = {
        rejectUnauthorized: !this.options.skipTlsVerify,
        ...(ca ? { secureContext: tls.createSecureContext({ ca }) } : {}),
      };
      setup = { options, agent: new https.Agent({ keepAlive: true, maxSockets: 8, ...options }) };
      this.tlsSetups.set(trust, setup);
    }
    return setup;
  }

  /**
   * One exchange. Never follows redirects. Throws ConnectionError for anything below HTTP, and the
   * credential gate's errors, before anything is sent, for a secret that must not go to this URL.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    admitRequest(req, this.options.allowInsecureCredentials ?? false);
    try {
      return await this.exchange(req);
    } catch (error) {
      const classified = classifyConnectionError(error, req.url);
      const usedCaOnly = req.url.protocol === 'https:' && !this.options.skipTlsVerify && this.trustFor(req.url.host) === 'ca-only';
      if (classified.errorClass !== 'tls_untrusted' || !usedCaOnly) throw classified;
      this.hostsNeedingRoots.add(req.url.host);
      return this.request(req);
    }
  }

  /** Handshake only (no HTTP sent) to read the certificate of a server that failed verification. */
  async inspectCertificate(url: URL, timeoutMs = 3000): Promise<TlsFacts | null> {
    return new Promise((resolve) => {
      const socket = tls.connect({
        host: bareHostname(url.hostname),
        port: Number(url.port || 443),
        servername: net.isIP(url.hostname) ? undefined : url.hostname,
        rejectUnauthorized: false,
      });
      const done = (facts: TlsFacts | null): void => {
        socket.destroy();
        resolve(facts);
      };
      socket.setTimeout(timeoutMs, () => done(null));
      socket.once('secureConnect', () => done(tlsFacts(socket)));
      socket.once('error', () => done(null));
    });
  }

  close(): void {
    this.httpAgent.destroy();
    for (const setup of this.tlsSetups.values()) setup.agent.destroy();
  }

  private async exchange(req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    const isHttps = req.url.protocol === 'https:';
    const proxy = proxyFor(req.url, this.options.proxyEnv ?? {});
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent ?? 'stella-doctor',
      ...req.headers,
    };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;

    const controller = new AbortController();
    const onAbort = (): void => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.signal?.aborted) onAbort();
    const timer = setTimeout(
      () => controller.abort(new ConnectionError('timeout', `no complete answer from ${req.url.host} within ${timeoutMs} ms`, 'ETIMEDOUT')),
      timeoutMs,
    );
    try {
      let options: http.RequestOptions;
      if (proxy && isHttps) {
        const socket = await this.tunnel(proxy, req.url, controller.signal);
        // createConnection is honoured only when no agent is given (agent: false would ignore it).
        options = { createConnection: () => socket } as http.RequestOptions;
      } else if (proxy) {
        options = { protocol: 'http:', hostname: proxy.hostname, port: Number(proxy.port || 80), path: req.url.href, agent: false };
        if (proxy.username) headers['proxy-authorization'] = proxyAuthorization(proxy);
      } else {
        options = { agent: isHttps ? this.tlsSetupFor(req.url.host).agent : this.httpAgent };
      }
      return await this.send(req, headers, options, controller.signal, started);
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  private send(
    req: HttpRequest,
    headers: Record<string, string>,
    options: http.RequestOptions,
    signal: AbortSignal,
    started: number,
  ): Promise<HttpResponse> {
    const transport = req.url.protocol === 'https:' ? https : http;
    const maxBody = req.maxBodyBytes ?? DEFAULT_MAX_BODY;
    return new Promise<HttpResponse>((resolve, reject) => {
      const target: http.RequestOptions = {
        protocol: req.url.protocol,
        hostname: bareHostname(req.url.hostname),
        port: req.url.port || undefined,
        path: req.url.pathname + req.url.search,
      };
      const request = transport.request(
        { ...target, method: req.method, headers: { host: req.url.host, ...headers }, signal, ...options },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          let truncated = false;
          const tlsInfo = tlsFacts(res.socket);
          res.on('data', (chunk: Buffer) => {
            if (truncated) return;
            const room = maxBody - size;
            if (chunk.length > room) {
              chunks.push(chunk.subarray(0, room));
              size = maxBody;
              truncated = true;
              res.destroy();
              finish();
              return;
            }
            chunks.push(chunk);
            size += chunk.length;
          });
          const finish = (): void =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              isBodyTruncated: truncated,
              url: req.url,
              latencyMs: Math.round(performance.now() - started),
              tls: tlsInfo,
            });
          res.on('end', finish);
          res.on('error', (error) => (truncated ? undefined : reject(error)));
        },
      );
      request.on('error', reject);
      request.end(req.body);
    });
  }

  /** Opens a CONNECT tunnel through the proxy and starts TLS to the registry over it. */
  private tunnel(proxy: URL, target: URL, signal: AbortSignal): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const authority = `${target.hostname}:${target.port || 443}`;
      const connectHeaders: Record<string, string> = { host: authority };
      if (proxy.username) connectHeaders['proxy-authorization'] = proxyAuthorization(proxy);
      const fail = (message: string, code?: string): void => reject(new ConnectionError('proxy', message, code));
      const connect = http.request({
        host: proxy.hostname,
        port: Number(proxy.port || 80),
        method: 'CONNECT',
        path: authority,
        headers: connectHeaders,
        agent: false,
        signal,
      });
      connect.once('connect', (res, socket) => {
        if (res.statusCode !== 200) {
          socket.destroy();
          fail(`the proxy ${proxy.host} answered ${res.statusCode} to CONNECT ${authority}`);
          return;
        }
        const secure = tls.connect({
          socket,
          servername: net.isIP(target.hostname) ? undefined : target.hostname,
          ...this.tlsSetupFor(target.host).options,
        });
        secure.once('secureConnect', () => resolve(secure));
        secure.once('error', reject);
      });
      connect.once('error', (error: NodeJS.ErrnoException) => {
        if (signal.aborted) reject(error);
        else reject(new ConnectionError('proxy', `cannot reach the proxy ${proxy.host}`, error.code, error.message));
      });
      connect.end();
    });
  }
}

function proxyAuthorization(proxy: URL): string {
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}
