# Sourced by probe/build.sh and qjs/build.sh: the C compiler for guest arch $1 (GUEST_CC in src/guest/assets.ts).
case "$1" in
  x86_64) cc=gcc; musl_triplet=x86_64-linux-musl; uapi="/usr/include/linux /usr/include/asm-generic /usr/include/x86_64-linux-gnu/asm" ;;
  arm64) cc=aarch64-linux-gnu-gcc; musl_triplet=aarch64-linux-musl; uapi="/usr/aarch64-linux-gnu/include/linux /usr/aarch64-linux-gnu/include/asm-generic /usr/aarch64-linux-gnu/include/asm" ;;
  *) echo "$0: unknown arch '$1' (x86_64 or arm64)" >&2; exit 2 ;;
esac

# use_musl MUSL_DEV DIR: sets $musl, the flags that make $cc compile and link statically against
# Debian's musl-dev (extracted at MUSL_DEV) instead of its own glibc: the package's musl-gcc.specs
# pointed at MUSL_DEV (it names /usr), and the kernel's UAPI headers (linux/, asm/, asm-generic/,
# which musl does not ship) from the compiler's glibc side, those three folders only, after musl's.
use_musl() {
  case "$1" in *[!A-Za-z0-9/._+-]*) echo "$0: musl-dev path '$1' has characters a gcc specs file cannot take" >&2; exit 2 ;; esac
  specs="$1/usr/lib/$musl_triplet/musl-gcc.specs"
  [ -f "$specs" ] && [ -f "$1/usr/lib/$musl_triplet/libc.a" ] || { echo "$0: $1 is not musl-dev for $musl_triplet (no $specs or libc.a)" >&2; exit 2; }
  sed "s|/usr/|$1/usr/|g" "$specs" > "$2/musl.specs"
  mkdir "$2/uapi"
  for d in $uapi; do
    [ -d "$d" ] || { echo "$0: $d missing: the kernel's UAPI headers for $cc (linux-libc-dev; libc6-dev-arm64-cross for arm64)" >&2; exit 2; }
    ln -s "$d" "$2/uapi/"
  done
  # musl applies PT_GNU_RELRO in its dynamic loader only, never in a static binary (glibc's static start
  # does): the binaries apply it themselves (relro.h). Pages of 4 KiB, as the guest kernel's: with
  # arm64's default 64 KiB alignment the segment padded each file by up to 64 KiB.
  musl="-specs $2/musl.specs -idirafter $2/uapi -Wl,-z,relro -Wl,-z,max-page-size=4096"
}
