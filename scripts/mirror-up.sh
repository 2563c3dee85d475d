#!/usr/bin/env bash
# mirror-up.sh [DIR]: a two-member mirror on this machine, in DIR (default ./demo-mirror). The first
# run sets DIR up: free ports, the mirror key, the configurations of members a and b, and one agent
# per member (each member as if on a host of its own). Every run then starts what is not running yet
# — the two agents, member a, member b — and waits, each wait with a deadline, until both members
# answer PING on their RESP ports and one says it is primary and the other backup. It ends with who
# is what and how to connect. On a mirror that already runs it says so and prints the same summary.
# Stop it with scripts/mirror-down.sh DIR. The layout of DIR is in scripts/lib-mirror.sh.
#
# Builds nothing: run it after mvn -B -q package -DskipTests. BULWARK=/path/to/bin/bulwark uses a
# distribution's launcher instead of the checkout's bin/bulwark. Deadlines: MIRROR_START_WAIT_S,
# MIRROR_PING_WAIT_S, MIRROR_ROLE_WAIT_S, MIRROR_AGENT_WAIT_S (seconds; see lib-mirror.sh).
# Exit status: 0 the mirror runs with a primary and a backup; 1 it does not (what did start keeps
# running: mirror-down.sh stops it); 2 bad arguments.
set -euo pipefail
MIRROR_SCRIPT=mirror-up.sh
# shellcheck source=scripts/lib-mirror.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-mirror.sh"

usage()
{
  echo "usage: scripts/mirror-up.sh [DIR]     (default ./demo-mirror)" >&2
  exit 2
}

if [[ $# -gt 1 ]]; then
  usage
fi
if [[ $# -eq 1 && ( "$1" == -h || "$1" == --help || "$1" == -* ) ]]; then
  usage
fi
mirror_check_bulwark
mirror_layout "${1:-./demo-mirror}"

created_dir=""
setup_done=""
on_exit()
{
  local code=$?
  if [[ -n "$created_dir" && -z "$setup_done" ]]; then
    rm -rf -- "$created_dir" # a half-written setup is no use to the next run
  fi
  if ((code != 0)) && [[ -n "$setup_done" ]]; then
    mirror_warn "the mirror is not (fully) up; whatever started keeps running: $mirror_root/scripts/mirror-down.sh" \
      "$mirror_dir stops it"
  fi
}
trap on_exit EXIT
trap 'mirror_warn "interrupted"; exit 130' INT TERM

write_key()
{
  local output code=0
  output="$(umask 077 && "$BULWARK" mirror keygen "$mirror_key" 2>&1)" || code=$?
  if ((code == 0)) && [[ -s "$mirror_key" ]]; then
    mirror_say "mirror key: $mirror_key (bulwark mirror keygen)"
  else
    # Until bulwark mirror keygen exists: 32 random bytes in hex, one line.
    rm -f -- "$mirror_key"
    (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$mirror_key" && echo >> "$mirror_key")
    mirror_say "mirror key: $mirror_key (32 bytes from /dev/urandom; bulwark mirror keygen said:" \
      "$(head -n 1 <<<"$output"))"
  fi
  chmod 600 -- "$mirror_key"
}

write_member_config()
{
  local name="$1" other
  local conf
  conf="$(member_conf "$name")"
  {
    echo "# member $name of the local demo mirror $MIRROR_NAME, written by scripts/mirror-up.sh"
    echo "data.directory = $(member_data "$name")"
    echo "writeDaemon.intervalMs = 200"
    echo "pool.size = 32m"
    echo "journal.fileSize = 16m"
    echo "resp.port = ${port[$name.resp]}"
    echo "metrics.enabled = true"
    echo "metrics.port = ${port[$name.metrics]}"
    echo "mirror.name = $MIRROR_NAME"
    echo "mirror.member = $name"
    for other in "${MIRROR_MEMBERS[@]}"; do
      echo "mirror.member.$other.address = 127.0.0.1:${port[$other.mirror]}"
      echo "mirror.member.$other.agent = 127.0.0.1:${port[$other.agent]}"
    done
    echo "mirror.keyFile = $mirror_key"
    echo "mirror.qosTimeoutMs = 8000"
  } > "$conf"
}

write_agent_script()
{
  local name="$1" script
  script="$(agent_script "$name")"
  {
    echo '#!/usr/bin/env bash'
    echo "# The agent of member $name's host (written by scripts/mirror-up.sh): bulwark agent in the foreground;"
    echo "# mirror-up.sh runs it in the background, mirror-down.sh stops it by the pid it writes."
    echo "echo \$\$ > $(printf '%q' "$(agent_pidfile "$name")")"
    echo "export BULWARK_JAVA_OPTS=\"\${BULWARK_AGENT_JAVA_OPTS:--Xmx128m -XX:MaxDirectMemorySize=256m}\""
    # shellcheck disable=SC2016 # ${BULWARK:-...} is for the agent script to expand
    printf 'exec "${BULWARK:-%s}" agent --bind 127.0.0.1 --port %s --key %q --member %q --log-dir %q\n' \
      "$BULWARK" "${port[$name.agent]}" "$mirror_key" "$name=$(member_conf "$name")" "$(agent_dir "$name")"
  } > "$script"
  chmod 755 -- "$script"
}

setup()
{
  if [[ -f "$mirror_env" ]]; then
    mirror_load_env
    return
  fi
  if [[ -e "$mirror_dir" && -n "$(ls -A -- "$mirror_dir" 2>/dev/null)" ]]; then
    mirror_die "$mirror_dir is not empty and has no mirror.env, so it is no mirror-up directory: choose another" \
      "DIR or remove it"
  fi
  [[ -e "$mirror_dir" ]] || created_dir="$mirror_dir"
  mkdir -p -- "$mirror_dir"
  mirror_say "setting up a mirror in $mirror_dir"
  mirror_pick_ports
  write_key
  local name kind
  for name in "${MIRROR_MEMBERS[@]}"; do
    mkdir -p -- "$(member_data "$name")" "$(agent_dir "$name")"
    write_member_config "$name"
    write_agent_script "$name"
    mirror_say "member $name: $(member_conf "$name"), agent $(agent_script "$name")"
  done
  {
    echo "# the ports of the mirror in this directory, chosen by scripts/mirror-up.sh on $(date -u +%FT%TZ)"
    echo "# (mirror: UDP, Aeron; agent, resp, metrics: TCP)"
    for name in "${MIRROR_MEMBERS[@]}"; do
      for kind in "${MIRROR_PORT_KINDS[@]}"; do
        echo "$name.$kind=${port[$name.$kind]}"
      done
    done
  } > "$mirror_env.tmp"
  mv -- "$mirror_env.tmp" "$mirror_env" # last: its presence means the setup is complete
}

# require_free NAME KIND...: stop with a clear error if a port that NAME is about to listen on is taken.
require_free()
{
  local name="$1" kind
  shift
  for kind in "$@"; do
    if mirror_port_in_use "${port[$name.$kind]}"; then
      mirror_die "port ${port[$name.$kind]} ($name.$kind in $mirror_env) is in use by another process; stop" \
        "it, or remove $mirror_dir and run again for new ports"
    fi
  done
}

started_something=""

start_agent()
{
  local name="$1" pid
  if pid="$(agent_pid "$name")"; then
    mirror_say "agent $name already runs (pid $pid, port ${port[$name.agent]})"
    return
  fi
  require_free "$name" agent
  started_something=1
  mirror_say "starting agent $name: $(agent_script "$name")"
  rm -f -- "$(agent_pidfile "$name")"
  # Its own session, so a Ctrl-C or a closing terminal does not reach it; it writes its pid itself.
  if command -v setsid >/dev/null 2>&1; then
    setsid "$(agent_script "$name")" < /dev/null >> "$(agent_dir "$name")/console.log" 2>&1 &
  else
    nohup "$(agent_script "$name")" < /dev/null >> "$(agent_dir "$name")/console.log" 2>&1 &
  fi
  if ! mirror_wait "$MIRROR_AGENT_WAIT_S" "agent $name to be ready" agent_ready "$name"; then
    tail -n 20 "$(agent_dir "$name")/console.log" >&2 || true
    exit 1
  fi
  mirror_say "agent $name is ready: pid $(agent_pid "$name"), 127.0.0.1:${port[$name.agent]}"
}

declare -A start_job=()
declare -A start_output=()

# launch_member NAME: bulwark start in the background (a mirrored member may wait for its partner
# before it is ready, so the two starts may have to overlap); finish_member collects it.
launch_member()
{
  local name="$1" state
  state="$(member_state "$name")"
  case "$state" in
    running)
      mirror_say "member $name already runs (pid $(member_pid "$name"))"
      return
      ;;
    busy)
      mirror_say "member $name is starting (pid $(member_pid "$name")); waiting for it"
      start_job[$name]=busy
      return
      ;;
  esac
  require_free "$name" resp metrics mirror
  started_something=1
  mirror_say "starting member $name: bulwark start --config $(member_conf "$name")"
  start_output[$name]="$(mktemp "${TMPDIR:-/tmp}/mirror-up-$name.XXXXXX")"
  "$BULWARK" start --config "$(member_conf "$name")" --wait "$MIRROR_START_WAIT_S" > "${start_output[$name]}" 2>&1 &
  start_job[$name]=$!
}

member_running()
{
  local state
  state="$(member_state "$1")"
  MIRROR_LAST="bulwark status says member $1 is $state"
  [[ "$state" == running ]]
}

start_finished()
{
  ! kill -0 "$1" 2>/dev/null
}

finish_member()
{
  local name="$1" job="${start_job[$1]:-}" code=0
  [[ -n "$job" ]] || return 0
  if [[ "$job" == busy ]]; then
    mirror_wait "$MIRROR_START_WAIT_S" "member $name to finish starting" member_running "$name" || exit 1
  else
    wait "$job" || code=$?
    sed 's/^/  /' "${start_output[$name]}"
    rm -f -- "${start_output[$name]}"
    if ((code != 0)); then
      mirror_die "member $name did not start (bulwark start exited $code; its output is above)"
    fi
  fi
  unset 'start_job[$name]'
}

setup
setup_done=1
for name in "${MIRROR_MEMBERS[@]}"; do
  start_agent "$name"
done
launch_member a
# Member a first: give its start a head start before b's (up to 15 s), then let them overlap.
if [[ "${start_job[a]:-}" =~ ^[0-9]+$ ]]; then
  if mirror_wait 15 "bulwark start of member a" start_finished "${start_job[a]}" 2>/dev/null; then
    finish_member a
  else
    mirror_say "member a is not ready after 15 s (it may wait for its partner): starting b beside it"
  fi
fi
launch_member b
finish_member a
finish_member b

for name in "${MIRROR_MEMBERS[@]}"; do
  mirror_wait "$MIRROR_PING_WAIT_S" "member $name to answer PING on RESP port ${port[$name.resp]}" \
    member_ping "$name" || exit 1
done
role_a="$(member_role a)"
if [[ "$role_a" == unmirrored ]]; then
  mirror_die "both members run, but member a answers MIRROR STATUS with 'mirror_configured:0': this build of" \
    "bulwark has no mirroring yet ($BULWARK)"
fi
mirror_wait "$MIRROR_ROLE_WAIT_S" "one member to be primary and the other backup" mirror_roles_settled || exit 1
if [[ -z "$started_something" ]]; then
  mirror_say "the mirror in $mirror_dir already runs"
fi
mirror_summary
