// Server-Sent Events on a raw response: `event:`, `id: <runId>:<seq>` and a JSON `data:` per
// event, keep-alive comments while idle. A subscriber whose unsent data passes the lag limit is
// disconnected, so a slow client cannot grow the server's memory; a closed one costs nothing.

import type { ServerResponse } from 'node:http';
import type { DoctorEvent } from './runs.js';

export interface SseOptions {
  keepAliveMs: number;
  /** Unsent bytes a subscriber may fall behind before it is disconnected (SPEC: 1 MiB). */
  maxLagBytes: number;
}

export class EventStream {
  private readonly keepAlive: NodeJS.Timeout;
  private readonly closers: Array<() => void> = [];
  closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseOptions,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': stella doctor events\n\n');
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), options.keepAliveMs);
    res.on('close', () => this.close());
  }

  /** Called once when the stream closes, whoever closed it. */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closers.push(fn);
  }

  send(event: DoctorEvent): void {
    this.write(`event: ${event.type}\nid: ${event.runId}:${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** Ends the stream after what was sent has been flushed. */
  end(): void {
    if (this.closed) return;
    this.res.end();
    this.close();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    if (this.res.writableLength + chunk.length > this.options.maxLagBytes) {
      this.res.destroy();
      this.close();
      return;
    }
    this.res.write(chunk);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    for (const fn of this.closers.splice(0)) fn();
  }
}
