#!/bin/sh
# Builds the doctor's static syscall probe for one guest arch.
#   src/doctor/probe/build.sh x86_64|arm64 OUT
# The rootfs builder installs OUT as /usr/local/bin/capsem-probe, mode 0555.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 x86_64|arm64 OUT" >&2; exit 2; }
. "$(dirname "$0")/guest-cc.sh"
exec "$cc" -static -Os -s -Wall -Wextra -Werror -o "$2" "$(dirname "$0")/capsem-probe.c"
