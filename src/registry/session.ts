// RegistrySession: one per registry per run, shared by every OCI check. It owns the HTTP pool,
// the memoised anonymous `/v2/` probe, the credential, the token cache keyed by scope, redirects
// followed by hand (Authorization dropped when the host changes), and the rule that credentials
// never travel over plain HTTP to a host that is not loopback unless explicitly allowed.

import { basicChallenge, bearerChallenge, parseChallenges, realmUrl, type Challenge, type ParseResult } from './challenge.js';
import type { ResolvedCredential } from './credentials.js';
import { ConnectionError } from './errors.js';
import { HttpClient, headerValue, type HttpResponse, type TlsFacts } from './http.js';
import type { ProxyEnvironment } from './proxy.js';
import { requestToken, type TokenOutcome } from './token.js';
import { bareHostname } from '../util/hostname.js';

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
  /** True when an Authorization header was dropped because a redirect changed host. */
  isAuthorizationDropped: boolean;
}

/** Credentials would travel unprotected: the session refuses rather than sends them. */
export class InsecureCredentialsError extends Error {
  override name = 'InsecureCredentialsError';
  constructor(readonly url: URL) {
    super(
      `refusing to send credentials over plain HTTP to ${url.host}: set OCI:AllowInsecureCredentials=true only if this network is trusted, or use https://`,
    );
  }
}

const MAX_REDIRECTS = 5;

export function isLoopbackHost(hostname: string): boolean {
  const host = bareHostname(hostname).toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';
}

function scopeKey(scopes: string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

/** The parsed challenges of the anonymous `/v2/` probe, with the raw header for the evidence. */
export type ProbeChallenges = ParseResult & { raw: string | null };

/** The challenges an anonymous `/v2/` probe carries: those of a 401, none otherwise. */
function challengesOf(probe: Probe): ProbeChallenges {
  if (probe.kind !== 'response' || probe.response.status !== 401) return { ok: true, challenges: [], raw: null };
  return { ...parseChallenges(probe.response.headers['www-authenticate']), raw: headerValue(probe.response, 'www-authenticate') };
}

export class RegistrySession {
  readonly baseUrl: URL;
  private readonly http: HttpClient;
  private readonly memos = new Map<string, Promise<unknown>>();
  private readonly tokens: Array<{ scopes: Set<string>; outcome: Promise<TokenOutcome> }> = [];

  constructor(
    readonly settings: SessionSettings,
    private readonly resolveCredential: () => Promise<ResolvedCredential>,
  ) {
    this.baseUrl = settings.registryUrl;
    this.http = new HttpClient({
      caPem: settings.caPem,
      skipTlsVerify: settings.skipTlsVerify,
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

  url(path: string): URL {
    const base = this.baseUrl.href.replace(/\/$/, '');
    return new URL(base + path);
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
        const exchangesSecret = !credential.problem && credential.method === 'basic' && (credential.password !== undefined || credential.identityToken !== undefined);
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
      const tls = isTlsProblem ? await this.http.inspectCertificate(url) : null;
      return { kind: 'error', error: classified, tls, latencyMs: Math.round(performance.now() - started) };
    }
  }

  async bearer(): Promise<Challenge | undefined> {
    return bearerChallenge((await this.challenges()).challenges);
  }

  async basic(): Promise<Challenge | undefined> {
    return basicChallenge((await this.challenges()).challenges);
  }

  /** Throws when credentials would go over plain HTTP to a host that is not loopback. */
  assertSafeForCredentials(url: URL): void {
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !this.settings.allowInsecureCredentials) {
      throw new InsecureCredentialsError(url);
    }
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
    const requested = scopeKey([...this.settings.plannedScopes, ...scopes]).split(' ').filter(Boolean);
    const outcome = this.exchange(challenge, requested);
    this.tokens.push({ scopes: new Set(requested), outcome });
    return outcome;
  }

  /** Shared by every check that needs these scopes, so bounded by the request deadline, not by one check's signal. */
  private async exchange(challenge: Challenge, scopes: string[]): Promise<TokenOutcome> {
    const credential = await this.credential();
    const realm = realmUrl(challenge);
    if (!realm) return { exchange: 'unreachable', statusCode: null, message: `the Bearer challenge names no usable token realm (realm=${JSON.stringify(challenge.params.realm ?? null)})` };
    const hasCredentials = credential.method === 'basic' && (credential.password !== undefined || credential.identityToken !== undefined);
    if (hasCredentials) this.assertSafeForCredentials(realm);
    return requestToken({
      realm,
      service: challenge.params.service,
      scopes,
      credentials: hasCredentials ? { username: credential.username, password: credential.password, identityToken: credential.identityToken } : {},
      send: (method, url, headers, body) => this.follow(method, url, headers, body, undefined, undefined),
    });
  }

  /** The Authorization header for a registry request, going through the token flow where needed. */
  private async authorization(url: URL, scopes: string[]): Promise<{ header?: string; token?: TokenOutcome }> {
    const credential = await this.credential();
    if (credential.problem) return {};
    if (credential.method === 'bearer' && credential.token) {
      this.assertSafeForCredentials(url);
      return { header: `Bearer ${credential.token}` };
    }
    const token = await this.token(scopes);
    if (token) return token.exchange === 'ok' ? { header: `Bearer ${token.token}`, token } : { token };
    if (credential.method === 'basic' && credential.username !== undefined && credential.password !== undefined) {
      this.assertSafeForCredentials(url);
      return { header: `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}` };
    }
    return {};
  }

  /** A registry request under `/v2/`, authorised as configured, redirects followed safely. */
  async send(method: string, pathOrUrl: string | URL, options: SendOptions): Promise<SessionResponse> {
    const url = typeof pathOrUrl === 'string' ? this.url(pathOrUrl) : pathOrUrl;
    const headers: Record<string, string> = { ...options.headers };
    let token: TokenOutcome | undefined;
    if (options.auth) {
      const auth = await this.authorization(url, options.scopes ?? []);
      if (auth.header) headers.authorization = auth.header;
      token = auth.token;
    }
    const response = await this.follow(method, url, headers, options.body, options.maxBodyBytes, options.signal);
    return { ...response, token };
  }

  /** Sends a request and follows redirects itself: at most 5 hops, no loops, no Authorization across hosts. */
  private async follow(
    method: string,
    startUrl: URL,
    startHeaders: Record<string, string>,
    body: string | undefined,
    maxBodyBytes: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<SessionResponse> {
    let url = startUrl;
    let currentMethod = method;
    let currentBody = body;
    const headers = { ...startHeaders };
    const redirects: string[] = [];
    const visited = new Set<string>([url.href]);
    let isAuthorizationDropped = false;
    for (;;) {
      const response = await this.http.request({ method: currentMethod, url, headers, body: currentBody, maxBodyBytes, signal });
      const location = response.headers.location;
      if (response.status < 300 || response.status > 399 || response.status === 304 || !location) {
        return { ...response, redirects, isAuthorizationDropped };
      }
      const next = new URL(location, url);
      if (redirects.length >= MAX_REDIRECTS || visited.has(next.href)) {
        throw new ConnectionError('redirect', `redirect loop or more than ${MAX_REDIRECTS} redirects starting at ${startUrl.host}${startUrl.pathname}`);
      }
      visited.add(next.href);
      redirects.push(next.host);
      if (next.host !== url.host || next.protocol !== url.protocol) {
        if (headers.authorization) isAuthorizationDropped = true;
        delete headers.authorization;
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && currentMethod === 'POST')) {
        currentMethod = 'GET';
        currentBody = undefined;
        delete headers['content-type'];
      }
      url = next;
    }
  }
}
