// Imitates the health endpoint of a CI system the doctor knows only as `generic` (Drone,
// Woodpecker, Buildkite agents' proxies, an in-house service): `GET /health` answering a fixed
// status with a small body — Spring Boot's `{"status":"UP"}` for 200, `{"status":"DOWN"}` for 503 —
// and 401 without the expected Bearer token when one is required. Logs every request.

import { replying, startRecordingServer, type Recording, type Reply, type ServeOptions } from './recording-server.js';

export interface HealthOptions extends ServeOptions {
  status?: number;
  /** The Bearer token /health requires, if any. */
  token?: string;
  /** Answer in plain text (`OK`) instead of JSON. */
  plain?: boolean;
}

export async function startHealthEndpoint(options: HealthOptions = {}): Promise<Recording> {
  return startRecordingServer(
    replying((req, url): Reply => {
      if (url.pathname !== '/health')
        return { status: 404, body: { status: 404, error: 'Not Found', path: url.pathname } };
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`)
        return { status: 401, headers: { 'www-authenticate': 'Bearer' }, body: { status: 401, error: 'Unauthorized' } };
      const status = options.status ?? 200;
      if (options.plain)
        return { status, headers: { 'content-type': 'text/plain' }, body: status < 300 ? 'OK' : 'DOWN' };
      return { status, body: { status: status < 300 ? 'UP' : 'DOWN' } };
    }),
    options,
  );
}
