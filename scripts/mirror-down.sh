#!/usr/bin/env bash
# mirror-down.sh [DIR]: stop the mirror that scripts/mirror-up.sh runs in DIR (default ./demo-mirror).
# The primary goes first, with bulwark stop --nofailover (so the backup does not take over on the way
# down), then the backup, then both agents. Every wait has a deadline (MIRROR_STOP_WAIT_S for a member,
# MIRROR_AGENT_WAIT_S for an agent); what does not stop in time is killed (SIGKILL), saying so, and a
# killed member's Aeron directory in /dev/shm is removed. DIR itself stays (mirror-up.sh starts the
# same mirror again; remove DIR for a new one).
# Exit status: 0 everything stopped cleanly; 1 something had to be killed, or could not be stopped.
set -euo pipefail
MIRROR_SCRIPT=mirror-down.sh
# shellcheck source=scripts/lib-mirror.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-mirror.sh"

if [[ $# -gt 1 || ( $# -eq 1 && "${1:-}" == -* ) ]]; then
  echo "usage: scripts/mirror-down.sh [DIR]     (default ./demo-mirror)" >&2
  exit 2
fi
mirror_check_bulwark
mirror_layout "${1:-./demo-mirror}"
if [[ ! -f "$mirror_env" ]]; then
  if [[ -e "$mirror_dir" ]]; then
    mirror_die "$mirror_dir has no mirror.env: it is no mirror-up directory, nothing stopped"
  fi
  mirror_say "no mirror in $mirror_dir (it does not exist): nothing to stop"
  exit 0
fi
mirror_load_env
# Stopping must not be cut short by a Ctrl-C half-way: finish, then report it.
interrupted=""
trap 'interrupted=1; mirror_warn "interrupted: finishing the shutdown first"' INT TERM

trouble=0

process_gone()
{
  ! kill -0 "$1" 2>/dev/null
}

# kill_process WHAT PID: SIGKILL, then wait (bounded) until it is gone.
kill_process()
{
  local what="$1" pid="$2"
  kill -KILL "$pid" 2>/dev/null || true
  if mirror_wait 10 "$what (pid $pid) to exit after SIGKILL" process_gone "$pid"; then
    mirror_warn "$what (pid $pid) was killed with SIGKILL"
  else
    mirror_warn "$what (pid $pid) survives SIGKILL; it is left running"
  fi
  trouble=1
}

# shellcheck disable=SC2317 # called through mirror_wait
member_not_busy()
{
  local state
  state="$(member_state "$1")"
  MIRROR_LAST="bulwark status says member $1 is $state"
  [[ "$state" != busy ]]
}

# stop_member NAME ROLE: bulwark stop --nofailover, bounded; SIGKILL if it does not end in time.
stop_member()
{
  local name="$1" role="$2" state pid code=0
  state="$(member_state "$name")"
  if [[ "$state" == busy ]]; then
    mirror_say "member $name is starting (or a tool has its data directory): waiting up to 30 s"
    mirror_wait 30 "member $name to finish starting" member_not_busy "$name" || true
    state="$(member_state "$name")"
  fi
  if [[ "$state" == stopped ]]; then
    mirror_say "member $name is not running"
    return
  fi
  pid="$(member_pid "$name")" || true
  if [[ "$state" == running ]]; then
    mirror_say "stopping member $name ($role, pid $pid): bulwark stop --nofailover --config $(member_conf "$name")"
    "$BULWARK" stop --nofailover --config "$(member_conf "$name")" --timeout "$MIRROR_STOP_WAIT_S" 2>&1 | \
      sed 's/^/  /' || code=$?
    if [[ -z "$pid" ]] || process_gone "$pid"; then
      return
    fi
    mirror_warn "member $name (pid $pid) did not stop within $MIRROR_STOP_WAIT_S s (bulwark stop exited $code)"
  fi
  if [[ -z "$pid" ]]; then
    mirror_warn "member $name: its data directory is held but bulwark status names no pid; left alone"
    trouble=1
  elif pid_is "$pid" org.bulwark.server.BulwarkCli run "$(member_conf "$name")"; then
    kill_process "member $name" "$pid"
    mirror_say "  (its next start recovers from its write image journal and journal)"
    shm_leftovers "$name" "$pid"
  else
    mirror_warn "pid $pid holds member $name's data directory but is not its member (a tool?); left alone"
    trouble=1
  fi
}

stop_agent()
{
  local name="$1" pid
  if ! pid="$(agent_pid "$name")"; then
    mirror_say "agent $name is not running"
    return
  fi
  mirror_say "stopping agent $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! mirror_wait "$MIRROR_AGENT_WAIT_S" "agent $name (pid $pid) to exit after SIGTERM" process_gone "$pid"; then
    kill_process "agent $name" "$pid"
  fi
  rm -f -- "$(agent_pidfile "$name")"
}

# The primary first (nothing to fail over to once it is down with --nofailover), then the others.
declare -A role=()
order=()
for name in "${MIRROR_MEMBERS[@]}"; do
  role[$name]="$(member_role "$name")"
  [[ "${role[$name]}" == primary ]] && order+=("$name")
done
for name in "${MIRROR_MEMBERS[@]}"; do
  [[ "${role[$name]}" == primary ]] || order+=("$name")
done
for name in "${order[@]}"; do
  stop_member "$name" "${role[$name]}"
done
for name in "${MIRROR_MEMBERS[@]}"; do
  stop_agent "$name"
done

# Nothing of this mirror may be left running; say so if something is (it is not killed: it was not
# found where mirror-up.sh records what it starts).
leftovers="$(mirror_processes)"
if [[ -n "$leftovers" ]]; then
  mirror_warn "still running with $mirror_dir in their command line (not stopped by this script):"
  printf '  %s\n' "$leftovers" >&2
  trouble=1
fi
# Whatever still has one of the mirror's ports is not ours any more, but say so.
for key in "${!port[@]}"; do
  if mirror_port_in_use "${port[$key]}"; then
    mirror_warn "port ${port[$key]} ($key) is still in use"
    trouble=1
  fi
done
if [[ -n "$interrupted" ]]; then
  mirror_warn "interrupted, but the shutdown went to its end"
fi
if ((trouble == 0)); then
  mirror_say "the mirror in $mirror_dir is down"
fi
exit "$trouble"
