// Google Artifact Registry (<location>-docker.pkg.dev, 2025) as documented and reported: token
// service at /v2/token with the location host as service; usernames oauth2accesstoken / _json_key;
// a missing permission is 403 *without* a new challenge (regclient#149) whose message names the
// IAM permission, e.g. `Permission "artifactregistry.repositories.uploadArtifacts" denied on
// resource "projects/…/repositories/…" (or it may not exist)`. Attachments give a referrers API.
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const AR_HOST = 'europe-west1-docker.pkg.dev';
export const arPermissionDenied = (permission: string, repository: string): string =>
  `Permission "artifactregistry.repositories.${permission}" denied on resource ` +
  `"projects/stella/locations/europe-west1/repositories/${repository.split('/')[0]}" (or it may not exist)`;

export const artifactRegistrySpec: ProductSpec = {
  auth: { kind: 'bearer', realmPath: '/v2/token', service: () => AR_HOST },
  tokenFields: () => ({ expires_in: 3600 }),
  failedLogin: () => errors(401, 'UNAUTHORIZED', 'authentication failed'),
  refuse: (why, ctx) => {
    if (why === 'unauthenticated')
      return errors(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': ctx.challenge() });
    const permission = ctx.action === 'push' ? 'uploadArtifacts' : 'downloadArtifacts';
    return errors(403, 'DENIED', arPermissionDenied(permission, ctx.repository));
  },
  referrers: 'api',
};

export const startArtifactRegistry = (options: FakeOptions) => startProductRegistry(artifactRegistrySpec, options);
