// The effective configuration of a run: hierarchical, case-insensitive keys (`OCI:RegistryUrl`),
// each value remembering the source it came from. Built by load.ts; read by checks and `config`.

import { byText } from '../util/compare.js';

export interface ConfigEntry {
  /** The key as spelled by the source that supplied the winning value. */
  key: string;
  value: string;
  /** Where the value came from: `default`, `appsettings.Production.json`, `env:OCI__Username`, `--set`, … */
  source: string;
}

/** A usage or configuration problem: exit code 2 and this one-line message, never a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const SECRET_KEY =
  /(password|passwd|secret|token|apikey|api_key|connectionstring|connection_string|privatekey|private_key|credential)/i;

/** Switches about secrets (`AllowInsecureCredentials`, `SkipTokenCheck`) are settings, not secrets. */
const SWITCH_NAME = /^(allow|skip|enable|disable|use|is|has|require)/i;

/**
 * True for keys whose values are always masked in every output, judged on the key's last segment
 * (`Secrets:Managers:0:Token` is secret, `Secrets:Managers:0:Url` is not), and every key of .NET's
 * `ConnectionStrings` section.
 */
export function isSecretKey(key: string): boolean {
  const segments = key.split(/:|__/);
  const last = segments[segments.length - 1] ?? key;
  if (SWITCH_NAME.test(last)) return false;
  return SECRET_KEY.test(last.replace(/[_\-.\s]/g, '')) || /^connectionstrings$/i.test(segments[0] ?? '');
}

export class Configuration {
  private readonly byKey = new Map<string, ConfigEntry>();

  constructor(entries: Iterable<ConfigEntry> = []) {
    for (const entry of entries) this.set(entry);
  }

  /** Later sets win, as later configuration sources win. */
  set(entry: ConfigEntry): void {
    this.byKey.set(entry.key.toLowerCase(), entry);
  }

  get(key: string): string | undefined {
    return this.byKey.get(key.toLowerCase())?.value;
  }

  entry(key: string): ConfigEntry | undefined {
    return this.byKey.get(key.toLowerCase());
  }

  /** The first key that has a non-empty value, with its source (for `OCI:*` → `Registry:*` fallbacks). */
  first(...keys: string[]): ConfigEntry | undefined {
    for (const key of keys) {
      const entry = this.entry(key);
      if (entry && entry.value !== '') return entry;
    }
    return undefined;
  }

  /** `true` in any case; the fallback when not set. Anything but true/false is refused when loaded. */
  getBoolean(key: string, fallback = false): boolean {
    const value = this.get(key)?.trim().toLowerCase();
    if (value === undefined || value === '') return fallback;
    return value === 'true';
  }

  /** Every effective value, sorted by key. */
  entries(): ConfigEntry[] {
    return [...this.byKey.values()].sort((a, b) => byText(a.key.toLowerCase(), b.key.toLowerCase()));
  }

  /** Values of secret-looking keys: the redaction gate masks them wherever they appear. */
  secretValues(): string[] {
    return this.entries()
      .filter((e) => isSecretKey(e.key) && e.value.length > 0)
      .map((e) => e.value);
  }
}
