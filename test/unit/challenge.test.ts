// WWW-Authenticate parsing with real registry headers, malformed and hostile ones, and the scope grammar.
import { describe, expect, it } from 'vitest';
import {
  bearerChallenge,
  formatScope,
  parseChallenges,
  parseScope,
  realmUrl,
  splitScopes,
  type Challenge,
} from '../../src/registry/challenge.js';

describe('parseChallenges with real registry headers', () => {
  it.each<[string, string, Challenge[]]>([
    [
      'Docker Hub',
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull',
          },
        },
      ],
    ],
    [
      'GHCR',
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:user/image:pull' },
        },
      ],
    ],
    [
      'ECR (Basic)',
      'Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/",service="ecr.amazonaws.com"',
      [
        {
          scheme: 'basic',
          params: { realm: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com/', service: 'ecr.amazonaws.com' },
        },
      ],
    ],
    [
      'Harbor',
      'Bearer realm="https://harbor.example.com/service/token",service="harbor-registry",scope="repository:library/nginx:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://harbor.example.com/service/token',
            service: 'harbor-registry',
            scope: 'repository:library/nginx:pull',
          },
        },
      ],
    ],
    [
      'Quay (Basic and Bearer in one line)',
      'Basic realm="quay.io", Bearer realm="https://quay.io/v2/auth",service="quay.io"',
      [
        { scheme: 'basic', params: { realm: 'quay.io' } },
        { scheme: 'bearer', params: { realm: 'https://quay.io/v2/auth', service: 'quay.io' } },
      ],
    ],
    [
      'GitLab (comma inside a quoted scope)',
      'Bearer realm="https://gitlab.com/jwt/auth",service="container_registry",scope="repository:group/project:push,pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://gitlab.com/jwt/auth',
            service: 'container_registry',
            scope: 'repository:group/project:push,pull',
          },
        },
      ],
    ],
    [
      'distribution token auth with insufficient_scope',
      'Bearer realm="https://127.0.0.1:5443/token",service="registry.test",scope="repository:library/alpine:pull",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://127.0.0.1:5443/token',
            service: 'registry.test',
            scope: 'repository:library/alpine:pull',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    [
      'distribution htpasswd',
      'Basic realm="Registry Realm"',
      [{ scheme: 'basic', params: { realm: 'Registry Realm' } }],
    ],
    [
      'invalid_token with escaped quotes in error_description',
      'Bearer realm="https://auth.example.com/token",error="invalid_token",error_description="token \\"abc\\" expired at 12:00, renew it"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.example.com/token',
            error: 'invalid_token',
            error_description: 'token "abc" expired at 12:00, renew it',
          },
        },
      ],
    ],
    [
      'several space-separated scopes',
      'Bearer realm="https://r.example/token",service="r",scope="repository:a/b:pull repository:c/d:pull,push"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://r.example/token',
            service: 'r',
            scope: 'repository:a/b:pull repository:c/d:pull,push',
          },
        },
      ],
    ],
    [
      'scheme and parameter names in any case, spaces around separators',
      'BEARER Realm = "https://r.example/token" , SERVICE="r"',
      [{ scheme: 'bearer', params: { realm: 'https://r.example/token', service: 'r' } }],
    ],
    [
      'unquoted values',
      'Bearer realm=https://r.example/token,service=registry,error=invalid_token',
      [{ scheme: 'bearer', params: { realm: 'https://r.example/token', service: 'registry', error: 'invalid_token' } }],
    ],
    ['token68', 'Negotiate abc==', [{ scheme: 'negotiate', params: {}, token68: 'abc==' }]],
    [
      'token68 and a bare scheme before Basic',
      'Negotiate YII/+w==, NTLM, Basic realm="corp"',
      [
        { scheme: 'negotiate', params: {}, token68: 'YII/+w==' },
        { scheme: 'ntlm', params: {} },
        { scheme: 'basic', params: { realm: 'corp' } },
      ],
    ],
    ['empty quoted value', 'Basic realm=""', [{ scheme: 'basic', params: { realm: '' } }]],
    [
      'empty list elements between challenges',
      'Basic realm="a",, ,Bearer realm="https://b.example/token"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'https://b.example/token' } },
      ],
    ],
  ])('%s', (_name, header, challenges) => {
    const result = parseChallenges(header);

    expect(result).toEqual({ ok: true, challenges });
  });

  it('reads every header line, in order', () => {
    const result = parseChallenges([
      'Negotiate',
      'Basic realm="r"',
      'Bearer realm="https://auth.example/token",service="s"',
    ]);

    expect(result).toEqual({
      ok: true,
      challenges: [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 's' } },
      ],
    });
  });

  it.each<[string, string | string[] | undefined]>([
    ['no header', undefined],
    ['an empty header', ''],
    ['a blank header', ' \t '],
    ['no header lines', []],
  ])('%s gives no challenges', (_name, header) => {
    expect(parseChallenges(header)).toEqual({ ok: true, challenges: [] });
  });

  it('keeps a parameter named __proto__ as data', () => {
    const result = parseChallenges('Bearer __proto__="x",realm="https://r.example/token"');

    expect(result.ok).toBe(true);
    expect(Object.keys(result.challenges[0]!.params)).toEqual(['__proto__', 'realm']);
    expect(result.challenges[0]!.params['__proto__']).toBe('x');
  });
});

describe('parseChallenges with malformed headers', () => {
  it.each<[string, string | string[], string, Challenge[]]>([
    [
      'unterminated quote',
      'Bearer realm="https://auth.example/token",service="reg',
      'unterminated quoted string starting at column 51',
      [{ scheme: 'bearer', params: { realm: 'https://auth.example/token' } }],
    ],
    ['a parameter before any scheme', '=foo', "expected an auth scheme at column 1, found '='", []],
    ['a parameter without a scheme', 'realm="x"', 'parameter "realm" at column 1 comes before any auth scheme', []],
    [
      'a parameter without a value',
      'Bearer realm=',
      'parameter "realm" at column 8 has no value',
      [{ scheme: 'bearer', params: {} }],
    ],
    [
      'a value missing before the next parameter',
      'Bearer realm=,service="s"',
      'parameter "realm" at column 8 has no value',
      [{ scheme: 'bearer', params: {} }],
    ],
    ['only separators', ',,,', 'the header holds separators but no auth scheme', []],
    ['binary garbage', '\u0000\u0001\u00ff\u00fe', 'unexpected character U+0000 at column 1', []],
    [
      'a control character inside a quoted string',
      'Basic realm="a\u0007b"',
      'unexpected character U+0007 at column 15',
      [{ scheme: 'basic', params: {} }],
    ],
    [
      'a non-ASCII character outside quotes',
      'Basic realm=caf\u00e9',
      'unexpected character U+00E9 at column 16',
      [{ scheme: 'basic', params: {} }],
    ],
    [
      'parameters without a comma between them',
      'Bearer realm="https://a.example/token" service="s"',
      'expected \',\' at column 40, found "service"',
      [{ scheme: 'bearer', params: { realm: 'https://a.example/token' } }],
    ],
    [
      'two challenges without a comma between them',
      'Basic realm="a" Bearer realm="b"',
      'expected \',\' at column 17, found "Bearer"',
      [{ scheme: 'basic', params: { realm: 'a' } }],
    ],
    [
      'a bare word after Basic',
      'Basic abc',
      'expected \',\' at column 7, found "abc"',
      [{ scheme: 'basic', params: {} }],
    ],
    ['a quoted scheme', '"Bearer" realm="x"', 'expected an auth scheme at column 1, found a quoted string', []],
    ['an invalid scheme', 'Bear/er realm="x"', '"Bear/er" at column 1 is not a valid auth scheme', []],
    [
      'an invalid parameter name',
      'Bearer re:alm="x"',
      '"re:alm" at column 8 is not a valid parameter name',
      [{ scheme: 'bearer', params: {} }],
    ],
    [
      'a parameter given twice',
      'Bearer realm="a",Realm="b"',
      'parameter "realm" at column 18 appears twice in one challenge',
      [{ scheme: 'bearer', params: { realm: 'a' } }],
    ],
    [
      'a doubled equals sign',
      'Bearer realm=="x"',
      'expected a value for "realm" at column 14, found \'=\'',
      [{ scheme: 'bearer', params: {} }],
    ],
    [
      'a backslash at the very end',
      'Basic realm="abc\\',
      'unterminated quoted string starting at column 13',
      [{ scheme: 'basic', params: {} }],
    ],
    [
      'a broken second header line',
      ['Basic realm="ok"', 'Bearer realm="unterminated'],
      'header line 2: unterminated quoted string starting at column 14',
      [
        { scheme: 'basic', params: { realm: 'ok' } },
        { scheme: 'bearer', params: {} },
      ],
    ],
  ])('%s', (_name, header, reason, challenges) => {
    const result = parseChallenges(header);

    expect(result).toEqual({ ok: false, reason, challenges });
  });

  it('refuses a 10 kB header unread', () => {
    const header = `Bearer realm="https://auth.example/token",service="${'x'.repeat(10_240)}"`;

    const result = parseChallenges(header);

    expect(result).toEqual({
      ok: false,
      reason: `the header is ${header.length} characters long, more than the 8192 read`,
      challenges: [],
    });
  });

  it('counts every header line towards the size limit', () => {
    const lines = Array.from({ length: 3 }, () => `Basic realm="${'r'.repeat(3000)}"`);

    const result = parseChallenges(lines);

    expect(result).toEqual({
      ok: false,
      reason: 'the header is 9042 characters long, more than the 8192 read',
      challenges: [],
    });
  });

  it('never throws on random bytes', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % 256;

    for (let run = 0; run < 500; run++) {
      const header = String.fromCharCode(...Array.from({ length: 1 + (run % 64) }, random));

      const result = parseChallenges(header);

      expect(typeof result.ok).toBe('boolean');
      if (!result.ok) expect(result.reason).not.toBe('');
    }
  });
});

describe('choosing a challenge', () => {
  it.each<[string, string, Challenge | undefined]>([
    [
      'the Bearer of a Basic + Bearer line',
      'Basic realm="quay.io", Bearer realm="https://quay.io/v2/auth",service="quay.io"',
      { scheme: 'bearer', params: { realm: 'https://quay.io/v2/auth', service: 'quay.io' } },
    ],
    [
      'a Bearer with a URL realm over one without',
      'Bearer realm="token-service", Bearer realm="https://auth.example/token"',
      { scheme: 'bearer', params: { realm: 'https://auth.example/token' } },
    ],
    [
      'a Bearer with an unusable realm when it is the only one',
      'Bearer realm="/token"',
      { scheme: 'bearer', params: { realm: '/token' } },
    ],
    ['nothing when there is no Bearer', 'Basic realm="Registry Realm"', undefined],
  ])('bearerChallenge picks %s', (_name, header, expected) => {
    const { challenges } = parseChallenges(header);

    expect(bearerChallenge(challenges)).toEqual(expected);
  });

  it.each<[string, string | undefined]>([
    ['https://auth.docker.io/token', 'https://auth.docker.io/token'],
    ['http://127.0.0.1:5001/token?x=1', 'http://127.0.0.1:5001/token?x=1'],
    ['/token', undefined],
    ['ftp://auth.example/token', undefined],
    ['Registry Realm', undefined],
  ])('realmUrl of %s', (realm, expected) => {
    expect(realmUrl({ scheme: 'bearer', params: { realm } })?.href).toEqual(expected);
  });

  it('realmUrl of a challenge without a realm', () => {
    expect(realmUrl({ scheme: 'bearer', params: { service: 's' } })).toBeUndefined();
  });
});

describe('scopes', () => {
  it.each<[string, string[]]>([
    ['repository:library/alpine:pull', ['repository:library/alpine:pull']],
    [
      'repository:a/b:pull  repository:c/d:pull,push\tregistry:catalog:*',
      ['repository:a/b:pull', 'repository:c/d:pull,push', 'registry:catalog:*'],
    ],
    ['', []],
    ['   ', []],
  ])('splitScopes(%j)', (scope, expected) => {
    expect(splitScopes(scope)).toEqual(expected);
  });

  it.each<[string, ReturnType<typeof parseScope>]>([
    ['repository:library/alpine:pull', { type: 'repository', name: 'library/alpine', actions: ['pull'] }],
    ['repository:group/project:push,pull', { type: 'repository', name: 'group/project', actions: ['push', 'pull'] }],
    [
      'repository:localhost:5000/team/app:pull,push',
      { type: 'repository', name: 'localhost:5000/team/app', actions: ['pull', 'push'] },
    ],
    ['repository:[::1]:5000/app:pull', { type: 'repository', name: '[::1]:5000/app', actions: ['pull'] }],
    ['registry:catalog:*', { type: 'registry', name: 'catalog', actions: ['*'] }],
    ['repository:a/b:', { type: 'repository', name: 'a/b', actions: [] }],
    ['repository(plugin):a/b:pull', { type: 'repository(plugin)', name: 'a/b', actions: ['pull'] }],
    ['repository:a/b', undefined],
    [':a/b:pull', undefined],
    ['repository::pull', undefined],
    ['', undefined],
  ])('parseScope(%j)', (scope, expected) => {
    expect(parseScope(scope)).toEqual(expected);
  });

  it('formatScope writes what parseScope reads', () => {
    const scope = 'repository:registry.example:5000/a/b:pull,push';

    expect(formatScope(parseScope(scope)!)).toEqual(scope);
  });
});
