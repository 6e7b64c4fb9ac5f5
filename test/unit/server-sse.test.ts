// The event stream's writer: the SSE wire format, and a subscriber that falls more than the lag
// limit behind is disconnected instead of buffering without bound.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { DoctorEvent } from '../../src/server/runs.js';
import { EventStream } from '../../src/server/sse.js';

/** A response whose client reads nothing: every write stays in writableLength. */
class StalledResponse extends EventEmitter {
  written = '';
  writableLength = 0;
  destroyed = false;
  writeHead(): this {
    return this;
  }
  write(chunk: string): boolean {
    this.written += chunk;
    this.writableLength += Buffer.byteLength(chunk);
    return false;
  }
  end(): void {
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const EVENT: DoctorEvent = {
  type: 'check.started',
  runId: 'r1',
  seq: 3,
  progress: { done: 1, total: 4 },
  checkId: 'check.x',
};

function open(maxLagBytes: number): { res: StalledResponse; stream: EventStream; closed: () => boolean } {
  const res = new StalledResponse();
  const stream = new EventStream(res as unknown as ServerResponse, { keepAliveMs: 60_000, maxLagBytes });
  let closed = false;
  stream.onClose(() => (closed = true));
  return { res, stream, closed: () => closed };
}

describe('EventStream', () => {
  it('writes event, id runId:seq and the JSON data, then a blank line', () => {
    const { res, stream } = open(1024 * 1024);

    stream.send(EVENT);

    expect(res.written).toContain(`event: check.started\nid: r1:3\ndata: ${JSON.stringify(EVENT)}\n\n`);
    stream.end();
  });

  it('disconnects a subscriber that falls more than the lag limit behind, and writes nothing after', () => {
    const { res, stream, closed } = open(4096);

    for (let i = 0; i < 100; i++) stream.send(EVENT);

    expect(res.destroyed).toBe(true);
    expect(closed()).toBe(true);
    expect(res.writableLength).toBeLessThanOrEqual(4096);
  });

  it('keeps a subscriber that stays under the limit', () => {
    const { res, stream, closed } = open(1024 * 1024);

    for (let i = 0; i < 100; i++) stream.send(EVENT);

    expect(res.destroyed).toBe(false);
    expect(closed()).toBe(false);
    stream.end();
  });
});
