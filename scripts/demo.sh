#!/usr/bin/env bash
# The main job, end to end, on a fresh machine of this kind: installs what is missing, starts real
# local registries (CNCF distribution with token auth over TLS, plus an open one) on 127.0.0.1,
# runs Stella Doctor against them — first a healthy setup, then two realistic failures with their
# remediation — and stops exactly the processes it started. STELLA_DEMO_DIR moves its working
# directory (default .demo-env).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-prereqs.sh
[ -d node_modules ] && [ -f dist/stella.cjs ] || npm ci --no-audit --no-fund --loglevel=error

DIR=$(realpath -m "${STELLA_DEMO_DIR:-.demo-env}")
node test/harness/cli.mjs down --dir "$DIR" >/dev/null 2>&1 || true
rm -rf "$DIR"
node test/harness/cli.mjs up --dir "$DIR" >"$DIR.log" 2>&1 &
trap 'node test/harness/cli.mjs down --dir "$DIR" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 100); do [ -f "$DIR/env.json" ] && break; sleep 0.1; done
[ -f "$DIR/env.json" ] || { echo "the demo registries did not start; see $DIR.log" >&2; exit 1; }

value() { node -e "const e=require('$DIR/env.json'); console.log($1)"; }
REGISTRY=$(value 'e.registries.token.url')
export OCI__CaCertificatePath=$DIR/certs/ca.crt

# Bold headings on a terminal only, and never with NO_COLOR (https://no-color.org), like the CLI.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
banner() { printf '\n%s== %s%s\n$ %s\n\n' "$bold" "$1" "$plain" "$2"; }

# The `stella` command of this checkout (what npm links as the package's bin).
stella() { bin/stella "$@"; }

# Shows the exit code of a scenario and stops the demo when it is not the one the scenario shows.
expect_exit() {
  local want=$1 got=$2
  [ "$got" -eq 0 ] || echo "(exit code $got)"
  if [ "$got" -ne "$want" ]; then
    echo "demo: expected exit code $want here, got $got" >&2
    exit 1
  fi
}

banner "1. A healthy setup: token auth over TLS, a service account with pull, push and delete rights" \
  "echo \"\$PASSWORD\" | stella doctor --registry $REGISTRY --username admin --password-stdin"
status=0
value 'e.users.admin.password' | stella doctor --registry "$REGISTRY" --username admin --password-stdin || status=$?
expect_exit 0 "$status"

banner "2. The CI account can pull but not push (exit code 1 fails the pipeline)" \
  "echo \"\$PASSWORD\" | stella doctor --registry $REGISTRY --username puller --password-stdin --check check.integration.oci.push"
status=0
value 'e.users.puller.password' | stella doctor --registry "$REGISTRY" --username puller --password-stdin \
  --check check.integration.oci.push || status=$?
expect_exit 1 "$status"

banner "3. Someone forgot the private CA" \
  "OCI__CaCertificatePath= stella doctor --registry $REGISTRY --quick"
status=0
OCI__CaCertificatePath= stella doctor --registry "$REGISTRY" --quick || status=$?
expect_exit 1 "$status"
