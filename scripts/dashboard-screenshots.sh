#!/usr/bin/env bash
# Refreshes the dashboard's screenshots in docs/screenshots/ (light and dark theme, the remediation
# panel of a failing check): the browser test that takes them writes them there instead of to its
# temp dir. Needs what the tests need (bash scripts/test-prereqs.sh, npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screenshots
STELLA_SCREENSHOT_DIR="$PWD/docs/screenshots" node_modules/.bin/vitest run test/browser/dashboard-remediation.test.ts
