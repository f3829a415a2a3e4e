// Two runs at once on one cache: two real runs share one copy-on-write view
// of the cache and one working directory (overlay.ts, `together`). The first is
// stopped (SIGSTOP) while it holds a lock, so the second is sure to find it
// held — no reliance on timing — and must wait, saying for whom, instead of
// failing (before the shared helper: exit 2, "in use by process N"); then the
// first goes on, and the second reuses what the first made.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weakeningFragment } from '../e2e/mutants.ts';
import { type OverlayCache, type Run, inSharedCache, overlayCache, sha256Of } from './overlay.ts';

let cache: OverlayCache;
const scratch = mkdtempSync(join(tmpdir(), 'capsem-faults-variants-'));
const fragment = join(scratch, 'weakening.config');
writeFileSync(fragment, weakeningFragment('x86_64'));
/** The policy kernel and the doctor mutation suite's weakened one (test/e2e/mutants.ts), each with its own entry and output dir. */
const VARIANTS = {
  policy: ['build', '--arch', 'x86_64', '--json'],
  weakened: ['build', '--arch', 'x86_64', '--unsafe-extra-fragment', fragment, '--unsafe-allow-audit-failures', '--json'],
};
beforeAll(async () => {
  // "All cached" must be true on a fresh machine too: made in the shared cache (through ccache), where
  // build.test and mutants.test reuse them, before any view of it.
  for (const args of [...Object.values(VARIANTS), ['rootfs', '--arch', 'x86_64', '--json']]) await inSharedCache(args);
  cache = overlayCache();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterAll(() => cache?.dispose());

interface Images {
  squashfs: { path: string; sizeBytes: number; sha256: string };
  initramfs: { path: string; sizeBytes: number; sha256: string };
}

interface UpJson {
  healthy: boolean;
  kernel: { release: string; sha256: string };
  rootfs: Images & { cached: boolean };
}

/**
 * Runs `args` twice at once: the first is stopped once `holding` shows on its stderr, the second
 * started then, and the first resumed once the second says it waits for it. Returns both runs.
 */
async function twoAtOnce(args: string[], holding: RegExp): Promise<{ first: number; a: Run; b: Run; waited: boolean }> {
  const ns = await cache.together();
  let first = 0;
  let stopped = false;
  let resumed = false; // by the second run's wait message
  let heldBy!: () => void;
  const held = new Promise<void>((ok) => (heldBy = ok));
  try {
    const a = ns.run(args, {
      onStarted: (pid) => (first = pid),
      onStderr: (text) => {
        if (stopped || !holding.test(text)) return;
        stopped = true;
        process.kill(first, 'SIGSTOP');
        heldBy();
      },
    });
    await Promise.race([held, a]);
    const b = ns.run(args, {
      onStderr: (text) => {
        if (resumed || !new RegExp(`waiting for process ${first} to finish`).test(text)) return;
        resumed = true;
        process.kill(first, 'SIGCONT');
      },
    }).finally(() => {
      if (!resumed) process.kill(first, 'SIGCONT'); // it ended without waiting: let the first finish, the test fails on `waited`
    });
    const [ra, rb] = await Promise.all([a, b]);
    return { first, a: ra, b: rb, waited: resumed };
  } finally {
    if (stopped && !resumed) process.kill(first, 'SIGCONT');
    ns.dispose();
  }
}

/** The wait lines a run printed. */
const waits = (r: Run) => r.stderr.split('\n').filter((l) => l.includes('waiting for process'));

describe('two rootfs runs at once', () => {
  it('the second waits for the first\'s lock on the entry, then reuses its images', async () => {
    // The entry must be made here: its manifest is removed in the view (when the shared cache has it).
    const probe = await cache.run(['rootfs', '--arch', 'x86_64', '--json']);
    expect(probe.code, probe.stderr.slice(-2000)).toBe(0);
    const entry = dirname((JSON.parse(probe.stdout) as Images).squashfs.path);
    cache.shell(`rm -f ${JSON.stringify(join(entry, 'manifest.json'))}`);

    const { first, a, b, waited } = await twoAtOnce(['rootfs', '--arch', 'x86_64', '--json'], /laying out and enforcing the guest tree/);
    expect(waited, `the second run never waited:\n${b.stderr.slice(-2000)}`).toBe(true);
    for (const r of [a, b]) expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(waits(b)).toEqual([`waiting for process ${first} to finish building the rootfs ${basename(entry)} (lock ${entry}.lock)`]);
    expect(waits(a)).toEqual([]);
    expect(a.stderr).toMatch(/: mksquashfs/);
    expect(b.stderr).not.toMatch(/: mksquashfs/); // it reused what the first made
    const [ja, jb] = [a, b].map((r) => JSON.parse(r.stdout) as Images);
    expect(jb!.squashfs).toEqual(ja!.squashfs);
    expect(jb!.initramfs).toEqual(ja!.initramfs);
    expect(sha256Of(cache.read(ja!.squashfs.path))).toBe(ja!.squashfs.sha256);
    expect(cache.upperFiles().filter((f) => /\.lock$|\.tmp-\d+|\.staging-\d+/.test(f))).toEqual([]);
  });
});

/** Both `up`s HEALTHY, having booted the same kernel and images; what is in out/ is that kernel; no lock left. */
function expectSameHealthy(a: Run, b: Run): UpJson {
  for (const r of [a, b]) expect(r.code, r.stderr.slice(-3000)).toBe(0);
  const [ja, jb] = [a, b].map((r) => JSON.parse(r.stdout) as UpJson);
  for (const j of [ja!, jb!]) expect(j.healthy).toBe(true);
  expect(jb!.kernel.release).toBe(ja!.kernel.release);
  expect(jb!.kernel.sha256).toBe(ja!.kernel.sha256);
  expect(jb!.rootfs.squashfs).toEqual(ja!.rootfs.squashfs);
  expect(jb!.rootfs.initramfs).toEqual(ja!.rootfs.initramfs);
  // One image in out/, not a mix of two copies.
  expect(sha256Of(readFileSync(join(cache.cwd, 'out/x86_64/bzImage')))).toBe(ja!.kernel.sha256);
  expect(cache.upperFiles().filter((f) => /\.lock$|\.tmp-\d+|\.staging-\d+/.test(f))).toEqual([]);
  expect(readdirSync(join(cache.cwd, 'out/x86_64')).filter((f) => /\.lock$|\.tmp-\d+$/.test(f))).toEqual([]);
  return ja!;
}

describe('two up runs at once', () => {
  let entry: string | undefined;
  it('all cached: the second waits for the first\'s lock on out/, then both are HEALTHY with identical artifacts', async () => {
    // "[cache] key ..." is said with both the output dir's and the build entry's lock held.
    const { first, a, b, waited } = await twoAtOnce(['up', '--arch', 'x86_64', '--json'], /up: kernel: \[cache\] key /);
    expect(waited, `the second run never waited:\n${b.stderr.slice(-2000)}`).toBe(true);
    const out = join(cache.cwd, 'out/x86_64');
    const said = `up: kernel: [cache] waiting for process ${first} to finish building the kernel into ${out} (lock ${out}/.lock)`;
    // One line, repeated with the elapsed time while the wait lasts (every 30 s, under load).
    expect(waits(b).length).toBeGreaterThan(0);
    for (const line of waits(b)) expect(line.startsWith(`${said} (`), line).toBe(true);
    expect(waits(a)).toEqual([]);
    entry = dirname(expectSameHealthy(a, b).rootfs.squashfs.path);
  });

  it('the rootfs not yet built: the second waits for the first to build it, then both are HEALTHY with its images', async () => {
    expect(entry, 'the first case found the rootfs entry').toBeDefined();
    cache.shell(`rm -f ${JSON.stringify(join(entry!, 'manifest.json'))}`); // the entry must be made here
    const { first, a, b, waited } = await twoAtOnce(['up', '--arch', 'x86_64', '--json'], /laying out and enforcing the guest tree/);
    expect(waited, `the second run never waited:\n${b.stderr.slice(-2000)}`).toBe(true);
    expect(waits(b)).toEqual([`up: waiting for process ${first} to finish building the rootfs ${basename(entry!)} (lock ${entry}.lock)`]);
    expect(waits(a)).toEqual([]);
    const j = expectSameHealthy(a, b);
    expect(a.stderr).toMatch(/: mksquashfs/);
    expect(b.stderr).not.toMatch(/: mksquashfs/); // it booted the images the first made
    expect(j.rootfs.cached).toBe(false);
    expect((JSON.parse(b.stdout) as UpJson).rootfs.cached).toBe(true);
  });
});

interface BuildJson {
  cacheDir: string;
  cached: boolean;
  image: { path: string; sha256: string };
  unsafe: boolean;
}

describe('two builds of different variants side by side', () => {
  const variants = VARIANTS;

  it('neither waits for the other: the second builds to the end while the first is stopped mid-compile; both images are their recorded builds', async () => {
    const built: Record<string, BuildJson> = {};
    for (const [name, args] of Object.entries(variants)) {
      const r = await cache.run(args);
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      built[name] = JSON.parse(r.stdout) as BuildJson;
    }
    expect(built.weakened!.cacheDir).not.toBe(built.policy!.cacheDir);
    expect(built.weakened!.image.sha256).not.toBe(built.policy!.image.sha256);
    // Both entries unfinished in the view: each run configures and makes in its kept build tree.
    cache.shell(`rm -f ${Object.values(built).map((b) => JSON.stringify(join(b.cacheDir, 'manifest.json'))).join(' ')}`);

    const ns = await cache.together();
    let first = 0;
    let stopped = false;
    let once = false;
    let heldBy!: () => void;
    const held = new Promise<void>((ok) => (heldBy = ok));
    try {
      const a = ns.run(variants.policy, {
        onStarted: (pid) => (first = pid),
        onStderr: (text) => {
          if (once || !/\[compile\]/.test(text)) return;
          once = stopped = true;
          process.kill(first, 'SIGSTOP'); // holding its entry's lock and out/x86_64's
          heldBy();
        },
      });
      await Promise.race([held, a]);
      expect(stopped, 'the first build reached its compile').toBe(true);
      let second = 0;
      const b = await ns.run(variants.weakened, {
        onStarted: (pid) => (second = pid),
        // (A wait here would be for ever: let the first go on, and the test fail on the wait line.)
        onStderr: (text) => void (text.includes(`waiting for process ${first} `) && stopped && process.kill(first, 'SIGCONT')),
      }); // to the end, the first still stopped
      process.kill(first, 'SIGCONT');
      stopped = false;
      const ra = await a;
      // Neither waited for the other. (A run may wait for a third process: another test file
      // holding a lock of the shared cache, the lower layer of this view, while it reads an entry.)
      for (const [r, other] of [[ra, second], [b, first]] as const) {
        expect(r.code, r.stderr.slice(-3000)).toBe(0);
        expect(waits(r).filter((l) => l.includes(`waiting for process ${other} `))).toEqual([]);
      }
      const [ja, jb] = [ra, b].map((r) => JSON.parse(r.stdout) as BuildJson);
      expect(ja!.cached).toBe(false);
      expect(jb!.cached).toBe(false);
      expect(ja!.image.sha256).toBe(built.policy!.image.sha256);
      expect(jb!.image.sha256).toBe(built.weakened!.image.sha256);
      expect(sha256Of(readFileSync(join(cache.cwd, 'out/x86_64/bzImage')))).toBe(ja!.image.sha256);
      expect(sha256Of(readFileSync(join(cache.cwd, 'out/x86_64-unsafe/bzImage')))).toBe(jb!.image.sha256);
      expect(cache.upperFiles().filter((f) => /\.lock$|\.tmp-\d+|\.staging-\d+/.test(f))).toEqual([]);
    } finally {
      if (stopped) process.kill(first, 'SIGCONT');
      ns.dispose();
    }
  });
});
