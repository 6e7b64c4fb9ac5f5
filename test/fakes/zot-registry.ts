// zot 2.1 with htpasswd and accessControl as documented: `Basic realm="zot"` (its default realm);
// a user whose policy lacks create is refused the push with 403 DENIED; the referrers API with the
// exact OCI index content type.
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const zotSpec: ProductSpec = {
  auth: { kind: 'basic', realm: 'zot' },
  failedLogin: () => errors(401, 'UNAUTHORIZED', 'authentication required'),
  refuse: (why, ctx) =>
    why === 'unauthenticated'
      ? errors(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': ctx.challenge() })
      : errors(403, 'DENIED', 'requested access to the resource is denied'),
  isCreatedOnPush: true,
  referrers: 'api',
};

export const startZotRegistry = (options: FakeOptions) => startProductRegistry(zotSpec, options);
