#!/usr/bin/env bash
# The whole test suite on a fresh machine of this kind (Debian 12, root, Node 20): installs the
# Debian packages the real registries need when missing, installs the locked dependencies (which
# builds the CLI), type-checks, runs every test — the harness starts and stops its own registries
# on 127.0.0.1 — and ends with one summary line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-prereqs.sh
npm ci --no-audit --no-fund --loglevel=error
npx tsc -p tsconfig.test.json --noEmit

results=.test-env-results.json
rm -f "$results"
set +e
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@"
status=$?
set -e
node scripts/test-summary.mjs "$results"
exit $status
