// Harbor 2.11 as its source and issue threads show it: token service at /service/token with
// service="harbor-registry"; a failed login that asks for scopes is answered with an anonymous token
// (empty `sub`, only what anonymous users may do), which `/v2/` then refuses; a push without the grant is 401 *without*
// `insufficient_scope`, body "unauthorized to access repository: <repo>, action: push: …"
// (goharbor/harbor#13973 and others); projects are never created on push (404 NAME_UNKNOWN
// "project … not found"); the referrers API with the OCI index type (2.11).
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const harborPushDenied = (repository: string): string =>
  `unauthorized to access repository: ${repository}, action: push: unauthorized to access repository: ` +
  `${repository}, action: push`;

export const harborSpec: ProductSpec = {
  auth: { kind: 'bearer', realmPath: '/service/token', service: () => 'harbor-registry' },
  tokenFields: () => ({ expires_in: 1800, issued_at: new Date().toISOString() }),
  failedLogin: ({ scopes }) =>
    scopes.length > 0 ? 'anonymous-token' : errors(401, 'UNAUTHORIZED', 'authentication required'),
  refuse: (why, ctx) => {
    if (why === 'missing') return errors(404, 'NAME_UNKNOWN', `project ${ctx.repository.split('/')[0]} not found`);
    if (why === 'unauthenticated')
      return errors(401, 'UNAUTHORIZED', 'unauthorized to access repository', { 'www-authenticate': ctx.challenge() });
    const message = `unauthorized to access repository: ${ctx.repository}, action: ${ctx.action}`;
    return errors(401, 'UNAUTHORIZED', `${message}: ${message}`, { 'www-authenticate': ctx.challenge() });
  },
  isV2ForUsersOnly: true,
  referrers: 'api',
};

export const startHarborRegistry = (options: FakeOptions) => startProductRegistry(harborSpec, options);
