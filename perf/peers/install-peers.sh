#!/usr/bin/env bash
# Installs the peers that perf/compare.sh runs Bulwark against (SPEC B-3), from apt:
#   redis-server, redis-tools   Redis 7 (server, redis-cli, redis-benchmark)
#   postgresql-15               PostgreSQL 15 (initdb, pg_ctl, postgres, pg_basebackup under
#                               /usr/lib/postgresql/15/bin), only when that directory is missing
# The peers are never started as services: the compare scripts run their own instances on loopback
# in directories under perf/target and remove them afterwards. Installing the package may start the
# distribution's default redis-server service; this script stops and disables it so that it
# neither takes port 6379 nor competes for the two cores while we measure.
# Idempotent and quiet when everything is present; needs root (or passwordless sudo) and apt.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || [[ " ${missing[*]-} " == *" redis-tools "* ]] || missing+=(redis-tools)
[[ -x "${PG_BIN}/postgres" && -x "${PG_BIN}/initdb" ]] || missing+=(postgresql-15)

if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "install-peers: missing ${missing[*]}; not root and no passwordless sudo:" \
            "run 'apt-get install ${missing[*]}' as root" >&2
        exit 1
    fi
    command -v apt-get >/dev/null 2>&1 || { echo "install-peers: missing ${missing[*]} and no apt-get" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    # Keep the package's maintainer scripts from starting services (policy-rc.d: 101 = not allowed).
    policy=/usr/sbin/policy-rc.d
    created_policy=0
    if [[ ! -e "${policy}" ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "${policy}" >/dev/null
        "${sudo[@]}" chmod +x "${policy}"
        created_policy=1
    fi
    status=0
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
        { "${sudo[@]}" apt-get update -q && \
          "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 || status=$?
    fi
    [[ ${created_policy} -eq 1 ]] && "${sudo[@]}" rm -f "${policy}"
    if [[ ${status} -ne 0 ]]; then
        echo "install-peers: 'apt-get install ${missing[*]}' failed (no network to the package registry?):" >&2
        tail -n 5 "$log" >&2
        exit 1
    fi
    echo "install-peers: installed ${missing[*]}"
fi

# A distribution service left running would skew every figure: stop it if it runs.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
    systemctl stop redis-server || true
    systemctl disable redis-server >/dev/null 2>&1 || true
fi
if pgrep -x redis-server >/dev/null 2>&1 && [[ -z "${BULWARK_PEERS_KEEP_RUNNING:-}" ]]; then
    echo "install-peers: note: a redis-server is running (pid $(pgrep -x redis-server | tr '\n' ' '))," \
        "not started by the compare scripts; it will compete for the CPUs" >&2
fi
exit 0
