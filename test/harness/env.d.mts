// Type declarations for env.mjs, the test environment's entry point, so TypeScript tests can use
// the harness (written in plain JavaScript for scripts run with `node`) with types.
import type { IncomingHttpHeaders } from 'node:http';

export type RegistryName =
  'open' | 'openNoDelete' | 'basic' | 'token' | 'tokenNoDelete' | 'tokenDeadRealm' | 'tokenRedirectRealm' | 'expiring';

export type UserName = 'admin' | 'pusher' | 'puller' | 'nobody' | 'reader';

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
}

export interface TestCertificates {
  dir: string;
  caCertPath: string;
  caKeyPath: string;
  /** A directory holding only ca.crt (for skopeo's --cert-dir). */
  caCertDir: string;
  /** Signed by the CA, SANs localhost, 127.0.0.1, ::1, valid for a year. */
  server: CertificateFiles;
  /** Like `server` but valid for only 5 more days. */
  expiringSoon: CertificateFiles;
  /** Like `server` but expired yesterday. */
  expired: CertificateFiles;
  /** Signed by the CA, its only SAN is DNS:wrong-host.example. */
  wrongHost: CertificateFiles;
  /** Self-signed, not from the CA. */
  untrusted: CertificateFiles;
  /** RSA key that signs tokens; the certificate is the token registries' rootcertbundle. */
  tokenSigning: CertificateFiles;
}

export interface TestRegistry {
  name: RegistryName;
  /** e.g. https://127.0.0.1:40551 */
  url: string;
  /** e.g. 127.0.0.1:40551 */
  host: string;
  port: number;
  tls: boolean;
  auth: 'none' | 'basic' | 'token';
  deleteEnabled: boolean;
  storageDir: string;
  configPath: string;
  accessLogPath: string;
  errorLogPath: string;
  /** The certificate served (TLS registries only). */
  certPath?: string;
  /** The token realm announced in the Bearer challenge (token registries only). */
  realm?: string;
  /** The token service name (token registries only). */
  service?: string;
  /** e.g. 127.0.0.1:40551/library/alpine:latest */
  imageReference: string;
}

export interface TestUser {
  username: UserName;
  password: string;
  description: string;
}

export interface TestEnvironment {
  dir: string;
  envPath: string;
  createdAt: string;
  startupMs: number;
  caCertPath: string;
  caCertDir: string;
  certs: TestCertificates;
  tokenServer: {
    url: string;
    /** GET/POST /token */
    realm: string;
    /** 307 to /token on the same origin */
    redirectRealm: string;
    /** 307 to /token on https://localhost:<port> */
    crossHostRedirectRealm: string;
    /** A realm URL where nothing listens. */
    deadRealm: string;
    /** GET: the request log; DELETE: clear it. */
    logUrl: string;
    service: string;
    issuer: string;
    /** The JWT `kid`: libtrust fingerprint of the signing key. */
    keyId: string;
  };
  users: Record<UserName, TestUser>;
  image: {
    repository: string;
    tag: string;
    manifestMediaType: string;
    manifestDigest: string;
    configDigest: string;
    layerDigest: string;
  };
  registries: Record<RegistryName, TestRegistry>;
  pids: { harness: number; registries: Record<RegistryName, number> };
}

declare const runtime: unique symbol;

/** An environment started by this process: the only kind stopTestEnvironment can stop. */
export interface RunningTestEnvironment extends TestEnvironment {
  readonly [runtime]: unknown;
}

export interface HarnessResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Trusted CA (PEM) for HTTPS; replaces the system roots for this request. */
  ca?: string | Buffer;
  timeoutMs?: number;
}

export interface AccessLogEntry {
  method: string;
  /** Without the query string. */
  path: string;
  /** Without the leading '?'. */
  query: string;
  status: number;
  size: number;
  userAgent: string;
  remote: string;
  time: string;
}

export interface AccessLogFilter {
  method?: string;
  path?: string | RegExp;
  status?: number;
}

/** One entry of the token server's request log (GET tokenServer.logUrl). */
export interface TokenServerLogEntry {
  time: string;
  method: string;
  path: string;
  query: string;
  host: string;
  had_authorization: boolean;
  user_agent: string;
  /** The authenticated user; null when anonymous or rejected. */
  user: string | null;
  status: number;
}

export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

export interface MintTokenOptions {
  sub?: string;
  access?: TokenAccess[];
  /** Defaults to the registries' service name. */
  audience?: string;
  /** Lifetime from now; negative for an already expired token. Default 300. */
  expiresInSeconds?: number;
  /** Absolute expiry in epoch seconds; wins over expiresInSeconds. */
  exp?: number;
}

/** Sent as User-Agent by `request` unless overridden. */
export const USER_AGENT: string;

export function startTestEnvironment(options: { dir: string }): Promise<RunningTestEnvironment>;
export function stopTestEnvironment(env: RunningTestEnvironment): Promise<void>;

export function request(url: string | URL, options?: RequestOptions): Promise<HarnessResponse>;
export function basicAuth(username: string, password: string): string;

export function readAccessLog(
  registry: Pick<TestRegistry, 'accessLogPath'>,
  options?: { since?: number },
): AccessLogEntry[];
export function accessLogMark(registry: Pick<TestRegistry, 'accessLogPath'>): number;
export function countRequests(
  registry: Pick<TestRegistry, 'accessLogPath'>,
  filter?: AccessLogFilter,
  options?: { since?: number },
): number;

export function fetchToken(
  env: TestEnvironment,
  options: { user?: UserName; scope: string | string[] },
): Promise<string>;
export function mintToken(env: TestEnvironment, options?: MintTokenOptions): string;
export function tokenServerLog(env: TestEnvironment): Promise<TokenServerLogEntry[]>;
