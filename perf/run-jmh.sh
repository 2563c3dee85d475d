#!/usr/bin/env bash
#
# Build store and perf, then run the JMH benchmarks. Arguments go to JMH unchanged
# (org.openjdk.jmh.Main), e.g.:
#
#   perf/run-jmh.sh StoreBenchmark -f 1 -wi 2 -i 3
#   perf/run-jmh.sh 'StoreBenchmark.getT1' -prof gc
#   perf/run-jmh.sh -h                      # JMH's own help
#
# Without arguments it runs every benchmark with modest settings (see DEFAULT_ARGS).
#
# The build and the classpath come from perf-env.sh: one Maven reactor (package, not install), so
# the benchmarks run the modules of this checkout and ~/.m2 is left alone. The JVM flags the store
# needs (module exports/opens) are read from the property bulwark.jvm.flags of the root pom.xml, so
# they live in one place; bulwark.jvm.production.flags (bounds checks off) is added, so the
# benchmarks measure what bin/bulwark runs. They are given to the host JVM; JMH forks inherit the
# host's flags and add each benchmark's @Fork(jvmArgsAppend). Note that -jvmArgs on the command
# line replaces the inherited flags, and -jvmArgsAppend replaces the annotation's (e.g.
# -XX:MaxDirectMemorySize=1g of StoreBenchmark): repeat those if you use them.
#
# Environment: SKIP_BUILD=1 skips the Maven build (and reuses the classpath of the last run);
# MVN_OPTS adds options to Maven (e.g. -o).

set -euo pipefail

DEFAULT_ARGS=(StoreBenchmark -f 1 -wi 2 -w 3s -i 5 -r 5s)

# shellcheck source=perf-env.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/perf-env.sh"

if [[ $# -eq 0 ]]; then
    set -- "${DEFAULT_ARGS[@]}"
fi

# shellcheck disable=SC2086
exec java ${FLAGS} -cp "${CLASSPATH_PERF}" org.openjdk.jmh.Main "$@"
