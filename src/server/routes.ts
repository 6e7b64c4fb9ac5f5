// The routes of the service as `stella doctor serve --help` lists them.

export const SERVE_ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['POST /api/v1/doctor/run[?wait=true]', 'start a run (202 {runId}; 200 + report with wait)'],
  ['GET  /api/v1/doctor/runs?limit=&before=', 'run history, newest first'],
  ['GET  /api/v1/doctor/runs/{runId}', 'a report (results so far while running)'],
  ['GET  /api/v1/doctor/runs/{runId}/events', 'Server-Sent Events of one run'],
  ['GET  /api/v1/doctor/stream', 'Server-Sent Events of every run'],
  ['GET  /api/v1/doctor/checks', 'the check catalog'],
  ['GET  /api/v1/doctor/checks/{checkId}/article', 'a knowledge-base article (markdown)'],
  ['GET  /api/v1/doctor/checks/{checkId}/history', "a check's recent results"],
  ['GET  /api/v1/doctor/openapi.json', 'the OpenAPI 3.1 document'],
  ['GET  /metrics', 'Prometheus metrics'],
  ['GET  /ops/doctor', 'the dashboard (its shell loads without the token)'],
  ['GET  /healthz, /readyz', 'liveness; readiness (503 when the store does not answer)'],
];
