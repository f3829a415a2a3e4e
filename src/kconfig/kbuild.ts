import type { Arch, Toolchain } from '../policy/index.ts';

// The one place that turns an arch and a toolchain into kbuild's terms: make
// variables (ARCH, CROSS_COMPILE, LLVM), the compiler and linker make calls
// (their --version is part of the build cache key), the Debian packages that
// hold them, and the image make builds. The build, `explain`, the Kconfig
// engine's environment (./toolchain.ts) and the tests all ask here.
// gcc: Debian's gcc 12, cross for arm64 on another host. clang: Debian's
// LLVM 19 through the kernel's own LLVM=-19 switch (clang, ld.lld, llvm-ar,
// ... all suffixed -19), which cross-compiles without CROSS_COMPILE.

export const LLVM_SUFFIX = '-19';

export type ImageFormat = 'bzImage' | 'Image';

export interface KbuildTarget {
  arch: Arch;
  toolchain: Toolchain;
  /** make's ARCH= and the directory under arch/ (x86_64 lives in arch/x86). */
  ARCH: string;
  SRCARCH: string;
  /** gcc's cross prefix ('' when native, and always for clang). */
  crossCompile: string;
  /** The compiler and linker make runs. */
  cc: string;
  ld: string;
  /** The Debian packages that provide cc and ld. */
  packages: string[];
  /** Variables for every make call (configure too: Kconfig probes the compiler). */
  makeVars: string[];
  /** The make target and where it writes the image, relative to the O= tree. */
  image: { format: ImageFormat; path: string };
}

const IMAGE: Record<Arch, ImageFormat> = { x86_64: 'bzImage', arm64: 'Image' };

/** The boot image `make` builds for `arch` (the same for every toolchain). */
export function imageFormat(arch: Arch): ImageFormat {
  return IMAGE[arch];
}

export function kbuildTarget(arch: Arch, toolchain: Toolchain, hostArch: string = process.arch): KbuildTarget {
  const ARCH = arch;
  const SRCARCH = arch === 'x86_64' ? 'x86' : 'arm64';
  const native = hostArch === (arch === 'x86_64' ? 'x64' : 'arm64');
  const image = { format: IMAGE[arch], path: `arch/${SRCARCH}/boot/${IMAGE[arch]}` };
  const base = { arch, toolchain, ARCH, SRCARCH, image };
  if (toolchain === 'clang') {
    return {
      ...base,
      crossCompile: '',
      cc: `clang${LLVM_SUFFIX}`,
      ld: `ld.lld${LLVM_SUFFIX}`,
      packages: [`clang${LLVM_SUFFIX}`, `lld${LLVM_SUFFIX}`, `llvm${LLVM_SUFFIX}`],
      makeVars: [`ARCH=${ARCH}`, `LLVM=${LLVM_SUFFIX}`],
    };
  }
  const crossCompile = native ? '' : arch === 'arm64' ? 'aarch64-linux-gnu-' : 'x86_64-linux-gnu-';
  return {
    ...base,
    crossCompile,
    cc: `${crossCompile}gcc`,
    ld: `${crossCompile}ld`,
    packages: crossCompile ? [`gcc-${crossCompile.slice(0, -1).replace(/_/g, '-')}`] : ['gcc', 'binutils'],
    makeVars: [`ARCH=${ARCH}`, ...(crossCompile ? [`CROSS_COMPILE=${crossCompile}`] : [])],
  };
}
