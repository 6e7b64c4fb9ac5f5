// Proxy choice from the environment and the classification of connection errors.
import { describe, expect, it } from 'vitest';
import { classifyConnectionError, isHttpToHttpsAnswer } from '../../src/net/errors.js';
import { proxyFor } from '../../src/net/proxy.js';

describe('proxyFor', () => {
  const env = {
    HTTPS_PROXY: 'http://proxy.corp:3128',
    HTTP_PROXY: 'proxy.corp:8080',
    NO_PROXY: 'localhost,.internal.example,registry.local:5000,10.0.0.1',
  };

  it.each([
    ['https://registry.example.com/v2/', 'http://proxy.corp:3128/'],
    ['http://registry.example.com/v2/', 'http://proxy.corp:8080/'],
    ['https://localhost:5000/v2/', undefined],
    ['https://hub.internal.example/v2/', undefined],
    ['https://internal.example/v2/', undefined],
    ['https://registry.local:5000/v2/', undefined],
    ['https://registry.local:443/v2/', 'http://proxy.corp:3128/'],
    ['https://10.0.0.1/v2/', undefined],
  ])('%s → %s', (target, expected) => {
    expect(proxyFor(new URL(target), env)?.href).toBe(expected);
  });

  it('prefers the lower-case variables, as curl does', () => {
    expect(
      proxyFor(new URL('https://r.example/'), { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })?.host,
    ).toBe('lower:1');
  });

  it('bypasses everything with NO_PROXY=*', () => {
    expect(proxyFor(new URL('https://r.example/'), { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' })).toBeUndefined();
  });
});

describe('classifyConnectionError', () => {
  it.each([
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x' }, 'dns'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'refused'],
    [{ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'reset'],
    [{ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }, 'tls_untrusted'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, 'tls_untrusted'],
    [
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" },
      'tls_hostname',
    ],
    [{ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'tls_expired'],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, 'https_to_http'],
    [{ code: 'EPROTO', message: 'routines:ssl3_get_record:wrong version number' }, 'https_to_http'],
    [{ message: 'socket hang up' }, 'reset'],
    [{ code: 'EHOSTUNREACH', message: 'no route' }, 'unreachable'],
    [{ message: 'something odd' }, 'unknown'],
  ])('%j → %s', (error, expected) => {
    const classified = classifyConnectionError(
      Object.assign(new Error(error.message), error),
      new URL('https://registry.example:5000/v2/'),
    );
    expect(classified.errorClass).toBe(expected);
    expect(classified.detail).toBe(error.message);
  });

  it('says what happened in words and keeps the OpenSSL text, on one line, as the detail only', () => {
    const openssl =
      'write EPROTO 80EC1F4B:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:354:\n';
    const classified = classifyConnectionError(
      Object.assign(new Error(openssl), { code: 'EPROTO' }),
      new URL('https://127.0.0.1:5000/v2/'),
    );

    expect(classified.message).toBe('127.0.0.1:5000 answered the TLS handshake in plain HTTP');
    expect(classified.detail).toBe(openssl.trim());
    expect(classified.detail).not.toContain('\n');
  });

  it('recognises the answer of a TLS port to plain HTTP', () => {
    expect(isHttpToHttpsAnswer(400, 'Client sent an HTTP request to an HTTPS server.\n')).toBe(true);
    expect(isHttpToHttpsAnswer(400, '<center>The plain HTTP request was sent to HTTPS port</center>')).toBe(true);
    expect(isHttpToHttpsAnswer(400, 'bad request')).toBe(false);
  });
});
