#!/usr/bin/env bash
# Installs the Debian packages that the fault-injection system tests (SPEC F-3, J-6) and the RESP
# server's client-tool tests (V-2) need:
#   fiu-utils   fiu-run and fiu-ctrl (libfiu): I/O errors injected into a child JVM's libc calls
#   e2fsprogs   mkfs.ext4: a small file system image for the disk-full test
#   mount       mount, umount, losetup: loop-mounting that image
#   redis-tools redis-cli and redis-benchmark: real Redis clients against the RESP server (V-2)
# Idempotent and quiet when everything is present; needs root (or passwordless sudo) and apt.
# The tests run it themselves when a tool is missing, and skip with this script's message when it fails.
set -euo pipefail

declare -A tool_package=(
    [fiu-run]=fiu-utils
    [fiu-ctrl]=fiu-utils
    [mkfs.ext4]=e2fsprogs
    [losetup]=mount
    [mount]=mount
    [umount]=mount
    [redis-cli]=redis-tools
    [redis-benchmark]=redis-tools
)

missing=()
for tool in "${!tool_package[@]}"; do
    if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1; then
        package="${tool_package[$tool]}"
        [[ " ${missing[*]-} " == *" $package "* ]] || missing+=("$package")
    fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "install-test-tools: missing ${missing[*]}; not root and no passwordless sudo:" \
        "run 'apt-get install ${missing[*]}' as root" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-test-tools: missing ${missing[*]} and there is no apt-get: install them with the system's" \
        "package manager" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A fresh machine has no package lists: update once, then install.
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    if ! { "${sudo[@]}" apt-get update -q && \
           "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        echo "install-test-tools: 'apt-get install ${missing[*]}' failed (no network to the package" \
            "registry?):" >&2
        tail -n 5 "$log" >&2
        exit 1
    fi
fi
echo "install-test-tools: installed ${missing[*]}"
