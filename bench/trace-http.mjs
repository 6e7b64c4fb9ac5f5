// Timeline of one CLI run (see tracedRun in bench/lib.mjs): preloaded with
// `node --import ./bench/trace-http.mjs ...`, it records outgoing HTTP requests (Node's
// diagnostics channels; a request that gets no answer is recorded with status null when it
// closes), TLS handshakes and the time spent building TLS secure contexts (by timing calls to
// tls.connect and tls.createSecureContext), and at exit writes the events with their times (ms
// since the process started) as JSON to the file named by BENCH_HTTP_LOG. It observes only, and is
// used for one extra run, never while timing.
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';

const logPath = process.env.BENCH_HTTP_LOG;
const now = () => performance.now();
const events = [{ at: now(), event: 'preload' }];

if (logPath) {
  const createSecureContext = tls.createSecureContext;
  tls.createSecureContext = function timedCreateSecureContext(...args) {
    const start = now();
    try {
      return createSecureContext.apply(this, args);
    } finally {
      const caCount = Array.isArray(args[0]?.ca) ? args[0].ca.length : args[0]?.ca ? 1 : 0;
      events.push({ at: start, event: 'secure-context', ms: now() - start, caCount });
    }
  };
  const connect = tls.connect;
  tls.connect = function timedConnect(...args) {
    const start = now();
    const socket = connect.apply(this, args);
    const target = typeof args[0] === 'object' ? `${args[0].host ?? ''}:${args[0].port ?? ''}` : String(args[0]);
    socket.once('secureConnect', () => events.push({ at: start, event: 'tls-handshake', ms: now() - start, target }));
    return socket;
  };
  const recordRequest = (request, status) =>
    events.push({
      at: request.benchStart,
      event: 'request',
      ms: now() - request.benchStart,
      method: request.method,
      path: request.path,
      status,
      reused: Boolean(request.reusedSocket),
    });
  diagnostics.subscribe('http.client.request.start', ({ request }) => {
    request.benchStart = now();
    // A request that ends without a response (aborted, timed out, failed) is recorded on close.
    request.once('close', () => {
      if (!request.benchAnswered) recordRequest(request, null);
    });
  });
  diagnostics.subscribe('http.client.response.finish', ({ request, response }) => {
    request.benchAnswered = true;
    recordRequest(request, response.statusCode);
  });
  process.on('exit', () => {
    events.push({ at: now(), event: 'exit' });
    writeFileSync(logPath, JSON.stringify(events));
  });
}
