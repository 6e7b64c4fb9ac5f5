// The redaction gate: registered secrets in every encoding, and secret shapes nobody registered.
import { afterEach, describe, expect, it } from 'vitest';
import {
  MASK,
  clearSecrets,
  redactDeep,
  redactText,
  registerCredentialPair,
  registerSecret,
} from '../../src/util/redact.js';

afterEach(() => clearSecrets());

describe('redactText', () => {
  it('masks a registered secret, its base64 and its URL encoding', () => {
    registerSecret('p@ss w0rd!');

    const out = redactText(
      `a p@ss w0rd! b ${Buffer.from('p@ss w0rd!').toString('base64')} c ${encodeURIComponent('p@ss w0rd!')}`,
    );

    expect(out).toBe(`a ${MASK} b ${MASK} c ${MASK}`);
  });

  it('masks the base64 of user:password', () => {
    registerCredentialPair('alice', 'Sekr1t-value');
    const basic = Buffer.from('alice:Sekr1t-value').toString('base64');

    expect(redactText(`header ${basic}`)).toBe(`header ${MASK}`);
  });

  it.each([
    ['Authorization: Basic YWxpY2U6c2VjcmV0', `Authorization: Basic ${MASK}`],
    ['authorization=Bearer abc.def.ghi123', `authorization=Bearer ${MASK}`],
    ['token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl end', `token ${MASK} end`],
    ['https://bob:hunter2@registry.example/v2/', `https://${MASK}@registry.example/v2/`],
    ['http://:hunter2@registry.example', `http://${MASK}@registry.example`],
    ['see http://bob:hun@ter2@registry.example/v2/ now', `see http://${MASK}@registry.example/v2/ now`],
    ['{"access_token":"opaque-value"}', `{"access_token":"${MASK}"}`],
  ])('masks the shape of %j', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'The registry requires basic authentication.',
    'The registry answered with a Bearer challenge.',
    'Bearer realm="https://auth.example/token",service="registry"',
  ])('leaves prose alone: %j', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('ignores secrets too short to match safely', () => {
    registerSecret('ab');

    expect(redactText('tab cab')).toBe('tab cab');
  });
});

describe('redactDeep', () => {
  it('masks strings inside objects and arrays and leaves other values', () => {
    registerSecret('canary-123');

    expect(redactDeep({ a: 'x canary-123', b: ['canary-123'], c: 5, d: null, e: true })).toEqual({
      a: `x ${MASK}`,
      b: [MASK],
      c: 5,
      d: null,
      e: true,
    });
  });
});

describe('copy/paste commands', () => {
  it('keeps shell variables and placeholders in Authorization headers', () => {
    const text = `curl -H "Authorization: Bearer $TOKEN" -H 'Authorization: Bearer <token>' https://r.example/v2/`;

    expect(redactText(text)).toBe(text);
  });
});
