// Connection diagnosis knows its target only by keys, URL and names: a Git provider gets the same
// named causes as a registry, with its own configuration keys in every fix, cause and step.
import { describe, expect, it } from 'vitest';
import type { ConnectionErrorClass } from '../../src/net/errors.js';
import { CredentialOriginError, InsecureCredentialsError } from '../../src/net/credential-gate.js';
import {
  connectionFailure,
  credentialOriginFailure,
  insecureCredentialsFailure,
  type ConnectionTarget,
} from '../../src/plugins/integration/shared/connection-failure.js';

const git: ConnectionTarget = {
  noun: 'Git provider',
  url: new URL('https://git.example:8443'),
  urlKey: 'Git:Url',
  caKey: 'Git:CaCertificatePath',
  caPath: '/etc/ca.pem',
  skipTlsVerify: false,
  probePath: '/api/v3/',
  urlEvidence: 'git_url',
  slug: 'git',
  serviceNames: { systemd: 'gitea', compose: 'gitea' },
};

const CLASSES: ConnectionErrorClass[] = [
  'dns',
  'refused',
  'timeout',
  'reset',
  'unreachable',
  'tls_untrusted',
  'tls_hostname',
  'tls_expired',
  'tls_handshake',
  'https_to_http',
  'http_to_https',
  'proxy',
  'redirect',
  'unknown',
];

describe('connectionFailure for a target that is not a registry', () => {
  it.each(CLASSES)('%s: names the target, never OCI', (errorClass) => {
    const outcome = connectionFailure(
      git,
      { errorClass, message: 'git.example:8443 said something', detail: 'raw library text' },
      null,
    );
    const everything = JSON.stringify(outcome);

    expect(outcome.severity).toBe('fail');
    expect(
      outcome.diagnosis.startsWith(
        `The Git provider cannot be reached (${errorClass}): git.example:8443 said something.`,
      ),
    ).toBe(true);
    expect(outcome.evidence).toMatchObject({
      git_url: 'https://git.example:8443',
      error_class: errorClass,
      error_message: 'raw library text',
    });
    expect(everything).not.toMatch(/OCI|registry|\/v2\//i);
  });

  it.each<[ConnectionErrorClass, string]>([
    ['dns', 'Git:Url'],
    ['tls_untrusted', 'Git:CaCertificatePath'],
    ['https_to_http', 'Git:Url'],
  ])('%s: the fix and the steps name %s', (errorClass, key) => {
    const outcome = connectionFailure(git, { errorClass, message: 'm' }, null);

    expect(outcome.diagnosis).toContain(key);
    expect(
      outcome.remediation!.some(
        (step) => step.description.includes(key.replace(':', '__')) || step.description.includes(key),
      ),
    ).toBe(true);
  });

  it('says https was assumed for a URL given without a scheme', () => {
    const outcome = connectionFailure(
      { ...git, schemelessValue: 'git.example:8443' },
      { errorClass: 'https_to_http', message: 'm' },
      null,
    );

    expect(outcome.diagnosis).toContain(
      "Git:Url 'git.example:8443' names no scheme: tried https://git.example:8443; a Git provider on plain HTTP needs http://",
    );
  });
});

describe('the credential verdicts for a target that is not a registry', () => {
  it('plain HTTP to a remote Git provider: fixes name Git:Url and Git:AllowInsecureCredentials, never OCI', () => {
    const remote = { ...git, url: new URL('http://git.example:8080') };
    const outcome = insecureCredentialsFailure(
      remote,
      'Git:AllowInsecureCredentials',
      new InsecureCredentialsError(remote.url),
    );

    expect(outcome.severity).toBe('fail');
    expect(outcome.diagnosis).toMatch(/^Credentials were not sent: git\.example:8080 is reached over plain HTTP/);
    expect(outcome.evidence).toEqual({
      git_url: 'http://git.example:8080',
      is_insecure_transport: true,
      blocked_url_host: 'git.example:8080',
    });
    const commands = outcome.remediation!.map((s) => s.command ?? '').join('\n');
    expect(commands).toContain("Git__Url='https://git.example:8080'");
    expect(commands).toContain("Git__AllowInsecureCredentials='true'");
    expect(JSON.stringify(outcome)).not.toMatch(/OCI|registry/i);
  });

  it('a credential pointed at another origin: names that origin and the Git key', () => {
    const outcome = credentialOriginFailure(
      git,
      new CredentialOriginError(new URL('https://127.0.0.2:9443/x'), 'https://git.example:8443'),
    );

    expect(outcome.diagnosis).toBe(
      'Credentials were not sent: the Git provider pointed a request that needs them at https://127.0.0.2:9443, ' +
        'which is not where they belong (https://git.example:8443).',
    );
    expect(outcome.evidence).toEqual({
      git_url: 'https://git.example:8443',
      credentials_withheld_from: 'https://127.0.0.2:9443',
    });
    expect(outcome.likelyCauses).toContain('The Git provider is configured with a different external URL than Git:Url');
  });
});
