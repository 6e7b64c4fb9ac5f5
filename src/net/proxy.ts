// Proxies: the choice from the environment, the way curl reads it (HTTPS_PROXY / HTTP_PROXY in
// either case, NO_PROXY with `*`, host names, `.domain` suffixes, host:port and IP literals), and
// the CONNECT tunnel that https requests take through one.

import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { basicAuthorization } from './basic-auth.js';
import { ConnectionError } from './errors.js';
import { registerSecret } from '../util/redact.js';
import { bareHostname } from '../util/hostname.js';

export interface ProxyEnvironment {
  HTTPS_PROXY?: string;
  https_proxy?: string;
  HTTP_PROXY?: string;
  http_proxy?: string;
  NO_PROXY?: string;
  no_proxy?: string;
}

/** The proxy variables of an environment; a password inside a proxy URL is registered as a secret. */
export function proxyEnvironment(env: Record<string, string | undefined>): ProxyEnvironment {
  const pick = (k: keyof ProxyEnvironment): string | undefined => {
    const value = env[k] || undefined;
    const password = value && /^[a-z]+:\/\/[^/@:]+:([^/@]+)@/i.exec(value)?.[1];
    if (password) registerSecret(decodeURIComponent(password));
    return value;
  };
  return {
    HTTPS_PROXY: pick('HTTPS_PROXY'),
    https_proxy: pick('https_proxy'),
    HTTP_PROXY: pick('HTTP_PROXY'),
    http_proxy: pick('http_proxy'),
    NO_PROXY: pick('NO_PROXY'),
    no_proxy: pick('no_proxy'),
  };
}

function bypasses(target: URL, noProxy: string): boolean {
  const host = bareHostname(target.hostname).toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const [entryHost, entryPort] = entry.startsWith('[')
      ? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]]
      : entry.split(':');
    if (entryPort && entryPort !== port) continue;
    const bare = entryHost!.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The proxy URL to use for a request to target, or undefined for a direct connection. */
export function proxyFor(target: URL, env: ProxyEnvironment): URL | undefined {
  const noProxy = env.no_proxy ?? env.NO_PROXY;
  if (noProxy && bypasses(target, noProxy)) return undefined;
  const raw = target.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY);
  if (!raw) return undefined;
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    return undefined;
  }
}

/** Opens a CONNECT tunnel through the proxy and starts TLS to the target over it, with these TLS options. */
export function openTunnel(
  proxy: URL,
  target: URL,
  tlsOptions: tls.ConnectionOptions,
  signal: AbortSignal,
): Promise<tls.TLSSocket> {
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
        ...tlsOptions,
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

/** The Proxy-Authorization header for a proxy URL that carries credentials. */
export function proxyAuthorization(proxy: URL): string {
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return basicAuthorization(user, pass);
}
