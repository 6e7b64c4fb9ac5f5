#!/usr/bin/env bash
# The whole test suite on a fresh machine of this kind (Debian 12, root, Node 20, 22 or 24):
# installs the Debian packages the real registries need when missing, installs the locked
# dependencies (which builds the CLI) and the Node releases of tools/test-node, type-checks, checks
# the formatting (Prettier, and no src line over its width), and
# runs every test on the Node it was started with, then on Node 22 and Node 24 — the harness starts
# and stops its own registries on 127.0.0.1. It always ends with one summary line over all of it,
# "N passed, N failed, N skipped": a failed step (an install, the type-check) or a test run that
# failed outside its tests counts as one failure. SIGTERM or SIGINT stops the running step, which
# stops what it started, and the summary is still printed.
set -uo pipefail
cd "$(dirname "$0")/.."

results=.test-env/results
rm -rf "$results"
mkdir -p "$results"
steps="$results/steps.tsv"
: >"$steps"

# Node 22 and later read NODE_EXTRA_CA_CERTS when the first TLS context is made, not at start-up,
# so this test's "plain node reads it at start-up" holds on Node 20 alone.
node20_only='keeps Node from reading NODE_EXTRA_CA_CERTS at start-up, where plain node reads it'
# The service's SQLite driver is a native module, built by `npm ci` for the Node that ran it: the
# tests that load it run on that Node only (the dashboard's browser tests start the service too).
native_tests=(
  'test/integration/{serve-command,service-api,service-events,service-security,store}.test.ts'
  'test/browser/*.test.ts'
)
exclude_native=()
for pattern in "${native_tests[@]}"; do exclude_native+=(--exclude "$pattern"); done

child=''
signal=''
on_signal() {
  signal=$1
  [ -z "$child" ] || kill -TERM "$child" 2>/dev/null
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT

# step LABEL REPORT COMMAND…: runs COMMAND in the background and waits for it (so a signal is
# handled at once), and records its exit status, LABEL and the vitest REPORT it writes (or "").
# After a signal no step starts.
step() {
  local label=$1 report=$2 status=0
  shift 2
  [ -z "$signal" ] || return 1
  "$@" &
  child=$!
  wait "$child" || status=$?
  # A signal ends the first wait early; wait again for the step to finish stopping.
  while kill -0 "$child" 2>/dev/null; do status=0; wait "$child" || status=$?; done
  child=''
  [ -z "$signal" ] || label="$label (stopped by SIG$signal)"
  printf '%s\t%s\t%s\n' "$status" "$label" "$report" >>"$steps"
  return "$status"
}

# Installs tools/test-node unless its node_modules was installed from the same lock.
install_test_node() {
  cmp -s tools/test-node/package-lock.json tools/test-node/node_modules/.installed-lock.json && return 0
  npm ci --prefix tools/test-node --no-audit --no-fund --loglevel=error --ignore-scripts --no-bin-links &&
    cp tools/test-node/package-lock.json tools/test-node/node_modules/.installed-lock.json
}

# run_tests NODE ARGS…: the whole suite on that Node (and its `node` first on PATH for the CLI).
run_tests() {
  local node=$1 version
  shift
  version=$("$node" --version)
  step "tests on Node $version" "$results/node-$version.json" \
    env PATH="$(dirname "$node"):$PATH" "$node" node_modules/vitest/vitest.mjs run \
    --reporter=default --reporter=json --outputFile="$results/node-$version.json" "$@"
}

installed=yes
step 'test prerequisites' '' bash scripts/test-prereqs.sh || installed=''
step 'npm ci' '' npm ci --no-audit --no-fund --loglevel=error || installed=''
extra_nodes=()
if step 'Node 22 and 24 for the tests' '' install_test_node; then
  extra_nodes=(tools/test-node/node_modules/node22/bin/node tools/test-node/node_modules/node24/bin/node)
fi
step 'type-check' '' node_modules/.bin/tsc -p tsconfig.test.json --noEmit
step 'formatting' '' node scripts/check-format.mjs

if [ -n "$installed" ]; then
  run_tests "$(command -v node)" "$@"
  for node in "${extra_nodes[@]}"; do
    # The CLI's code cache is valid only for the Node that built it, as `npm ci` on that Node does.
    step "build on Node $("$node" --version)" '' "$node" scripts/build-cli.mjs &&
      run_tests "$node" --testNamePattern "^(?!.*$node20_only)" "${exclude_native[@]}" "$@"
  done
  # Back to the build `npm ci` made, also after a signal.
  if [ "${#extra_nodes[@]}" -gt 0 ] && ! node scripts/build-cli.mjs; then
    printf '1\tbuild on the default Node again\t\n' >>"$steps"
  fi
fi

node scripts/test-summary.mjs "$steps"
status=$?
case "$signal" in
  TERM) exit 143 ;;
  INT) exit 130 ;;
  *) exit "$status" ;;
esac
