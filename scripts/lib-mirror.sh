# shellcheck shell=bash
# lib-mirror.sh: what mirror-up.sh, mirror-down.sh and demo-mirror.sh share (sourced, not run).
# The variables it sets (mirror_key, state_*, mirror_primary, ...) are for the scripts that source it:
# shellcheck disable=SC2034
#
# The layout of a mirror directory DIR (written once by mirror-up.sh):
#   DIR/mirror.env          the ports, chosen at setup (also the mark that DIR is a mirror-up directory)
#   DIR/mirror.key          the mirror key, shared by both members and both agents (mode 600)
#   DIR/NAME/bulwark.conf   member NAME's configuration (NAME is a or b)
#   DIR/NAME/data/          its data directory: databases, journal, messages.log, console.log, bulwark.pid
#   DIR/NAME/agent.sh       the agent of NAME's "host" (on this machine each member has one, as if on two hosts)
#   DIR/NAME/agent/         the agent's agent.log, console.log and agent.pid
#
# Needs bash 4.3+, /proc and bash's /dev/tcp; nothing else (no redis-cli, ss or python).
# BULWARK=/path/to/bin/bulwark picks a distribution's launcher; by default the checkout's bin/bulwark.

mirror_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BULWARK="${BULWARK:-$mirror_root/bin/bulwark}"
MIRROR_MEMBERS=(a b)
MIRROR_NAME=DEMO
# Deadlines, in seconds (environment overrides).
MIRROR_START_WAIT_S="${MIRROR_START_WAIT_S:-120}"   # a member's recovery and start
MIRROR_PING_WAIT_S="${MIRROR_PING_WAIT_S:-30}"      # RESP answers PING
MIRROR_ROLE_WAIT_S="${MIRROR_ROLE_WAIT_S:-60}"      # one primary, one backup (a QoS timeout is 8 s)
MIRROR_STOP_WAIT_S="${MIRROR_STOP_WAIT_S:-60}"      # bulwark stop, before SIGKILL
MIRROR_AGENT_WAIT_S="${MIRROR_AGENT_WAIT_S:-20}"    # an agent starts or stops
RESP_TIMEOUT_S="${RESP_TIMEOUT_S:-5}"               # one RESP reply

# What the last check saw; a wait that times out prints it.
MIRROR_LAST=""

mirror_say()
{
  printf '%s\n' "$*"
}

mirror_warn()
{
  printf '%s: %s\n' "${MIRROR_SCRIPT:-mirror}" "$*" >&2
}

mirror_die()
{
  mirror_warn "$*"
  exit 1
}

mirror_check_bulwark()
{
  if [[ ! -x "$BULWARK" ]]; then
    mirror_die "no launcher at $BULWARK (set BULWARK=/path/to/bin/bulwark)"
  fi
  if [[ "$BULWARK" == "$mirror_root/bin/bulwark" ]] && ! compgen -G "$mirror_root/server/target/bulwark-server-*.jar" \
      >/dev/null; then
    mirror_die "not built yet: run mvn -B -q package -DskipTests in $mirror_root first"
  fi
}

# mirror_layout DIR: the absolute paths of the mirror in DIR (DIR need not exist yet; nothing is created).
mirror_layout()
{
  # One spelling of the path, whatever was given (./x, x/, a symbolic link): process command lines
  # and files name it, and pid_is compares them.
  if ! mirror_dir="$(realpath -m -- "$1" 2>/dev/null)"; then
    mirror_dir="$(cd -- "$(dirname -- "$1")" 2>/dev/null && pwd -P)/$(basename -- "$1")" || \
      mirror_die "cannot make $1 an absolute path"
  fi
  mirror_env="$mirror_dir/mirror.env"
  mirror_key="$mirror_dir/mirror.key"
}

member_conf() { printf '%s/%s/bulwark.conf' "$mirror_dir" "$1"; }
member_data() { printf '%s/%s/data' "$mirror_dir" "$1"; }
agent_script() { printf '%s/%s/agent.sh' "$mirror_dir" "$1"; }
agent_dir() { printf '%s/%s/agent' "$mirror_dir" "$1"; }
agent_pidfile() { printf '%s/%s/agent/agent.pid' "$mirror_dir" "$1"; }

# Ports: port[a.mirror] (UDP, Aeron), port[a.agent], port[a.resp], port[a.metrics] (TCP); the same for b.
declare -gA port=()
MIRROR_PORT_KINDS=(mirror agent resp metrics)

# mirror_load_env: read DIR/mirror.env into port[] (a file of NAME.KIND=PORT lines).
mirror_load_env()
{
  local key value line=0
  port=()
  while IFS='=' read -r key value; do
    line=$((line + 1))
    [[ -z "$key" || "$key" == \#* ]] && continue
    if [[ ! "$key" =~ ^[ab]\.(mirror|agent|resp|metrics)$ || ! "$value" =~ ^[0-9]+$ ]]; then
      mirror_die "$mirror_env line $line: expected NAME.KIND=PORT (NAME a or b; KIND mirror, agent, resp or" \
        "metrics), found '$key=$value'"
    fi
    port[$key]="$value"
  done < "$mirror_env"
  local name kind
  for name in "${MIRROR_MEMBERS[@]}"; do
    for kind in "${MIRROR_PORT_KINDS[@]}"; do
      [[ -n "${port[$name.$kind]:-}" ]] || mirror_die "$mirror_env has no $name.$kind port"
    done
  done
}

# mirror_used_ports [bound]: every local port of a TCP or UDP socket, IPv4 or IPv6 (from /proc/net);
# with "bound", only listening TCP sockets and UDP sockets (a connection closing in TIME_WAIT on a port
# does not keep a server from binding it again).
mirror_used_ports()
{
  local table sl local_address state rest listening_only
  for table in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do
    [[ -r "$table" ]] || continue
    listening_only=""
    [[ "${1:-}" == bound && "$table" == */tcp* ]] && listening_only=1
    while read -r sl local_address _ state rest; do
      [[ "$sl" == sl ]] && continue
      if [[ -n "$listening_only" && "$state" != 0A ]]; then # 0A: TCP_LISTEN
        continue
      fi
      printf '%d\n' "$((16#${local_address##*:}))"
    done < "$table"
  done
}

# mirror_port_in_use PORT: true if a server listens on PORT (TCP) or a socket has it (UDP).
mirror_port_in_use()
{
  local ports
  ports="$(mirror_used_ports bound)" # not a pipe into grep -q: under pipefail its early exit is a failure
  grep -qx -- "$1" <<<"$ports"
}

# mirror_pick_ports: choose 8 distinct ports that nothing uses, below the kernel's ephemeral range (so
# that no outgoing connection takes one of them between setup and a later start).
mirror_pick_ports()
{
  local low=32768
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r low _ < /proc/sys/net/ipv4/ip_local_port_range
  fi
  local floor=15000 ceiling=$((low - 1))
  if ((ceiling - floor < 1000)); then
    floor=10000
    ceiling=14999
  fi
  local -A taken=()
  local p
  while read -r p; do
    taken[$p]=1
  done < <(mirror_used_ports)
  local name kind tries
  for name in "${MIRROR_MEMBERS[@]}"; do
    for kind in "${MIRROR_PORT_KINDS[@]}"; do
      tries=0
      while :; do
        p=$((floor + (RANDOM * 32768 + RANDOM) % (ceiling - floor + 1)))
        [[ -z "${taken[$p]:-}" ]] && break
        tries=$((tries + 1))
        ((tries < 1000)) || mirror_die "no free port found between $floor and $ceiling"
      done
      taken[$p]=1
      port[$name.$kind]="$p"
    done
  done
}

# resp_call PORT ARG...: send one command to 127.0.0.1:PORT over RESP (bash's /dev/tcp) and print the
# reply: a simple string, number or bulk string as it is, an array one element a line, nil as (nil), an
# error as "(error) MESSAGE". Exit status 0, 2 for an error reply, 1 if nothing answered within
# RESP_TIMEOUT_S. Not for binary values (bash strings stop at a NUL byte).
resp_call()
(
  export LC_ALL=C # lengths and reads in bytes
  exec 2>/dev/null
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  shift
  local request="*$#"$'\r\n' arg
  for arg in "$@"; do
    request+="\$${#arg}"$'\r\n'"$arg"$'\r\n'
  done
  printf '%s' "$request" >&3 || exit 1
  resp_read_reply 3
)

resp_read_reply()
{
  local fd="$1" line n i data
  IFS= read -r -t "$RESP_TIMEOUT_S" -u "$fd" line || return 1
  line="${line%$'\r'}"
  case "${line:0:1}" in
    '+'|':') printf '%s\n' "${line:1}" ;;
    '-') printf '(error) %s\n' "${line:1}"; return 2 ;;
    '$'|'=')
      n="${line:1}"
      if ((n < 0)); then
        printf '(nil)\n'
      else
        data=""
        if ((n + 2 > 0)); then
          IFS= read -r -t "$RESP_TIMEOUT_S" -N $((n + 2)) -u "$fd" data || return 1
        fi
        data="${data%$'\r\n'}"
        [[ "${line:0:1}" == '=' ]] && data="${data:4}" # RESP3 verbatim: "txt:" first
        printf '%s\n' "$data"
      fi
      ;;
    '*')
      n="${line:1}"
      for ((i = 0; i < n; i++)); do
        resp_read_reply "$fd" || return $?
      done
      ((n >= 0)) || printf '(nil)\n'
      ;;
    *) printf '%s\n' "$line" ;;
  esac
}

# member_ping NAME: true if member NAME answers PING on its RESP port.
member_ping()
{
  local reply
  reply="$(resp_call "${port[$1.resp]}" PING)" || true
  MIRROR_LAST="member $1 (RESP port ${port[$1.resp]}) answered '${reply:-nothing}' to PING"
  [[ "$reply" == PONG ]]
}

# member_state_file NAME: read what member NAME last published in its mirror-member.state (the file its
# agent reads; layout in MemberStateFile's Javadoc: 4 KiB, little-endian, two slots under a seqlock)
# into state_role (primary, backup, starting, stopping, ...), state_term, state_journal_end and
# state_pid; fails if there is no such file or the process that wrote it is not member NAME running.
# For where the member's RESP port does not tell its role.
member_state_file()
{
  local file words base _
  file="$(member_data "$1")/mirror-member.state"
  [[ -r "$file" ]] || return 1
  for _ in 1 2 3 4 5; do
    read -r -a words < <(od -An -v -tu4 -w4096 -N 4096 "$file") || return 1
    # magic "BLWKMSTF", version 1, current slot 0 or 1
    if ((${#words[@]} != 1024 || words[0] != 1264012354 || words[1] != 1179931469 || words[2] != 1)) || \
        ((words[4] != 0 && words[4] != 1)); then
      return 1
    fi
    base=$(((64 + words[4] * 256) / 4)) # the current slot, in 4-byte words
    if ((words[base] % 2 != 0)); then
      sleep 0.01 # the member is writing that slot: look again
      continue
    fi
    state_pid="${words[base + 2]}"
    # The pid is the member's if it runs bulwark with a configuration of that name (a pid reused since).
    pid_is "$state_pid" "org.bulwark.server.BulwarkCli run " "/$1/bulwark.conf" || return 1
    case "${words[base + 6]}" in
      0) state_role=starting ;;
      1) state_role=primary ;;
      2) state_role=backup ;;
      3) state_role=async ;;
      4) state_role=stopping ;;
      5) state_role=forced-down ;;
      6) state_role=stopping-nofailover ;;
      *) state_role="role-code-${words[base + 6]}" ;;
    esac
    state_term=$((words[base + 8] + words[base + 9] * 4294967296))
    state_journal_end=$((words[base + 10] + words[base + 11] * 4294967296))
    return 0
  done
  return 1
}

member_state_file_role()
{
  member_state_file "$1" || return 1
  printf '%s\n' "$state_role"
}

# member_role NAME: print what member NAME says it is: primary, backup, starting, stopping, ...,
# unmirrored (nothing says it is mirrored), unreachable (no answer on its RESP port), or unknown.
# Over RESP: MIRROR STATUS's "This member:" (or a role line), else INFO replication's mirror_role,
# else ROLE (master is primary, slave or replica is backup). Where the RESP port says mirroring is
# not configured (a build before the mirror monitor), from the member's mirror-member.state.
member_role()
{
  local status role rc=0
  status="$(resp_call "${port[$1.resp]}" MIRROR STATUS)" || rc=$?
  if ((rc == 1)); then
    member_state_file_role "$1" || printf 'unreachable\n'
    return
  fi
  if grep -qiE '^mirror_configured:0' <<<"$status"; then
    member_state_file_role "$1" || printf 'unmirrored\n'
    return
  fi
  # The monitor's table says "This member:    a (Primary, term 2)"; a "role: ..." line also does.
  role="$(sed -n -E 's/^This member:[[:space:]]+[^[:space:]]+ \(([A-Za-z_-]+).*/\1/p' <<<"$status")"
  if [[ -z "$role" ]]; then
    role="$(grep -iE '^[[:space:]]*([a-z_]*_)?role[[:space:]]*[:=]' <<<"$status" | sed -n -E '1s/^[^:=]*[:=][[:space:]]*//p')"
  fi
  if [[ -z "$role" ]]; then
    status="$(resp_call "${port[$1.resp]}" INFO replication)" || true
    role="$(sed -n -E 's/^mirror_role:[[:space:]]*//p' <<<"$status")"
  fi
  if [[ -z "$role" ]]; then
    role="$(resp_call "${port[$1.resp]}" ROLE)" || true
    role="${role%%$'\n'*}"
  fi
  role="${role%%$'\n'*}"
  role="${role,,}"
  role="${role//$'\r'/}"
  case "$role" in
    *primary*|master) printf 'primary\n' ;;
    *backup*|slave|replica) printf 'backup\n' ;;
    '') printf 'unknown\n' ;;
    *) printf '%s\n' "${role%% *}" ;;
  esac
}

# mirror_roles_settled: true once one member is primary and the other backup; sets mirror_primary and
# mirror_backup.
mirror_roles_settled()
{
  local role_a role_b
  role_a="$(member_role a)"
  role_b="$(member_role b)"
  MIRROR_LAST="member a says $role_a, member b says $role_b"
  mirror_primary=""
  mirror_backup=""
  if [[ "$role_a" == primary && "$role_b" == backup ]]; then
    mirror_primary=a
    mirror_backup=b
  elif [[ "$role_a" == backup && "$role_b" == primary ]]; then
    mirror_primary=b
    mirror_backup=a
  else
    return 1
  fi
}

# member_has_role NAME ROLE: true if member NAME says it is ROLE.
member_has_role()
{
  local role
  role="$(member_role "$1")"
  MIRROR_LAST="member $1 says $role"
  [[ "$role" == "$2" ]]
}

# mirror_wait SECONDS WHAT CHECK [ARG...]: run CHECK every 0.25 s until it succeeds or SECONDS have
# passed; on a timeout say what was awaited and what the check saw last, and fail.
mirror_wait()
{
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  MIRROR_LAST=""
  while :; do
    if "$@"; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      mirror_warn "timed out after ${seconds} s waiting for $what${MIRROR_LAST:+; last seen: $MIRROR_LAST}"
      return 1
    fi
    sleep 0.25
  done
}

# pid_is PID TEXT...: true if process PID runs and its command line contains every TEXT (so that a
# pid reused by another process after ours died is never signalled).
pid_is()
{
  local pid="$1" cmdline
  shift
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmdline="$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline")" || return 1
  local text
  for text in "$@"; do
    [[ "$cmdline" == *"$text"* ]] || return 1
  done
}

# agent_pid NAME: the pid of member NAME's agent if it runs, else nothing (exit 1).
agent_pid()
{
  local pid=""
  [[ -r "$(agent_pidfile "$1")" ]] && read -r pid < "$(agent_pidfile "$1")"
  if pid_is "$pid" org.bulwark.server.BulwarkCli agent "--port ${port[$1.agent]} " "--member $1="; then
    printf '%s\n' "$pid"
  else
    return 1
  fi
}

agent_ready()
{
  local pid
  MIRROR_LAST="agent $1: no 'agent ready' in $(agent_dir "$1")/agent.log yet"
  pid="$(agent_pid "$1")" || {
    MIRROR_LAST="agent $1 is not running (see $(agent_dir "$1")/console.log)"
    return 1
  }
  grep -q "agent ready: pid $pid" "$(agent_dir "$1")/agent.log" 2>/dev/null
}

# member_pid NAME: the pid of the process holding member NAME's data directory (a member, ready or
# starting), else nothing (exit 1). Uses bulwark status (authoritative: the data directory lock).
member_pid()
{
  local text pid
  text="$("$BULWARK" status --config "$(member_conf "$1")" 2>&1)" || true
  pid="$(sed -n -e 's/^bulwark is running: pid \([0-9][0-9]*\),.*/\1/p' -e 's/.* is held by pid \([0-9][0-9]*\),.*/\1/p' \
    <<<"$text" | head -n 1)"
  [[ -n "$pid" ]] && printf '%s\n' "$pid"
}

# member_state NAME: running (ready), stopped, or busy (held, not ready: recovering or a tool).
member_state()
{
  local code=0
  "$BULWARK" status --config "$(member_conf "$1")" >/dev/null 2>&1 || code=$?
  case "$code" in
    0) printf 'running\n' ;;
    3) printf 'stopped\n' ;;
    *) printf 'busy\n' ;;
  esac
}

# mirror_processes: the processes whose command line names the mirror directory, one "PID COMMAND" a line.
mirror_processes()
{
  local entry pid cmdline
  for entry in /proc/[0-9]*; do
    pid="${entry#/proc/}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    cmdline="$(tr '\0' ' ' 2>/dev/null < "$entry/cmdline")" || continue
    if [[ "$cmdline" == *"$mirror_dir/"* && "$cmdline" == *org.bulwark.server.BulwarkCli* ]]; then
      printf '%s %s\n' "$pid" "${cmdline##*org.bulwark.server.BulwarkCli }"
    fi
  done
}

# shm_leftovers NAME PID: remove the Aeron directory a killed member leaves in /dev/shm (only that
# pid's, only once the pid is gone).
shm_leftovers()
{
  local name="$1" pid="$2" base directory
  for base in /dev/shm "${TMPDIR:-/tmp}"; do
    directory="$base/bulwark-mirror-$name-$pid"
    if [[ -d "$directory" ]] && ! kill -0 "$pid" 2>/dev/null; then
      rm -rf -- "$directory"
      mirror_say "removed $directory (the Aeron directory of the killed member $name)"
    fi
  done
}

# mirror_summary: who is what, the ports, how to connect.
mirror_summary()
{
  local name role
  mirror_say "mirror $MIRROR_NAME in $mirror_dir"
  for name in "${MIRROR_MEMBERS[@]}"; do
    role="$(member_role "$name")"
    printf '  member %s: %-10s RESP 127.0.0.1:%s  mirror 127.0.0.1:%s/udp  agent 127.0.0.1:%s  metrics %s\n' \
      "$name" "$role" "${port[$name.resp]}" "${port[$name.mirror]}" "${port[$name.agent]}" \
      "http://127.0.0.1:${port[$name.metrics]}/metrics"
  done
  mirror_say "connect:"
  for name in "${MIRROR_MEMBERS[@]}"; do
    mirror_say "  $BULWARK terminal --config $(member_conf "$name")    (or redis-cli -p ${port[$name.resp]})"
  done
  mirror_say "  $BULWARK mirror status --config $(member_conf a)    (or redis-cli -p ${port[a.resp]} MIRROR STATUS)"
  mirror_say "stop: $mirror_root/scripts/mirror-down.sh $mirror_dir"
}
