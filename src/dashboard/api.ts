// The dashboard's client of the service API: JSON requests and the event stream of a run, both
// through fetch so that the bearer token travels as a header (never in a URL), and the token kept
// in sessionStorage, which belongs to this browser tab alone.

import type { CheckMetadata, Report, ReportSummary, Severity } from '../engine/types.js';
import type { DoctorEvent } from '../server/runs.js';
import type { RunStatus } from '../store/types.js';
import type { RunMode } from './view-state.js';

const API = '/api/v1/doctor';
const TOKEN_KEY = 'stella-doctor-token';

/** A report as the service answers it: the CLI's JSON report plus status, trigger and mode. */
export interface ServedReport extends Omit<Report, 'completedAt'> {
  completedAt: string | null;
  status?: RunStatus;
  trigger?: string;
  mode?: RunMode;
}

export interface RunListEntry {
  runId: string;
  status: RunStatus;
  trigger: string;
  startedAt: string;
  completedAt: string | null;
  summary: ReportSummary;
}

export interface CheckVerdict {
  runId: string;
  severity: Severity;
  diagnosis: string;
  startedAt: string;
}

interface RunRequest {
  mode?: RunMode;
  checks?: string[];
  categories?: string[];
  plugins?: string[];
  tags?: string[];
}

/** The service refused the request; `status` 401 means the token is missing or wrong. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = storedToken();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

async function failure(response: Response): Promise<ApiFailure> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) message = body.error.message;
  } catch {
    // not the API's error shape: keep the status line
  }
  return new ApiFailure(response.status, message);
}

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${API}${path}`, {
    ...init,
    headers: headers(init.body ? { 'content-type': 'application/json' } : {}),
  });
  if (!response.ok) throw await failure(response);
  return response;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await request(path, init)).json()) as T;
}

export const api = {
  catalog: () => json<CheckMetadata[]>('/checks'),
  runs: (limit: number, before?: string) =>
    json<{ runs: RunListEntry[]; next: string | null }>(
      `/runs?limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`,
    ),
  report: (runId: string) => json<ServedReport>(`/runs/${encodeURIComponent(runId)}`),
  article: async (checkId: string) => (await request(`/checks/${encodeURIComponent(checkId)}/article`)).text(),
  checkHistory: (checkId: string, limit: number) =>
    json<{ checkId: string; results: CheckVerdict[] }>(`/checks/${encodeURIComponent(checkId)}/history?limit=${limit}`),
  startRun: (body: RunRequest) =>
    json<{ runId: string }>('/run', { method: 'POST', body: JSON.stringify({ ...body, trigger: 'dashboard' }) }),
  runAndWait: (body: RunRequest) =>
    json<ServedReport>('/run?wait=true', { method: 'POST', body: JSON.stringify({ ...body, trigger: 'dashboard' }) }),
};

/**
 * Reads Server-Sent Events from `path` (`/runs/{runId}/events`, or `/stream` for every run) and
 * hands each to `onEvent` until the server ends the stream or `signal` aborts it.
 */
async function readEvents(path: string, onEvent: (event: DoctorEvent) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(`${API}${path}`, { headers: headers({ accept: 'text/event-stream' }), signal });
  if (!response.ok || !response.body) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) onEvent(JSON.parse(data) as DoctorEvent);
    }
  }
}

/** The events of one run: what already happened, then the rest; ends after run.completed. */
export function followRun(runId: string, onEvent: (event: DoctorEvent) => void, signal: AbortSignal): Promise<void> {
  return readEvents(`/runs/${encodeURIComponent(runId)}/events`, onEvent, signal);
}

/** The events of every run (runs in progress first), for as long as the server keeps the stream open. */
export function followAllRuns(onEvent: (event: DoctorEvent) => void, signal: AbortSignal): Promise<void> {
  return readEvents('/stream', onEvent, signal);
}
