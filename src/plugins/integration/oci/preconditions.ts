// What the OCI checks need before they run, kept light so `stella doctor list` loads no network
// code: the check ids, the run's OCI settings, the canRun rules, and the token scopes the selected
// checks will need (so one token request can serve the whole run).

import { readOciSettings, type OciSettings } from '../../../config/oci-settings.js';
import type { CanRun, CheckContext, CheckNeeds } from '../../../engine/types.js';

export const CHECK_IDS = {
  registry: 'check.integration.oci.registry',
  credentials: 'check.integration.oci.credentials',
  pull: 'check.integration.oci.pull',
  push: 'check.integration.oci.push',
  referrers: 'check.integration.oci.referrers',
  capabilities: 'check.integration.oci.capabilities',
} as const;

const NO_URL = 'No registry configured: set OCI:RegistryUrl (env OCI__RegistryUrl, or --registry URL).';

export function settingsOf(ctx: CheckContext): OciSettings {
  return ctx.scope.getOrCreate('oci:settings', () => readOciSettings(ctx.config));
}

export function canRunWithRegistry(ctx: CheckContext): CanRun {
  return settingsOf(ctx).registryUrl ? { runnable: true } : { runnable: false, reason: NO_URL };
}

export function canRunWithCredentials(ctx: CheckContext): CanRun {
  const registry = canRunWithRegistry(ctx);
  if (!registry.runnable) return registry;
  const s = settingsOf(ctx);
  return s.token || s.username || s.password || s.dockerConfigPath
    ? registry
    : {
        runnable: false,
        reason:
          'No credentials configured (OCI:Username/OCI:Password or OCI:Token): push authorization is only ' +
          'checked with credentials.',
      };
}

/** What an OCI check may need: read the test repository, write the push repository. */
export type OciAccess = 'pull' | 'push';

const OCI_TARGET = 'OCI';

/** The declared needs of an OCI check. */
export function ociNeeds(access: OciAccess[], bodies: Array<'manifest'> = []): CheckNeeds {
  return { target: OCI_TARGET, access, ...(bodies.length > 0 ? { bodies } : {}) };
}

/** The OCI needs of the run's selected checks, merged. */
function ociPlan(planned: CheckNeeds[]): { access: Set<string>; bodies: Set<string> } {
  const oci = planned.filter((needs) => needs.target === OCI_TARGET);
  return { access: new Set(oci.flatMap((n) => n.access ?? [])), bodies: new Set(oci.flatMap((n) => n.bodies ?? [])) };
}

/** Token scopes of the repositories the selected checks declared they will touch. */
export function plannedScopes(settings: OciSettings, planned: CheckNeeds[]): string[] {
  const { access } = ociPlan(planned);
  const scopes: string[] = [];
  if (access.has('pull')) scopes.push(`repository:${settings.testRepository.value}:pull`);
  if (access.has('push')) scopes.push(`repository:${settings.pushTestRepository.value}:pull,push,delete`);
  return scopes;
}

/** Whether a selected check reads the test manifest's body, so manifest probes use GET rather than HEAD + GET. */
export function isManifestBodyPlanned(planned: CheckNeeds[]): boolean {
  return ociPlan(planned).bodies.has('manifest');
}
