// The plumbing the CI product fakes share: an HTTP or HTTPS server on a loopback address that logs
// every request it receives (method, path with query, headers) before a product's handler answers.

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { CertificateFiles } from '../harness/test-env.js';
import { listenLocal, type LoopbackAddress, type Running } from './listen.js';

export interface LoggedRequest {
  method: string;
  /** Path and query as received (`/api/v4/runners?status=online`). */
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface ServeOptions {
  /** Serve HTTPS with these files (the harness's test certificates). */
  tls?: CertificateFiles;
  host?: LoopbackAddress;
}

export type Recording = Running & { requests: LoggedRequest[] };

/** A reply: status, headers, and a body (an object or array is sent as JSON). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export async function startRecordingServer(
  handle: (req: LoggedRequest, url: URL) => Reply,
  options: ServeOptions = {},
): Promise<Recording> {
  const requests: LoggedRequest[] = [];
  const listener: http.RequestListener = (req, res) => {
    const logged = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers };
    requests.push(logged);
    const reply = handle(logged, new URL(logged.path, 'http://127.0.0.1'));
    const json = typeof reply.body === 'object' && reply.body !== null;
    const body = json ? JSON.stringify(reply.body) : String(reply.body ?? '');
    res.writeHead(reply.status, {
      'content-type': json ? 'application/json; charset=utf-8' : 'text/html;charset=utf-8',
      ...reply.headers,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const server = options.tls
    ? https.createServer({ cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) }, listener)
    : http.createServer(listener);
  const running = await listenLocal(server, options.tls ? 'https' : 'http', options.host);
  return { ...running, requests };
}

/** The credentials of a Basic `Authorization` header, if it is one. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
