// GitHub Container Registry (ghcr.io, 2025) as documented and reported: token service at /token
// with service="ghcr.io"; a personal access token without write:packages is refused the push with
// 403 `denied: permission_denied: write_package`; no referrers API (404; community discussions
// 208530/208532), so clients use the tag-schema fallback.
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const GHCR_PUSH_DENIED = 'permission_denied: write_package';

export const ghcrSpec: ProductSpec = {
  auth: { kind: 'bearer', realmPath: '/token', service: () => 'ghcr.io' },
  failedLogin: () => errors(401, 'UNAUTHORIZED', 'authentication required'),
  refuse: (why, ctx) => {
    if (why === 'unauthenticated')
      return errors(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': ctx.challenge() });
    if (ctx.action === 'push') return errors(403, 'DENIED', GHCR_PUSH_DENIED);
    return errors(403, 'DENIED', 'requested access to the resource is denied');
  },
  isCreatedOnPush: true,
  referrers: 'none',
};

export const startGhcrRegistry = (options: FakeOptions) => startProductRegistry(ghcrSpec, options);
