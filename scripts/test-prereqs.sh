#!/usr/bin/env bash
# Installs the system tools the integration tests need (CNCF distribution registry, skopeo,
# htpasswd, openssl; for the service: PostgreSQL, Prometheus with promtool, blackbox_exporter;
# for the dashboard's browser tests: Chromium, driven by playwright-core)
# from Debian, without letting the packages start a registry, database or Prometheus of their own.
# Idempotent and silent when everything is already present.
set -euo pipefail

missing=()
for tool in docker-registry skopeo htpasswd openssl promtool prometheus prometheus-blackbox-exporter chromium; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "test-prereqs: installing packages for: ${missing[*]}"

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

# Forbid service start-up during the install: the docker-registry package would otherwise start a
# registry on :5000 on all interfaces. An existing policy-rc.d is put back afterwards.
policy=/usr/sbin/policy-rc.d
policy_backup=""
if [ -e "$policy" ]; then
  policy_backup="$(mktemp)"
  "${sudo[@]}" cp -p "$policy" "$policy_backup"
fi
restore_policy() {
  if [ -n "$policy_backup" ]; then
    "${sudo[@]}" cp -p "$policy_backup" "$policy"
    rm -f "$policy_backup"
  else
    "${sudo[@]}" rm -f "$policy"
  fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
"${sudo[@]}" chmod 755 "$policy"

"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  docker-registry skopeo apache2-utils openssl postgresql prometheus prometheus-blackbox-exporter chromium >/dev/null

# Make sure the packaged registry is not running, whatever started it.
"${sudo[@]}" invoke-rc.d docker-registry stop >/dev/null 2>&1 || true
packaged_cmdline='/usr/bin/docker-registry serve /etc/docker/registry/config.yml'
for cmdline_file in /proc/[0-9]*/cmdline; do
  pid="${cmdline_file#/proc/}"
  pid="${pid%/cmdline}"
  cmdline="$(tr '\0' ' ' <"$cmdline_file" 2>/dev/null || true)"
  if [ "${cmdline% }" = "$packaged_cmdline" ]; then
    echo "test-prereqs: stopping the packaged registry (pid $pid)"
    "${sudo[@]}" kill "$pid" 2>/dev/null || true
  fi
done

echo "test-prereqs: done"
