import { cachedKernelTree } from '../../src/kconfig/kernel-trees.ts';
import { cacheRoot } from '../../src/util/paths.ts';

/** The unpacked Debian linux-source tree for a series (6.1, 6.12) under the build cache, if present. */
export function kernelSource(series: string): string | undefined {
  return cachedKernelTree(series, cacheRoot());
}
