#!/usr/bin/env bash
#
# redis-benchmark against a member's RESP port (SPEC V-2, B-2's poor cousin): builds like the
# other perf scripts (one reactor, package, never install), starts `bulwark serve` on a fresh data
# directory under perf/target/resp-data with durable synchronous commits (commit.mode = sync,
# journal.syncMethod = fdatasync), warms it up, then runs SET and GET for each client count and
# prints redis-benchmark's CSV (throughput and latency percentiles), the load average around each
# run and the machine. The member is stopped with SIGTERM (a graceful shutdown) at the end.
#
#   perf/run-resp.sh                       # -n 100000, clients 1 16 64
#   REQUESTS=20000 CLIENTS="16" perf/run-resp.sh
#
# Environment: REQUESTS, CLIENTS, KEYSPACE (redis-benchmark -r), SYNC_METHOD (fdatasync|dsync),
# SKIP_BUILD=1, MVN_OPTS (e.g. -o), as in perf-env.sh.

set -euo pipefail

# shellcheck source=perf-env.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/perf-env.sh"

REQUESTS="${REQUESTS:-100000}"
CLIENTS="${CLIENTS:-1 16 64}"
KEYSPACE="${KEYSPACE:-100000}"
SYNC_METHOD="${SYNC_METHOD:-fdatasync}"
DATA="${PERF_DIR}/target/resp-data"
command -v redis-benchmark >/dev/null || { echo "run-resp.sh: redis-benchmark missing:" \
    "scripts/install-test-tools.sh installs it (redis-tools)" >&2; exit 1; }

# shellcheck source=bulwark-member.sh
source "${PERF_DIR}/bulwark-member.sh"
bulwark_member_start "${DATA}" "${SYNC_METHOD}"
SERVER_PID="${BULWARK_PID}"
PORT="${BULWARK_PORT}"
stop_server()
{
    bulwark_member_stop "${SERVER_PID}"
}
trap stop_server EXIT

echo "# machine: $(nproc) vCPU, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "$(free -g | awk '/^Mem:/ {print $2}') GB, $(uname -r), $(java -version 2>&1 | head -n 1)"
echo "# data: ${DATA} on $(df -T "${DATA}" | awk 'NR == 2 {print $2}'), commit.mode=sync," \
    "journal.syncMethod=${SYNC_METHOD}, port ${PORT}"
echo "# warm-up: 20000 SET/GET with 16 clients (not reported)"
redis-benchmark -p "${PORT}" -t set,get -n 20000 -c 16 -r "${KEYSPACE}" -q >/dev/null
for clients in ${CLIENTS}; do
    echo "# clients ${clients}, ${REQUESTS} requests each test, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    redis-benchmark -p "${PORT}" -t set,get -n "${REQUESTS}" -c "${clients}" -r "${KEYSPACE}" --csv
    echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
redis-cli -p "${PORT}" JOURNAL INFO | grep -E 'syncs|bytes_written' | sed 's/^/# /'
