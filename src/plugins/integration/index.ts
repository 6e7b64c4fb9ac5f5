// Plugin stellaops.doctor.integration: the six OCI registry checks. Their metadata here is the
// single source of truth for selection, `list`, `explain`, the articles' front-matter and the
// report; each check's probe lives in its own module and is loaded only when the check runs.

import type { CheckDefinition, CheckMetadata, Plugin } from '../../engine/types.js';
import { CHECK_IDS, PLUGIN_ID, canRunWithCredentials, canRunWithRegistry, ociNeeds } from './oci/preconditions.js';

const ARTICLES = 'docs/doctor/articles/integration';

type Catalogued = Omit<CheckMetadata, 'pluginId' | 'category'> &
  Pick<CheckDefinition, 'canRun'> & { load: () => Promise<CheckDefinition['run']> };

function check({ load, ...definition }: Catalogued): CheckDefinition {
  return {
    pluginId: PLUGIN_ID,
    category: 'integration',
    ...definition,
    run: async (ctx, signal) => (await load())(ctx, signal),
  };
}

export const integrationPlugin: Plugin = {
  id: PLUGIN_ID,
  name: 'Integrations',
  checks: [
    check({
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
      load: async () => (await import('./oci/registry-connectivity.js')).runRegistryCheck,
    }),
    check({
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
      load: async () => (await import('./oci/credentials.js')).runCredentialsCheck,
    }),
    check({
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
      load: async () => (await import('./oci/pull.js')).runPullCheck,
    }),
    check({
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
      load: async () => (await import('./oci/push.js')).runPushCheck,
    }),
    check({
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
      load: async () => (await import('./oci/referrers.js')).runReferrersCheck,
    }),
    check({
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
      load: async () => (await import('./oci/capabilities.js')).runCapabilitiesCheck,
    }),
  ],
};
