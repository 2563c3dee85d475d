#!/usr/bin/env bash
#
# Sourced by start-peer.sh (after lib.sh): the two Redis peers, each a redis-server (Redis 7 from
# apt, install-peers.sh) on loopback in its peer directory, started with `daemonize yes` and a
# pid file, ready once `redis-cli PING` answers PONG (and, for the replica, once the primary
# counts it as an online replica).
#
# redis-aof: one server, every write durable on its disk before the reply.
#   appendonly yes, appendfsync always   the AOF is written and fsync'ed before any reply of the
#                                        event-loop iteration that applied the write goes out
#   save ""                              no RDB snapshots (no fork during the run); the AOF
#                                        rewrite stays at Redis' defaults (auto-aof-rewrite-
#                                        percentage 100, -min-size 64mb), as a real deployment runs
#   bind 127.0.0.1, protected-mode yes, no password; io-threads 1 (the default)
#   repl-diskless-sync-delay 0           a replica's initial full sync starts at once instead of
#                                        after Redis' default 5 s (only startup is faster)
#
# redis-wait: a primary as redis-aof plus one replica (replicaof the primary) on another port;
#   the harness sends `WAIT 1 1000` after each write (--wait-replicas 1 --wait-timeout-ms 1000),
#   so a write is acknowledged once it is fsync'ed in the primary's AOF and the replica has
#   received and applied it. The replica keeps its own AOF with appendfsync everysec (Redis'
#   usual durable setting) and no RDB saves: WAIT in Redis 7.0 counts the replication offset a
#   replica acknowledges, not what it has fsync'ed (WAITAOF came with 7.2), so `always` on the
#   replica would add a second synchronous writer on the same disk without changing what WAIT
#   promises. REDIS_REPLICA_APPENDFSYNC (always|everysec|no) changes it.

REDIS_REPLICA_APPENDFSYNC="${REDIS_REPLICA_APPENDFSYNC:-everysec}"

# redis_config DIR PORT APPENDFSYNC [REPLICAOF_PORT]: writes DIR/redis.conf.
redis_config()
{
    local dir="$1" port="$2" appendfsync="$3" replicaof="${4:-}"
    cat > "${dir}/redis.conf" <<CONF
# Written by perf/peers/redis.sh
bind 127.0.0.1
protected-mode yes
port ${port}
daemonize yes
pidfile ${dir}/redis-server.pidfile
logfile ${dir}/redis.log
dir ${dir}
save ""
appendonly yes
appendfilename "appendonly.aof"
appenddirname "appendonlydir"
appendfsync ${appendfsync}
repl-diskless-sync-delay 0
CONF
    if [[ -n "${replicaof}" ]]; then
        echo "replicaof 127.0.0.1 ${replicaof}" >> "${dir}/redis.conf"
    fi
}

# redis_start DIR NAME: starts the server of DIR/redis.conf and waits for PONG; the pid goes to
# PEER_DIR/NAME.pid.
redis_start()
{
    local dir="$1" name="$2" port
    port="$(sed -n 's/^port //p' "${dir}/redis.conf")"
    if ! redis-server "${dir}/redis.conf"; then
        tail -n 20 "${dir}/redis.log" >&2 || true
        peer_die "redis-server ${name} did not start"
    fi
    wait_until 10 "redis-server ${name} pid file" - test -s "${dir}/redis-server.pidfile" || \
        { cat "${dir}/redis.log" >&2; peer_die "redis-server ${name} wrote no pid file"; }
    write_pid_file "${PEER_DIR}/${name}.pid" "$(cat "${dir}/redis-server.pidfile")" redis-server
    wait_until "${PEER_START_TIMEOUT_S}" "redis-server ${name} on port ${port}" "${PEER_DIR}/${name}.pid" \
        redis_pong "${port}" || { tail -n 20 "${dir}/redis.log" >&2; peer_die "redis-server ${name} is not ready"; }
}

redis_pong()
{
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null)" == "PONG" ]]
}

# redis_replica_online PRIMARY_PORT: the primary lists one replica in state online.
redis_replica_online()
{
    redis-cli -h 127.0.0.1 -p "$1" INFO replication | grep -q '^slave0:.*state=online'
}

start_redis_aof()
{
    local port
    port="$(free_port)"
    mkdir -p "${PEER_DIR}/primary"
    redis_config "${PEER_DIR}/primary" "${port}" always
    redis_start "${PEER_DIR}/primary" primary
    echo "resp://127.0.0.1:${port}" > "${PEER_DIR}/target"
    : > "${PEER_DIR}/harness-args"
}

start_redis_wait()
{
    local port replica_port
    port="$(free_port)"
    replica_port="$(free_port "${port}")"
    mkdir -p "${PEER_DIR}/primary" "${PEER_DIR}/replica"
    redis_config "${PEER_DIR}/primary" "${port}" always
    redis_config "${PEER_DIR}/replica" "${replica_port}" "${REDIS_REPLICA_APPENDFSYNC}" "${port}"
    redis_start "${PEER_DIR}/primary" primary
    redis_start "${PEER_DIR}/replica" replica
    wait_until "${PEER_START_TIMEOUT_S}" "replica on port ${replica_port} online at the primary" \
        "${PEER_DIR}/replica.pid" redis_replica_online "${port}" || \
        { tail -n 20 "${PEER_DIR}/replica/redis.log" >&2; peer_die "the replica did not come online"; }
    echo "resp://127.0.0.1:${port}" > "${PEER_DIR}/target"
    echo "--wait-replicas 1 --wait-timeout-ms 1000" > "${PEER_DIR}/harness-args"
}
