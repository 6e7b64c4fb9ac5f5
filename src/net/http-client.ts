// The HTTP client every probe shares, knowing nothing of OCI: the credential gate asked before
// every request, keep-alive pools, the TLS trust of its settings, proxies from the environment
// (CONNECT for https), bounded body reads, a deadline per request, no automatic redirects (the
// caller decides), connection errors classified into named causes, and the certificate's facts.

import http from 'node:http';
import https from 'node:https';
import { admitRequest } from './credential-gate.js';
import { ConnectionError, classifyConnectionError } from './errors.js';
import { openTunnel, proxyAuthorization, proxyFor, type ProxyEnvironment } from './proxy.js';
import { bareHostname } from '../util/hostname.js';
import { tlsFacts, type TlsFacts } from './tls-facts.js';
import { TlsTrust, type TlsTrustSettings } from './tls-trust.js';

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

export interface HttpClientOptions extends TlsTrustSettings {
  /** Credentials may go over plain HTTP to hosts that are not loopback (OCI:AllowInsecureCredentials). */
  allowInsecureCredentials?: boolean;
  timeoutMs: number;
  proxyEnv?: ProxyEnvironment;
  userAgent?: string;
}

export const DEFAULT_MAX_BODY = 1024 * 1024;

/** A response header as one string (repeated headers joined by ', '), or null when absent. */
export function headerValue(res: Pick<HttpResponse, 'headers'>, name: string): string | null {
  const value = res.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export class HttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly trust: TlsTrust;

  constructor(private readonly options: HttpClientOptions) {
    this.trust = new TlsTrust(options);
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
      if (
        classified.errorClass !== 'tls_untrusted' ||
        req.url.protocol !== 'https:' ||
        !this.trust.widenFor(req.url.host)
      )
        throw classified;
      return this.request(req);
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.trust.close();
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
      () =>
        controller.abort(
          new ConnectionError('timeout', `no complete answer from ${req.url.host} within ${timeoutMs} ms`, 'ETIMEDOUT'),
        ),
      timeoutMs,
    );
    try {
      let options: http.RequestOptions;
      if (proxy && isHttps) {
        const socket = await openTunnel(proxy, req.url, this.trust.setupFor(req.url.host).options, controller.signal);
        // createConnection is honoured only when no agent is given (agent: false would ignore it).
        options = { createConnection: () => socket } as http.RequestOptions;
      } else if (proxy) {
        options = {
          protocol: 'http:',
          hostname: proxy.hostname,
          port: Number(proxy.port || 80),
          path: req.url.href,
          agent: false,
        };
        if (proxy.username) headers['proxy-authorization'] = proxyAuthorization(proxy);
      } else {
        options = { agent: isHttps ? this.trust.setupFor(req.url.host).agent : this.httpAgent };
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
}
