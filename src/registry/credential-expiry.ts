// When a configured credential stops working, read offline from the credential itself: a bearer
// token that is a JWT (`exp`, lifetime from `iat`), or an Amazon ECR password — the base64 of a JSON
// document whose `expiration` (epoch seconds) ends its 12-hour life. Nothing is sent anywhere.

import { decodeJwt, jwtExpiry } from './jwt.js';
import { boundedJsonObject } from '../util/bounded-json.js';
import type { ResolvedCredential } from './credentials.js';

/** ECR's `GetAuthorizationToken` passwords live 12 hours. */
export const ECR_PASSWORD_LIFETIME_MS = 12 * 3_600_000;

export interface CredentialExpiry {
  /** What expires, for sentences. */
  kind: 'bearer token' | 'ECR password';
  at: Date;
  /** The whole lifetime, when the credential says it (JWT `iat`) or it is fixed (ECR); else null. */
  lifetimeMs: number | null;
}

/** The expiry of an ECR password: base64 of `{"payload":…,"datakey":…,"expiration":<epoch s>}`. */
function ecrPasswordExpiry(password: string): Date | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(password) || password.length < 16) return undefined;
  const decoded = boundedJsonObject(Buffer.from(password, 'base64'));
  const expiration = decoded?.expiration;
  if (typeof expiration !== 'number' || !Number.isFinite(expiration) || typeof decoded?.payload !== 'string')
    return undefined;
  const at = new Date(expiration * 1000);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** The expiry a configured credential carries in itself, if any. */
export function credentialExpiry(credential: ResolvedCredential): CredentialExpiry | undefined {
  if (credential.method === 'bearer' && credential.token) {
    const jwt = decodeJwt(credential.token);
    const at = jwt ? jwtExpiry(jwt.payload) : undefined;
    if (!jwt || !at) return undefined;
    const iat = jwt.payload.iat;
    const lifetimeMs = typeof iat === 'number' && Number.isFinite(iat) ? at.getTime() - iat * 1000 : null;
    return { kind: 'bearer token', at, lifetimeMs: lifetimeMs !== null && lifetimeMs > 0 ? lifetimeMs : null };
  }
  if (credential.method === 'basic' && credential.password) {
    const at = ecrPasswordExpiry(credential.password);
    return at ? { kind: 'ECR password', at, lifetimeMs: ECR_PASSWORD_LIFETIME_MS } : undefined;
  }
  return undefined;
}
