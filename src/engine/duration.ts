// Parses the durations the CLI and API accept (`500ms`, `10s`, `2m`, `1h`): always with a unit.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when the text is not a positive duration with a unit. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
  return value > 0 && Number.isFinite(value) ? Math.round(value) : undefined;
}
