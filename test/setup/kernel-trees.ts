// Global set-up for both test projects: unpack the Debian kernel trees the
// policy is verified against (the same cache entries `build` uses), so that
// no test that reads a Kconfig tree skips on a fresh machine. A tree that
// cannot be prepared fails the run here, with the reason.

import { resolveSource } from '../../src/build/source.ts';
import { KERNELS } from '../../src/policy/index.ts';
import { cacheRoot } from '../../src/util/paths.ts';

export default async function prepareKernelTrees(): Promise<void> {
  for (const kernel of KERNELS) {
    await resolveSource({
      kernel,
      cwd: process.cwd(),
      cacheRoot: cacheRoot(),
      say: (m) => process.stderr.write(`test set-up: Linux ${kernel}: ${m}\n`),
    });
  }
}
