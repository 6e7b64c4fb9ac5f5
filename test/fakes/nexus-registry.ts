// Sonatype Nexus Repository 3.68 (hosted Docker repository on its own connector) as documented:
// `Server: Nexus/…`, the "Docker Bearer Token Realm" token service at /v2/token whose service is
// the realm URL; a user without the repository's -add/-edit privilege is refused the push with 403
// (message shape not verified in the anchors). No referrers API.
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const nexusSpec: ProductSpec = {
  auth: { kind: 'bearer', realmPath: '/v2/token', service: (self) => `${self}/v2/token` },
  headers: { server: 'Nexus/3.68.1-02 (OSS)' },
  failedLogin: () => errors(401, 'UNAUTHORIZED', 'access to the requested resource is not authorized'),
  refuse: (why, ctx) =>
    why === 'unauthenticated'
      ? errors(401, 'UNAUTHORIZED', 'access to the requested resource is not authorized', {
          'www-authenticate': ctx.challenge(),
        })
      : errors(403, 'DENIED', 'access to the requested resource is not authorized'),
  isCreatedOnPush: true,
  referrers: 'none',
};

export const startNexusRegistry = (options: FakeOptions) => startProductRegistry(nexusSpec, options);
