// `stella doctor serve --help`: the command, its flags, the Doctor:* keys and the routes.

import { SERVE_ROUTES } from './routes.js';

export function serveHelpText(version: string): string {
  return [
    `stella doctor ${version} — serve: the checks behind an HTTP API, live events and Prometheus metrics`,
    '',
    'Usage:',
    '  stella doctor serve [--host 127.0.0.1] [--port 5080] [configuration options]',
    '',
    'Options:',
    '  --host HOST                     address to listen on (Doctor:Api:Host, default 127.0.0.1)',
    '  --port PORT                     port to listen on (Doctor:Api:Port, default 5080; 0 picks a free one)',
    '  --config-dir, --environment, --config, --env-file, --set, --registry, --username,',
    '  --password-stdin, --docker-config  as for `stella doctor run` (see stella doctor --help)',
    '',
    'Configuration (same layers as the CLI; files and .env are read again for every run):',
    '  Doctor:Api:Host, Doctor:Api:Port          where to listen',
    '  Doctor:Api:Token                          bearer token every route but /healthz and /readyz then needs;',
    '                                            required to listen on anything but 127.0.0.1, ::1, localhost',
    '  Doctor:Api:AllowedHosts                   Host header names accepted without a token, besides loopback',
    '  Doctor:Api:MaxConcurrentRuns              runs at the same time (default 4; more get 429)',
    '  Doctor:Api:Tls:CertificatePath, KeyPath   serve HTTPS',
    '  Doctor:Storage:ConnectionString           default: SQLite file stella-doctor.db here; sqlite:PATH,',
    '                                            postgres://… or Host=…;Database=…; for PostgreSQL',
    '  Doctor:Storage:RetentionDays, MaxRuns     history kept (default 30 days, 10000 runs; 0 = no limit)',
    '  Doctor:Schedule:Interval, Mode            periodic runs, e.g. 5m (at least 1m); quick | normal | full',
    '',
    'Routes:',
    ...SERVE_ROUTES.map(([route, what]) => `  ${route.padEnd(44)}${what}`),
    '',
    'Stops on SIGTERM or SIGINT (runs in progress are stored as interrupted) and exits 0;',
    'exit 2 when a Doctor:* value is invalid.',
    '',
  ].join('\n');
}
