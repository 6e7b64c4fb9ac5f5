// Imitates the REST API v4 of GitLab 17.x (CE), as documented:
// - GET /api/v4/version (a mirror of /api/v4/metadata since 15.5): `{ version, revision, kas,
//   enterprise }`, for authenticated users only — without a token 401 `{"message":"401 Unauthorized"}`;
// - GET /api/v4/user: the token's user (`id`, `username`, `name`, `state` …);
// - GET /api/v4/personal_access_tokens/self: the token itself (`scopes`, `expires_at` as a date,
//   `active`, `revoked` …);
// - tokens in `PRIVATE-TOKEN` or `Authorization: Bearer`; an unknown token gets 401
//   `{"message":"401 Unauthorized"}`, an expired or revoked one 401 `{"error":"invalid_token",
//   "error_description":"Token has expired."}` (or "Token was revoked. …") with a Bearer challenge,
//   one without read_user/read_api/api 403 `{"error":"insufficient_scope", …}` on /user and /version;
// - other API paths 404 `{"error":"404 Not Found"}`.
// Logs every request.

import { sendJson, startRecordingServer, bearer, type Recording, type ServeOptions } from './recording-server.js';

export interface GitLabToken {
  username: string;
  scopes: string[];
  /** `YYYY-MM-DD`; the token stops working at midnight UTC that day. */
  expiresAt?: string | null;
  state?: 'active' | 'expired' | 'revoked';
}

export interface GitLabApiOptions extends ServeOptions {
  version?: string;
  tokens?: Record<string, GitLabToken>;
}

const INVALID: Record<string, string> = {
  expired: 'Token has expired.',
  revoked: 'Token was revoked. You have to re-authorize from the user.',
};

export function startGitLabApi(options: GitLabApiOptions = {}): Promise<Recording> {
  const version = options.version ?? '17.5.1';
  return startRecordingServer((req, res) => {
    const path = req.path.split('?')[0]!;
    const value = (req.headers['private-token'] as string | undefined) ?? bearer(req, 'Bearer');
    const token = value === undefined ? undefined : options.tokens?.[value];
    const known = ['/api/v4/version', '/api/v4/metadata', '/api/v4/user', '/api/v4/personal_access_tokens/self'];
    if (req.method !== 'GET' || !known.includes(path)) return sendJson(res, 404, { error: '404 Not Found' });
    if (!token) return sendJson(res, 401, { message: '401 Unauthorized' });
    const invalid = INVALID[token.state ?? 'active'];
    if (invalid) {
      const challenge = `Bearer realm="", error="invalid_token", error_description="${invalid}"`;
      return sendJson(
        res,
        401,
        { error: 'invalid_token', error_description: invalid },
        { 'www-authenticate': challenge },
      );
    }
    if (path === '/api/v4/personal_access_tokens/self') {
      return sendJson(res, 200, {
        id: 42,
        name: 'stellaops-platform',
        revoked: false,
        created_at: '2025-01-06T09:12:44.196Z',
        description: '',
        scopes: token.scopes,
        user_id: 7,
        last_used_at: '2025-06-01T10:00:00.000Z',
        active: true,
        expires_at: token.expiresAt ?? null,
      });
    }
    if (!token.scopes.some((s) => ['api', 'read_api', 'read_user'].includes(s))) {
      const description = 'The request requires higher privileges than provided by the access token.';
      return sendJson(res, 403, {
        error: 'insufficient_scope',
        error_description: description,
        scope: 'api read_user',
      });
    }
    if (path === '/api/v4/user') {
      return sendJson(res, 200, {
        id: 7,
        username: token.username,
        name: token.username,
        state: 'active',
        locked: false,
      });
    }
    sendJson(res, 200, {
      version,
      revision: '6e1f2a4c1b8',
      kas: { enabled: true, externalUrl: null, externalK8sProxyUrl: null, version },
      enterprise: false,
    });
  }, options);
}
