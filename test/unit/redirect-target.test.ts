// Where a Location header sends the next request: relative to the URL that answered, only http(s),
// never with a server's userinfo, and a Location that is not a URL is a "redirect" cause.
import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/net/errors.js';
import { redirectTarget } from '../../src/registry/session.js';

const answeredBy = new URL('https://registry.example:5000/mirror/v2/team/app/blobs/uploads/');

describe('redirectTarget', () => {
  it.each([
    [
      'a relative path, against the URL that answered',
      'session-1',
      'https://registry.example:5000/mirror/v2/team/app/blobs/uploads/session-1',
    ],
    ['an absolute path', '/v2/team/app/blobs/uploads/s', 'https://registry.example:5000/v2/team/app/blobs/uploads/s'],
    [
      'another origin, without the userinfo it names',
      'http://user:canary-Secret-91x@127.0.0.2:8080/x',
      'http://127.0.0.2:8080/x',
    ],
  ])('follows %s', (_name, location, expected) => {
    expect(redirectTarget(location, answeredBy).href).toBe(expected);
  });

  it.each([
    ['not a URL', 'http://[::1', /is not a URL/],
    ['javascript:', 'javascript:alert(1)', /is not http\(s\)/],
    ['file:', 'file:///etc/passwd', /is not http\(s\)/],
    ['data:', 'data:text/plain,x', /is not http\(s\)/],
  ])('refuses a Location that is %s as a redirect cause', (_name, location, message) => {
    const error = (() => {
      try {
        redirectTarget(location, answeredBy);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).errorClass).toBe('redirect');
    expect((error as ConnectionError).message).toMatch(message);
  });

  it('quotes a huge Location cut to 200 characters', () => {
    expect(() => redirectTarget(`javascript:${'x'.repeat(10_000)}`, answeredBy)).toThrow(/x{100}…"$/);
  });
});
