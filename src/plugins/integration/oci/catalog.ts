// The six OCI registry checks' definitions. Their probes share one registry session and live in
// their own modules, loaded only when a check runs, so `stella doctor list` loads no network code.

import type { CheckDefinition } from '../../../engine/types.js';
import { ARTICLES, integrationCheck } from '../shared/define.js';
import { CHECK_IDS, canRunWithCredentials, canRunWithRegistry, ociNeeds } from './preconditions.js';

type Catalogued = Omit<CheckDefinition, 'pluginId' | 'category' | 'run'> & {
  load: () => Promise<CheckDefinition['run']>;
};

function ociCheck({ load, ...definition }: Catalogued): CheckDefinition {
  return integrationCheck({ ...definition, run: async (ctx, signal) => (await load())(ctx, signal) });
}

export const OCI_CHECKS: CheckDefinition[] = [
  ociCheck({
    id: CHECK_IDS.registry,
    name: 'OCI Registry Connectivity',
    description:
      'Checks that the configured OCI registry is reachable over the network and answers the distribution ' +
      'API (GET /v2/), with TLS certificate facts.',
    defaultSeverity: 'warn',
    tags: ['connectivity', 'oci', 'registry', 'quick'],
    estimatedDurationMs: 2000,
    article: `${ARTICLES}/registry-connectivity.md`,
    needs: ociNeeds([]),
    canRun: canRunWithRegistry,
    load: async () => (await import('./registry-connectivity.js')).runRegistryCheck,
  }),
  ociCheck({
    id: CHECK_IDS.credentials,
    name: 'OCI Registry Credentials',
    description:
      'Checks that the configured registry credentials (username/password, bearer token or docker config) ' +
      'are accepted, performing the Docker token exchange where the registry uses one.',
    defaultSeverity: 'fail',
    tags: ['registry', 'oci', 'credentials', 'secrets', 'auth'],
    estimatedDurationMs: 5000,
    article: `${ARTICLES}/registry-credentials.md`,
    needs: ociNeeds([]),
    canRun: canRunWithRegistry,
    load: async () => (await import('./credentials.js')).runCredentialsCheck,
  }),
  ociCheck({
    id: CHECK_IDS.pull,
    name: 'OCI Registry Pull Authorization',
    description:
      'Checks that the configured credentials may pull the test image, naming the missing permission and the ' +
      'registry error code when they may not.',
    defaultSeverity: 'fail',
    tags: ['registry', 'oci', 'pull', 'authorization', 'credentials'],
    estimatedDurationMs: 3000,
    article: `${ARTICLES}/registry-pull.md`,
    needs: ociNeeds(['pull']),
    canRun: canRunWithRegistry,
    load: async () => (await import('./pull.js')).runPullCheck,
  }),
  ociCheck({
    id: CHECK_IDS.push,
    name: 'OCI Registry Push Authorization',
    description:
      'Checks that the configured credentials may push to the push test repository by opening an upload ' +
      'session and cancelling it at once; nothing is written.',
    defaultSeverity: 'fail',
    tags: ['registry', 'oci', 'push', 'authorization', 'credentials'],
    estimatedDurationMs: 3000,
    article: `${ARTICLES}/registry-push.md`,
    needs: ociNeeds(['push']),
    canRun: canRunWithCredentials,
    load: async () => (await import('./push.js')).runPushCheck,
  }),
  ociCheck({
    id: CHECK_IDS.referrers,
    name: 'OCI Registry Referrers API Support',
    description:
      'Checks whether the registry implements the OCI 1.1 referrers API for the test image, and whether the ' +
      'tag-schema fallback is in use when it does not.',
    defaultSeverity: 'warn',
    tags: ['registry', 'oci', 'referrers', 'compatibility', 'oci-1.1'],
    estimatedDurationMs: 3000,
    article: `${ARTICLES}/registry-referrers.md`,
    needs: ociNeeds(['pull']),
    canRun: canRunWithRegistry,
    load: async () => (await import('./referrers.js')).runReferrersCheck,
  }),
  ociCheck({
    id: CHECK_IDS.capabilities,
    name: 'OCI Registry Capability Matrix',
    description:
      'Probes five registry capabilities — distribution version header, referrers API, chunked upload, ' +
      'cross-repository mount, delete — and scores them, leaving nothing behind.',
    defaultSeverity: 'info',
    tags: ['registry', 'oci', 'capabilities', 'compatibility'],
    estimatedDurationMs: 5000,
    article: `${ARTICLES}/registry-capabilities.md`,
    needs: ociNeeds(['pull', 'push'], ['manifest']),
    canRun: canRunWithRegistry,
    load: async () => (await import('./capabilities.js')).runCapabilitiesCheck,
  }),
];
