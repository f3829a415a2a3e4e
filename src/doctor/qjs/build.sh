#!/bin/sh
# Builds capsem-doctor-rt (QuickJS-NG + the doctor's natives, static, against musl) for one guest arch.
#   src/doctor/qjs/build.sh x86_64|arm64 QUICKJS_SRC_DIR MUSL_DEV_DIR OUT [compiler]
# QUICKJS_SRC_DIR is Debian's qjs-src (/usr/src/quickjs-ng), MUSL_DEV_DIR Debian's musl-dev for
# that arch, extracted. -O2: the interpreter's speed is the doctor's.
# The image's runtime runs bytecode only: no parser, and the linker drops what nothing calls.
# `compiler` builds the host's variant instead, which also has --compile IN.js OUT.
set -eu
[ $# -eq 4 ] || { [ $# -eq 5 ] && [ "$5" = compiler ]; } || { echo "usage: $0 x86_64|arm64 QUICKJS_SRC_DIR MUSL_DEV_DIR OUT [compiler]" >&2; exit 2; }
if [ $# -eq 5 ]; then variant=-DCAPSEM_DOCTOR_COMPILER; gc=; else variant=; gc=-Wl,--gc-sections; fi
. "$(dirname "$0")/../probe/guest-cc.sh"
src=$2
here=$(dirname "$0")
obj=$(mktemp -d)
trap 'rm -rf "$obj"' EXIT
use_musl "$3" "$obj"
# Debian's sources as they are: their own warnings are not ours to fix (-w); ours are errors.
# Their assertions name their files by the package's path, not this build's scratch: the same bytes from any build.
pids=
for f in quickjs libregexp libunicode dtoa; do
  "$cc" $musl -O2 -ffunction-sections -fdata-sections -std=gnu11 -D_GNU_SOURCE -w -ffile-prefix-map="$src"=/usr/src/quickjs-ng -c "$src/$f.c" -o "$obj/$f.o" &
  pids="$pids $!"
done
"$cc" $musl -O2 -ffunction-sections -fdata-sections -std=gnu11 -Wall -Wextra -Werror $variant -I"$src" -c "$here/capsem-doctor-rt.c" -o "$obj/rt.o"
for p in $pids; do wait "$p"; done
"$cc" $musl -static -s $gc -o "$4" "$obj/rt.o" "$obj/quickjs.o" "$obj/libregexp.o" "$obj/libunicode.o" "$obj/dtoa.o" -lm
