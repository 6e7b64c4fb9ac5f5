// The credential gate decides, before anything is sent, whether a request may carry its secret to
// its URL: only to the origin the secret belongs to, never over plain HTTP to a remote host.
import { afterEach, describe, expect, it } from 'vitest';
import {
  CredentialOriginError,
  InsecureCredentialsError,
  admitRequest,
  type GatedRequest,
} from '../../src/net/credential-gate.js';
import { clearSecrets, registerCredentialPair } from '../../src/util/redact.js';

const registry = 'https://registry.example:5000';
const url = (href: string): URL => new URL(href);

afterEach(() => clearSecrets());

describe('admitRequest', () => {
  it.each<[string, GatedRequest]>([
    ['a request without a secret to any origin', { url: url('http://elsewhere.example/upload') }],
    [
      'an Authorization header to the origin it belongs to',
      { url: url(`${registry}/v2/`), headers: { authorization: 'Basic eDp5' }, secretOrigin: registry },
    ],
    [
      'a secret body to the origin it belongs to',
      { url: url('https://auth.example/token'), body: 'password=p', secretOrigin: 'https://auth.example' },
    ],
    [
      'credentials over plain HTTP to loopback',
      {
        url: url('http://127.0.0.1:5000/v2/'),
        headers: { authorization: 'Basic eDp5' },
        secretOrigin: 'http://127.0.0.1:5000',
      },
    ],
  ])('admits %s', (_name, req) => {
    expect(() => admitRequest(req, false)).not.toThrow();
  });

  it.each<[string, GatedRequest]>([
    [
      'another host',
      {
        url: url('https://127.0.0.2:5000/v2/'),
        headers: { authorization: 'Bearer t0ken-value' },
        secretOrigin: registry,
      },
    ],
    [
      'another port',
      {
        url: url('https://registry.example:5001/v2/'),
        headers: { authorization: 'Bearer t0ken-value' },
        secretOrigin: registry,
      },
    ],
    [
      'a downgrade to http on the same host and port',
      {
        url: url('http://registry.example:5000/v2/'),
        headers: { authorization: 'Bearer t0ken-value' },
        secretOrigin: registry,
      },
    ],
    [
      'an Authorization header that declares no origin',
      { url: url(`${registry}/v2/`), headers: { Authorization: 'Basic eDp5' } },
    ],
    [
      'a secret body that declares no origin',
      { url: url(`${registry}/token`), body: 'grant_type=password&password=s3cret-Canary' },
    ],
  ])('refuses a secret sent to %s', (_name, req) => {
    registerCredentialPair('ci', 's3cret-Canary');

    expect(() => admitRequest(req, false)).toThrow(CredentialOriginError);
  });

  it('refuses Basic credentials over plain HTTP to a remote host unless explicitly allowed', () => {
    const req: GatedRequest = {
      url: url('http://registry.example/v2/'),
      headers: { authorization: 'Basic eDp5' },
      secretOrigin: 'http://registry.example',
    };

    expect(() => admitRequest(req, false)).toThrow(InsecureCredentialsError);
    expect(() => admitRequest(req, true)).not.toThrow();
  });

  it('recognises a registered secret in any header even when nothing was declared', () => {
    registerCredentialPair('ci', 's3cret-Canary');

    expect(() =>
      admitRequest({ url: url('https://127.0.0.2/'), headers: { 'x-api-key': 's3cret-Canary' } }, false),
    ).toThrow(CredentialOriginError);
  });
});
