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
          exclude: ['test/e2e/**'],
          testTimeout: 30_000,
          globalSetup: ['test/setup/kernel-trees.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60 * 60_000,
          hookTimeout: 60 * 60_000,
          globalSetup: ['test/setup/kernel-trees.ts'],
          // Kernel builds and VMs already use every core: run e2e files one at a time.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
