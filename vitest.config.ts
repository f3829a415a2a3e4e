import { defineConfig } from 'vitest/config';

// Two projects: `unit` is the fast inner loop (no kernel build, no VM);
// `e2e` builds real kernels and boots real VMs, cached under ~/.cache/capsem-kernel.
export default defineConfig({
  test: {
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
          // Kernel builds and VMs already use every core: run e2e files one at a time.
          // Within a file, tests marked concurrent (independent TCG boots: one vCPU thread each) run two at a time.
          maxConcurrency: 2,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
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
