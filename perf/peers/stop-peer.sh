#!/usr/bin/env bash
#
# Stops a peer started by start-peer.sh and removes its directory perf/target/peers/NAME:
# PostgreSQL clusters with `pg_ctl stop -m immediate` (standby first), every other process it
# recorded in a pid file with SIGTERM, then SIGKILL after 15 s. `all` stops every peer and
# removes perf/target/peers. Safe to run when nothing runs; compare.sh runs it on exit.
#
#   perf/peers/stop-peer.sh redis-wait
#   perf/peers/stop-peer.sh all

set -euo pipefail

PEERS_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${PEERS_SCRIPT_DIR}/lib.sh"
# shellcheck source=postgres.sh
source "${PEERS_SCRIPT_DIR}/postgres.sh"

if [[ $# -ne 1 ]] || { [[ "$1" != "all" ]] && ! peer_known "$1"; }; then
    echo "usage: perf/peers/stop-peer.sh NAME|all   (NAME: ${PEER_NAMES// /, })" >&2
    exit 2
fi
if [[ "$1" == "all" ]]; then
    for name in ${PEER_NAMES}; do
        stop_peer "${name}"
    done
    rm -rf "${PEERS_DIR}"
else
    stop_peer "$1"
fi
