// Imitates the REST API v4 of GitLab 17.x, the endpoints a CI check reads: `GET /api/v4/version`
// and `GET /api/v4/runners` ("list owned runners": the runners available to the token's user,
// filtered by `status` = online | offline | stale | never_contacted, paginated with `page` and
// `per_page` (default 20, at most 100) and the X-Total / X-Total-Pages / X-Page / X-Per-Page /
// X-Next-Page / X-Prev-Page headers). Tokens go in `PRIVATE-TOKEN` (or `Authorization: Bearer`):
// none or an unknown one is 401 `{"message":"401 Unauthorized"}`; one without a scope the endpoint
// accepts is 403 `insufficient_scope` with its Bearer challenge. An unhealthy instance answers 502
// from Workhorse. Logs every request.

import { replying, startRecordingServer, type Recording, type Reply, type ServeOptions } from './recording-server.js';

export type RunnerStatus = 'online' | 'offline' | 'stale' | 'never_contacted';

export interface GitLabRunner {
  id: number;
  description: string;
  status: RunnerStatus;
  paused?: boolean;
}

export interface GitLabOptions extends ServeOptions {
  version?: string;
  /** Token → its scopes (`read_api`, `api`, `read_user`, `manage_runner` …). */
  tokens?: Record<string, string[]>;
  runners?: GitLabRunner[];
  /** Puma is down: Workhorse answers 502 to everything. */
  unhealthy?: boolean;
}

export const GITLAB_VERSION = '17.5.2-ee';

const SCOPES: Record<string, string[]> = {
  '/api/v4/version': ['api', 'read_api', 'read_user', 'ai_features'],
  '/api/v4/runners': ['api', 'read_api', 'manage_runner'],
};

const STATUSES: RunnerStatus[] = ['online', 'offline', 'stale', 'never_contacted'];

function runnerJson(r: GitLabRunner): Record<string, unknown> {
  return {
    id: r.id,
    description: r.description,
    ip_address: null,
    active: !r.paused,
    paused: r.paused === true,
    is_shared: false,
    runner_type: 'project_type',
    name: null,
    online: r.status === 'online',
    status: r.status,
  };
}

/** One page of a list, with GitLab's offset-pagination headers. */
function page(items: unknown[], url: URL, base: string): Reply {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20));
  const current = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number): string => {
    const u = new URL(url.pathname + url.search, base);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(perPage));
    return u.href;
  };
  return {
    status: 200,
    headers: {
      'x-total': String(items.length),
      'x-total-pages': String(pages),
      'x-per-page': String(perPage),
      'x-page': String(current),
      'x-next-page': current < pages ? String(current + 1) : '',
      'x-prev-page': current > 1 ? String(current - 1) : '',
      link: [`<${link(1)}>; rel="first"`, `<${link(pages)}>; rel="last"`].join(', '),
    },
    body: items.slice((current - 1) * perPage, current * perPage),
  };
}

export async function startGitLab(options: GitLabOptions = {}): Promise<Recording> {
  const tokens = options.tokens ?? {};
  let base = '';
  const server = await startRecordingServer(
    replying((req, url): Reply => {
      if (options.unhealthy)
        return {
          status: 502,
          body: '<html><body><h1>502</h1><p>Whoops, GitLab is taking too much time to respond.</p></body></html>',
        };
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const token = (req.headers['private-token'] as string | undefined) ?? bearer;
      const scopes = SCOPES[url.pathname];
      if (!scopes || req.method !== 'GET') return { status: 404, body: { message: '404 Not Found' } };
      if (token === undefined || !(token in tokens)) return { status: 401, body: { message: '401 Unauthorized' } };
      if (!tokens[token]!.some((s) => scopes.includes(s))) {
        const description = 'The request requires higher privileges than provided by the access token.';
        return {
          status: 403,
          headers: {
            'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="${description}", scope="${scopes.join(' ')}"`,
          },
          body: { error: 'insufficient_scope', error_description: description, scope: scopes.join(' ') },
        };
      }
      if (url.pathname === '/api/v4/version') {
        const version = options.version ?? GITLAB_VERSION;
        return {
          status: 200,
          body: {
            version,
            revision: '6b2f9e5c1d4',
            kas: {
              enabled: true,
              externalUrl: `${base.replace(/^http/, 'ws')}/-/kubernetes-agent/`,
              version: version.replace(/-ee$/, ''),
            },
            enterprise: version.endsWith('-ee'),
          },
        };
      }
      const status = url.searchParams.get('status');
      if (status !== null && !STATUSES.includes(status as RunnerStatus))
        return { status: 400, body: { error: 'status does not have a valid value' } };
      const runners = (options.runners ?? []).filter((r) => status === null || r.status === status);
      return page(runners.map(runnerJson), url, base);
    }),
    options,
  );
  base = server.url;
  return server;
}
