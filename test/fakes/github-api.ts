// Imitates the GitHub REST API v3 as GitHub Enterprise Server 3.x serves it under /api/v3 — the
// same resources, bodies and headers api.github.com has at its root:
// - GET /meta: `verifiable_password_authentication`, `installed_version` (GHES only);
// - GET /user with `Authorization: Bearer <token>` (or `token <token>`): the user (`login`, `id`,
//   `type` …); `X-OAuth-Scopes` lists a classic token's scopes and is absent for fine-grained
//   tokens; `github-authentication-token-expiration: 2026-12-10 12:00:00 UTC` for a token with an
//   expiry; a GitHub App installation token gets 403 "Resource not accessible by integration";
// - errors as `{ message, documentation_url, status }`: 401 "Requires authentication" without a
//   token, 401 "Bad credentials" for an unknown one, 404 "Not Found";
// - every answer carries `X-GitHub-Enterprise-Version` and `X-GitHub-Request-Id`. Rate limiting is
//   off on GHES unless an administrator turns it on (no x-ratelimit-* headers); `rateLimit` turns it
//   on, with the x-ratelimit-limit/-remaining/-used/-reset/-resource headers github.com always sends.
// Logs every request.

import { sendJson, startRecordingServer, bearer, type Recording, type ServeOptions } from './recording-server.js';

export interface GitHubToken {
  login: string;
  /** A classic token's scopes; undefined for a fine-grained token (no X-OAuth-Scopes header). */
  scopes?: string[];
  /** As the header spells it: `2026-12-10 12:00:00 UTC`. */
  expiration?: string;
  /** A GitHub App installation token, which may not read /user. */
  isAppToken?: boolean;
}

export interface GitHubApiOptions extends ServeOptions {
  /** GHES version, e.g. 3.13.2. */
  version?: string;
  tokens?: Record<string, GitHubToken>;
  rateLimit?: { limit: number; remaining: number };
}

export function startGitHubApi(options: GitHubApiOptions = {}): Promise<Recording> {
  const version = options.version ?? '3.13.2';
  const docs = `https://docs.github.com/enterprise-server@${version.split('.').slice(0, 2).join('.')}/rest`;
  const common = { 'x-github-enterprise-version': version, 'x-github-media-type': 'github.v3; format=json' };
  const error = (status: number, message: string, page = ''): [number, unknown] => [
    status,
    { message, documentation_url: `${docs}${page}`, status: String(status) },
  ];
  return startRecordingServer((req, res) => {
    const headers: Record<string, string> = { ...common, 'x-github-request-id': `F00D:${req.path.length}:1` };
    const path = req.path.split('?')[0];
    let answer: [number, unknown];
    if (req.method === 'GET' && path === '/api/v3/meta') {
      answer = [200, { verifiable_password_authentication: true, installed_version: version, hooks: [], git: [] }];
    } else if (req.method === 'GET' && path === '/api/v3/user') {
      const value = bearer(req, 'Bearer', 'token');
      const token = value === undefined ? undefined : options.tokens?.[value];
      if (token && options.rateLimit) {
        const { limit, remaining } = options.rateLimit;
        Object.assign(headers, {
          'x-ratelimit-limit': String(limit),
          'x-ratelimit-remaining': String(remaining),
          'x-ratelimit-used': String(limit - remaining),
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
          'x-ratelimit-resource': 'core',
        });
      }
      if (value === undefined)
        answer = error(401, 'Requires authentication', '/users/users#get-the-authenticated-user');
      else if (!token) answer = error(401, 'Bad credentials');
      else if (token.isAppToken) answer = error(403, 'Resource not accessible by integration', '/users/users');
      else {
        if (token.scopes) headers['x-oauth-scopes'] = token.scopes.join(', ');
        headers['x-accepted-oauth-scopes'] = '';
        if (token.expiration) headers['github-authentication-token-expiration'] = token.expiration;
        answer = [200, { login: token.login, id: 1, node_id: 'MDQ6VXNlcjE=', type: 'User', site_admin: false }];
      }
    } else {
      answer = error(404, 'Not Found');
    }
    sendJson(res, answer[0], answer[1], headers);
  }, options);
}
