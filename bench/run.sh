#!/usr/bin/env bash
# Runs every benchmark in bench/ and prints one report: CLI start-up and memory, one connectivity
# check and the full OCI suite against local CNCF distribution registries (each next to skopeo
# measured in the same run), and the suite against a registry that never answers. Builds the CLI
# when its bundle is missing or older than src/, installs the Debian tools when missing, starts the
# test environment in a temporary directory and always stops it on exit; then the service under
# load next to blackbox_exporter, with 100,000 runs stored, and with 200 event-stream subscribers.
#
#   bash bench/run.sh [--runs N] [--warmup N]
#   env: BENCH_RUNS (default 15), BENCH_WARMUP (default 2), BENCH_HUNG_RUNS (default 3)
# Numbers are reported, never asserted: the exit status is 0 unless the setup itself fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

# Tools: the registries, skopeo, htpasswd and openssl (the test prerequisites), and GNU time for
# the max-RSS measurement (startup.mjs falls back to measuring from inside node without it).
bash scripts/test-prereqs.sh
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing the Debian package 'time' (max RSS of the CLI)"
  if ! { "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time; } >/dev/null 2>&1; then
    echo "bench: could not install 'time'; max RSS will be read from inside node instead"
  fi
fi

if [ ! -d node_modules ]; then
  echo "bench: node_modules is missing; run 'npm ci' first" >&2
  exit 1
fi

# Build when the CLI bundle is missing or any source file is newer than it.
build_reason=""
if [ ! -f dist/stella.cjs ]; then
  build_reason="dist/stella.cjs is missing"
else
  newer="$(find src -name '*.ts' -newer dist/stella.cjs -print -quit)"
  [ -z "$newer" ] || build_reason="$newer is newer than dist/stella.cjs"
fi
if [ -n "$build_reason" ]; then
  echo "bench: building ($build_reason)"
  npm run build --silent
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/stella-bench.XXXXXX")"
harness_pid=""
cleanup() {
  if [ -n "$harness_pid" ]; then
    node test/harness/cli.mjs down --dir "$dir" >/dev/null 2>&1 || kill "$harness_pid" 2>/dev/null || true
    wait "$harness_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

node test/harness/cli.mjs up --dir "$dir" >"$dir/harness.log" 2>&1 &
harness_pid=$!
for _ in $(seq 1 600); do
  [ -f "$dir/env.json" ] && break
  if ! kill -0 "$harness_pid" 2>/dev/null; then
    echo "bench: the test environment did not start:" >&2
    cat "$dir/harness.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -f "$dir/env.json" ]; then
  echo "bench: the test environment did not come up within 60 s:" >&2
  cat "$dir/harness.log" >&2
  exit 1
fi
export BENCH_ENV="$dir/env.json"

changed="$(GIT_OPTIONAL_LOCKS=0 git status --porcelain --untracked-files=no 2>/dev/null | wc -l || true)"
echo "Stella Doctor benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "  commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') (${changed:-?} tracked file(s) modified), dist $([ -n "$build_reason" ] && echo 'rebuilt' || echo 'up to date')"
echo "  node $(node --version), $(skopeo --version), distribution $(docker-registry --version 2>/dev/null | awk '{print $3}')"
echo "  $(nproc) CPU(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
runs="${BENCH_RUNS:-15}"
warmup="${BENCH_WARMUP:-2}"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --runs) runs="${args[$((i + 1))]:-$runs}" ;;
    --warmup) warmup="${args[$((i + 1))]:-$warmup}" ;;
  esac
done
echo "  medians of $runs run(s) after $warmup warm-up(s); hung registry: ${BENCH_HUNG_RUNS:-3} run(s)"
sed 's/^/  /' "$dir/harness.log"

status=0
for bench in startup registry-check oci-suite hung-registry service; do
  node "bench/$bench.mjs" "$@" || {
    echo "bench: $bench.mjs stopped with exit $?" >&2
    status=1
  }
done
echo
echo "done; the test environment is being stopped"
exit $status
