// The OCI session plans from what the selected checks declare they need, never from their ids:
// the token scopes of one token request, and whether the test manifest's body is read.
import { describe, expect, it } from 'vitest';
import { Configuration } from '../../src/config/configuration.js';
import { readOciSettings } from '../../src/config/oci-settings.js';
import { allChecks } from '../../src/plugins/index.js';
import { isManifestBodyPlanned, plannedScopes } from '../../src/plugins/integration/oci/preconditions.js';

const settings = readOciSettings(
  new Configuration([
    { key: 'OCI:RegistryUrl', value: 'https://r.example', source: '--set' },
    { key: 'OCI:TestRepository', value: 'team/base', source: '--set' },
    { key: 'OCI:PushTestRepository', value: 'team/scratch', source: '--set' },
  ]),
);
const needsOf = (...ids: string[]) => allChecks().flatMap((c) => (ids.includes(c.id) && c.needs ? [c.needs] : []));

describe('planning from declared needs', () => {
  it.each<[string, string[], string[], boolean]>([
    [
      'connectivity and credentials need no repository',
      ['check.integration.oci.registry', 'check.integration.oci.credentials'],
      [],
      false,
    ],
    ['pull reads the test repository', ['check.integration.oci.pull'], ['repository:team/base:pull'], false],
    [
      'push writes (and cancels in) the push repository',
      ['check.integration.oci.push'],
      ['repository:team/scratch:pull,push,delete'],
      false,
    ],
    [
      'capabilities need both and the manifest body',
      ['check.integration.oci.capabilities'],
      ['repository:team/base:pull', 'repository:team/scratch:pull,push,delete'],
      true,
    ],
  ])('%s', (_name, ids, scopes, body) => {
    expect(plannedScopes(settings, needsOf(...ids))).toEqual(scopes);
    expect(isManifestBodyPlanned(needsOf(...ids))).toBe(body);
  });

  it("ignores another target's needs", () => {
    const git = [{ target: 'Git', access: ['pull', 'push'], bodies: ['manifest'] }];

    expect(plannedScopes(settings, git)).toEqual([]);
    expect(isManifestBodyPlanned(git)).toBe(false);
  });
});
