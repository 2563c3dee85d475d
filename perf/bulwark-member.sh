#!/usr/bin/env bash
#
# Sourced by run-resp.sh and peers/bulwark.sh (after perf-env.sh, which sets FLAGS and
# CLASSPATH_PERF): starts one Bulwark member with its RESP port the way the benchmarks measure it,
# and stops it.
#
#   bulwark_member_start DATA_DIR [SYNC_METHOD]
#       Writes DATA_DIR/bulwark.conf and starts `bulwark serve` in the background on a fresh data
#       directory (DATA_DIR is emptied first): durable synchronous commits (commit.mode = sync,
#       journal.syncMethod = SYNC_METHOD, default fdatasync), pool.size 256m, journal files of 256m,
#       RESP on loopback on a port the kernel picks (resp.bind = 127.0.0.1, resp.port = 0), no AUTH,
#       no TLS. JVM: the production flags, -Xmx1g -XX:MaxDirectMemorySize=2g. Waits (up to
#       BULWARK_START_TIMEOUT_S, default 60 s) for "serving RESP on HOST:PORT" in DATA_DIR/serve.out
#       and sets BULWARK_PID and BULWARK_PORT. Fails, printing serve.out, if the member exits first.
#       With BULWARK_PID_FILE set, writes "PID java" there as soon as the JVM is launched.
#   bulwark_member_stop PID
#       SIGTERM (a graceful shutdown) and waits for the process to end (SIGKILL after 30 s).

bulwark_member_start()
{
    local data="$1" sync_method="${2:-fdatasync}"
    local timeout_s="${BULWARK_START_TIMEOUT_S:-60}"
    rm -rf "${data}"
    mkdir -p "${data}"
    cat > "${data}/bulwark.conf" <<CONF
data.directory = ${data}
pool.size = 256m
journal.fileSize = 256m
journal.syncMethod = ${sync_method}
commit.mode = sync
resp.bind = 127.0.0.1
resp.port = 0
CONF
    local out="${data}/serve.out"
    # shellcheck disable=SC2086
    java ${FLAGS} -Xmx1g -XX:MaxDirectMemorySize=2g -cp "${CLASSPATH_PERF}" org.bulwark.server.BulwarkCli serve \
        --config "${data}/bulwark.conf" </dev/null >"${out}" 2>&1 &
    BULWARK_PID=$!
    # A caller that may be interrupted while the member starts (peers/bulwark.sh) records it at once.
    if [[ -n "${BULWARK_PID_FILE:-}" ]]; then
        echo "${BULWARK_PID} java" > "${BULWARK_PID_FILE}"
    fi
    BULWARK_PORT=""
    local deadline=$((SECONDS + timeout_s))
    while [[ -z "${BULWARK_PORT}" ]]; do
        BULWARK_PORT="$(sed -n 's/.*serving RESP on [^:]*:\([0-9]*\) .*/\1/p' "${out}")"
        [[ -n "${BULWARK_PORT}" ]] && break
        if ! kill -0 "${BULWARK_PID}" 2>/dev/null; then
            cat "${out}" >&2
            echo "bulwark-member.sh: the member did not start (output above, also in ${out})" >&2
            return 1
        fi
        if [[ ${SECONDS} -ge ${deadline} ]]; then
            cat "${out}" >&2
            echo "bulwark-member.sh: no RESP port within ${timeout_s} s (output above)" >&2
            bulwark_member_stop "${BULWARK_PID}"
            return 1
        fi
        sleep 0.1
    done
}

bulwark_member_stop()
{
    local pid="$1"
    kill -0 "${pid}" 2>/dev/null || return 0
    kill -TERM "${pid}" 2>/dev/null || return 0
    local deadline=$((SECONDS + 30))
    while kill -0 "${pid}" 2>/dev/null && [[ ${SECONDS} -lt ${deadline} ]]; do
        sleep 0.1
    done
    if kill -0 "${pid}" 2>/dev/null; then
        echo "bulwark-member.sh: member ${pid} still running 30 s after SIGTERM: SIGKILL" >&2
        kill -KILL "${pid}" 2>/dev/null || true
    fi
    # Reap it when it is our child (run-resp.sh); a member started by another shell is not.
    wait "${pid}" 2>/dev/null || true
}
