// Decodes a JWT's header and payload (never verifies the signature, never prints the token) so a
// diagnosis can say when a token expires and which actions a token service actually granted.

import { formatScope, type Scope } from './challenge.js';
import { boundedJsonObject } from '../util/bounded-json.js';

export type JwtClaims = Record<string, unknown>;

export type DecodedJwt = { header: JwtClaims; payload: JwtClaims };

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** The signature may be empty (an unsecured JWT still carries `exp` and `access`). */
const SIGNATURE = /^[A-Za-z0-9_-]*$/;

/** Header and payload of `header.payload.signature`; undefined for an opaque or malformed token. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const segments = token.split('.');
  if (segments.length !== 3) return undefined;
  const [header, payload, signature] = segments as [string, string, string];
  if (!SEGMENT.test(header) || !SEGMENT.test(payload) || !SIGNATURE.test(signature)) return undefined;
  const decodedHeader = decodeSegment(header);
  const decodedPayload = decodeSegment(payload);
  return decodedHeader && decodedPayload ? { header: decodedHeader, payload: decodedPayload } : undefined;
}

/** When the token stops being valid (`exp`, seconds since the epoch). */
export function jwtExpiry(payload: JwtClaims): Date | undefined {
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  const expiry = new Date(exp * 1000);
  return Number.isNaN(expiry.getTime()) ? undefined : expiry;
}

/** The actions the `access` claim grants on one resource (`repository`, `library/alpine`). */
export function grantedActions(payload: JwtClaims, type: string, name: string): string[] {
  return accessGrants(payload).find((grant) => grant.type === type && grant.name === name)?.actions ?? [];
}

/** Every grant of the `access` claim as a scope, `repository:library/alpine:pull,push`. */
export function allGrantedActions(payload: JwtClaims): string[] {
  return accessGrants(payload)
    .filter((grant) => grant.actions.length > 0)
    .map(formatScope);
}

/** The `access` claim with entries for the same resource merged; malformed entries are skipped. */
function accessGrants(payload: JwtClaims): Scope[] {
  const access = payload.access;
  if (!Array.isArray(access)) return [];
  const grants = new Map<string, Scope>();
  for (const entry of access) {
    if (
      !isObject(entry) ||
      typeof entry.type !== 'string' ||
      typeof entry.name !== 'string' ||
      !Array.isArray(entry.actions)
    )
      continue;
    const key = JSON.stringify([entry.type, entry.name]);
    const grant = grants.get(key) ?? { type: entry.type, name: entry.name, actions: [] };
    grants.set(key, grant);
    for (const action of entry.actions) {
      if (typeof action === 'string' && !grant.actions.includes(action)) grant.actions.push(action);
    }
  }
  return [...grants.values()];
}

function decodeSegment(segment: string): JwtClaims | undefined {
  try {
    const json = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url'));
    return boundedJsonObject(json);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
