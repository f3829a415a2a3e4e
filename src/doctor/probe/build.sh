#!/bin/sh
# Builds the doctor's static syscall probe for one guest arch, against musl.
#   src/doctor/probe/build.sh x86_64|arm64 MUSL_DEV_DIR OUT
# MUSL_DEV_DIR is Debian's musl-dev for that arch, extracted (dpkg-deb -x).
# The rootfs builder installs OUT as /usr/local/bin/capsem-probe, mode 0555.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 x86_64|arm64 MUSL_DEV_DIR OUT" >&2; exit 2; }
. "$(dirname "$0")/guest-cc.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
use_musl "$2" "$work"
"$cc" $musl -static -Os -s -Wall -Wextra -Werror -o "$3" "$(dirname "$0")/capsem-probe.c"
