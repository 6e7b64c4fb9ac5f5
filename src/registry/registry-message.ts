// The one reader of a registry's error body, for every check: the distribution error envelope
// (`{"errors":[{code,message,detail}]}`), the token services' `details`/`message`/`error` objects,
// and plain text (ECR's `Not Authorized`, its expired-token sentence). The text is the registry's
// own words, quoted in diagnoses: read from a bounded prefix, one line, no control characters,
// length-capped; an HTML page is no message. Rendering and the redaction gate treat it as data.

import { boundedJsonObject } from '../util/bounded-json.js';

export interface RegistryMessage {
  /** The error code of the first `errors[]` entry (`DENIED`, `NAME_UNKNOWN`). */
  code: string | null;
  /** The registry's own message, one line; null when the body holds none. */
  message: string | null;
}

/** Bytes of a body read for a message; real error bodies are a few hundred. */
const MAX_READ_BYTES = 4096;
/** A quoted message longer than this is cut with an ellipsis. */
export const MAX_MESSAGE_LENGTH = 300;

/** One line: control characters and runs of whitespace become one space; capped. */
function oneLine(text: string): string | null {
  const line = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (line === '') return null;
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : line;
}

const asText = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** The message of a JSON error body: the first `errors[]` entry, else a token service's own fields. */
function fromJson(body: Record<string, unknown>): RegistryMessage {
  const errors = body.errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (typeof first === 'object' && first !== null) {
    const entry = first as { code?: unknown; message?: unknown; detail?: unknown };
    const detail = asText(entry.detail);
    const message = asText(entry.message);
    const joined = message && detail && !message.includes(detail) ? `${message}: ${detail}` : (message ?? detail);
    return { code: asText(entry.code), message: joined ? oneLine(joined) : null };
  }
  const text = asText(body.details) ?? asText(body.message) ?? asText(body.error_description) ?? asText(body.error);
  return { code: null, message: text ? oneLine(text) : null };
}

/**
 * The registry's code and message from an error body of any shape. JSON first; otherwise the body
 * as text when it is text (not HTML, not binary). Never throws.
 */
export function readRegistryMessage(body: Buffer): RegistryMessage {
  const head = body.subarray(0, MAX_READ_BYTES);
  const json = boundedJsonObject(body.length <= MAX_READ_BYTES ? body : head);
  if (json) return fromJson(json);
  const text = head.toString('utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || /^<(!doctype|html|\?xml|body|head)\b/i.test(trimmed)) {
    return { code: null, message: null };
  }
  // Text with replacement characters or NULs is binary, not a sentence.
  if (/[\ufffd\u0000]/.test(text)) return { code: null, message: null };
  return { code: null, message: oneLine(text) };
}

/** A registry message as quoted in a sentence: `"…"` (the text is data, never markup). */
export function quoted(message: string): string {
  return `"${message.replace(/"/g, "'")}"`;
}

/** ` The registry says: "…".` to end a diagnosis with, or nothing when it said nothing. */
export function registrySays(message: string | null | undefined): string {
  return message ? ` The registry says: ${quoted(message)}.` : '';
}

/**
 * Whether a registry's message says the credential expired (ECR: "Your authorization token has
 * expired. Reauthenticate and try again."; older: "Your Authorization Token has expired").
 */
export function saysExpired(message: string | null): boolean {
  return message !== null && /\b(token|credentials?|password)\b[^.]{0,40}\b(has |have |is )?expired\b/i.test(message);
}
