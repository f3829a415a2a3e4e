// Property-based fuzzing of every parser that reads untrusted bytes (.config
// files and fragments, boot command lines, the guest's result frames, Kconfig
// files), with a fixed seed so a failure reproduces. bench/fuzz.ts runs the
// same properties longer with a fresh seed.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import { allProperties } from './properties.ts';
import { SEED } from './inputs.ts';

const RUNS = { dotconfig: 300, cmdline: 500, frame: 400, kconfig: 150 } as const;

for (const [group, make] of Object.entries(allProperties(() => {}))) {
  describe(`fuzz ${group}`, () => {
    for (const { name, property, maxRuns } of make()) {
      it(name, () => {
        fc.assert(property as fc.IProperty<unknown[]>, { seed: SEED, numRuns: Math.min(RUNS[group as keyof typeof RUNS], maxRuns ?? Infinity) });
      }, 120_000);
    }
  });
}
