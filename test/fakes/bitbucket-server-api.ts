// Imitates Bitbucket Data Center 8.x (formerly Bitbucket Server), REST API 1.0:
// - GET /rest/api/1.0/application-properties: `{ version, buildNumber, buildDate, displayName }`,
//   open to anyone;
// - HTTP access tokens as `Authorization: Bearer <token>`; every answer to an authenticated request
//   names the user in `X-AUSERNAME` (and `X-AUSERID`) — Bitbucket has no "who am I" resource;
// - an unknown token gets 401 with Bitbucket's error list `{ errors: [{ context, message,
//   exceptionName }] }`; unknown REST resources 404 in the same shape; other paths an HTML 404.
// Logs every request.

import { sendJson, startRecordingServer, bearer, type Recording, type ServeOptions } from './recording-server.js';

export interface BitbucketServerApiOptions extends ServeOptions {
  version?: string;
  /** HTTP access tokens and the user each belongs to. */
  tokens?: Record<string, { user: string }>;
}

export function startBitbucketServerApi(options: BitbucketServerApiOptions = {}): Promise<Recording> {
  const version = options.version ?? '8.19.5';
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  const errors = (message: string, exceptionName: string | null) => ({
    errors: [{ context: null, message, exceptionName }],
  });
  return startRecordingServer((req, res) => {
    const path = req.path.split('?')[0]!;
    if (!path.startsWith('/rest/')) {
      res.writeHead(404, { 'content-type': 'text/html;charset=UTF-8' });
      return res.end('<!DOCTYPE html><html><head><title>Page not found - Bitbucket</title></head></html>');
    }
    const value = bearer(req, 'Bearer');
    const user = value === undefined ? undefined : options.tokens?.[value]?.user;
    if (value !== undefined && !user) {
      const message = 'Authentication failed. Please check your credentials and try again.';
      return sendJson(
        res,
        401,
        errors(message, 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException'),
      );
    }
    const headers: Record<string, string> = user ? { 'x-ausername': user, 'x-auserid': '51' } : {};
    if (req.method === 'GET' && path === '/rest/api/1.0/application-properties') {
      const buildNumber = String(major * 1_000_000 + minor * 1_000 + patch);
      return sendJson(
        res,
        200,
        { version, buildNumber, buildDate: '1718236800000', displayName: 'Bitbucket' },
        headers,
      );
    }
    sendJson(res, 404, errors(`No resource found for ${path}`, null), headers);
  }, options);
}
