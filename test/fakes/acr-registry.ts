// Azure Container Registry (2025) as documented: token service at /oauth2/token with the login
// server as service; a scope map without content/write is 401 insufficient_scope on push; with
// network rules on, every request from an address outside them is 403 DENIED "client with IP '…'
// is not allowed access. Refer https://aka.ms/acr/firewall to grant access." — the challenge
// endpoint /v2/ included (az acr check-health: CONNECTIVITY_FORBIDDEN_ERROR).
import { errors, startProductRegistry, type FakeOptions, type ProductSpec } from './product-registry.js';

export const ACR_LOGIN_SERVER = 'stelladoctor.azurecr.io';
export const ACR_FIREWALL =
  "client with IP '203.0.113.7' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.";

export function acrSpec(options: { isFirewalled?: boolean } = {}): ProductSpec {
  return {
    auth: { kind: 'bearer', realmPath: '/oauth2/token', service: () => ACR_LOGIN_SERVER },
    tokenFields: (token) => ({ access_token: token, refresh_token: undefined }),
    failedLogin: () => errors(401, 'UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization'),
    refuse: (why, ctx) =>
      errors(401, 'UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization', {
        'www-authenticate': ctx.challenge(why === 'unauthenticated' ? undefined : 'insufficient_scope'),
      }),
    ...(options.isFirewalled ? { everything: () => errors(403, 'DENIED', ACR_FIREWALL) } : {}),
    referrers: 'api',
    isCreatedOnPush: true,
  };
}

export const startAcrRegistry = (options: FakeOptions, extra: { isFirewalled?: boolean } = {}) =>
  startProductRegistry(acrSpec(extra), options);
