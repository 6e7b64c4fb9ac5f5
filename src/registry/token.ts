// The Docker token flow: GET the realm with service and scope (Basic credentials when configured),
// the OAuth2 POST form as fallback (or first, for a refresh token), `token` or `access_token`,
// `expires_in` (default 60 s) and `issued_at`. Tokens are registered with the redaction gate the
// moment they exist; JWT payloads are decoded (never verified) for expiry and granted actions.

import { basicAuthorization } from '../net/basic-auth.js';
import { ConnectionError } from '../net/errors.js';
import type { HttpResponse } from '../net/http-client.js';
import { allGrantedActions, decodeJwt, jwtExpiry, type JwtClaims } from './jwt.js';
import { MAX_JSON_DEPTH, parseBoundedJson } from '../util/bounded-json.js';
import { registerSecret } from '../util/redact.js';

export type TokenExchange = 'ok' | 'rejected' | 'unreachable' | 'not_attempted';

export interface TokenCredentials {
  username?: string;
  password?: string;
  identityToken?: string;
}

export interface IssuedToken {
  exchange: 'ok';
  token: string;
  expiresInSeconds: number;
  issuedAt: string | null;
  expiresAtUtc: string | null;
  /** `repository:name:pull,push` entries from the JWT `access` claim; null when the token is opaque. */
  grantedActions: string[] | null;
  /** True when no credential reached the token service (none configured, or withheld from a redirect). */
  isAnonymous: boolean;
  /**
   * The credentials reached the token service and it answered with an anonymous token: a JWT whose
   * subject is empty or missing and that grants nothing of what was asked (Harbor's answer to a
   * failed login that asks for scopes). The credentials were not accepted.
   */
  isAnonymousGrant: boolean;
  /** The JWT's `sub`; null when the token is opaque or names none. */
  subject: string | null;
  /** The origin a redirect of the token request pointed at, from which the credentials were withheld. */
  credentialsWithheldFrom: string | null;
  method: 'GET' | 'POST';
  statusCode: number;
}

export interface FailedToken {
  exchange: 'rejected' | 'unreachable';
  statusCode: number | null;
  message: string;
  errorClass?: string;
}

export type TokenOutcome = IssuedToken | FailedToken;

export type TokenResponse = HttpResponse & { credentialsWithheldFrom: string | null };

export interface TokenRequestContext {
  realm: URL;
  service: string | undefined;
  scopes: string[];
  credentials: TokenCredentials;
  /** Sends one request to the realm, following redirects safely. */
  send(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body?: string): Promise<TokenResponse>;
}

const CLIENT_ID = 'stella-doctor';

function parseTokenBody(
  response: TokenResponse,
): { token: string; expiresIn: number; issuedAt: string | null } | string {
  const parsed = parseBoundedJson(response.body);
  if (!parsed.ok)
    return (
      `the token service answered ${response.status} with a body that is ` +
      `${parsed.reason === 'too_deep' ? `JSON nested deeper than ${MAX_JSON_DEPTH} levels` : 'not JSON'}`
    );
  if (!parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value))
    return 'the token service answered with JSON that is not an object';
  const record = parsed.value as Record<string, unknown>;
  const token = typeof record.access_token === 'string' && record.access_token ? record.access_token : record.token;
  if (typeof token !== 'string' || token === '')
    return 'the token service answered without a token or access_token field';
  registerSecret(token);
  if (typeof record.refresh_token === 'string') registerSecret(record.refresh_token);
  const expiresIn =
    typeof record.expires_in === 'number' && Number.isFinite(record.expires_in) && record.expires_in > 0
      ? Math.max(60, record.expires_in)
      : 60;
  const issuedAt = typeof record.issued_at === 'string' ? record.issued_at : null;
  return { token, expiresIn, issuedAt };
}

function issued(
  parsed: { token: string; expiresIn: number; issuedAt: string | null },
  ctx: TokenRequestContext,
  method: 'GET' | 'POST',
  response: TokenResponse,
): IssuedToken {
  const jwt = decodeJwt(parsed.token);
  const exp = jwt ? jwtExpiry(jwt.payload) : undefined;
  const start =
    parsed.issuedAt && !Number.isNaN(Date.parse(parsed.issuedAt)) ? Date.parse(parsed.issuedAt) : Date.now();
  const isAnonymous =
    (!ctx.credentials.username && !ctx.credentials.identityToken) || response.credentialsWithheldFrom !== null;
  const subject = jwt && typeof jwt.payload.sub === 'string' && jwt.payload.sub !== '' ? jwt.payload.sub : null;
  const grants = jwt ? allGrantedActions(jwt.payload) : null;
  return {
    exchange: 'ok',
    token: parsed.token,
    expiresInSeconds: jwtLifetimeSeconds(jwt?.payload, exp, start) ?? parsed.expiresIn,
    issuedAt: parsed.issuedAt,
    // A lifetime or issue date past the last representable date has no expiry to show.
    expiresAtUtc: isoOrNull(exp?.getTime() ?? start + parsed.expiresIn * 1000),
    grantedActions: grants,
    isAnonymous,
    isAnonymousGrant: !isAnonymous && jwt !== undefined && subject === null && !grantsAnyOf(grants ?? [], ctx.scopes),
    subject,
    credentialsWithheldFrom: response.credentialsWithheldFrom,
    method,
    statusCode: response.status,
  };
}

/**
 * The lifetime the token itself states, `exp` − `iat` (or − the issue time of the answer): GitLab
 * answers without `expires_in`, which means 60 s by the spec, while its JWT says 300 s.
 */
function jwtLifetimeSeconds(payload: JwtClaims | undefined, exp: Date | undefined, startMs: number): number | null {
  if (!payload || !exp) return null;
  const iat = typeof payload.iat === 'number' && Number.isFinite(payload.iat) ? payload.iat * 1000 : startMs;
  const seconds = Math.round((exp.getTime() - iat) / 1000);
  return seconds > 0 ? seconds : null;
}

/** Whether the grants hold any action on a resource of the requested scopes (all resources when none were asked). */
function grantsAnyOf(grants: string[], requested: string[]): boolean {
  const resources = requested.map((scope) => scope.slice(0, scope.lastIndexOf(':') + 1));
  return grants.some((grant) => resources.length === 0 || resources.some((r) => grant.startsWith(r)));
}

/** An ISO date, or null for a time outside what a Date can hold. */
function isoOrNull(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** What one answer of the token service means, for either endpoint. */
function outcomeOf(response: TokenResponse, ctx: TokenRequestContext, method: 'GET' | 'POST'): TokenOutcome {
  if (response.status >= 300 && response.status <= 399 && response.credentialsWithheldFrom) {
    return {
      exchange: 'unreachable',
      statusCode: response.status,
      message:
        `the token service redirected the ${method} that carries the credentials to ` +
        `${response.credentialsWithheldFrom}, another origin; it was not followed, so the credentials stay with ` +
        `${ctx.realm.origin}`,
    };
  }
  if (response.status === 401 || response.status === 403) {
    return {
      exchange: 'rejected',
      statusCode: response.status,
      message: `the token service rejected the credentials (${method} ${response.status})`,
    };
  }
  if (response.status !== 200) {
    return {
      exchange: 'unreachable',
      statusCode: response.status,
      message: `the token service answered ${method} with status ${response.status}`,
    };
  }
  const parsed = parseTokenBody(response);
  return typeof parsed === 'string'
    ? { exchange: 'unreachable', statusCode: 200, message: parsed }
    : issued(parsed, ctx, method, response);
}

async function getToken(ctx: TokenRequestContext): Promise<TokenOutcome> {
  const url = new URL(ctx.realm);
  if (ctx.service) url.searchParams.set('service', ctx.service);
  for (const scope of ctx.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = { accept: 'application/json' };
  const { username, password } = ctx.credentials;
  if (username && password !== undefined) {
    url.searchParams.set('account', username);
    headers.authorization = basicAuthorization(username, password);
  }
  url.searchParams.set('client_id', CLIENT_ID);
  return outcomeOf(await ctx.send('GET', url, headers), ctx, 'GET');
}

async function postToken(ctx: TokenRequestContext): Promise<TokenOutcome> {
  const form = new URLSearchParams();
  const { username, password, identityToken } = ctx.credentials;
  if (identityToken) {
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', identityToken);
  } else {
    form.set('grant_type', 'password');
    form.set('username', username ?? '');
    form.set('password', password ?? '');
  }
  if (ctx.service) form.set('service', ctx.service);
  form.set('client_id', CLIENT_ID);
  if (ctx.scopes.length > 0) form.set('scope', ctx.scopes.join(' '));
  const response = await ctx.send(
    'POST',
    ctx.realm,
    { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    form.toString(),
  );
  return outcomeOf(response, ctx, 'POST');
}

/**
 * One token exchange. A refresh token goes by POST first; everything else by GET, with the
 * OAuth2 POST form as fallback when the GET endpoint is missing (404/405) and a password is held.
 */
export async function requestToken(ctx: TokenRequestContext): Promise<TokenOutcome> {
  try {
    if (ctx.credentials.identityToken) return await postToken(ctx);
    const viaGet = await getToken(ctx);
    const getMissing = viaGet.exchange !== 'ok' && (viaGet.statusCode === 404 || viaGet.statusCode === 405);
    if (getMissing && ctx.credentials.password !== undefined) return await postToken(ctx);
    return viaGet;
  } catch (error) {
    if (error instanceof ConnectionError) {
      return {
        exchange: 'unreachable',
        statusCode: null,
        message: `cannot reach the token service at ${ctx.realm.host}: ${error.message}`,
        errorClass: error.errorClass,
      };
    }
    throw error;
  }
}
