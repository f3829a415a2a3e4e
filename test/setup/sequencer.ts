import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The long files first, longest first, so that on a cold machine (no cache; a fresh
 * clone has no vitest timing cache either, so vitest falls back to file size) no long
 * file is left to run alone at the end. Session 8's cold runs: sorted by size, `prove`
 * (two kernels, then 34 one-vCPU boots in one test) started last and ran its 14.5 min
 * nearly alone; started second, beside `concurrent`'s compiles, it took 38 min and
 * pushed `own-image` (32 min) to the end instead. So: the two longest side by side,
 * then `prove` after `own-image`.
 */
export const HEAVY_FIRST = [
  'test/faults/concurrent.test.ts', // the x86_64 policy kernel and the mutation suite's weakened one (~40-46 min)
  'test/e2e/own-image.test.ts', // mmdebstrap images of both arches, the arm64 kernel (~32 min)
  'test/e2e/prove.test.ts', // the proving and weakened kernels, then sequential boots (~15 min alone)
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
