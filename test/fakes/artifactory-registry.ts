// JFrog Artifactory 7.90 (repository path method) as documented and reported: token service under
// /artifactory/api/docker/<repo-key>/v2/token, the X-JFrog-Version and X-Artifactory-Id headers on
// every answer; a push without Deploy permission is 403 DENIED naming the missing permission
// (message shape from users' reports, not verified in the anchors); referrers API from 7.90.1.
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const ARTIFACTORY_DENIED = 'Not enough permissions to deploy artifact to docker-local';

export const artifactorySpec: ProductSpec = {
  auth: {
    kind: 'bearer',
    realmPath: '/artifactory/api/docker/docker-local/v2/token',
    service: (self) => new URL(self).host,
  },
  headers: { 'x-jfrog-version': 'Artifactory/7.90.1 79001900', 'x-artifactory-id': 'c1b2f4e6a8d0' },
  failedLogin: () => errors(401, 'UNAUTHORIZED', 'Bad credentials'),
  refuse: (why, ctx) => {
    if (why === 'unauthenticated')
      return errors(401, 'UNAUTHORIZED', 'Authentication is required', { 'www-authenticate': ctx.challenge() });
    return ctx.action === 'push'
      ? errors(403, 'DENIED', ARTIFACTORY_DENIED)
      : errors(403, 'DENIED', 'Not enough permissions to read from docker-local');
  },
  isCreatedOnPush: true,
  referrers: 'api',
};

export const startArtifactoryRegistry = (options: FakeOptions) => startProductRegistry(artifactorySpec, options);
