import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that build kernels, first, in this order, so that on a cold machine
 * (no cache, and a fresh clone has no vitest timing cache either, so vitest falls back
 * to file size) the compile-heavy file and the boot-heavy one overlap on the two cores:
 * in session 8's cold run, sorted by size, `prove` (two kernels, then 34 one-vCPU boots
 * in one test) started last and ran its 14.5 min nearly alone.
 */
export const HEAVY_FIRST = [
  'test/faults/concurrent.test.ts', // the x86_64 policy kernel and the mutation suite's weakened one
  'test/e2e/prove.test.ts', // the proving and weakened kernels, then sequential boots
  'test/e2e/own-image.test.ts', // mmdebstrap images of both arches, the arm64 kernel
  'test/e2e/kconfig-differential.test.ts',
];

export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = HEAVY_FIRST.indexOf(relative(this.ctx.config.root, f.moduleId));
      return i === -1 ? HEAVY_FIRST.length : i;
    };
    const rest = await super.sort(files);
    // A stable sort: everything else keeps vitest's own order (slowest or largest first).
    return rest.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}
