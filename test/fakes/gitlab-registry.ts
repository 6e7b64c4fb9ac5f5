// GitLab container registry (gitlab.com / self-managed 17.x) as documented and reported: the token
// realm lives on the GitLab host at /jwt/auth with service="container_registry"; the token answer
// is `{"token": …}` alone (no expires_in) while the JWT lasts 5 minutes; a missing grant is 401
// insufficient_scope; no referrers API, and a tag `sha256-<hex>` resolves to the digest
// `sha256:<hex>`, so the fallback tag of an image is the image itself (oras-go#1396).
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const GITLAB_LOGIN_REFUSED =
  'HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect ' +
  "or you're required to use a token instead of a password.";

export const gitlabSpec: ProductSpec = {
  auth: { kind: 'bearer', realmPath: '/jwt/auth', service: () => 'container_registry' },
  failedLogin: () => errors(401, 'UNAUTHORIZED', GITLAB_LOGIN_REFUSED),
  refuse: (why, ctx) =>
    errors(401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': ctx.challenge(why === 'unauthenticated' ? undefined : 'insufficient_scope'),
    }),
  isCreatedOnPush: true,
  referrers: 'none',
  resolvesDigestTags: true,
};

export const startGitlabRegistry = (options: FakeOptions) => startProductRegistry(gitlabSpec, options);
