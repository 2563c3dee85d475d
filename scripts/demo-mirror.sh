#!/usr/bin/env bash
# demo-mirror.sh [--keep] [DIR]: the mirroring walkthrough on this machine, step by step, each command
# printed with its output. A fresh mirror of two members, a and b, with an agent each
# (scripts/mirror-up.sh in DIR, default ./demo-mirror, removed first if it holds an old one):
#   a global set on the primary through bulwark terminal is on the backup (waited for, with a deadline);
#   the backup refuses a write with <PROTECT>, through the terminal and over RESP (redis-cli if installed);
#   a graceful stop of the primary (bulwark stop) makes the backup primary; it takes a write;
#   the old primary, started again, rejoins as backup, has the new value and refuses a write;
#   the mirror's status; scripts/mirror-down.sh.
# Exits non-zero with a message naming the first step that does not behave. Whatever happens (failure,
# Ctrl-C), the mirror is stopped and DIR removed at the end, unless --keep (then mirror-up.sh and
# mirror-down.sh DIR work on it). Builds nothing: run it after mvn -B -q package -DskipTests;
# BULWARK=/path/to/bin/bulwark uses a distribution's launcher. Deadlines as in mirror-up.sh, plus
# MIRROR_DATA_WAIT_S (a value reaching the backup, default 30 s).
set -euo pipefail
MIRROR_SCRIPT=demo-mirror.sh
scripts="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib-mirror.sh
source "$scripts/lib-mirror.sh"
MIRROR_DATA_WAIT_S="${MIRROR_DATA_WAIT_S:-30}"

keep=""
given=""
for argument in "$@"; do
  case "$argument" in
    --keep) keep=1 ;;
    -*) echo "usage: scripts/demo-mirror.sh [--keep] [DIR]     (default ./demo-mirror)" >&2; exit 2 ;;
    *)
      [[ -z "$given" ]] || { echo "usage: scripts/demo-mirror.sh [--keep] [DIR]" >&2; exit 2; }
      given="$argument"
      ;;
  esac
done
mirror_check_bulwark
mirror_layout "${given:-./demo-mirror}"

step_number=0
step_title="setting up"
finished=""
failure=""

# show TEXT: TEXT with this directory's prefix dropped, for readable command lines.
show()
{
  printf '%s' "${1//"$PWD/"/}"
}

bulwark_shown="$(show "$BULWARK")"

step()
{
  step_number=$((step_number + 1))
  step_title="$*"
  printf '\n== %d. %s\n' "$step_number" "$*"
}

fail()
{
  failure="$*"
  mirror_warn "step $step_number ($step_title) failed: $*"
  exit 1
}

now_ms()
{
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    local t="${EPOCHREALTIME/[.,]/}"
    printf '%s' "$((t / 1000))"
  else
    printf '%s' "$((SECONDS * 1000))"
  fi
}

# await SECONDS WHAT CHECK [ARG...]: mirror_wait, then say how long it took.
await()
{
  local seconds="$1" what="$2" start
  start="$(now_ms)"
  shift 2
  mirror_wait "$seconds" "$what" "$@" 2>/dev/null || fail "timed out after $seconds s waiting for $what${MIRROR_LAST:+ ($MIRROR_LAST)}"
  local took=$(($(now_ms) - start))
  printf '(waited %d.%02d s for %s)\n' "$((took / 1000))" "$((took % 1000 / 10))" "$what"
}

cleanup()
{
  local code=$?
  trap '' INT TERM # the cleanup goes to its end; every wait in it has a deadline
  if [[ -z "$finished" ]]; then
    if [[ -z "$failure" ]]; then
      if ((code == 130)); then
        mirror_warn "interrupted at step $step_number ($step_title)"
      else
        mirror_warn "step $step_number ($step_title) failed (exit code $code)"
      fi
    fi
    ((code != 0)) || code=1
    if [[ -f "$mirror_env" ]]; then
      printf '\n== cleaning up: scripts/mirror-down.sh %s\n' "$(show "$mirror_dir")"
      "$scripts/mirror-down.sh" "$mirror_dir" || true
    fi
  fi
  if [[ -n "$keep" ]]; then
    [[ -d "$mirror_dir" ]] && printf '\nkept %s (--keep): scripts/mirror-up.sh %s starts this mirror again\n' \
      "$mirror_dir" "$(show "$mirror_dir")"
  elif [[ -f "$mirror_env" ]]; then
    rm -rf -- "$mirror_dir"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# term NAME STATEMENT: one line through bulwark terminal on member NAME (over its RESP port, as the
# member runs), printed as at a prompt, its output below; the output is kept in term_output.
term_output=""
term()
{
  local name="$1" statement="$2" code=0
  printf '%s USER> %s\n' "$name" "$statement"
  term_output="$("$BULWARK" terminal --config "$(member_conf "$name")" <<<"$statement" 2>&1)" || code=$?
  [[ -z "$term_output" ]] || printf '%s\n' "$term_output"
  ((code == 0)) || fail "bulwark terminal on member $name exited $code"
}

run_shown()
{
  printf '$ %s\n' "$(show "$*")"
  "$@"
}

# global_is NAME VALUE: member NAME has ^myfirstglobal = VALUE (read over RESP with GGET).
global_is()
{
  local value
  value="$(resp_call "${port[$1.resp]}" GGET myfirstglobal)" || true
  MIRROR_LAST="member $1 has ^myfirstglobal: ${value:-no answer}"
  [[ "$value" == "$2" ]]
}

# key_is NAME KEY VALUE: member NAME has the plain key KEY = VALUE (GET over RESP).
key_is()
{
  local value
  value="$(resp_call "${port[$1.resp]}" GET "$2")" || true
  MIRROR_LAST="member $1 has $2: ${value:-no answer}"
  [[ "$value" == "$3" ]]
}

expect_output()
{
  local pattern="$1" what="$2"
  grep -qF -- "$pattern" <<<"$term_output" || fail "$what: expected '$pattern' in the output, got '$term_output'"
}

expect_no_error()
{
  if grep -qE '^ *<[A-Z ]+>' <<<"$term_output"; then
    fail "$1: the terminal reported an error: $term_output"
  fi
}

# --- a fresh directory
if [[ -e "$mirror_dir" ]]; then
  if [[ -f "$mirror_env" ]]; then
    printf '== a mirror from an earlier run is in %s: stopping and removing it\n' "$(show "$mirror_dir")"
    "$scripts/mirror-down.sh" "$mirror_dir" || fail "could not stop the old mirror in $mirror_dir"
    rm -rf -- "$mirror_dir"
  elif [[ -n "$(ls -A -- "$mirror_dir")" ]]; then
    fail "$mirror_dir exists and is no mirror-up directory (no mirror.env); not touching it: give another DIR"
  fi
fi

step "start a mirror: two members, a and b, and an agent each, on this machine"
printf '$ scripts/mirror-up.sh %s\n' "$(show "$mirror_dir")"
"$scripts/mirror-up.sh" "$mirror_dir" || fail "scripts/mirror-up.sh failed (its messages are above)"
mirror_load_env
mirror_roles_settled || fail "the roles changed right after mirror-up.sh: $MIRROR_LAST"
primary="$mirror_primary"
backup="$mirror_backup"
printf '\nmember %s is the primary, member %s the backup\n' "$primary" "$backup"

step "on the primary (member $primary): set a global and write it, through bulwark terminal"
printf '$ %s terminal --config %s\n' "$bulwark_shown" "$(show "$(member_conf "$primary")")"
term "$primary" 'set ^myfirstglobal="congratulations"'
expect_no_error "the set on the primary"
term "$primary" 'write ^myfirstglobal'
expect_output congratulations "write ^myfirstglobal on the primary"

step "on the backup (member $backup): the same global, copied by the mirror"
await "$MIRROR_DATA_WAIT_S" "^myfirstglobal to reach member $backup" global_is "$backup" congratulations
printf '$ %s terminal --config %s\n' "$bulwark_shown" "$(show "$(member_conf "$backup")")"
term "$backup" 'write ^myfirstglobal'
expect_output congratulations "write ^myfirstglobal on the backup"

step "the backup's data is read-only: a write there is refused"
term "$backup" 'set ^myfirstglobal="what next?"'
expect_output '<PROTECT>' "set on the backup"
global_is "$backup" congratulations || fail "the refused set changed the backup: $MIRROR_LAST"

step "the same over RESP: plain keys are nodes of the global named by resp.global (^redis)"
if command -v redis-cli >/dev/null 2>&1; then
  client=(redis-cli -p)
  client_name=redis-cli
else
  client=(resp_call)
  client_name="lib-mirror.sh's resp_call"
  echo "(redis-cli is not installed: the same commands through the small bash RESP client resp_call of"
  echo " scripts/lib-mirror.sh; scripts/install-test-tools.sh installs redis-cli)"
fi
resp()
{
  local name="$1" code=0
  shift
  if [[ "${client[0]}" == redis-cli ]]; then
    printf '$ redis-cli -p %s %s\n' "${port[$name.resp]}" "$(quoted "$@")"
  else
    printf 'resp_call %s %s\n' "${port[$name.resp]}" "$(quoted "$@")"
  fi
  resp_output="$("${client[@]}" "${port[$name.resp]}" "$@" 2>&1)" || code=$?
  printf '%s\n' "$resp_output"
  if ((code != 0)) && ! grep -q 'PROTECT' <<<"$resp_output"; then
    fail "$client_name $* on member $name exited $code"
  fi
}
resp_output=""
# quoted ARG...: the arguments as a shell would need them (those with a space in double quotes).
quoted()
{
  local arg out=()
  for arg in "$@"; do
    if [[ "$arg" == *[[:space:]]* ]]; then
      out+=("\"$arg\"")
    else
      out+=("$arg")
    fi
  done
  printf '%s' "${out[*]}"
}
printf '(member %s, the primary, on RESP port %s; member %s, the backup, on %s)\n' "$primary" \
  "${port[$primary.resp]}" "$backup" "${port[$backup.resp]}"
resp "$primary" SET greeting "hello from the primary"
[[ "$resp_output" == OK ]] || fail "SET on the primary answered '$resp_output'"
await "$MIRROR_DATA_WAIT_S" "the key greeting to reach member $backup" key_is "$backup" greeting \
  "hello from the primary"
resp "$backup" GET greeting
resp "$backup" SET greeting "changed on the backup"
grep -q PROTECT <<<"$resp_output" || fail "SET on the backup answered '$resp_output', not a PROTECT error"
term "$backup" 'write ^redis("greeting")'
expect_output "hello from the primary" "write ^redis(\"greeting\") on the backup"

step "planned failover: a graceful stop of the primary (member $primary) hands over to the backup"
run_shown "$BULWARK" stop --config "$(member_conf "$primary")" --timeout "$MIRROR_STOP_WAIT_S" || \
  fail "bulwark stop of member $primary failed"
await "$MIRROR_ROLE_WAIT_S" "member $backup to become primary" member_has_role "$backup" primary

step "the new primary (member $backup) takes writes"
term "$backup" 'set ^myfirstglobal="what next?"'
expect_no_error "the set on the new primary"
term "$backup" 'write ^myfirstglobal'
expect_output "what next?" "write ^myfirstglobal on the new primary"

step "the old primary (member $primary) starts again and rejoins the mirror as its backup"
run_shown "$BULWARK" start --config "$(member_conf "$primary")" --wait "$MIRROR_START_WAIT_S" || \
  fail "bulwark start of member $primary failed"
await "$MIRROR_ROLE_WAIT_S" "member $primary to become backup" member_has_role "$primary" backup
await "$MIRROR_DATA_WAIT_S" "the new value to reach member $primary" global_is "$primary" "what next?"
term "$primary" 'write ^myfirstglobal'
expect_output "what next?" "write ^myfirstglobal on the new backup"
term "$primary" 'set ^myfirstglobal="another Bulwark demo"'
expect_output '<PROTECT>' "set on the new backup"
member_has_role "$backup" primary || fail "member $backup is no longer primary: $MIRROR_LAST"

step "the mirror's status"
status_code=0
status_output="$("$BULWARK" mirror status --config "$(member_conf "$backup")" 2>&1)" || status_code=$?
if ((status_code == 2)) && grep -q "unknown command 'mirror'" <<<"$status_output"; then
  printf '(this build has no bulwark mirror status yet: MIRROR STATUS over RESP, from each member)\n'
  for name in "$backup" "$primary"; do
    printf 'resp_call %s MIRROR STATUS    (member %s)\n' "${port[$name.resp]}" "$name"
    status_output="$(resp_call "${port[$name.resp]}" MIRROR STATUS)" || fail "MIRROR STATUS on member $name failed"
    printf '%s\n' "$status_output"
    if grep -q '^mirror_configured:0' <<<"$status_output"; then
      # The RESP port does not report mirroring yet: show what the member publishes for its agent.
      member_state_file "$name" || fail "member $name publishes no mirror state in $(member_data "$name")"
      printf '(its mirror-member.state, read by its agent: %s in term %s, pid %s)\n' "$state_role" \
        "$state_term" "$state_pid"
    fi
  done
else
  printf '$ %s mirror status --config %s\n' "$bulwark_shown" "$(show "$(member_conf "$backup")")"
  printf '%s\n' "$status_output"
  ((status_code == 0)) || fail "bulwark mirror status exited $status_code"
fi

step "stop the mirror"
printf '$ scripts/mirror-down.sh %s\n' "$(show "$mirror_dir")"
"$scripts/mirror-down.sh" "$mirror_dir" || fail "scripts/mirror-down.sh did not stop everything cleanly"
finished=1
printf '\ndemo-mirror.sh: every step behaved\n'
