// RegistrySession: one per registry per run, shared by every OCI check. It owns the HTTP pool,
// the memoised anonymous `/v2/` probe, the credential, the token cache keyed by scope, and
// redirects followed by hand. Every secret it sends is declared to the credential gate with the
// origin it belongs to; a redirect to another origin is followed without the secret, or — for a
// secret in a body — not at all, and the run remembers whom it withheld credentials from.

import { bearerChallenge, readAuthenticate, realmUrl, type Challenge, type ParseResult } from './challenge.js';
import { basicAuthorization } from '../net/basic-auth.js';
import { CredentialOriginError } from '../net/credential-gate.js';
import type { ResolvedCredential } from './credentials.js';
import { ConnectionError } from '../net/errors.js';
import { HttpClient, headerValue, type HttpResponse } from '../net/http-client.js';
import { inspectCertificate, type TlsFacts } from '../net/tls-facts.js';
import type { ProxyEnvironment } from '../net/proxy.js';
import { requestToken, type TokenOutcome } from './token.js';

export interface SessionSettings {
  registryUrl: URL;
  caPem?: string;
  skipTlsVerify: boolean;
  allowInsecureCredentials: boolean;
  /** Deadline of one request; the session's probes are shared, so they are bounded on their own. */
  requestTimeoutMs: number;
  proxyEnv: ProxyEnvironment;
  /** Scopes the selected checks will need; the first token request asks for all of them at once. */
  plannedScopes: string[];
  /** The run reads the test manifest's body (capabilities), so manifest probes use GET, not HEAD + GET. */
  isManifestBodyPlanned: boolean;
  userAgent: string;
}

export type Probe =
  | { kind: 'response'; response: HttpResponse }
  | { kind: 'error'; error: ConnectionError; tls: TlsFacts | null; latencyMs: number };

export interface SendOptions {
  /** Attach credentials (a token for these scopes on Bearer registries). */
  auth: boolean;
  scopes?: string[];
  headers?: Record<string, string>;
  body?: string;
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

export interface SessionResponse extends HttpResponse {
  /** The token used, when the request went through the token flow. */
  token?: TokenOutcome;
  /** Hosts the request was redirected through, in order. */
  redirects: string[];
  /**
   * The origin a redirect pointed at that the request's secret does not belong to: the secret was
   * left behind (an Authorization header), or the redirect was not followed (a secret in the body,
   * which is then the answer returned). Null when no secret was withheld.
   */
  credentialsWithheldFrom: string | null;
}

/** A request's secret, for the credential gate: where it belongs, and whether it is in the body. */
export interface SecretOf {
  origin: string;
  inBody: boolean;
}

/**
 * A registry request was redirected to another origin, which then asked for the credentials that
 * were withheld from it (401/403): its answer says nothing about them, so no check may judge it.
 */
export class CredentialsWithheldError extends Error {
  override name = 'CredentialsWithheldError';
  constructor(
    readonly request: string,
    readonly response: SessionResponse,
  ) {
    super(
      `${request} was redirected to ${response.credentialsWithheldFrom}, another origin; the credentials were ` +
        `withheld from it, so its ${response.status} says nothing about them`,
    );
  }
}

const MAX_REDIRECTS = 5;
/** A Location longer than this is quoted cut in messages. */
const MAX_QUOTED_LOCATION = 200;

function scopeKey(scopes: string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

/** The parsed challenges of the anonymous `/v2/` probe, with the raw header for the evidence. */
export type ProbeChallenges = ParseResult & { raw: string | null };

/** The challenges an anonymous `/v2/` probe carries: those of a 401, none otherwise. */
function challengesOf(probe: Probe): ProbeChallenges {
  if (probe.kind !== 'response' || probe.response.status !== 401) return { ok: true, challenges: [], raw: null };
  const header = readAuthenticate(probe.response);
  return { ...header.parsed, raw: header.raw };
}

export class RegistrySession {
  readonly baseUrl: URL;
  private readonly http: HttpClient;
  private readonly memos = new Map<string, Promise<unknown>>();
  private readonly tokens: Array<{ scopes: Set<string>; outcome: Promise<TokenOutcome> }> = [];
  private readonly withheld = new Set<string>();

  constructor(
    readonly settings: SessionSettings,
    private readonly resolveCredential: () => Promise<ResolvedCredential>,
  ) {
    this.baseUrl = settings.registryUrl;
    this.http = new HttpClient({
      caPem: settings.caPem,
      skipTlsVerify: settings.skipTlsVerify,
      allowInsecureCredentials: settings.allowInsecureCredentials,
      timeoutMs: settings.requestTimeoutMs,
      proxyEnv: settings.proxyEnv,
      userAgent: settings.userAgent,
    });
  }

  close(): void {
    this.http.close();
  }

  /** Runs fn once per key for the whole run; every caller gets the same promise. */
  memo<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let existing = this.memos.get(key) as Promise<T> | undefined;
    if (!existing) {
      existing = fn();
      this.memos.set(key, existing);
    }
    return existing;
  }

  credential(): Promise<ResolvedCredential> {
    return this.memo('credential', this.resolveCredential);
  }

  /**
   * The URL of a registry path. Every path the session builds stays under the registry's `/v2/`:
   * one that a dot segment or an encoded separator would move elsewhere is refused, not sent.
   */
  url(path: string): URL {
    const basePath = this.baseUrl.pathname.replace(/\/$/, '');
    const url = new URL(this.baseUrl.origin + basePath + path);
    const requested = (basePath + path).split(/[?#]/)[0];
    if (!path.startsWith('/v2/') || url.pathname !== requested || url.origin !== this.baseUrl.origin) {
      throw new Error(`refusing a request outside the registry's /v2/ API: ${JSON.stringify(path)}`);
    }
    return url;
  }

  /** Origins this run withheld credentials from (a redirect or Location to another origin). */
  get credentialsWithheldFrom(): readonly string[] {
    return [...this.withheld];
  }

  /** Records an origin that a redirect or Location named and that was not given the credentials. */
  private withholdCredentialsFrom(origin: string): void {
    this.withheld.add(origin);
  }

  /** Whether the anonymous `/v2/` probe was sent in this run (facts derived from it cost no request then). */
  get isPinged(): boolean {
    return this.memos.has('ping');
  }

  /** `GET /v2/` without credentials, once per run; connection failures carry the certificate facts. */
  async ping(): Promise<Probe> {
    return (await this.anonymousProbe()).probe;
  }

  /** The challenges of the anonymous `/v2/` probe (empty when it did not answer 401). */
  async challenges(): Promise<ProbeChallenges> {
    return (await this.anonymousProbe()).challenges;
  }

  /** The anonymous `/v2/` probe and its challenges, parsed once, as its answer arrives. */
  private anonymousProbe(): Promise<{ probe: Probe; challenges: ProbeChallenges }> {
    return this.memo('ping', async () => {
      const probe = await this.anonymousGet(this.url('/v2/'));
      const challenges = challengesOf(probe);
      this.startPlannedTokenRequest(bearerChallenge(challenges.challenges));
      return { probe, challenges };
    });
  }

  /**
   * Starts the run's token request the moment the anonymous probe answers with a Bearer challenge,
   * when the selected checks will ask for it anyway: they planned scopes, and the credential is a
   * username with a password or identity token. Otherwise the request would wait until the first
   * of the checks waiting on the probe got to it, ~3 ms later, on the critical path of every run.
   */
  private startPlannedTokenRequest(challenge: Challenge | undefined): void {
    if (!challenge || this.settings.plannedScopes.length === 0) return;
    this.credential().then(
      (credential) => {
        const exchangesSecret =
          !credential.problem &&
          credential.method === 'basic' &&
          (credential.password !== undefined || credential.identityToken !== undefined);
        // Whoever needs the token awaits the same promise and handles its failure.
        if (exchangesSecret) this.tokenFor(challenge, []).catch(() => undefined);
      },
      () => undefined,
    );
  }

  private async anonymousGet(url: URL): Promise<Probe> {
    const started = performance.now();
    try {
      return { kind: 'response', response: await this.http.request({ method: 'GET', url }) };
    } catch (error) {
      const classified = error as ConnectionError;
      const isTlsProblem = classified.errorClass?.startsWith('tls_');
      const tls = isTlsProblem ? await inspectCertificate(url) : null;
      return { kind: 'error', error: classified, tls, latencyMs: Math.round(performance.now() - started) };
    }
  }

  async bearer(): Promise<Challenge | undefined> {
    return bearerChallenge((await this.challenges()).challenges);
  }

  /** A token for these scopes; undefined when the registry does not use the token flow. */
  async token(scopes: string[]): Promise<TokenOutcome | undefined> {
    const challenge = await this.bearer();
    return challenge ? this.tokenFor(challenge, scopes) : undefined;
  }

  /**
   * The first request asks for every planned scope at once; a cached token whose request covered
   * the needed scopes is reused.
   */
  private tokenFor(challenge: Challenge, scopes: string[]): Promise<TokenOutcome> {
    const needed = new Set(scopes);
    const cached = this.tokens.find((t) => [...needed].every((s) => t.scopes.has(s)));
    if (cached) return cached.outcome;
    const requested = scopeKey([...this.settings.plannedScopes, ...scopes])
      .split(' ')
      .filter(Boolean);
    const outcome = this.exchange(challenge, requested);
    this.tokens.push({ scopes: new Set(requested), outcome });
    return outcome;
  }

  /** Shared by every check that needs these scopes, so bounded by the request deadline, not by one check's signal. */
  private async exchange(challenge: Challenge, scopes: string[]): Promise<TokenOutcome> {
    const credential = await this.credential();
    const realm = realmUrl(challenge);
    if (!realm)
      return {
        exchange: 'unreachable',
        statusCode: null,
        message:
          `the Bearer challenge names no usable token realm ` +
          `(realm=${JSON.stringify(challenge.params.realm ?? null)})`,
      };
    const hasCredentials =
      credential.method === 'basic' && (credential.password !== undefined || credential.identityToken !== undefined);
    return requestToken({
      realm,
      service: challenge.params.service,
      scopes,
      credentials: hasCredentials
        ? { username: credential.username, password: credential.password, identityToken: credential.identityToken }
        : {},
      send: (method, url, headers, body) =>
        this.follow(
          { method, url, headers, body },
          hasCredentials ? { origin: realm.origin, inBody: body !== undefined } : undefined,
        ),
    });
  }

  /** The Authorization header for a registry request, going through the token flow where needed. */
  private async authorization(scopes: string[]): Promise<{ header?: string; token?: TokenOutcome }> {
    const credential = await this.credential();
    if (credential.problem) return {};
    if (credential.method === 'bearer' && credential.token) return { header: `Bearer ${credential.token}` };
    const token = await this.token(scopes);
    if (token) return token.exchange === 'ok' ? { header: `Bearer ${token.token}`, token } : { token };
    if (credential.method === 'basic' && credential.username !== undefined && credential.password !== undefined) {
      return { header: basicAuthorization(credential.username, credential.password) };
    }
    return {};
  }

  /**
   * A registry request, authorised as configured, redirects followed safely. Credentials belong to
   * the registry's origin: asking for them on a URL of another origin (a Location header that
   * names one) is refused before anything is sent, and remembered.
   */
  async send(method: string, pathOrUrl: string | URL, options: SendOptions): Promise<SessionResponse> {
    const url = typeof pathOrUrl === 'string' ? this.url(pathOrUrl) : pathOrUrl;
    const headers: Record<string, string> = { ...options.headers };
    let token: TokenOutcome | undefined;
    let secret: SecretOf | undefined;
    if (options.auth) {
      if (url.origin !== this.baseUrl.origin) {
        this.withholdCredentialsFrom(url.origin);
        throw new CredentialOriginError(url, this.baseUrl.origin);
      }
      const auth = await this.authorization(options.scopes ?? []);
      if (auth.header) {
        headers.authorization = auth.header;
        secret = { origin: this.baseUrl.origin, inBody: false };
      }
      token = auth.token;
    }
    const response = await this.follow(
      { method, url, headers, body: options.body, maxBodyBytes: options.maxBodyBytes, signal: options.signal },
      secret,
    );
    if (response.credentialsWithheldFrom !== null && (response.status === 401 || response.status === 403)) {
      throw new CredentialsWithheldError(`${method} ${url.pathname}`, response);
    }
    return { ...response, token };
  }

  /**
   * Sends a request and follows redirects itself: at most 5 hops, no loops, only to http(s). A hop
   * to another origin than the secret's leaves an Authorization header behind; a secret in the
   * body is not re-sent at all: the redirect is the answer.
   */
  private async follow(
    start: {
      method: string;
      url: URL;
      headers: Record<string, string>;
      body?: string;
      maxBodyBytes?: number;
      signal?: AbortSignal;
    },
    startSecret: SecretOf | undefined,
  ): Promise<SessionResponse> {
    let { url, method, body } = start;
    let secret = startSecret;
    const headers = { ...start.headers };
    const redirects: string[] = [];
    const visited = new Set<string>([url.href]);
    let credentialsWithheldFrom: string | null = null;
    for (;;) {
      const response = await this.http.request({
        method,
        url,
        headers,
        body,
        secretOrigin: secret?.origin,
        maxBodyBytes: start.maxBodyBytes,
        signal: start.signal,
      });
      const location = headerValue(response, 'location');
      if (response.status < 300 || response.status > 399 || response.status === 304 || !location) {
        return { ...response, redirects, credentialsWithheldFrom };
      }
      const next = redirectTarget(location, url);
      if (redirects.length >= MAX_REDIRECTS || visited.has(next.href)) {
        throw new ConnectionError(
          'redirect',
          `redirect loop or more than ${MAX_REDIRECTS} redirects starting at ${start.url.host}${start.url.pathname}`,
        );
      }
      const keepsMethod = !(
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      );
      if (secret && next.origin !== secret.origin) {
        this.withholdCredentialsFrom(next.origin);
        credentialsWithheldFrom = next.origin;
        if (secret.inBody && keepsMethod) return { ...response, redirects, credentialsWithheldFrom };
        delete headers.authorization;
        secret = undefined;
      }
      visited.add(next.href);
      redirects.push(next.host);
      if (!keepsMethod) {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
        if (secret) secret = { ...secret, inBody: false };
      }
      url = next;
    }
  }
}

/** The URL a Location header names, relative to the URL that answered; only http(s) is followed. */
export function redirectTarget(location: string, answeredBy: URL): URL {
  const quoted = JSON.stringify(
    location.length > MAX_QUOTED_LOCATION ? `${location.slice(0, MAX_QUOTED_LOCATION)}…` : location,
  );
  let next: URL;
  try {
    next = new URL(location, answeredBy);
  } catch {
    throw new ConnectionError('redirect', `${answeredBy.host} redirected to a Location that is not a URL: ${quoted}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new ConnectionError('redirect', `${answeredBy.host} redirected to a Location that is not http(s): ${quoted}`);
  }
  // Userinfo a server puts in a Location is neither sent nor shown.
  next.username = '';
  next.password = '';
  return next;
}
