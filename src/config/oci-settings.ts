// The settings the OCI checks read (SPEC 3, "Keys read by the OCI checks"), resolved with their
// fallbacks and defaults into a typed object; each value keeps the key and source that supplied it.
//
// The registry URL is normalised: surrounding whitespace and trailing slashes are removed, and a
// URL without a scheme (`registry.local:5000`) gets `https://`. When that changed the value, the
// configured text is kept in `normalizedFrom`.

import type { ConfigEntry, Configuration } from './configuration.js';
import { BUILT_IN_DEFAULTS, DEFAULT_SOURCE } from './defaults.js';
import { keyChain, type OciKey } from './oci-keys.js';
import { normalizeUrl } from './url.js';

export interface Setting {
  value: string;
  /** The key actually used, as spelled by its source (e.g. `Registry:Url` when the fallback supplied it). */
  key: string;
  source: string;
  /** The value as configured, when normalisation changed it (registry URL only). */
  normalizedFrom?: string;
}

export interface OciSettings {
  registryUrl?: Setting;
  token?: Setting;
  username?: Setting;
  password?: Setting;
  testRepository: Setting;
  testTag: Setting;
  pushTestRepository: Setting;
  caCertificatePath?: Setting;
  skipTlsVerify: boolean;
  allowInsecureCredentials: boolean;
  dockerConfigPath?: Setting;
}

/** Values are validated when loaded (validate.ts): booleans here are `true` or `false` in any case. */
export function readOciSettings(config: Configuration): OciSettings {
  const setting = (key: OciKey): Setting | undefined => toSetting(config.first(...keyChain(key)));
  return {
    registryUrl: normalizeRegistryUrl(setting('OCI:RegistryUrl')),
    token: setting('OCI:Token'),
    username: setting('OCI:Username'),
    password: setting('OCI:Password'),
    testRepository: withDefault(config, 'OCI:TestRepository'),
    testTag: withDefault(config, 'OCI:TestTag'),
    pushTestRepository: withDefault(config, 'OCI:PushTestRepository'),
    caCertificatePath: setting('OCI:CaCertificatePath'),
    skipTlsVerify: config.getBoolean('OCI:SkipTlsVerify'),
    allowInsecureCredentials: config.getBoolean('OCI:AllowInsecureCredentials'),
    dockerConfigPath: setting('OCI:DockerConfigPath'),
  };
}

function toSetting(entry: ConfigEntry | undefined): Setting | undefined {
  return entry && { value: entry.value, key: entry.key, source: entry.source };
}

/** The key if explicitly set, else the fallback if set, else the built-in default of the key. */
function withDefault(config: Configuration, key: OciKey): Setting {
  const explicit = keyChain(key)
    .map((k) => config.entry(k))
    .find((entry) => entry !== undefined && entry.value !== '' && entry.source !== DEFAULT_SOURCE);
  return toSetting(explicit) ?? { value: BUILT_IN_DEFAULTS[key]!, key, source: DEFAULT_SOURCE };
}

function normalizeRegistryUrl(setting: Setting | undefined): Setting | undefined {
  if (!setting) return undefined;
  const value = normalizeUrl(setting.value, 'https');
  if (value === undefined) return undefined;
  return value === setting.value ? setting : { ...setting, value, normalizedFrom: setting.value };
}
