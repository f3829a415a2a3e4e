import { defineConfig } from 'vitest/config';
import HeavyFirstSequencer from './test/setup/sequencer.ts';

// Two projects: `unit` is the fast inner loop (no kernel build, no VM);
// `e2e` builds real kernels and boots real VMs, cached under ~/.cache/capsem-kernel.
export default defineConfig({
  test: {
    // One pool of two forks for every file of `npm test`, unit and e2e mixed: vitest's default
    // (cores - 1) is one fork on this 2-core machine, and a singleFork project runs only after all
    // the others, so the unit files and the e2e files used to take turns on one core.
    maxWorkers: 2,
    minWorkers: 1,
    // The kernel-building files first, whatever vitest's timing cache says (test/setup/sequencer.ts).
    sequence: { sequencer: HeavyFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          // test/faults runs the real CLI against real cached builds and VMs: e2e-sized.
          exclude: ['test/e2e/**', 'test/faults/**', 'test/matrix/**'],
          testTimeout: 30_000,
          globalSetup: ['test/setup/kernel-trees.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/faults/**/*.test.ts'],
          testTimeout: 60 * 60_000,
          hookTimeout: 60 * 60_000,
          globalSetup: ['test/setup/kernel-trees.ts'],
          // Two files at a time (the root's maxWorkers), and within a file two tests marked
          // concurrent: most of an e2e file's time is one-thread work (a TCG boot is one vCPU
          // thread, host tools one process each). Two files that need the same kernel or image
          // do not both build it: the second waits on its cache entry's lock.
          maxConcurrency: 2,
          pool: 'forks',
        },
      },
      {
        // `npm run test:matrix`: every verified kernel x arch compiled and booted (not part of `npm test`).
        test: {
          name: 'matrix',
          include: ['test/matrix/**/*.test.ts'],
          testTimeout: 60 * 60_000,
          hookTimeout: 60 * 60_000,
          globalSetup: ['test/setup/kernel-trees.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
