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
# The JVM flags the store needs (module exports/opens) are read from the property
# bulwark.jvm.flags of the root pom.xml, so they live in one place; bulwark.jvm.production.flags
# (bounds checks off) is added, so the benchmarks measure what bin/bulwark runs. They are given to the host
# JVM; JMH forks inherit the host's flags and add each benchmark's @Fork(jvmArgsAppend). Note that
# -jvmArgs on the command line replaces the inherited flags, and -jvmArgsAppend replaces the
# annotation's (e.g. -XX:MaxDirectMemorySize=1g of StoreBenchmark): repeat those if you use them.
#
# Environment: SKIP_BUILD=1 skips the Maven build (and reuses the classpath of the last run);
# MVN_OPTS adds options to Maven (e.g. -o).

set -euo pipefail

PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(dirname "${PERF_DIR}")"
DEFAULT_ARGS=(StoreBenchmark -f 1 -wi 2 -w 3s -i 5 -r 5s)

cd "${ROOT_DIR}"

# shellcheck disable=SC2086
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    mvn -q -B ${MVN_OPTS:-} install -DskipTests -pl store,perf -am
fi

CP_FILE="${PERF_DIR}/target/jmh.classpath"
if [[ "${SKIP_BUILD:-0}" != "1" || ! -s "${CP_FILE}" ]]; then
    # shellcheck disable=SC2086
    mvn -q -B ${MVN_OPTS:-} dependency:build-classpath -pl perf -Dmdep.outputFile="${CP_FILE}" >/dev/null
fi
CLASSPATH_JMH="${PERF_DIR}/target/classes:$(cat "${CP_FILE}")"

FLAGS="$(sed -n 's:.*<bulwark.jvm.flags>\(.*\)</bulwark.jvm.flags>.*:\1:p' "${ROOT_DIR}/pom.xml" | head -n 1)"
if [[ -z "${FLAGS}" ]]; then
    echo "run-jmh.sh: no <bulwark.jvm.flags> property in ${ROOT_DIR}/pom.xml" >&2
    exit 1
fi
# Benchmarks measure the production configuration (bounds checks off), as bin/bulwark runs it.
FLAGS="${FLAGS} $(sed -n 's:.*<bulwark.jvm.production.flags>\(.*\)</bulwark.jvm.production.flags>.*:\1:p' "${ROOT_DIR}/pom.xml" | head -n 1)"

if [[ $# -eq 0 ]]; then
    set -- "${DEFAULT_ARGS[@]}"
fi

# shellcheck disable=SC2086
exec java ${FLAGS} -cp "${CLASSPATH_JMH}" org.openjdk.jmh.Main "$@"
