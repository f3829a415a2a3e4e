# Sourced by probe/build.sh and qjs/build.sh: the C compiler for guest arch $1 (GUEST_CC in src/guest/assets.ts).
case "$1" in
  x86_64) cc=gcc ;;
  arm64) cc=aarch64-linux-gnu-gcc ;;
  *) echo "$0: unknown arch '$1' (x86_64 or arm64)" >&2; exit 2 ;;
esac
