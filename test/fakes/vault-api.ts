// Imitates the HTTP API of HashiCorp Vault 1.17 (developer.hashicorp.com/vault/api-docs/v1.17.x) as
// far as a health check reaches:
// - `GET|HEAD /v1/sys/health`: the body of Vault's HealthResponse (initialized, sealed, standby,
//   performance_standby, replication_performance_mode, replication_dr_mode, server_time_utc,
//   version, enterprise, cluster_name and cluster_id — left out while sealed —, echo_duration_ms,
//   clock_skew_ms, replication_primary_canary_age_ms), and the status code Vault picks in this
//   order: not initialised → `uninitcode` (501), sealed → `sealedcode` (503), DR secondary →
//   `drsecondarycode` (472), performance standby → 473 unless `perfstandbyok`, standby → 429 unless
//   `standbyok`, else `activecode` (200); a malformed code parameter → 400 `{"errors":[]}`.
//   `stripQuery` stands for a proxy in front that drops the query, so the default codes come back.
// - `GET /v1/auth/token/lookup-self`: for a token it knows (the `X-Vault-Token` header), 200 with
//   the documented `data` (accessor, creation_time, creation_ttl, display_name, entity_id,
//   expire_time as RFC 3339 with nanoseconds and the server's offset, explicit_max_ttl, id,
//   issue_time, meta, num_uses, orphan, path, policies, renewable, ttl, type); any other token →
//   403 `{"errors":["permission denied"]}`, and so is a token past its expiry: Vault's token store
//   returns no token whose lease has expired (the expiration manager is revoking it), so an
//   expired token looks exactly like a revoked one; no token → 400 `{"errors":["missing client token"]}`.
//   A sealed Vault answers every other request 503 `{"errors":["Vault is sealed"]}`.
// `activeNode` makes it a standby with request forwarding off: every request but sys/health is
// answered 307 with `Location: <active node's api_addr><path>`, as Vault's standbys then do.
// Every request is recorded with its headers (X-Vault-Token, X-Vault-Namespace) for assertions.

import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { listenLocal, type LoopbackAddress, type Running } from './listen.js';

export type VaultState = 'active' | 'standby' | 'perfstandby' | 'sealed' | 'uninitialized' | 'drsecondary';

export interface VaultTokenEntry {
  /** The token's accessor: never to be shown by a client that is not managing tokens. */
  accessor: string;
  policies: string[];
  /** Seconds left; null for a token without a TTL (root); zero or less: expired. */
  ttlSeconds: number | null;
  renewable: boolean;
  /** A cap on renewals, counted from creation (0: none). */
  explicitMaxTtlSeconds?: number;
  /** Seconds since the token was created (default 1 hour). */
  ageSeconds?: number;
  type?: 'service' | 'batch';
  displayName?: string;
}

export interface VaultOptions {
  state?: VaultState;
  version?: string;
  clusterName?: string;
  /** Known tokens by their value. */
  tokens?: Record<string, VaultTokenEntry>;
  tls?: { certPath: string; keyPath: string };
  host?: LoopbackAddress;
  stripQuery?: boolean;
  /** The api_addr of the active node a standby redirects to. */
  activeNode?: string;
}

export interface VaultRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export type RunningVault = Running & { requests: VaultRequest[] };

const CLUSTER_ID = 'c0ffee00-1bad-4a55-9e1f-0123456789ab';

function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

/** Vault's choice of status code for its state and the request's query; undefined for a bad parameter. */
function healthCode(state: VaultState, query: URLSearchParams): number | undefined {
  const code = (name: string, fallback: number): number | undefined => {
    const value = query.get(name);
    if (value === null) return fallback;
    return /^-?\d+$/.test(value) ? Number(value) : undefined;
  };
  const flag = (name: string): boolean | undefined => {
    const value = query.get(name);
    return value === null ? false : parseBool(value);
  };
  const codes = {
    uninitialized: code('uninitcode', 501),
    sealed: code('sealedcode', 503),
    standby: code('standbycode', 429),
    active: code('activecode', 200),
    drsecondary: code('drsecondarycode', 472),
    perfstandby: code('performancestandbycode', 473),
  };
  const standbyOk = flag('standbyok');
  const perfStandbyOk = flag('perfstandbyok');
  if (Object.values(codes).includes(undefined) || standbyOk === undefined || perfStandbyOk === undefined)
    return undefined;
  if (state === 'perfstandby' && perfStandbyOk) return codes.active;
  if (state === 'standby' && standbyOk) return codes.active;
  return codes[state];
}

function healthBody(state: VaultState, options: VaultOptions): Record<string, unknown> {
  const sealed = state === 'sealed' || state === 'uninitialized';
  const enterprise = state === 'perfstandby' || state === 'drsecondary';
  return {
    initialized: state !== 'uninitialized',
    sealed,
    standby: state === 'standby' || state === 'perfstandby',
    performance_standby: state === 'perfstandby',
    replication_performance_mode: 'disabled',
    replication_dr_mode: state === 'drsecondary' ? 'secondary' : 'disabled',
    server_time_utc: Math.floor(Date.now() / 1000),
    version: `${options.version ?? '1.17.2'}${enterprise ? '+ent' : ''}`,
    enterprise,
    ...(sealed ? {} : { cluster_name: options.clusterName ?? 'vault-cluster-5c8e2a41', cluster_id: CLUSTER_ID }),
    echo_duration_ms: 0,
    clock_skew_ms: 0,
    replication_primary_canary_age_ms: 0,
  };
}

/** RFC 3339 with nanoseconds in the server's zone, as Go's time.Time marshals: here UTC-04:00. */
function goTime(ms: number): string {
  const local = new Date(ms - 4 * 3600_000).toISOString().replace(/\.(\d{3})Z$/, '.$1000000');
  return `${local}-04:00`;
}

function lookupData(token: string, entry: VaultTokenEntry): Record<string, unknown> {
  const now = Date.now();
  const created = now - (entry.ageSeconds ?? 3600) * 1000;
  const expires = entry.ttlSeconds === null ? null : now + entry.ttlSeconds * 1000;
  const root = entry.policies.includes('root');
  return {
    accessor: entry.accessor,
    creation_time: Math.floor(created / 1000),
    creation_ttl: entry.ttlSeconds === null ? 0 : Math.round((expires! - created) / 1000),
    display_name: entry.displayName ?? (root ? 'root' : 'token'),
    entity_id: '',
    expire_time: expires === null ? null : goTime(expires),
    explicit_max_ttl: entry.explicitMaxTtlSeconds ?? 0,
    id: token,
    issue_time: goTime(created),
    meta: null,
    num_uses: 0,
    orphan: root,
    path: root ? 'auth/token/root' : 'auth/token/create',
    policies: entry.policies,
    renewable: entry.renewable,
    ttl: expires === null ? 0 : Math.max(0, Math.floor((expires - now) / 1000)),
    type: entry.type ?? 'service',
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}

export async function startVault(options: VaultOptions = {}): Promise<RunningVault> {
  const requests: VaultRequest[] = [];
  const state = options.state ?? 'active';
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://vault');
    const query = options.stripQuery ? new URLSearchParams() : url.searchParams;
    if (url.pathname === '/v1/sys/health') {
      const code = healthCode(state, query);
      if (code === undefined) return send(res, 400, { errors: [] });
      if (req.method === 'HEAD') return void res.writeHead(code, { 'content-type': 'application/json' }).end();
      return send(res, code, healthBody(state, options));
    }
    if (state === 'sealed' || state === 'uninitialized') return send(res, 503, { errors: ['Vault is sealed'] });
    if (options.activeNode) return void res.writeHead(307, { location: `${options.activeNode}${req.url}` }).end();
    if (url.pathname === '/v1/auth/token/lookup-self' && req.method === 'GET') {
      const token = req.headers['x-vault-token'];
      if (typeof token !== 'string' || token === '') return send(res, 400, { errors: ['missing client token'] });
      const entry = options.tokens?.[token];
      if (!entry || (entry.ttlSeconds !== null && entry.ttlSeconds <= 0))
        return send(res, 403, { errors: ['permission denied'] });
      return send(res, 200, {
        request_id: '6f3b8c1e-2d7a-4b0e-9c55-1a2b3c4d5e6f',
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: lookupData(token, entry),
        wrap_info: null,
        warnings: null,
        auth: null,
        mount_type: 'token',
      });
    }
    return send(res, 404, { errors: [] });
  };
  const server = options.tls
    ? https.createServer({ cert: readFileSync(options.tls.certPath), key: readFileSync(options.tls.keyPath) }, handler)
    : http.createServer(handler);
  const running = await listenLocal(server, options.tls ? 'https' : 'http', options.host);
  return { ...running, requests };
}
