#!/usr/bin/env bash
#
# Build store and perf, then run the JMH benchmarks. Arguments go to JMH unchanged
# (org.openjdk.jmh.Main), e.g.:
#
#   perf/run-jmh.sh StoreBenchmark -f 1 -wi 2 -i 3
#   perf/run-jmh.sh 'StoreBenchmark.getT1' -prof gc
#   perf/run-jmh.sh -h                      # JMH's own help
#
# Without arguments it runs StoreBenchmark with modest settings (see DEFAULT_ARGS).
#
# Every suite in one command (SPEC B-1):
#
#   perf/run-jmh.sh --all                   # every benchmark, each with its annotations' settings
#   perf/run-jmh.sh --all -f 1 -wi 1 -i 2 -r 2s                      # shorter
#   perf/run-jmh.sh --all -f 1 -wi 1 -i 2 -r 2s 'JournalAppend|RingHandoff'   # a subset, by regex
#
# --all adds -prof gc (allocation per operation: the gc.alloc.rate.norm rows, B/op) and writes
# JMH's JSON result to perf/results/<YYYY-MM-DD>/jmh-<HHMMSS>.json (UTC); JMH prints the table at
# the end, and the script then names the JSON file. Arguments after --all are added after those,
# so they can narrow the run or shorten it. With the annotations' settings the whole run takes
# about 7 minutes, estimated (StoreBenchmark's six runs of 34 s each, on a store of 1,000,000
# nodes loaded per run, are most of it); on a shared machine prefer the shorter form. The suites and what each
# measures are listed in perf/RESULTS.md ("Hot paths (JMH, B-1)").
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

if [[ "$1" == "--all" ]]; then
    shift
    RESULTS_DIR="${PERF_DIR}/results/$(date -u +%F)"
    RESULT_FILE="${RESULTS_DIR}/jmh-$(date -u +%H%M%S).json"
    mkdir -p "${RESULTS_DIR}"
    status=0
    # shellcheck disable=SC2086
    java ${FLAGS} -cp "${CLASSPATH_PERF}" org.openjdk.jmh.Main -prof gc -rf json -rff "${RESULT_FILE}" "$@" ||
        status=$?
    if [[ -s "${RESULT_FILE}" ]]; then
        echo "run-jmh.sh: JSON results in ${RESULT_FILE}"
    else
        echo "run-jmh.sh: JMH wrote no results (exit status ${status})" >&2
    fi
    exit "${status}"
fi

# shellcheck disable=SC2086
exec java ${FLAGS} -cp "${CLASSPATH_PERF}" org.openjdk.jmh.Main "$@"
