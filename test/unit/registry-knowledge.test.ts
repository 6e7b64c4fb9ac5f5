// The registry knowledge every check shares, from facts alone: which product answers (from host,
// headers and challenge), what its error bodies say (JSON or plain text, one bounded line), and
// when a configured credential expires (JWT bearer tokens, ECR passwords).
import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../src/registry/challenge.js';
import { credentialExpiry, ECR_PASSWORD_LIFETIME_MS } from '../../src/registry/credential-expiry.js';
import { recognizeProduct } from '../../src/registry/products.js';
import { MAX_MESSAGE_LENGTH, readRegistryMessage, saysExpired } from '../../src/registry/registry-message.js';

describe('recognizeProduct', () => {
  it.each<[string, string, Record<string, string>, string | null, string]>([
    [
      'Docker Hub by service',
      '127.0.0.1',
      {},
      'Bearer realm="http://127.0.0.1:1/token",service="registry.docker.io"',
      'dockerhub',
    ],
    ['Docker Hub by rate-limit header', '127.0.0.1', { 'docker-ratelimit-source': '203.0.113.9' }, null, 'dockerhub'],
    ['GHCR by service', '127.0.0.1', {}, 'Bearer realm="http://127.0.0.1:1/token",service="ghcr.io"', 'ghcr'],
    [
      'GitLab by its /jwt/auth realm',
      '127.0.0.1',
      {},
      'Bearer realm="http://127.0.0.1:1/jwt/auth",service="container_registry"',
      'gitlab',
    ],
    [
      'ECR by its Basic challenge',
      '127.0.0.1',
      {},
      'Basic realm="https://1.dkr.ecr.eu-west-1.amazonaws.com/",service="ecr.amazonaws.com"',
      'ecr',
    ],
    ['ECR by host', '123.dkr.ecr.eu-west-1.amazonaws.com', {}, null, 'ecr'],
    [
      'Artifact Registry by service',
      '127.0.0.1',
      {},
      'Bearer realm="http://127.0.0.1:1/v2/token",service="europe-docker.pkg.dev"',
      'artifact-registry',
    ],
    [
      'ACR by its oauth2 realm',
      '127.0.0.1',
      {},
      'Bearer realm="http://127.0.0.1:1/oauth2/token",service="demo.azurecr.io"',
      'acr',
    ],
    [
      'Harbor by service',
      '127.0.0.1',
      {},
      'Bearer realm="http://127.0.0.1:1/service/token",service="harbor-registry"',
      'harbor',
    ],
    [
      'Quay by its /v2/auth realm',
      '127.0.0.1',
      {},
      'Bearer realm="http://127.0.0.1:1/v2/auth",service="127.0.0.1"',
      'quay',
    ],
    ['Artifactory by header', '127.0.0.1', { 'x-jfrog-version': 'Artifactory/7.90.1' }, null, 'artifactory'],
    ['Nexus by Server header', '127.0.0.1', { server: 'Nexus/3.68.0-04 (OSS)' }, null, 'nexus'],
    ['zot by its Basic realm', '127.0.0.1', {}, 'Basic realm="zot"', 'zot'],
    [
      'distribution by the version header alone',
      '127.0.0.1',
      { 'docker-distribution-api-version': 'registry/2.0' },
      'Basic realm="stella-test"',
      'distribution',
    ],
    ['nothing to go by', '127.0.0.1', {}, null, 'unknown'],
  ])('%s', (_name, hostname, headers, challenge, product) => {
    const challenges = challenge ? parseChallenges(challenge).challenges : [];
    expect(recognizeProduct({ hostname, headers, challenges }).product).toBe(product);
  });
});

describe('readRegistryMessage', () => {
  it.each<[string, string, { code: string | null; message: string | null }]>([
    [
      'the distribution envelope',
      '{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}',
      { code: 'DENIED', message: 'permission_denied: write_package' },
    ],
    [
      'a string detail joined to the message',
      '{"errors":[{"code":"DENIED","message":"denied","detail":"client with IP \'1.2.3.4\' is not allowed access"}]}',
      { code: 'DENIED', message: "denied: client with IP '1.2.3.4' is not allowed access" },
    ],
    [
      'an old token service answer',
      '{"details":"incorrect username or password"}',
      { code: null, message: 'incorrect username or password' },
    ],
    [
      "ECR's plain-text expiry, on one line",
      'Your authorization token has expired.\r\nReauthenticate and try again.\n',
      { code: null, message: 'Your authorization token has expired. Reauthenticate and try again.' },
    ],
    ['an HTML page', '<!DOCTYPE html><html><body>Sign in</body></html>', { code: null, message: null }],
    ['an empty body', '', { code: null, message: null }],
    ['control characters', 'bad\u001b[31m red\u0007', { code: null, message: 'bad [31m red' }],
  ])('%s', (_name, body, expected) => {
    expect(readRegistryMessage(Buffer.from(body))).toEqual(expected);
  });

  it('cuts a long message to one bounded line', () => {
    const message = readRegistryMessage(Buffer.from('x'.repeat(100_000))).message!;
    expect(message.length).toBe(MAX_MESSAGE_LENGTH);
    expect(message.endsWith('…')).toBe(true);
  });

  it.each([
    ['Your authorization token has expired. Reauthenticate and try again.', true],
    ["Your Authorization Token has expired. Please run 'aws ecr get-login' to fetch a new one.", true],
    ['unauthorized to access repository: p/r, action: push', false],
  ])('saysExpired(%j) is %s', (message, expected) => {
    expect(saysExpired(message)).toBe(expected);
  });
});

describe('credentialExpiry', () => {
  const ecrPassword = (expiration: number): string =>
    Buffer.from(
      JSON.stringify({ payload: 'opaque', datakey: 'key', version: '2', type: 'DATA_KEY', expiration }),
    ).toString('base64');

  it('reads an ECR password’s expiration and its 12-hour life', () => {
    const expiry = credentialExpiry({
      method: 'basic',
      username: 'AWS',
      password: ecrPassword(1_800_000_000),
      source: 'x',
    });
    expect(expiry).toEqual({
      kind: 'ECR password',
      at: new Date(1_800_000_000_000),
      lifetimeMs: ECR_PASSWORD_LIFETIME_MS,
    });
  });

  it('finds nothing in an ordinary password', () => {
    expect(
      credentialExpiry({ method: 'basic', username: 'ci', password: 'hunter2-hunter2-hunter2', source: 'x' }),
    ).toBeUndefined();
  });
});
