// The tests' own Docker token server (Docker token spec + OAuth2 form), issuing RS256 JWTs that
// CNCF distribution 2.8 accepts: `kid` is the libtrust fingerprint of the signing certificate's key
// and `aud` is a plain string. It also records every request so tests can see what a client sent.
import { X509Certificate, createPrivateKey, createHash, randomBytes, randomUUID, sign } from 'node:crypto';
import https from 'node:https';

const HOST = '127.0.0.1';
const TOKEN_LIFETIME_SECONDS = 300;

/** Access rules per user: repository (or registry) name glob → allowed actions. */
export const USER_ACL = {
  admin: [
    { type: 'repository', name: '*', actions: ['pull', 'push', 'delete'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ],
  pusher: [{ type: 'repository', name: '*', actions: ['pull', 'push'] }],
  puller: [{ type: 'repository', name: '*', actions: ['pull'] }],
  nobody: [],
};

/** What a request without credentials is granted. */
const ANONYMOUS_ACL = [{ type: 'repository', name: 'library/*', actions: ['pull'] }];

/**
 * The key id distribution looks up in its `rootcertbundle`: sha256 of the DER SubjectPublicKeyInfo,
 * first 30 bytes, base32 without padding, 12 groups of 4 characters joined by ':'.
 */
function libtrustKeyId(certPem) {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const encoded = base32(createHash('sha256').update(spki).digest().subarray(0, 30));
  return encoded.match(/.{4}/g).join(':');
}

function base32(bytes) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Signs registry tokens with the RSA key whose certificate is the registries' `rootcertbundle`.
 * `mint` takes `exp` (epoch seconds) or `expiresInSeconds` (negative for an expired token).
 */
export function createTokenSigner({ keyPem, certPem, issuer, service }) {
  const privateKey = createPrivateKey(keyPem);
  const header = { typ: 'JWT', alg: 'RS256', kid: libtrustKeyId(certPem) };
  return {
    keyId: header.kid,
    mint({ sub = 'stella-test', access = [], audience = service, expiresInSeconds = 300, exp } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const expiry = exp ?? now + expiresInSeconds;
      const issuedAt = Math.min(now, expiry);
      const claims = {
        iss: issuer,
        sub,
        aud: audience,
        exp: expiry,
        nbf: issuedAt,
        iat: issuedAt,
        jti: randomUUID(),
        access,
      };
      const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(signingInput), privateKey);
      return `${signingInput}.${signature.toString('base64url')}`;
    },
  };
}

function base64url(text) {
  return Buffer.from(text).toString('base64url');
}

/**
 * Starts the token server on 127.0.0.1 (HTTPS with `tls`). `passwords` maps the users of
 * USER_ACL to their passwords. Routes:
 *   GET  /token                  Docker token spec (query `service`, `scope`…, optional Basic auth)
 *   POST /token                  OAuth2 form (grant_type password | refresh_token)
 *   /token-redirect              307 (any method) to /token on the same origin, query kept
 *   /token-redirect-cross        307 (any method) to /token on https://localhost:<port>, another host name
 *   GET  /_log, DELETE /_log     the request log, and clearing it
 */
export async function startTokenServer({ tls, signer, service, passwords }) {
  const log = [];
  const refreshTokens = new Map();
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const { port } = server.address();
  const url = `https://${HOST}:${port}`;

  const context = { url, port, signer, service, passwords, refreshTokens };
  server.on('request', (req, res) => {
    readBody(req)
      .then((body) => route(req, body, context, log))
      .catch((error) => ({ status: 500, body: { errors: [{ code: 'UNKNOWN', message: String(error) }] } }))
      .then((reply) => send(res, reply));
  });

  return {
    url,
    realm: `${url}/token`,
    redirectRealm: `${url}/token-redirect`,
    crossHostRedirectRealm: `${url}/token-redirect-cross`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, { status, headers = {}, body }) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
  res.end(payload);
}

function route(req, body, context, log) {
  const target = new URL(req.url, context.url);
  const reply = dispatch(req, target, body, context, log);
  if (target.pathname !== '/_log') {
    log.push({
      time: new Date().toISOString(),
      method: req.method,
      path: target.pathname,
      query: target.search.slice(1),
      host: req.headers.host ?? '',
      had_authorization: req.headers.authorization !== undefined,
      user_agent: req.headers['user-agent'] ?? '',
      user: reply.user ?? null,
      status: reply.status,
    });
  }
  return reply;
}

function dispatch(req, target, body, context, log) {
  const { pathname, search } = target;
  if (pathname === '/_log' && req.method === 'GET') return { status: 200, body: log };
  if (pathname === '/_log' && req.method === 'DELETE') {
    log.length = 0;
    return { status: 204 };
  }
  if (pathname === '/token-redirect') {
    return { status: 307, headers: { location: `${context.url}/token${search}` } };
  }
  if (pathname === '/token-redirect-cross') {
    return { status: 307, headers: { location: `https://localhost:${context.port}/token${search}` } };
  }
  if (pathname === '/token' && req.method === 'GET') return tokenFromQuery(req, target.searchParams, context);
  if (pathname === '/token' && req.method === 'POST') return tokenFromForm(new URLSearchParams(body), context);
  return { status: 404, body: { errors: [{ code: 'NOT_FOUND', message: `no route for ${req.method} ${pathname}` }] } };
}

/** Docker token spec: Basic credentials optional; no credentials means the anonymous ACL. */
function tokenFromQuery(req, params, context) {
  const header = req.headers.authorization;
  let user = null;
  if (header !== undefined) {
    user = basicUser(header, context.passwords);
    if (user === null) return unauthorized('invalid username or password');
  }
  const scopes = parseScopes(params.getAll('scope'));
  if (scopes === null) return badRequest('malformed scope');
  const { token, issuedAt } = issue(user, scopes, params.get('service'), context);
  return {
    status: 200,
    user,
    body: { token, access_token: token, expires_in: TOKEN_LIFETIME_SECONDS, issued_at: issuedAt },
  };
}

/** OAuth2 form: password or refresh_token grant; `access_type=offline` adds a refresh token. */
function tokenFromForm(form, context) {
  if (!form.get('client_id')) return oauthError(400, 'invalid_request', 'client_id is required');
  let user;
  switch (form.get('grant_type')) {
    case 'password': {
      const username = form.get('username') ?? '';
      const known = Object.hasOwn(context.passwords, username) && context.passwords[username] === form.get('password');
      if (!known) return oauthError(401, 'invalid_grant', 'invalid username or password');
      user = username;
      break;
    }
    case 'refresh_token':
      user = context.refreshTokens.get(form.get('refresh_token') ?? '');
      if (user === undefined) return oauthError(401, 'invalid_grant', 'unknown refresh token');
      break;
    default:
      return oauthError(400, 'unsupported_grant_type', `grant_type ${form.get('grant_type')} is not supported`);
  }
  const scopes = parseScopes([form.get('scope') ?? '']);
  if (scopes === null) return oauthError(400, 'invalid_scope', 'malformed scope');
  const { token, issuedAt, granted } = issue(user, scopes, form.get('service'), context);
  const body = {
    access_token: token,
    scope: granted.map((entry) => `${entry.type}:${entry.name}:${entry.actions.join(',')}`).join(' '),
    expires_in: TOKEN_LIFETIME_SECONDS,
    issued_at: issuedAt,
  };
  if (form.get('access_type') === 'offline') {
    body.refresh_token = randomBytes(24).toString('base64url');
    context.refreshTokens.set(body.refresh_token, user);
  }
  return { status: 200, user, body };
}

function issue(user, scopes, service, context) {
  const acl = user === null ? ANONYMOUS_ACL : USER_ACL[user];
  const granted = scopes
    .map((scope) => ({ ...scope, actions: scope.actions.filter((action) => isAllowed(acl, scope, action)) }))
    .filter((scope) => scope.actions.length > 0);
  const token = context.signer.mint({
    sub: user ?? '',
    access: granted,
    audience: service ?? context.service,
    expiresInSeconds: TOKEN_LIFETIME_SECONDS,
  });
  return { token, granted, issuedAt: new Date().toISOString() };
}

function isAllowed(acl, scope, action) {
  return acl.some(
    (rule) =>
      rule.type === scope.type &&
      globMatches(rule.name, scope.name) &&
      (rule.actions.includes(action) || rule.actions.includes('*')),
  );
}

function globMatches(glob, name) {
  const pattern = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/**
 * Scopes look like `repository:NAME:pull,push`; a NAME may hold a ':' (a registry port), so the
 * type ends at the first colon and the actions start after the last. One value may hold several
 * scopes separated by spaces. Returns null when one is malformed.
 */
function parseScopes(values) {
  const scopes = [];
  for (const text of values.flatMap((value) => value.split(' ')).filter(Boolean)) {
    const first = text.indexOf(':');
    const last = text.lastIndexOf(':');
    if (first <= 0 || last === first) return null;
    const actions = [
      ...new Set(
        text
          .slice(last + 1)
          .split(',')
          .filter(Boolean),
      ),
    ];
    scopes.push({ type: text.slice(0, first), name: text.slice(first + 1, last), actions });
  }
  return scopes;
}

function basicUser(header, passwords) {
  const [scheme, encoded = ''] = header.split(' ');
  if (scheme.toLowerCase() !== 'basic') return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const username = decoded.slice(0, colon);
  const known = Object.hasOwn(passwords, username) && passwords[username] === decoded.slice(colon + 1);
  return known ? username : null;
}

function unauthorized(message) {
  return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message }] } };
}

function badRequest(message) {
  return { status: 400, body: { errors: [{ code: 'INVALID_REQUEST', message }] } };
}

function oauthError(status, error, description) {
  return { status, body: { error, error_description: description } };
}
