// The whole test environment in one call: certificates, the token server, every registry of
// REGISTRY_DEFINITIONS (started in parallel) with the test image pushed into each, and
// `<dir>/env.json` describing it all. Also the helpers tests use against a running environment.
// The registries never outlive the process that started them, unless it is killed with SIGKILL;
// then the next start in the same directory stops them.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { generateCertificates } from './certs.mjs';
import { basicAuth, request } from './http.mjs';
import { REGISTRY_DEFINITIONS, freePorts, startRegistry, stopLeftoverRegistries, stopProcess } from './registries.mjs';
import { buildTestImage, pushTestImage, OCI_MANIFEST_TYPE } from './test-image.mjs';
import { USER_ACL, createTokenSigner, startTokenServer } from './token-server.mjs';

export { request, basicAuth, USER_AGENT } from './http.mjs';
export { readAccessLog, accessLogMark, countRequests } from './registries.mjs';

const TOKEN_SERVICE = 'stella-test-registry';
const TOKEN_ISSUER = 'stella-test-token-server';
const TEST_IMAGE = { repository: 'library/alpine', tag: 'latest' };

const USER_DESCRIPTIONS = {
  admin: 'token server: pull, push, delete on every repository; basic registry: htpasswd user',
  pusher: 'token server: pull, push on every repository, no delete',
  puller: 'token server: pull on every repository',
  nobody: 'token server: valid login that is granted nothing',
  reader: 'basic registry: second htpasswd user (htpasswd has no per-user permissions)',
};
const HTPASSWD_USERS = ['admin', 'reader'];
const REQUIRED_TOOLS = ['docker-registry', 'htpasswd', 'openssl'];

/** Where the running processes are kept on the environment object (not written to env.json). */
const RUNTIME = Symbol('test environment runtime');

/**
 * Starts everything and writes `<dir>/env.json`. Certificates in `<dir>/certs` are reused; the
 * registries' storage and logs (`<dir>/registries`) start empty, after any registry an earlier
 * run left running there is stopped. On failure, whatever was started is stopped again before the
 * error is thrown; when the process exits without stopTestEnvironment (process.exit, or a signal
 * its handler turns into an exit), the registries are sent SIGTERM and env.json is removed on the
 * way out.
 */
export async function startTestEnvironment({ dir }) {
  assertToolsInstalled();
  const startedAt = Date.now();
  const root = resolve(dir);
  const envPath = join(root, 'env.json');
  rmSync(envPath, { force: true });
  await stopLeftoverRegistries(join(root, 'registries'));
  rmSync(join(root, 'registries'), { recursive: true, force: true });
  mkdirSync(root, { recursive: true });

  const certs = await generateCertificates(join(root, 'certs'));
  const ca = readFileSync(certs.caCertPath);
  const passwords = Object.fromEntries(Object.keys(USER_DESCRIPTIONS).map((user) => [user, randomPassword()]));
  const runtime = { children: [], tokenServer: null, stopOnExit: null };
  runtime.stopOnExit = () => {
    for (const child of runtime.children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(envPath, { force: true });
  };
  process.on('exit', runtime.stopOnExit);

  try {
    const signer = createTokenSigner({
      keyPem: readFileSync(certs.tokenSigning.keyPath),
      certPem: readFileSync(certs.tokenSigning.certPath),
      issuer: TOKEN_ISSUER,
      service: TOKEN_SERVICE,
    });
    runtime.tokenServer = await startTokenServer({
      tls: { certPem: readFileSync(certs.server.certPath), keyPem: readFileSync(certs.server.keyPath) },
      signer,
      service: TOKEN_SERVICE,
      passwords: Object.fromEntries(Object.keys(USER_ACL).map((user) => [user, passwords[user]])),
    });
    const tokenServer = runtime.tokenServer;

    const htpasswdPath = join(root, 'registries', 'htpasswd');
    mkdirSync(join(root, 'registries'), { recursive: true });
    HTPASSWD_USERS.forEach((user, index) => {
      const flags = index === 0 ? '-iBc' : '-iB';
      execFileSync('htpasswd', [flags, htpasswdPath, user], {
        input: passwords[user],
        stdio: ['pipe', 'ignore', 'pipe'],
      });
    });

    const names = Object.keys(REGISTRY_DEFINITIONS);
    const [deadRealmPort, ...ports] = await freePorts(names.length + 1);
    const realms = {
      token: tokenServer.realm,
      redirect: tokenServer.redirectRealm,
      dead: `https://127.0.0.1:${deadRealmPort}/token`,
    };

    // allSettled, not all: on a failure every registry that did start is known and gets stopped.
    const outcomes = await Promise.allSettled(
      names.map(async (name, index) => {
        const definition = REGISTRY_DEFINITIONS[name];
        const registry = await startRegistry({
          name,
          definition,
          dir: join(root, 'registries', name),
          port: ports[index],
          tls: definition.tls ? certs[definition.tls] : undefined,
          ca,
          htpasswdPath: definition.auth === 'basic' ? htpasswdPath : undefined,
          token:
            definition.auth === 'token'
              ? {
                  realm: realms[definition.realm],
                  service: TOKEN_SERVICE,
                  issuer: TOKEN_ISSUER,
                  rootCertBundle: certs.tokenSigning.certPath,
                }
              : undefined,
          onSpawn: (child) => runtime.children.push(child),
        });
        return registry;
      }),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    const started = outcomes.map((outcome) => outcome.value);

    const image = buildTestImage();
    await Promise.all(
      started.map(async ({ info }) => {
        const authorization = await adminAuthorization(info, { tokenServer, passwords, ca });
        await pushTestImage({ registryUrl: info.url, ...TEST_IMAGE, image, authorization, ca });
        info.imageReference = `${info.host}/${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`;
      }),
    );

    const env = {
      dir: root,
      envPath,
      createdAt: new Date().toISOString(),
      startupMs: Date.now() - startedAt,
      caCertPath: certs.caCertPath,
      caCertDir: certs.caCertDir,
      certs,
      tokenServer: {
        url: tokenServer.url,
        realm: tokenServer.realm,
        redirectRealm: tokenServer.redirectRealm,
        crossHostRedirectRealm: tokenServer.crossHostRedirectRealm,
        deadRealm: realms.dead,
        logUrl: `${tokenServer.url}/_log`,
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        keyId: signer.keyId,
      },
      users: Object.fromEntries(
        Object.entries(USER_DESCRIPTIONS).map(([user, description]) => [
          user,
          { username: user, password: passwords[user], description },
        ]),
      ),
      image: {
        ...TEST_IMAGE,
        manifestMediaType: OCI_MANIFEST_TYPE,
        manifestDigest: image.manifest.digest,
        configDigest: image.config.digest,
        layerDigest: image.layer.digest,
      },
      registries: Object.fromEntries(started.map(({ info }) => [info.name, info])),
      pids: {
        harness: process.pid,
        registries: Object.fromEntries(started.map(({ info, child }) => [info.name, child.pid])),
      },
    };
    writeFileSync(`${envPath}.tmp`, JSON.stringify(env, null, 2) + '\n');
    renameSync(`${envPath}.tmp`, envPath);
    return Object.defineProperty(env, RUNTIME, { value: runtime });
  } catch (error) {
    await stopRuntime(runtime);
    throw error;
  }
}

/**
 * Stops the registries this environment started (by their pids), closes the token server and
 * removes env.json, which no longer describes anything running.
 */
export async function stopTestEnvironment(env) {
  if (!env[RUNTIME]) throw new Error('stopTestEnvironment needs the object startTestEnvironment returned');
  await stopRuntime(env[RUNTIME]);
  rmSync(env.envPath, { force: true });
}

async function stopRuntime({ children, tokenServer, stopOnExit }) {
  await Promise.all(children.map(stopProcess));
  await tokenServer?.close();
  process.off('exit', stopOnExit);
}

function assertToolsInstalled() {
  const path = (process.env.PATH ?? '').split(delimiter);
  const missing = REQUIRED_TOOLS.filter((tool) => !path.some((dir) => existsSync(join(dir, tool))));
  if (missing.length > 0) {
    throw new Error(`the test environment needs ${missing.join(', ')}: run bash scripts/test-prereqs.sh`);
  }
}

function randomPassword() {
  return randomBytes(12).toString('base64url');
}

/** The Authorization header that lets the harness push into a registry as admin. */
async function adminAuthorization(registry, { tokenServer, passwords, ca }) {
  if (registry.auth === 'basic') return basicAuth('admin', passwords.admin);
  if (registry.auth !== 'token') return undefined;
  const scope = `repository:${TEST_IMAGE.repository}:pull,push`;
  const token = await requestToken(tokenServer.realm, {
    service: TOKEN_SERVICE,
    scope,
    credentials: ['admin', passwords.admin],
    ca,
  });
  return `Bearer ${token}`;
}

async function requestToken(realm, { service, scope, credentials, ca }) {
  const url = new URL(realm);
  url.searchParams.set('service', service);
  for (const value of [scope].flat()) url.searchParams.append('scope', value);
  const headers = credentials ? { authorization: basicAuth(...credentials) } : {};
  const response = await request(url, { headers, ca });
  if (response.status !== 200) {
    throw new Error(`token request to ${realm} failed: ${response.status} ${response.body.toString('utf8')}`);
  }
  return JSON.parse(response.body.toString('utf8')).token;
}

/**
 * Gets a token from the environment's token server, as `user` (a key of env.users) or
 * anonymously when `user` is omitted. `scope` is one scope or several.
 */
export function fetchToken(env, { user, scope }) {
  const credentials = user === undefined ? undefined : [env.users[user].username, env.users[user].password];
  return requestToken(env.tokenServer.realm, {
    service: env.tokenServer.service,
    scope,
    credentials,
    ca: readFileSync(env.caCertPath),
  });
}

/** The token server's request log so far (every request it answered, oldest first). */
export async function tokenServerLog(env) {
  const response = await request(env.tokenServer.logUrl, { ca: readFileSync(env.caCertPath) });
  if (response.status !== 200) throw new Error(`token server log: HTTP ${response.status}`);
  return JSON.parse(response.body.toString('utf8'));
}

/**
 * A JWT signed with the token server's key, so the token registries accept it: for static tokens
 * with a chosen lifetime (`expiresInSeconds`, negative for an expired one, or `exp` in epoch
 * seconds) and chosen `access` ([{ type, name, actions }]).
 */
export function mintToken(env, options = {}) {
  const signer = createTokenSigner({
    keyPem: readFileSync(env.certs.tokenSigning.keyPath),
    certPem: readFileSync(env.certs.tokenSigning.certPath),
    issuer: env.tokenServer.issuer,
    service: env.tokenServer.service,
  });
  return signer.mint(options);
}
