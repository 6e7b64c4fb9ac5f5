// Docker Hub (registry-1.docker.io, distribution-spec 1.0.1 as documented) as its documentation and
// its users' reports describe it: the token service (auth.docker.io in reality, here the loopback
// fake itself) at /token with service="registry.docker.io", tokens of 300 s; a missing repository
// and one the account may not read both answer 401 insufficient_scope (docker/hub-feedback#728);
// rate-limit headers on manifest answers; a manifest GET over the limit is 429 "You have reached
// your pull rate limit"; bad credentials get the old `{"details": …}` answer. No referrers API.
import { errors, json, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const DOCKERHUB_RATE_LIMIT_MESSAGE =
  'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: ' +
  'https://www.docker.com/increase-rate-limit';

export function dockerhubSpec(options: { isRateLimited?: boolean } = {}): ProductSpec {
  const rateLimit = {
    'ratelimit-limit': '100;w=21600',
    'ratelimit-remaining': options.isRateLimited ? '0;w=21600' : '76;w=21600',
    'docker-ratelimit-source': '203.0.113.9',
  };
  return {
    auth: { kind: 'bearer', realmPath: '/token', service: () => 'registry.docker.io' },
    tokenFields: (token) => ({ access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
    failedLogin: () => json(401, { details: 'incorrect username or password' }),
    manifestHeaders: rateLimit,
    manifestGet: () =>
      options.isRateLimited ? errors(429, 'TOOMANYREQUESTS', DOCKERHUB_RATE_LIMIT_MESSAGE, rateLimit) : undefined,
    // Hub hides existence: missing and forbidden alike are 401 insufficient_scope, "authentication required".
    refuse: (why, ctx) =>
      errors(401, 'UNAUTHORIZED', 'authentication required', {
        'www-authenticate': ctx.challenge(why === 'unauthenticated' ? undefined : 'insufficient_scope'),
      }),
    isCreatedOnPush: true,
    referrers: 'none',
  };
}

export const startDockerhubRegistry = (options: FakeOptions, extra: { isRateLimited?: boolean } = {}) =>
  startProductRegistry(dockerhubSpec(extra), options);
