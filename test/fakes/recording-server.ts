// The server under the Git provider and CI system fakes: it logs every request it receives
// (method, path with query, headers) before the product's handler answers, on a loopback address
// (127.0.0.2 stands for "another host"), over plain HTTP or over TLS with one of the harness's
// certificates. A handler writes its answer itself, or returns a Reply through `replying`.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { listenLocal, type LoopbackAddress, type Running } from './listen.js';

export interface RecordedRequest {
  method: string;
  /** The path with its query, as sent (`/api/v4/runners?status=online`). */
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface Recording extends Running {
  requests: RecordedRequest[];
}

export interface ServeOptions {
  /** Serve TLS with this certificate and key (the harness's `env.certs.server`, `expired`, …). */
  tls?: { certPath: string; keyPath: string };
  host?: LoopbackAddress;
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse, origin: string) => void;

/** A reply: status, headers, and a body (an object or array is sent as JSON, anything else as HTML text). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Answers with a JSON body, as these APIs do. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A handler from a function that returns its Reply (the request's URL parsed for it). */
export function replying(handle: (req: RecordedRequest, url: URL) => Reply): Handler {
  return (req, res) => {
    const reply = handle(req, new URL(req.path, 'http://127.0.0.1'));
    const json = typeof reply.body === 'object' && reply.body !== null;
    const body = json ? JSON.stringify(reply.body) : String(reply.body ?? '');
    res.writeHead(reply.status, {
      'content-type': json ? 'application/json; charset=utf-8' : 'text/html;charset=utf-8',
      ...reply.headers,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** The token after `scheme ` in the Authorization header (`Bearer`, `token`), case-insensitively. */
export function bearer(req: RecordedRequest, ...schemes: string[]): string | undefined {
  const match = /^(\S+)\s+(.+)$/.exec(String(req.headers.authorization ?? ''));
  return match && schemes.some((s) => s.toLowerCase() === match[1]!.toLowerCase()) ? match[2] : undefined;
}

/** The credentials of a Basic `Authorization` header, if it is one. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startRecordingServer(handler: Handler, options: ServeOptions = {}): Promise<Recording> {
  const requests: RecordedRequest[] = [];
  let origin = '';
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const recorded = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers };
    requests.push(recorded);
    handler(recorded, res, origin);
  };
  const server = options.tls
    ? https.createServer({ cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) }, listener)
    : http.createServer(listener);
  const running = await listenLocal(server, options.tls ? 'https' : 'http', options.host);
  origin = running.url;
  return { ...running, requests };
}
