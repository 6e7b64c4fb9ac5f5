// Test helpers for the service: starts the real service (createService: real store, real engine)
// in this process on 127.0.0.1 at a free port with a configuration of the test's own, captures
// its log, and reads Server-Sent Events off a real socket.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type Service } from '../../src/server/serve.js';
import type { SseOptions } from '../../src/server/sse.js';

export interface RunningService {
  service: Service;
  url: string;
  dir: string;
  /** Everything the service logged so far. */
  log(): string;
  /** Shuts the service down as SIGTERM does (runs in progress become interrupted); the directory stays. */
  close(): Promise<void>;
  /** close(), then removes the directory. */
  stop(): Promise<void>;
}

export const FAST_SSE: SseOptions = { keepAliveMs: 200, maxLagBytes: 1024 * 1024 };

/** Starts the service with these configuration variables (`Doctor__Api__Token`, …), SQLite in a temp dir unless set. */
export async function startService(
  vars: Record<string, string> = {},
  sse: SseOptions = FAST_SSE,
): Promise<RunningService> {
  const dir = mkdtempSync(join(tmpdir(), 'stella-service-'));
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    lines.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  const env = { Doctor__Storage__ConnectionString: `sqlite:${join(dir, 'doctor.db')}`, ...vars };
  try {
    const service = await createService({ cwd: dir, env }, { port: '0' }, sse);
    await service.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = service.app.server.address() as { port: number };
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= service.close().finally(() => {
        process.stderr.write = write;
      });
      return closing;
    };
    return {
      service,
      url: `${service.settings.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
      dir,
      log: () => lines.join(''),
      close,
      async stop() {
        await close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.stderr.write = write;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface SseMessage {
  event?: string;
  id?: string;
  data?: Record<string, unknown>;
  comment?: string;
}

export interface SseRead {
  messages: SseMessage[];
  /** True when the server ended the stream (false when the reader stopped it). */
  endedByServer: boolean;
}

/** Reads an event stream until the server ends it, `until` says stop, or timeoutMs passes. */
export function readEvents(
  url: string,
  options: {
    headers?: Record<string, string>;
    until?: (m: SseMessage[]) => boolean;
    timeoutMs?: number;
    onOpen?: () => void;
  } = {},
): Promise<SseRead> {
  return new Promise((resolve, reject) => {
    const messages: SseMessage[] = [];
    let buffer = '';
    const request = http.get(url, { headers: { accept: 'text/event-stream', ...options.headers } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`event stream answered ${res.statusCode}`));
        res.resume();
        return;
      }
      options.onOpen?.();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          messages.push(parseMessage(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
        if (options.until?.(messages)) finish(false);
      });
      res.on('end', () => finish(true));
      res.on('error', () => finish(true));
    });
    request.on('error', reject);
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 15_000);
    function finish(endedByServer: boolean): void {
      clearTimeout(timer);
      request.destroy();
      resolve({ messages, endedByServer });
    }
  });
}

function parseMessage(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comment = line.slice(1).trim();
    else if (line.startsWith('event: ')) message.event = line.slice(7);
    else if (line.startsWith('id: ')) message.id = line.slice(4);
    else if (line.startsWith('data: ')) message.data = JSON.parse(line.slice(6)) as Record<string, unknown>;
  }
  return message;
}

/** JSON request to the service. */
export async function api(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: markdown, metrics
  }
  return { status: response.status, body, headers: response.headers };
}
