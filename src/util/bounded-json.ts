// JSON from the network, parsed within a nesting bound. A body is already capped in size, but
// V8's parser builds every level of `[[[[…]]]]` as an object: 4 MiB of nesting costs ~250 MB.
// Documents a registry or token service sends are a few levels deep, so deeper ones are refused
// after a scan that allocates nothing.

/** Deeper than any manifest, index, token answer or error body a registry sends. */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** Whether the text nests objects and arrays no deeper than `maxDepth` (strings are skipped). */
export function isWithinDepth(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth += 1;
      if (depth > maxDepth) return false;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
  return true;
}

export type BoundedParse = { ok: true; value: unknown } | { ok: false; reason: 'not_json' | 'too_deep' };

/** Parses network JSON (a Buffer is read as UTF-8), refusing what is not JSON or nests too deep. */
export function parseBoundedJson(input: Buffer | string, maxDepth = MAX_JSON_DEPTH): BoundedParse {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (!isWithinDepth(text, maxDepth)) return { ok: false, reason: 'too_deep' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'not_json' };
  }
}

/** The document when it is a JSON object within the bound, else undefined. */
export function boundedJsonObject(input: Buffer | string): Record<string, unknown> | undefined {
  const parsed = parseBoundedJson(input);
  return parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)
    ? (parsed.value as Record<string, unknown>)
    : undefined;
}
