#!/usr/bin/env bash
#
# Build perf (see perf-env.sh: one Maven reactor, package, never install) and run one of its plain
# benchmarks, a main class of org.bulwark.perf, with the production JVM flags of the root pom.xml.
# JVM options go before the class name, the benchmark's own arguments after it:
#
#   perf/run-main.sh SyncProbe
#   perf/run-main.sh -Xmx2g CommitBenchmark --threads 1,8,64 --sync fdatasync,dsync
#   perf/run-main.sh RollForwardBenchmark --journal-mb 300
#   perf/run-main.sh CommitBenchmark --help
#
# The benchmarks' files go to perf/target/perf-data (same disk as the checkout; /tmp may be tmpfs
# elsewhere) unless --dir says otherwise.
#
# Environment: SKIP_BUILD=1 skips the Maven build; MVN_OPTS adds options to Maven (e.g. -o).

set -euo pipefail

# shellcheck source=perf-env.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/perf-env.sh"

JVM_ARGS=()
while [[ $# -gt 0 && "$1" == -* ]]; do
    JVM_ARGS+=("$1")
    shift
done
if [[ $# -eq 0 ]]; then
    echo "usage: perf/run-main.sh [jvm options] SyncProbe|CommitBenchmark|RollForwardBenchmark [arguments]" >&2
    exit 2
fi
MAIN="$1"
shift
[[ "${MAIN}" == *.* ]] || MAIN="org.bulwark.perf.${MAIN}"

# shellcheck disable=SC2086
exec java ${FLAGS} "-Dbulwark.perf.dir=${PERF_DIR}/target/perf-data" "${JVM_ARGS[@]}" -cp "${CLASSPATH_PERF}" "${MAIN}" "$@"
