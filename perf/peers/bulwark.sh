#!/usr/bin/env bash
#
# Sourced by start-peer.sh (after lib.sh): Bulwark itself as one of the systems compare.sh runs,
# a single member started exactly as perf/run-resp.sh starts it (perf/bulwark-member.sh: `bulwark
# serve`, commit.mode = sync, journal.syncMethod = fdatasync or BULWARK_SYNC_METHOD, RESP on
# loopback), its data directory in the peer directory. Until mirroring exists it has no backup
# member, so it is the unreplicated figure the replicated peers are set against.
#
# The classpath comes from perf-env.sh: it builds the perf module unless SKIP_BUILD=1
# (compare.sh builds once and sets it).

start_bulwark()
{
    # shellcheck source=../perf-env.sh
    source "${PERF_DIR}/perf-env.sh"
    # shellcheck source=../bulwark-member.sh
    source "${PERF_DIR}/bulwark-member.sh"
    # The pid file (lib.sh's format) is written as soon as the JVM is launched, so that an interrupted
    # start is stopped too.
    BULWARK_START_TIMEOUT_S="${PEER_START_TIMEOUT_S}" BULWARK_PID_FILE="${PEER_DIR}/bulwark.pid" \
        bulwark_member_start "${PEER_DIR}/data" "${BULWARK_SYNC_METHOD:-fdatasync}" || peer_die "bulwark did not start"
    echo "resp://127.0.0.1:${BULWARK_PORT}" > "${PEER_DIR}/target"
    : > "${PEER_DIR}/harness-args"
}
