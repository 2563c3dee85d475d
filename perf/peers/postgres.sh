#!/usr/bin/env bash
#
# Sourced by start-peer.sh (after lib.sh): the PostgreSQL peers, PostgreSQL 15 from apt
# (PG_BIN, default /usr/lib/postgresql/15/bin: initdb, pg_ctl, pg_basebackup), each cluster in
# its peer directory, owned by and run as the system user PG_OS_USER (bulwark-bench; lib.sh
# creates it: PostgreSQL refuses to run as root).
#
# Every cluster: initdb --auth=trust with the superuser `bench` and a database `bench`;
#   listen_addresses = '127.0.0.1', unix_socket_directories = '' (TCP on loopback only)
#   pg_hba.conf: `host all|replication bench 127.0.0.1/32 trust` and nothing else
#   fsync = on, full_page_writes = on (the defaults, written out)
#   synchronous_commit = on: a commit returns once its WAL is flushed
#   wal_sync_method left at its default, fdatasync on Linux (the server log records the
#     effective value: `SHOW wal_sync_method`)
#   max_connections = 200 (64 clients, the preload and psql fit), everything else default
#     (shared_buffers 128MB, checkpoint_timeout 5min, max_wal_size 1GB)
#
# pg-sync: that one cluster.
# pg-standby-on / pg-standby-rw: that cluster as a primary plus a streaming standby made with
#   `pg_basebackup -R -X stream` (so primary_conninfo points at the primary) on another port;
#   once the standby runs, the primary gets synchronous_standby_names = '*' (ALTER SYSTEM and a
#   reload), with synchronous_commit = on (a commit returns
#   once the standby has flushed its WAL too) or remote_write (once the standby has written it to
#   its operating system, not flushed). Ready once pg_stat_replication on the primary shows the
#   standby streaming with sync_state = 'sync'.
#
# The harness connects as jdbc:postgresql://127.0.0.1:PORT/bench?user=bench.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

pg_psql()
{
    local port="$1"
    shift
    psql -X -q -h 127.0.0.1 -p "${port}" -U bench -v ON_ERROR_STOP=1 "$@"
}

# pg_init DIR PORT SYNCHRONOUS_COMMIT: a fresh cluster in DIR.
pg_init()
{
    local dir="$1" port="$2" synchronous_commit="$3"
    ensure_pg_user
    mkdir -p "${dir}"
    chmod 700 "${dir}"
    own_by_pg_user "${dir}"
    as_pg_user "${PG_BIN}/initdb" -D "${dir}" -U bench --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
        >"${PEER_DIR}/initdb.log" 2>&1 || { cat "${PEER_DIR}/initdb.log" >&2; peer_die "initdb ${dir} failed"; }
    as_pg_user tee -a "${dir}/postgresql.conf" >/dev/null <<CONF

# Written by perf/peers/postgres.sh
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = ''
max_connections = 200
fsync = on
full_page_writes = on
synchronous_commit = ${synchronous_commit}
CONF
    as_pg_user tee "${dir}/pg_hba.conf" >/dev/null <<HBA
# Written by perf/peers/postgres.sh: trust, from loopback only
host    all             bench           127.0.0.1/32            trust
host    replication     bench           127.0.0.1/32            trust
HBA
}

# pg_start DIR NAME: pg_ctl start, waits until the server accepts connections (pg_ctl -w, bounded
# by PEER_START_TIMEOUT_S).
pg_start()
{
    local dir="$1" name="$2"
    # pg_ctl opens the log as the PostgreSQL user, in a directory that user does not own.
    : > "${PEER_DIR}/${name}.log"
    own_by_pg_user "${PEER_DIR}/${name}.log"
    if ! as_pg_user "${PG_BIN}/pg_ctl" start -D "${dir}" -l "${PEER_DIR}/${name}.log" -w \
        -t "${PEER_START_TIMEOUT_S}" >/dev/null; then
        tail -n 20 "${PEER_DIR}/${name}.log" >&2 || true
        peer_die "PostgreSQL ${name} did not start"
    fi
}

pg_standby_sync()
{
    [[ "$(pg_psql "$1" -d postgres -Atc \
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = 'sync'")" == "1" ]]
}

start_pg_sync()
{
    local port
    port="$(free_port)"
    pg_init "${PEER_DIR}/primary" "${port}" on
    pg_start "${PEER_DIR}/primary" primary
    pg_psql "${port}" -d postgres -c "CREATE DATABASE bench" || peer_die "CREATE DATABASE bench failed"
    echo "jdbc:postgresql://127.0.0.1:${port}/bench?user=bench" > "${PEER_DIR}/target"
    : > "${PEER_DIR}/harness-args"
}

# start_pg_standby SYNCHRONOUS_COMMIT: on or remote_write.
start_pg_standby()
{
    local synchronous_commit="$1" port standby_port
    port="$(free_port)"
    standby_port="$(free_port "${port}")"
    # synchronous_standby_names stays empty until the standby streams: with it set, every commit
    # (CREATE DATABASE too) would wait for a standby that does not exist yet.
    pg_init "${PEER_DIR}/primary" "${port}" "${synchronous_commit}"
    pg_start "${PEER_DIR}/primary" primary
    pg_psql "${port}" -d postgres -c "CREATE DATABASE bench" || peer_die "CREATE DATABASE bench failed"
    ensure_pg_user
    mkdir -p "${PEER_DIR}/standby"
    chmod 700 "${PEER_DIR}/standby"
    own_by_pg_user "${PEER_DIR}/standby"
    as_pg_user "${PG_BIN}/pg_basebackup" -h 127.0.0.1 -p "${port}" -U bench -D "${PEER_DIR}/standby" \
        -R -X stream -c fast >"${PEER_DIR}/basebackup.log" 2>&1 || \
        { cat "${PEER_DIR}/basebackup.log" >&2; peer_die "pg_basebackup from port ${port} failed"; }
    # The copied postgresql.conf names the primary's port; the standby takes the last setting.
    as_pg_user tee -a "${PEER_DIR}/standby/postgresql.auto.conf" >/dev/null <<CONF
port = ${standby_port}
CONF
    pg_start "${PEER_DIR}/standby" standby
    pg_psql "${port}" -d postgres -c "ALTER SYSTEM SET synchronous_standby_names = '*'" \
        -c "SELECT pg_reload_conf()" >/dev/null || peer_die "setting synchronous_standby_names failed"
    wait_until "${PEER_START_TIMEOUT_S}" "standby on port ${standby_port} streaming synchronously" - \
        pg_standby_sync "${port}" || \
        { tail -n 20 "${PEER_DIR}/standby.log" >&2; peer_die "the standby is not in sync"; }
    echo "jdbc:postgresql://127.0.0.1:${port}/bench?user=bench" > "${PEER_DIR}/target"
    : > "${PEER_DIR}/harness-args"
}

# stop_pg_clusters: pg_ctl stop -m immediate for every cluster of the peer directory (the
# standby first); the directory is removed afterwards, so nothing needs a clean shutdown.
stop_pg_clusters()
{
    local dir
    for dir in "${PEER_DIR}/standby" "${PEER_DIR}/primary"; do
        [[ -s "${dir}/postmaster.pid" ]] || continue
        as_pg_user "${PG_BIN}/pg_ctl" stop -D "${dir}" -m immediate -w -t 30 >/dev/null 2>&1 || \
            pg_kill_postmaster "${dir}"
    done
}

# pg_kill_postmaster DIR: the fallback when pg_ctl cannot stop it: SIGQUIT (immediate shutdown)
# to the postmaster of DIR/postmaster.pid, then SIGKILL.
pg_kill_postmaster()
{
    local pid
    pid="$(head -n 1 "$1/postmaster.pid" 2>/dev/null || true)"
    [[ -n "${pid}" && "$(cat "/proc/${pid}/comm" 2>/dev/null)" == "postgres" ]] || return 0
    kill -QUIT "${pid}" 2>/dev/null || true
    wait_until 10 "postgres ${pid} exit" - test ! -e "/proc/${pid}" || kill -KILL "${pid}" 2>/dev/null || true
}
