#!/usr/bin/env bash
#
# Starts one peer of the side-by-side comparison (SPEC B-3) on loopback in its own directory
# perf/target/peers/NAME, waits until it is ready (each check polls with a deadline of
# PEER_START_TIMEOUT_S, default 60 s) and prints the URL the harness takes, alone on standard
# output (progress and errors go to standard error):
#
#   perf/peers/start-peer.sh redis-aof        # resp://127.0.0.1:PORT
#   perf/peers/start-peer.sh pg-sync          # jdbc:postgresql://127.0.0.1:PORT/bench?user=bench
#   perf/peers/stop-peer.sh redis-aof         # stops it and removes its directory
#
# NAME is one of:
#   bulwark         one Bulwark member, commit.mode = sync, fdatasync (bulwark.sh)
#   redis-aof       Redis, appendonly yes, appendfsync always, no RDB saves (redis.sh)
#   redis-wait      Redis primary as redis-aof plus one replica; the harness sends WAIT 1 1000
#                   after each write (redis.sh)
#   pg-sync         PostgreSQL 15, fsync on, synchronous_commit = on (postgres.sh)
#   pg-standby-on   PostgreSQL 15 primary plus a synchronous streaming standby,
#                   synchronous_commit = on (postgres.sh)
#   pg-standby-rw   the same with synchronous_commit = remote_write (postgres.sh)
# Each script named above documents its configuration; perf/peers/README.md summarises them.
#
# The peer directory also holds `target` (the URL) and `harness-args` (extra harness options:
# redis-wait's --wait-replicas 1 --wait-timeout-ms 1000). A peer already in that directory is
# stopped first; a start that fails stops whatever it had started and removes the directory.
# Run perf/peers/install-peers.sh first (compare.sh does).

set -euo pipefail

PEERS_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "${PEERS_SCRIPT_DIR}/lib.sh"
# shellcheck source=redis.sh
source "${PEERS_SCRIPT_DIR}/redis.sh"
# shellcheck source=postgres.sh
source "${PEERS_SCRIPT_DIR}/postgres.sh"
# shellcheck source=bulwark.sh
source "${PEERS_SCRIPT_DIR}/bulwark.sh"

if [[ $# -ne 1 ]] || ! peer_known "$1"; then
    echo "usage: perf/peers/start-peer.sh NAME   (NAME: ${PEER_NAMES// /, })" >&2
    exit 2
fi
NAME="$1"
PEER_DIR="${PEERS_DIR}/${NAME}"

stop_peer "${NAME}"
mkdir -p "${PEER_DIR}"
chmod 755 "${PEERS_DIR}" "${PEER_DIR}"

started=0
on_exit()
{
    if [[ ${started} -eq 0 ]]; then
        peer_log "${NAME}: start failed, stopping what was started"
        stop_peer "${NAME}"
    fi
}
trap on_exit EXIT

case "${NAME}" in
    bulwark) start_bulwark ;;
    redis-aof) start_redis_aof ;;
    redis-wait) start_redis_wait ;;
    pg-sync) start_pg_sync ;;
    pg-standby-on) start_pg_standby on ;;
    pg-standby-rw) start_pg_standby remote_write ;;
esac
started=1
peer_log "${NAME} ready: $(cat "${PEER_DIR}/target") $(cat "${PEER_DIR}/harness-args")"
cat "${PEER_DIR}/target"
