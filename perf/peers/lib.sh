#!/usr/bin/env bash
#
# Sourced by the peer scripts (start-peer.sh, stop-peer.sh, redis.sh, postgres.sh, bulwark.sh):
# where the peers live, free loopback ports, waiting on a condition with a deadline, the system
# user PostgreSQL runs as, and stopping the processes a peer left in its directory.
#
# Every peer NAME runs in PEERS_DIR/NAME (perf/target/peers/NAME, on the same disk as the
# checkout) and writes there:
#   target        the URL the harness takes (resp://... or jdbc:postgresql://...)
#   harness-args  extra harness options the peer needs (redis-wait: --wait-replicas 1 ...)
#   *.pid         one file per process it started (a pid, then the process name), stopped by
#                 stop_pid_files; a PostgreSQL data directory is stopped through pg_ctl instead
#
# Environment: PEERS_DIR (default perf/target/peers), PEER_START_TIMEOUT_S (default 60): how long
# a peer may take to become ready before start-peer.sh gives up.

PEERS_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PERF_DIR="$(dirname "${PEERS_LIB_DIR}")"
PEERS_DIR="${PEERS_DIR:-${PERF_DIR}/target/peers}"
PEER_START_TIMEOUT_S="${PEER_START_TIMEOUT_S:-60}"
# The peers compare.sh knows, in its default order.
PEER_NAMES="bulwark redis-aof redis-wait pg-sync pg-standby-on pg-standby-rw"

peer_log()
{
    echo "peers: $*" >&2
}

peer_die()
{
    echo "peers: $*" >&2
    exit 1
}

peer_known()
{
    local name
    for name in ${PEER_NAMES}; do
        [[ "$1" == "${name}" ]] && return 0
    done
    return 1
}

# free_port [PORT_IN_USE...]: prints a TCP port nobody listens on, from 20000-29999, other than
# the ones given (ports chosen for this peer whose process does not listen yet).
free_port()
{
    local port attempt taken
    for attempt in $(seq 1 200); do
        port=$((20000 + (RANDOM % 10000)))
        taken=0
        for used in "$@"; do
            [[ "${used}" == "${port}" ]] && taken=1
        done
        [[ ${taken} -eq 0 ]] || continue
        if [[ -z "$(ss -Htan "( sport = :${port} )" 2>/dev/null)" ]]; then
            echo "${port}"
            return 0
        fi
    done
    peer_die "no free TCP port found in 20000-29999 after ${attempt} attempts"
}

# wait_until SECONDS WHAT PID_FILE|- COMMAND...: runs COMMAND every 0.1 s until it succeeds; fails
# naming WHAT after SECONDS, or as soon as the process of PID_FILE (if not '-') has died.
wait_until()
{
    local timeout_s="$1" what="$2" pid_file="$3"
    shift 3
    local deadline=$((SECONDS + timeout_s))
    while true; do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        if [[ "${pid_file}" != "-" ]] && ! pid_file_alive "${pid_file}"; then
            peer_log "${what}: the process of ${pid_file} is not running"
            return 1
        fi
        if [[ ${SECONDS} -ge ${deadline} ]]; then
            peer_log "${what}: not ready within ${timeout_s} s"
            return 1
        fi
        sleep 0.1
    done
}

# write_pid_file FILE PID NAME: NAME is the process name (/proc/PID/comm) checked before a kill,
# so that a pid reused by another process is never signalled.
write_pid_file()
{
    echo "$2 $3" > "$1"
}

pid_file_alive()
{
    local pid name
    [[ -s "$1" ]] || return 1
    read -r pid name < "$1"
    [[ -n "${pid}" && "$(cat "/proc/${pid}/comm" 2>/dev/null)" == "${name}" ]]
}

# stop_pid_files DIR: SIGTERM to the live process of every DIR/*.pid, waits up to 15 s for each,
# then SIGKILL; removes the pid files.
stop_pid_files()
{
    local file pid name deadline
    for file in "$1"/*.pid; do
        [[ -e "${file}" ]] || continue
        if pid_file_alive "${file}"; then
            read -r pid name < "${file}"
            kill -TERM "${pid}" 2>/dev/null || true
            deadline=$((SECONDS + 15))
            while pid_file_alive "${file}" && [[ ${SECONDS} -lt ${deadline} ]]; do
                sleep 0.1
            done
            if pid_file_alive "${file}"; then
                peer_log "${name} (pid ${pid}) did not stop within 15 s of SIGTERM: SIGKILL"
                kill -KILL "${pid}" 2>/dev/null || true
            fi
        fi
        rm -f "${file}"
    done
}

# PostgreSQL refuses to run as root. As root, its programs run as this system user (created on
# first use, no home, no login shell); as anybody else, as that user.
PG_OS_USER="${PG_OS_USER:-bulwark-bench}"

as_pg_user()
{
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "${PG_OS_USER}" -- "$@"
    else
        "$@"
    fi
}

ensure_pg_user()
{
    [[ $(id -u) -eq 0 ]] || return 0
    if ! id -u "${PG_OS_USER}" >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "${PG_OS_USER}" || peer_die "could not create the system user ${PG_OS_USER}"
        peer_log "created the system user ${PG_OS_USER} (PostgreSQL does not run as root)"
    fi
}

# own_by_pg_user DIR: gives DIR to the PostgreSQL user, and checks that the user can reach it
# (every parent directory must be searchable by others).
own_by_pg_user()
{
    [[ $(id -u) -eq 0 ]] || return 0
    chown "${PG_OS_USER}:" "$1"
    as_pg_user test -w "$1" || peer_die "${PG_OS_USER} cannot write ${1}: a parent directory is not" \
        "searchable by others (chmod o+x it)"
}

# stop_peer NAME: stops every process of PEERS_DIR/NAME (PostgreSQL clusters through
# stop_pg_clusters of postgres.sh, the rest through their pid files) and removes the directory.
stop_peer()
{
    local PEER_DIR="${PEERS_DIR}/$1"
    [[ -d "${PEER_DIR}" ]] || return 0
    stop_pg_clusters
    stop_pid_files "${PEER_DIR}"
    rm -rf "${PEER_DIR}"
}
