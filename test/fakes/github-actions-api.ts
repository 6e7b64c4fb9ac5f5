// Imitates the GitHub REST API v3 (api.github.com, API version 2022-11-28) for a CI check:
// `GET /rate_limit` (resources.core and the legacy `rate`, with the x-ratelimit-* headers; it does
// not count against the limit) and `GET /repos/{owner}/{repo}/actions/runners` (the repository's
// self-hosted runners: total_count, runners[].{id,name,os,status,busy,ephemeral,labels}). Tokens
// are sent as `Authorization: Bearer`. A wrong token is 401 "Bad credentials"; the runners of a
// repository need authentication (401 "Requires authentication"), a repository the token cannot
// see is 404 "Not Found", one it may see but not administer 403 "Resource not accessible by
// personal access token"; a used-up limit is 403 with x-ratelimit-remaining: 0. Logs every request.

import { replying, startRecordingServer, type Recording, type Reply, type ServeOptions } from './recording-server.js';

export interface GitHubRunner {
  id: number;
  name: string;
  status: 'online' | 'offline';
  busy: boolean;
}

export interface GitHubOptions extends ServeOptions {
  /** Token → repositories (`owner/repo`) it may see, with the access it has. */
  tokens?: Record<string, Record<string, 'admin' | 'read'>>;
  /** `owner/repo` → its self-hosted runners. */
  runners?: Record<string, GitHubRunner[]>;
  /** The core limit left for an authenticated client (the limit is 5000; anonymous: 60). */
  remaining?: number;
}

const DOCS = 'https://docs.github.com/rest';
const RESET = 1_767_225_600; // 2026-01-01T00:00:00Z

const error = (status: number, message: string, documentation_url = DOCS): Reply => ({
  status,
  body: { message, documentation_url, status: String(status) },
});

export async function startGitHub(options: GitHubOptions = {}): Promise<Recording> {
  const tokens = options.tokens ?? {};
  return startRecordingServer(
    replying((req, url): Reply => {
      const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (token !== undefined && !(token in tokens)) return error(401, 'Bad credentials');
      const limit = token ? 5000 : 60;
      const remaining = Math.min(limit, token ? (options.remaining ?? 4990) : 58);
      const core = { limit, used: limit - remaining, remaining, reset: RESET };
      const headers = {
        'x-github-api-version-selected': '2022-11-28',
        'x-github-media-type': 'github.v3; format=json',
        'x-github-request-id': 'C0DE:1A2B:3C4D5E:6F7A8B:65A1B2C3',
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-reset': String(RESET),
        'x-ratelimit-used': String(core.used),
        'x-ratelimit-resource': 'core',
      };
      const reply = (r: Reply): Reply => ({ ...r, headers: { ...headers, ...r.headers } });
      if (req.method !== 'GET') return reply(error(404, 'Not Found'));
      if (url.pathname === '/rate_limit') {
        const small = (n: number) => ({ limit: n, used: 0, remaining: n, reset: RESET });
        return reply({
          status: 200,
          body: {
            resources: { core, search: small(30), graphql: small(token ? 5000 : 0), code_search: small(10) },
            rate: core,
          },
        });
      }
      const match = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runners$/.exec(url.pathname);
      if (!match) return reply(error(404, 'Not Found'));
      const docs = `${DOCS}/actions/self-hosted-runners#list-self-hosted-runners-for-a-repository`;
      if (token === undefined) return reply(error(401, 'Requires authentication', docs));
      if (remaining === 0)
        return reply(
          error(403, 'API rate limit exceeded for user ID 583231.', `${DOCS}/overview/rate-limits-for-the-rest-api`),
        );
      const repository = `${match[1]}/${match[2]}`;
      const access = tokens[token]![repository];
      if (!access) return reply(error(404, 'Not Found', docs));
      if (access !== 'admin') return reply(error(403, 'Resource not accessible by personal access token', docs));
      const runners = options.runners?.[repository] ?? [];
      return reply({
        status: 200,
        body: {
          total_count: runners.length,
          runners: runners.map((r) => ({
            ...r,
            os: 'linux',
            ephemeral: false,
            labels: [
              { id: 1, name: 'self-hosted', type: 'read-only' },
              { id: 2, name: 'linux', type: 'read-only' },
            ],
          })),
        },
      });
    }),
    options,
  );
}
