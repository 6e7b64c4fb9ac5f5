// The systems a check probes over HTTP (a Git provider, CI systems, secrets managers) as they are
// configured: one section of keys each (`Git`, `CI:Systems:0`, `Secrets:Managers:1`) with its URL,
// credential and TLS switches, every value remembering the key that supplied it. Reading them is
// light — no network code — so `canRun` and `stella doctor list` can use it.

import type { ConfigEntry, Configuration } from '../../../config/configuration.js';
import { normalizeUrl } from '../../../config/url.js';

export interface SystemSetting {
  value: string;
  /** The key that supplied it, as its source spells it (`GitHub:Token`, `env:VAULT_TOKEN` → `VAULT_TOKEN`). */
  key: string;
}

export interface HttpSystem {
  /** The configuration section the system's keys live in: `Git`, `CI:Systems:0`, `Secrets:Managers:1`. */
  section: string;
  /** Its name as reports show it: the configured `:Name`, else its type, else the section. */
  name: string;
  /** Lower-cased `:Type` or `:Provider` when configured (`auto` and empty mean unset). */
  type?: string;
  /** The base URL (a path is kept: GitLab or Vault behind a prefix), without trailing slashes. */
  url: URL;
  urlKey: string;
  /** The value as configured, when it named no scheme and https:// was assumed. */
  schemelessValue?: string;
  token?: SystemSetting;
  username?: SystemSetting;
  caCertificatePath?: SystemSetting;
  /** The key a CA file is set under for this system (`Git:CaCertificatePath`). */
  caKey: string;
  skipTlsVerify: boolean;
  allowInsecureCredentials: boolean;
  /** The key that allows credentials over plain HTTP to a remote host (`Git:AllowInsecureCredentials`). */
  allowInsecureKey: string;
  /** Other keys of the section the check asked for, by their last segment (`Repository`). */
  more: Record<string, SystemSetting>;
}

/** Where a system's values are read: its section, and older or foreign keys read when it has none. */
export interface SectionKeys {
  section: string;
  /** Keys read in order for the URL after `<section>:Url`. */
  urlFallbacks?: string[];
  tokenFallbacks?: string[];
  caFallbacks?: string[];
  /** Other keys of the section to read, by last segment, each with its own fallbacks. */
  more?: Record<string, string[]>;
}

function setting(entry: ConfigEntry | undefined): SystemSetting | undefined {
  return entry && { value: entry.value, key: entry.key };
}

/** The system configured in one section, or undefined when it has no URL (not configured). */
export function readSystem(config: Configuration, keys: SectionKeys): HttpSystem | undefined {
  const { section } = keys;
  const first = (name: string, fallbacks: string[] = []): SystemSetting | undefined =>
    setting(config.first(`${section}:${name}`, ...fallbacks));
  const urlSetting = first('Url', keys.urlFallbacks);
  const normalized = urlSetting && normalizeUrl(urlSetting.value, 'https');
  // Shapes were validated when the configuration loaded; a URL the parser still refuses is not set.
  if (!urlSetting || normalized === undefined || !URL.canParse(normalized)) return undefined;
  const type = (first('Type') ?? first('Provider'))?.value.trim().toLowerCase();
  const more = Object.fromEntries(
    Object.entries(keys.more ?? {}).flatMap(([name, fallbacks]) => {
      const found = first(name, fallbacks);
      return found ? [[name, found]] : [];
    }),
  );
  return {
    section,
    name: first('Name')?.value.trim() || (type && type !== 'auto' ? type : section),
    ...(type && type !== 'auto' ? { type } : {}),
    url: new URL(normalized),
    urlKey: urlSetting.key,
    ...(normalized !== urlSetting.value.trim().replace(/\/+$/, '') ? { schemelessValue: urlSetting.value } : {}),
    ...optional('token', first('Token', keys.tokenFallbacks)),
    ...optional('username', first('Username')),
    ...optional('caCertificatePath', first('CaCertificatePath', keys.caFallbacks)),
    caKey: `${section}:CaCertificatePath`,
    skipTlsVerify: config.getBoolean(`${section}:SkipTlsVerify`),
    allowInsecureCredentials: config.getBoolean(`${section}:AllowInsecureCredentials`),
    allowInsecureKey: `${section}:AllowInsecureCredentials`,
    more,
  };
}

function optional<K extends string>(name: K, value: SystemSetting | undefined): Partial<Record<K, SystemSetting>> {
  return value ? ({ [name]: value } as Record<K, SystemSetting>) : {};
}

/** A path below the system's base URL: `/gitlab` and `api/v4/version` → `/gitlab/api/v4/version`. */
export function pathBelow(base: URL, path: string): string {
  return `${base.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * The numbered sections of a list (`CI:Systems:0`, `CI:Systems:1`, …) that hold any key, in
 * numeric order, as configuration flattens a JSON array or `CI__Systems__0__Url` spells one.
 */
export function listSections(config: Configuration, prefix: string): string[] {
  const pattern = new RegExp(`^${prefix}:(\\d+):`, 'i');
  const indexes = new Set<number>();
  for (const entry of config.entries()) {
    const match = pattern.exec(entry.key);
    if (match && entry.value !== '') indexes.add(Number(match[1]));
  }
  return [...indexes].sort((a, b) => a - b).map((index) => `${prefix}:${index}`);
}
