#!/usr/bin/env bash
#
# The load/latency harness (SPEC B-2, org.bulwark.perf.harness.LoadHarness): drives a running RESP
# server (a Bulwark member, Redis) or PostgreSQL with N clients and writes DIR/NAME.hlog (HdrHistogram
# log), DIR/NAME.json (summary) and DIR/NAME.png (percentile plot), printing one summary line. Builds
# like run-main.sh (perf-env.sh: one Maven reactor, package, never install). JVM options go first:
#
#   perf/run-harness.sh --target resp://127.0.0.1:6380 --clients 16 --duration 30s
#   perf/run-harness.sh -Xmx1g --target resp://127.0.0.1:6379 --rate 5000 --mix set=50,get=50 --preload
#   perf/run-harness.sh --target 'jdbc:postgresql://127.0.0.1:5432/bench?user=bench' --clients 4
#   perf/run-harness.sh --help
#
# Results go to perf/target/harness unless --out says otherwise.
#
# Environment: SKIP_BUILD=1 skips the Maven build; MVN_OPTS adds options to Maven (e.g. -o).

set -euo pipefail

# shellcheck source=perf-env.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/perf-env.sh"

JVM_ARGS=()
while [[ $# -gt 0 && "$1" == -* && "$1" != --* ]]; do
    JVM_ARGS+=("$1")
    shift
done

# shellcheck disable=SC2086
exec java ${FLAGS} -Djava.awt.headless=true "-Dbulwark.harness.out=${PERF_DIR}/target/harness" "${JVM_ARGS[@]}" \
    -cp "${CLASSPATH_PERF}" org.bulwark.perf.harness.LoadHarness "$@"
