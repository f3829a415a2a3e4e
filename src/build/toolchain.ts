import type { Arch, Toolchain } from '../policy/index.ts';
import { EnvironmentError } from '../util/errors.ts';
import { ensurePackages, hasTool, tryCapture } from './host.ts';

// Which compiler, linker and make variables a build uses. gcc: Debian's gcc 12,
// cross for arm64. clang: Debian's LLVM 19 through the kernel's own LLVM=-19
// switch (clang, ld.lld, llvm-ar, ... all suffixed -19).

export const LLVM_SUFFIX = '-19';

export interface ToolchainInfo {
  name: Toolchain;
  /** e.g. 12.2.0 or 19.1.7 */
  version: string;
  /** First lines of `cc --version` and `ld --version`: part of the cache key (a compiler update rebuilds). */
  banner: string;
  /** Variables for every make call (configure too: Kconfig probes the compiler). */
  makeVars: string[];
  ccache: boolean;
}

interface Recipe {
  cc: string;
  ld: string;
  packages: string[];
  vars: string[];
}

function recipe(arch: Arch, toolchain: Toolchain): Recipe {
  const archVar = `ARCH=${arch}`;
  if (toolchain === 'clang') {
    return {
      cc: `clang${LLVM_SUFFIX}`,
      ld: `ld.lld${LLVM_SUFFIX}`,
      packages: [`clang${LLVM_SUFFIX}`, `lld${LLVM_SUFFIX}`, `llvm${LLVM_SUFFIX}`],
      vars: [archVar, `LLVM=${LLVM_SUFFIX}`],
    };
  }
  if (arch === 'arm64') {
    return {
      cc: 'aarch64-linux-gnu-gcc',
      ld: 'aarch64-linux-gnu-ld',
      packages: ['gcc-aarch64-linux-gnu'],
      vars: [archVar, 'CROSS_COMPILE=aarch64-linux-gnu-'],
    };
  }
  return { cc: 'gcc', ld: 'ld', packages: ['gcc', 'binutils'], vars: [archVar] };
}

export async function resolveToolchain(
  arch: Arch,
  toolchain: Toolchain,
  opts: { useCcache: boolean; say: (m: string) => void; signal?: AbortSignal },
): Promise<ToolchainInfo> {
  const r = recipe(arch, toolchain);
  if (!(await hasTool(r.cc)) || !(await hasTool(r.ld))) {
    await ensurePackages(r.packages, `the ${toolchain} ${arch} kernel build`, opts.say, opts.signal);
  }
  const ccBanner = (await tryCapture(r.cc, ['--version']))?.split('\n')[0];
  const ldBanner = (await tryCapture(r.ld, ['--version']))?.split('\n')[0];
  if (!ccBanner || !ldBanner) throw new EnvironmentError(`${r.cc} or ${r.ld} does not run`);
  const version = /(\d+\.\d+\.\d+)/.exec(ccBanner)?.[1] ?? ccBanner;
  const ccache = opts.useCcache && (await hasTool('ccache'));
  // CC overrides what CROSS_COMPILE / LLVM= would pick; HOSTCC stays the native default.
  const makeVars = [...r.vars, ...(ccache ? [`CC=ccache ${r.cc}`] : [])];
  return { name: toolchain, version, banner: `${ccBanner}; ${ldBanner}`, makeVars, ccache };
}
