// The server under the Git provider fakes: it logs every request it receives (method, path,
// headers) before the product's handler answers, on a loopback address (127.0.0.2 stands for
// "another host"), over plain HTTP or over TLS with one of the harness's certificates.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { listenLocal, type LoopbackAddress, type Running } from './listen.js';

export interface RecordedRequest {
  method: string;
  /** The path with its query, as sent. */
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

/** The token after `scheme ` in the Authorization header (`Bearer`, `token`), case-insensitively. */
export function bearer(req: RecordedRequest, ...schemes: string[]): string | undefined {
  const match = /^(\S+)\s+(.+)$/.exec(String(req.headers.authorization ?? ''));
  return match && schemes.some((s) => s.toLowerCase() === match[1]!.toLowerCase()) ? match[2] : undefined;
}

export async function startRecordingServer(handler: Handler, options: ServeOptions = {}): Promise<Recording> {
  const requests: RecordedRequest[] = [];
  let origin = '';
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
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
