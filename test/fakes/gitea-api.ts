// Imitates the REST API v1 of Gitea 1.22 (and Forgejo, which reports versions like
// `9.0.3+gitea-1.22.0`), as its Swagger documents it:
// - GET /api/v1/version: `{ "version": "1.22.3" }`, open to anyone;
// - GET /api/v1/user with `Authorization: token <token>` (or `Bearer`): the user (`id`, `login`,
//   `full_name`, `email`, `is_admin` …);
// - errors as `{ message, url }`, `url` pointing at the instance's /api/swagger: 401 without or with
//   an unknown token, 403 for a token without the read:user scope; 404 `{ errors, message, url }`.
// Logs every request.

import { sendJson, startRecordingServer, bearer, type Recording, type ServeOptions } from './recording-server.js';

export interface GiteaToken {
  login: string;
  /** Scoped tokens (Gitea 1.19+): `read:user`, `write:repository`, `all` … */
  scopes: string[];
}

export interface GiteaApiOptions extends ServeOptions {
  version?: string;
  tokens?: Record<string, GiteaToken>;
}

export function startGiteaApi(options: GiteaApiOptions = {}): Promise<Recording> {
  const version = options.version ?? '1.22.3';
  return startRecordingServer((req, res, origin) => {
    const path = req.path.split('?')[0];
    const url = `${origin}/api/swagger`;
    if (req.method === 'GET' && path === '/api/v1/version') return sendJson(res, 200, { version });
    if (req.method !== 'GET' || path !== '/api/v1/user')
      return sendJson(res, 404, { errors: null, message: 'not found', url });
    const value = bearer(req, 'token', 'Bearer');
    const token = value === undefined ? undefined : options.tokens?.[value];
    if (value === undefined) return sendJson(res, 401, { message: 'token is required', url });
    if (!token) return sendJson(res, 401, { message: 'invalid username, password or token', url });
    if (!token.scopes.some((s) => ['read:user', 'write:user', 'all'].includes(s))) {
      return sendJson(res, 403, { message: 'token does not have at least one of required scope(s): [read:user]', url });
    }
    sendJson(res, 200, {
      id: 3,
      login: token.login,
      login_name: '',
      full_name: '',
      email: `${token.login}@example.com`,
      is_admin: false,
      active: true,
      prohibit_login: false,
      visibility: 'public',
      username: token.login,
    });
  }, options);
}
