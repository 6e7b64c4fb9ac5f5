// JWT decoding (no verification): structure checks, expiry and the `access` claim of Docker tokens.
import { describe, expect, it } from 'vitest';
import { allGrantedActions, decodeJwt, grantedActions, jwtExpiry, type JwtClaims } from '../../src/registry/jwt.js';

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(payload: unknown, header: unknown = { alg: 'RS256', typ: 'JWT', kid: 'test' }): string {
  return `${segment(header)}.${segment(payload)}.c2lnbmF0dXJl`;
}

const DOCKER_TOKEN_PAYLOAD = {
  iss: 'registry-token-issuer',
  sub: 'alice',
  aud: 'registry.test',
  exp: 1_767_225_600,
  iat: 1_767_225_300,
  access: [
    { type: 'repository', name: 'library/alpine', actions: ['pull'] },
    { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
  ],
};

describe('decodeJwt', () => {
  it('decodes the header and payload of a Docker registry token', () => {
    const token = jwt(DOCKER_TOKEN_PAYLOAD);

    expect(decodeJwt(token)).toEqual({
      header: { alg: 'RS256', typ: 'JWT', kid: 'test' },
      payload: DOCKER_TOKEN_PAYLOAD,
    });
  });

  it('accepts an unsecured token with an empty signature', () => {
    const token = `${segment({ alg: 'none' })}.${segment({ sub: 'x' })}.`;

    expect(decodeJwt(token)).toEqual({ header: { alg: 'none' }, payload: { sub: 'x' } });
  });

  it('decodes non-ASCII claims', () => {
    expect(decodeJwt(jwt({ sub: 'jürgen' }))?.payload).toEqual({ sub: 'jürgen' });
  });

  it.each<[string, string]>([
    ['an opaque token', 'djE6c2VjcmV0LXRva2Vu'],
    ['two segments', `${segment({ alg: 'none' })}.${segment({ sub: 'x' })}`],
    ['four segments', `${jwt({ sub: 'x' })}.extra`],
    ['an empty header', `.${segment({ sub: 'x' })}.sig`],
    ['an empty payload', `${segment({ alg: 'none' })}..sig`],
    [
      'standard base64 characters',
      `${segment({ alg: 'none' })}.${Buffer.from('{"sub":"??>"}').toString('base64')}.sig`,
    ],
    ['a payload that is not JSON', `${segment({ alg: 'none' })}.${Buffer.from('not json').toString('base64url')}.sig`],
    ['a payload that is a JSON array', `${segment({ alg: 'none' })}.${segment([1, 2])}.sig`],
    ['a payload that is JSON null', `${segment({ alg: 'none' })}.${segment(null)}.sig`],
    ['a header that is a JSON string', `${segment('RS256')}.${segment({ sub: 'x' })}.sig`],
    [
      'a payload that is not UTF-8',
      `${segment({ alg: 'none' })}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.sig`,
    ],
    ['whitespace inside', `${segment({ alg: 'none' })}. ${segment({ sub: 'x' })}.sig`],
    ['an empty string', ''],
  ])('gives undefined for %s', (_name, token) => {
    expect(decodeJwt(token)).toBeUndefined();
  });
});

describe('jwtExpiry', () => {
  it.each<[string, JwtClaims, Date | undefined]>([
    ['exp in seconds', { exp: 1_767_225_600 }, new Date('2026-01-01T00:00:00.000Z')],
    ['a fractional exp', { exp: 1_767_225_600.5 }, new Date('2026-01-01T00:00:00.500Z')],
    ['no exp', { sub: 'x' }, undefined],
    ['exp as a string', { exp: '1767225600' }, undefined],
    ['exp beyond the range of a date', { exp: 1e300 }, undefined],
    ['exp that is not finite', { exp: Number.NaN }, undefined],
  ])('%s', (_name, payload, expected) => {
    expect(jwtExpiry(payload)).toEqual(expected);
  });
});

describe('granted actions', () => {
  it.each<[string, string, string, string[]]>([
    ['pull only', 'repository', 'library/alpine', ['pull']],
    ['pull and push', 'repository', 'team/app', ['pull', 'push']],
    ['a repository the token does not cover', 'repository', 'other/app', []],
    ['another resource type', 'registry', 'library/alpine', []],
  ])('grantedActions for %s', (_name, type, name, expected) => {
    expect(grantedActions(DOCKER_TOKEN_PAYLOAD, type, name)).toEqual(expected);
  });

  it('lists every grant as a scope', () => {
    expect(allGrantedActions(DOCKER_TOKEN_PAYLOAD)).toEqual([
      'repository:library/alpine:pull',
      'repository:team/app:pull,push',
    ]);
  });

  it('merges entries for the same resource and drops repeated actions', () => {
    const payload = {
      access: [
        { type: 'repository', name: 'localhost:5000/app', actions: ['pull'] },
        { type: 'registry', name: 'catalog', actions: ['*'] },
        { type: 'repository', name: 'localhost:5000/app', actions: ['push', 'pull'] },
      ],
    };

    expect(allGrantedActions(payload)).toEqual(['repository:localhost:5000/app:pull,push', 'registry:catalog:*']);
    expect(grantedActions(payload, 'repository', 'localhost:5000/app')).toEqual(['pull', 'push']);
  });

  it('leaves out grants without actions (a token service that granted nothing)', () => {
    const payload = { access: [{ type: 'repository', name: 'team/app', actions: [] }] };

    expect(allGrantedActions(payload)).toEqual([]);
    expect(grantedActions(payload, 'repository', 'team/app')).toEqual([]);
  });

  it.each<[string, JwtClaims]>([
    ['no access claim', { sub: 'x' }],
    ['an access claim that is not an array', { access: { type: 'repository', name: 'a', actions: ['pull'] } }],
    [
      'malformed entries',
      {
        access: [
          null,
          'repository:a:pull',
          { type: 'repository', name: 'a' },
          { type: 'repository', actions: ['pull'] },
          { type: 7, name: 'a', actions: ['pull'] },
          { type: 'repository', name: 'a', actions: 'pull' },
          { type: 'repository', name: 'b', actions: [1, null] },
        ],
      },
    ],
  ])('finds nothing in %s', (_name, payload) => {
    expect(allGrantedActions(payload)).toEqual([]);
    expect(grantedActions(payload, 'repository', 'a')).toEqual([]);
  });

  it('keeps the well-formed actions of a partly malformed entry', () => {
    const payload = { access: [{ type: 'repository', name: 'a', actions: ['pull', 3, 'push'] }] };

    expect(grantedActions(payload, 'repository', 'a')).toEqual(['pull', 'push']);
  });
});
