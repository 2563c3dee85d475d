#!/usr/bin/env bash
#
# The side-by-side comparison (SPEC B-3) in one command: Bulwark and its peers on this machine,
# each driven by the load harness (perf/run-harness.sh) with the same operation mix, for each
# client count, in interleaved rounds, then one report of absolute figures and Bulwark/peer ratios.
#
#   perf/compare.sh            # CLIENTS="1 16 64", DURATION=20s, WARMUP=5s, ROUNDS=2, every system
#   perf/compare.sh --quick    # DURATION=2s, WARMUP=1s, ROUNDS=1, CLIENTS="1 16": tries the pipeline
#   perf/compare.sh --io-threads 2   # the harness drives RESP peers with 2 selector threads (default 1)
#   SYSTEMS="bulwark redis-aof" CLIENTS=64 perf/compare.sh
#
# Systems (perf/peers/README.md has their full configuration; perf/peers/start-peer.sh starts them):
#   bulwark        one member, commit.mode = sync, journal.syncMethod = fdatasync (no mirror yet)
#   redis-aof      Redis 7, appendonly yes, appendfsync always, no RDB saves
#   redis-wait     Redis primary (as redis-aof) + one replica, WAIT 1 1000 after each write
#   pg-sync        PostgreSQL 15, fsync on, synchronous_commit = on, wal_sync_method fdatasync
#   pg-standby-on  PostgreSQL 15 primary + synchronous streaming standby, synchronous_commit = on
#   pg-standby-rw  the same with synchronous_commit = remote_write
#
# Order: for each client count, for each round, every system once, starting one system further
# along the list in each round and client count, so that drift of the machine (other load, the
# disk's mood) is spread over all systems rather than always hitting the same one. Every run gets a
# freshly started peer in its own directory under perf/target/peers, stopped and removed right
# after; only one system runs at a time. A trap stops every peer on exit, failure or Ctrl-C.
#
# Each run: perf/run-harness.sh --target URL --clients N --duration DURATION --warmup WARMUP
#   --rate RATE --mix MIX --keys KEYS --value-bytes VALUE_BYTES [--preload] [--io-threads N for RESP]
#   [peer's extra options] --label SYSTEM-cN-rROUND --out OUT
# Default mix: durable SETs of 100-byte values over 100,000 keys, preloaded (--mix set=100 --preload).
#
# The client side is the same harness for every system, on the same 2 vCPUs as the server: RESP
# peers (bulwark, redis-*) are driven by --io-threads selector threads (default 1: the harness
# takes its share of the cores from the server), PostgreSQL through JDBC by a thread per
# connection. A multi op is one pipelined request over RESP but four round trips over JDBC.
#
# Output in OUT (default perf/results/YYYY-MM-DD, UTC date; perf/results/YYYY-MM-DD-quick with
# --quick); files of an earlier comparison there are replaced:
#   LABEL.json, LABEL.hlog, LABEL.png   the harness's summary, histogram log and plot of each run
#   LABEL.out, LABEL.peer.out           the harness's and the peer start's output
#   runs.tsv                            every run: label, status (ok|failed), detail (load average)
#   LABEL.json.stop-failed              the summary of a run whose peer did not stop (a failed run)
#   machine.txt                         nproc, CPU, RAM, kernel, file system, versions, load average
#   summary.md                          the report (also printed): parameters, the tables of
#                                       CompareReport (best of rounds by throughput), the machine
# A run fails when its peer does not start, the harness fails or the peer does not stop; the
# comparison goes on with the next run. Exit status 1 when a run failed (the report lists it), 2
# for bad arguments.
#
# Environment: CLIENTS, DURATION, WARMUP, ROUNDS, SYSTEMS, MIX (set=100), KEYS (100000),
# VALUE_BYTES (100), PRELOAD (1; 0 omits --preload), RATE (max), HARNESS_IO_THREADS (1, as
# --io-threads), HARNESS_JVM_OPTS (JVM options for the harness), HARNESS (the harness script,
# default perf/run-harness.sh), OUT, SKIP_BUILD=1 (reuse the last build), MVN_OPTS (e.g. -o),
# SKIP_INSTALL=1 (do not run perf/peers/install-peers.sh), and the peers' own (perf/peers/lib.sh,
# redis.sh, bulwark.sh).

set -euo pipefail

PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS_SCRIPTS="${PERF_DIR}/peers"
# shellcheck source=peers/lib.sh
source "${PEERS_SCRIPTS}/lib.sh"

QUICK=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --io-threads)
            [[ $# -ge 2 ]] || { echo "compare.sh: --io-threads needs a value" >&2; exit 2; }
            HARNESS_IO_THREADS="$2"
            shift
            ;;
        --io-threads=*) HARNESS_IO_THREADS="${1#--io-threads=}" ;;
        -h|--help) sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "compare.sh: unknown argument '$1' (known: --quick, --io-threads N, --help)" >&2; exit 2 ;;
    esac
    shift
done
if [[ ${QUICK} -eq 1 ]]; then
    DURATION="${DURATION:-2s}"
    WARMUP="${WARMUP:-1s}"
    ROUNDS="${ROUNDS:-1}"
    CLIENTS="${CLIENTS:-1 16}"
    OUT="${OUT:-${PERF_DIR}/results/$(date -u +%F)-quick}"
fi
CLIENTS="${CLIENTS:-1 16 64}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"
ROUNDS="${ROUNDS:-2}"
SYSTEMS="${SYSTEMS:-${PEER_NAMES}}"
MIX="${MIX:-set=100}"
KEYS="${KEYS:-100000}"
VALUE_BYTES="${VALUE_BYTES:-100}"
PRELOAD="${PRELOAD:-1}"
RATE="${RATE:-max}"
HARNESS_JVM_OPTS="${HARNESS_JVM_OPTS:-}"
HARNESS_IO_THREADS="${HARNESS_IO_THREADS:-1}"
OUT="${OUT:-${PERF_DIR}/results/$(date -u +%F)}"

for system in ${SYSTEMS}; do
    if ! peer_known "${system}"; then
        echo "compare.sh: SYSTEMS: unknown system '${system}' (known: ${PEER_NAMES})" >&2
        exit 2
    fi
done
for clients in ${CLIENTS}; do
    if [[ ! "${clients}" =~ ^[1-9][0-9]*$ ]]; then
        echo "compare.sh: CLIENTS: '${clients}' is not a client count" >&2
        exit 2
    fi
done
[[ "${ROUNDS}" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: ROUNDS: '${ROUNDS}' is not a count" >&2; exit 2; }
if [[ ! "${HARNESS_IO_THREADS}" =~ ^[1-9][0-9]*$ ]]; then
    echo "compare.sh: --io-threads (HARNESS_IO_THREADS): '${HARNESS_IO_THREADS}' is not a thread count" >&2
    exit 2
fi
read -r -a SYSTEM_LIST <<< "${SYSTEMS}"

[[ "${SKIP_INSTALL:-0}" == "1" ]] || "${PEERS_SCRIPTS}/install-peers.sh"

# One build for every run: the peers and the harness reuse its classpath.
# shellcheck source=perf-env.sh
source "${PERF_DIR}/perf-env.sh"
export SKIP_BUILD=1
HARNESS="${HARNESS:-${PERF_DIR}/run-harness.sh}"
if [[ ! -x "${HARNESS}" ]]; then
    echo "compare.sh: ${HARNESS} is missing: the load harness (SPEC B-2) is needed" >&2
    exit 1
fi

cleanup()
{
    "${PEERS_SCRIPTS}/stop-peer.sh" all || echo "compare.sh: stopping the peers failed: check perf/target/peers" >&2
}
trap cleanup EXIT
trap 'echo "compare.sh: interrupted" >&2; exit 130' INT
trap 'echo "compare.sh: terminated" >&2; exit 143' TERM

mkdir -p "${OUT}"
# Only the files of a comparison: whatever else is there stays (perf/run-jmh.sh --all writes its
# jmh-HHMMSS.json into the same dated directory).
find "${OUT}" -maxdepth 1 -type f \( -name '*.json' -o -name '*.json.stop-failed' -o -name '*.hlog' \
    -o -name '*.png' -o -name '*.out' \) ! -name 'jmh-*.json' -delete
rm -f "${OUT}/runs.tsv" "${OUT}/summary.md" "${OUT}/machine.txt"

{
    echo "date: $(date -u +%FT%TZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "ram: $(free -g | awk '/^Mem:/ {print $2}') GB"
    echo "kernel: $(uname -sr)"
    echo "disk: $(df -T "${PERF_DIR}" | awk 'NR == 2 {print $2 " on " $1}') (perf/target/peers and the results)"
    echo "java: $(java -version 2>&1 | head -n 1)"
    echo "redis: $(redis-server --version | head -n 1)"
    echo "postgresql: $("${PG_BIN:-/usr/lib/postgresql/15/bin}/postgres" --version)"
    echo "commit: $(git -C "${PERF_DIR}" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "${OUT}/machine.txt"

printf 'label\tstatus\tdetail\n' > "${OUT}/runs.tsv"
HARNESS_BASE=(--duration "${DURATION}" --warmup "${WARMUP}" --rate "${RATE}" --mix "${MIX}" --keys "${KEYS}"
    --value-bytes "${VALUE_BYTES}")
[[ "${PRELOAD}" == "1" ]] && HARNESS_BASE+=(--preload)

# run_one SYSTEM CLIENTS ROUND: one fresh peer, one harness run, the peer stopped again. Whatever
# fails counts as a failure of this run (runs.tsv) and the comparison goes on.
failures=0
run_one()
{
    local system="$1" clients="$2" round="$3"
    local label="${system}-c${clients}-r${round}" url load_before status=ok detail extra=()
    echo "compare.sh: ${label}: starting ${system}" >&2
    if ! url="$("${PEERS_SCRIPTS}/start-peer.sh" "${system}" 2>"${OUT}/${label}.peer.out")"; then
        tail -n 5 "${OUT}/${label}.peer.out" >&2
        status=failed
        detail="the peer did not start (${label}.peer.out)"
    else
        read -r -a extra < "${PEERS_DIR}/${system}/harness-args" || true
        # JDBC has a thread per connection; the harness refuses --io-threads for it.
        [[ "${url}" != resp://* ]] || extra+=(--io-threads "${HARNESS_IO_THREADS}")
        load_before="$(cut -d' ' -f1 /proc/loadavg)"
        # shellcheck disable=SC2086
        if "${HARNESS}" ${HARNESS_JVM_OPTS} --target "${url}" --clients "${clients}" "${HARNESS_BASE[@]}" \
            "${extra[@]}" --label "${label}" --out "${OUT}" </dev/null >"${OUT}/${label}.out" 2>&1 \
            && [[ -s "${OUT}/${label}.json" ]]; then
            echo "compare.sh: ${label}: $(tail -n 1 "${OUT}/${label}.out")" >&2
            detail="load average before ${load_before}, after $(cut -d' ' -f1 /proc/loadavg)"
        else
            tail -n 5 "${OUT}/${label}.out" >&2
            status=failed
            detail="the harness failed (${label}.out)"
            rm -f "${OUT}/${label}.json"
        fi
    fi
    # Not under set -e: a peer that does not stop fails this run, not the whole comparison.
    if ! "${PEERS_SCRIPTS}/stop-peer.sh" "${system}" >>"${OUT}/${label}.peer.out" 2>&1; then
        echo "compare.sh: ${label}: stopping ${system} failed (${label}.peer.out)" >&2
        tail -n 5 "${OUT}/${label}.peer.out" >&2
        # Kept for a look but out of the tables: the report lists the run as failed.
        [[ ! -e "${OUT}/${label}.json" ]] || mv "${OUT}/${label}.json" "${OUT}/${label}.json.stop-failed"
        if [[ "${status}" == ok ]]; then
            detail="the peer did not stop (${label}.peer.out)"
        else
            detail="${detail}; the peer did not stop either"
        fi
        status=failed
    fi
    [[ "${status}" == ok ]] || failures=$((failures + 1))
    printf '%s\t%s\t%s\n' "${label}" "${status}" "${detail}" >> "${OUT}/runs.tsv"
    return 0
}

count=${#SYSTEM_LIST[@]}
shift_by=0
for clients in ${CLIENTS}; do
    for round in $(seq 1 "${ROUNDS}"); do
        for i in $(seq 0 $((count - 1))); do
            run_one "${SYSTEM_LIST[$(((i + shift_by) % count))]}" "${clients}" "${round}"
        done
        shift_by=$((shift_by + 1))
    done
done

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "${OUT}/machine.txt"

REPORT="$(java -cp "${CLASSPATH_PERF}" org.bulwark.perf.compare.CompareReport "${OUT}" --systems "${SYSTEMS}")" || \
    REPORT="(no report: CompareReport failed, see above)"
{
    echo "# Side-by-side: Bulwark and its peers"
    echo
    command="perf/compare.sh"
    [[ ${QUICK} -eq 0 ]] || command="${command} --quick"
    preloaded=""
    [[ "${PRELOAD}" != "1" ]] || preloaded=", preloaded"
    echo "\`${command}\` at $(sed -n 's/^date: //p' "${OUT}/machine.txt")," \
        "commit $(sed -n 's/^commit: //p' "${OUT}/machine.txt")."
    echo "Clients ${CLIENTS// /, }; ${ROUNDS} round(s) of ${DURATION} measured after ${WARMUP} of warm-up per system" \
        "and client count; mix ${MIX}, ${KEYS} keys, ${VALUE_BYTES}-byte values${preloaded}; rate ${RATE}." \
        "Client side: the same harness for every system, sharing the machine's cores with the server;" \
        "${HARNESS_IO_THREADS} selector thread(s) for the RESP systems, a thread per connection for PostgreSQL." \
        "Systems: ${SYSTEMS}. Bulwark is one member without a mirror: the replicated peers" \
        "(redis-wait, pg-standby-*) are compared against an unmirrored Bulwark until mirroring exists."
    echo
    echo "${REPORT}"
    echo
    echo "### Machine"
    echo
    sed 's/^/    /' "${OUT}/machine.txt"
} > "${OUT}/summary.md"
cat "${OUT}/summary.md"
echo "compare.sh: results in ${OUT}" >&2
[[ ${failures} -eq 0 ]] || { echo "compare.sh: ${failures} run(s) failed (listed in the report)" >&2; exit 1; }
