// What the OCI checks need before they run, kept light so `stella doctor list` loads no network
// code: the check ids, the run's OCI settings, the canRun rules, and the token scopes the selected
// checks will need (so one token request can serve the whole run).

import { readOciSettings, type OciSettings } from '../../config/oci-settings.js';
import type { CanRun, CheckContext } from '../../engine/types.js';

export const PLUGIN_ID = 'stellaops.doctor.integration';
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
    : { runnable: false, reason: 'No credentials configured (OCI:Username/OCI:Password or OCI:Token): push authorization is only checked with credentials.' };
}

/** Scopes of the repositories the selected checks will touch. */
export function plannedScopes(settings: OciSettings, selected: string[]): string[] {
  const pull = `repository:${settings.testRepository.value}:pull`;
  const push = `repository:${settings.pushTestRepository.value}:pull,push,delete`;
  const scopes = new Set<string>();
  if (selected.some((id) => id === CHECK_IDS.pull || id === CHECK_IDS.referrers || id === CHECK_IDS.capabilities)) scopes.add(pull);
  if (selected.some((id) => id === CHECK_IDS.push || id === CHECK_IDS.capabilities)) scopes.add(push);
  return [...scopes];
}
