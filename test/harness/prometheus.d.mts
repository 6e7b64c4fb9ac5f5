// Type declarations for prometheus.mjs, the real Prometheus server of the scrape test.
import type { ChildProcess } from 'node:child_process';

export interface RunningPrometheus {
  url: string;
  pid: number;
  child: ChildProcess;
  dir: string;
  log(): string;
}

export function startPrometheus(options: {
  dir: string;
  target: string;
  bearerToken?: string;
  scrapeInterval?: string;
}): Promise<RunningPrometheus>;
export function stopPrometheus(prometheus: RunningPrometheus): Promise<void>;
