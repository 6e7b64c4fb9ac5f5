// Quay (quay.io / Project Quay 3.12) as documented and reported: token service at /v2/auth with
// the host as service; robot accounts `org+name`; a push without Write permission is 401 without
// `insufficient_scope` ("access to the requested resource is not authorized"); wrong credentials
// are refused by the token service; the referrers API from 3.12 (quay#2597).
import { errors, json, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const QUAY_DENIED = 'access to the requested resource is not authorized';

export const quaySpec: ProductSpec = {
  auth: { kind: 'bearer', realmPath: '/v2/auth', service: (self) => new URL(self).host },
  failedLogin: () => json(401, { error: 'Invalid Username or Password' }),
  refuse: (why, ctx) =>
    why === 'missing'
      ? errors(404, 'NAME_UNKNOWN', 'repository not found')
      : errors(401, 'UNAUTHORIZED', QUAY_DENIED, { 'www-authenticate': ctx.challenge() }),
  isCreatedOnPush: true,
  referrers: 'api',
};

export const startQuayRegistry = (options: FakeOptions) => startProductRegistry(quaySpec, options);
