#!/usr/bin/env bash
#
# Sourced by run-jmh.sh and run-main.sh: builds the perf module and the modules it needs in one
# reactor (package, never install: the artifacts in ~/.m2 are not touched, and the classpath points
# at the jars in each module's target/), writes that classpath to perf/target/perf.classpath, and
# sets CLASSPATH_PERF and FLAGS (bulwark.jvm.flags plus bulwark.jvm.production.flags of the root
# pom.xml).
#
# Environment: SKIP_BUILD=1 skips the Maven build (and reuses the classpath of the last build);
# MVN_OPTS adds options to Maven (e.g. -o).

PERF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(dirname "${PERF_DIR}")"
CP_FILE="${PERF_DIR}/target/perf.classpath"

if [[ "${SKIP_BUILD:-0}" != "1" || ! -s "${CP_FILE}" ]]; then
    # Maven prints its errors to standard output: keep it, and show it if the build fails.
    BUILD_LOG="${PERF_DIR}/target/perf-build.log"
    mkdir -p "${PERF_DIR}/target"
    # shellcheck disable=SC2086
    if ! (cd "${ROOT_DIR}" && mvn -q -B ${MVN_OPTS:-} -pl perf -am package -DskipTests \
        dependency:build-classpath -Dmdep.outputFile=target/perf.classpath >"${BUILD_LOG}" 2>&1); then
        cat "${BUILD_LOG}" >&2
        echo "perf-env.sh: the build failed (log above, also in ${BUILD_LOG})" >&2
        exit 1
    fi
fi
CLASSPATH_PERF="${PERF_DIR}/target/classes:$(cat "${CP_FILE}")"

FLAGS="$(sed -n 's:.*<bulwark.jvm.flags>\(.*\)</bulwark.jvm.flags>.*:\1:p' "${ROOT_DIR}/pom.xml" | head -n 1)"
if [[ -z "${FLAGS}" ]]; then
    echo "perf-env.sh: no <bulwark.jvm.flags> property in ${ROOT_DIR}/pom.xml" >&2
    exit 1
fi
# Benchmarks measure the production configuration (bounds checks off), as bin/bulwark runs it.
FLAGS="${FLAGS} $(sed -n 's:.*<bulwark.jvm.production.flags>\(.*\)</bulwark.jvm.production.flags>.*:\1:p' \
    "${ROOT_DIR}/pom.xml" | head -n 1)"
export CLASSPATH_PERF FLAGS
