// Signals at the long stages, through the real CLI on a copy-on-write view of
// the cache (overlay.ts): SIGINT and, separately, SIGTERM while configure,
// mksquashfs or the boot runs. Each must end with 130 / 143, no process left
// in the run's mount namespace (make, cc1, mksquashfs, qemu-system-*: the
// namespace holds exactly the run's process tree), no lock left, nothing
// finished-looking published, and a re-run that succeeds. And QEMU killed
// with SIGKILL mid-boot: unhealthy, with the reason and the console tail.

import { readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OverlayCache, overlayCache, processesIn } from './overlay.ts';

let cache: OverlayCache;
/** The current rootfs entry's directory name (the cache also holds entries of earlier doctor builds). */
let rootfsEntry: string;
beforeAll(async () => {
  cache = overlayCache();
  // The stages below start from a built kernel and rootfs (cached, or built here once).
  const r = await cache.run(['rootfs', '--arch', 'x86_64', '--json']);
  expect(r.code, r.stderr).toBe(0);
  rootfsEntry = basename(dirname((JSON.parse(r.stdout) as { squashfs: { path: string } }).squashfs.path));
});
afterAll(() => cache?.dispose());

interface Stage {
  name: string;
  args: string[];
  /** A stderr line that says the stage is running. */
  running: RegExp;
  /** Make the stage happen (not a cache hit). */
  arrange?: () => void;
}

const STAGES: Stage[] = [
  { name: 'configure', args: ['build', '--arch', 'x86_64', '--configure-only'], running: /\[configure\]/ },
  {
    name: 'mksquashfs',
    args: ['rootfs', '--arch', 'x86_64'],
    running: /: mksquashfs/,
    arrange: () => cache.flipByte(join(cache.root, 'rootfs', rootfsEntry, 'rootfs.squashfs')),
  },
  { name: 'boot', args: ['up', '--arch', 'x86_64'], running: /up: booting x86_64/ },
];

describe.each(STAGES)('a signal during $name', (stage) => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i, nothing left running, no lock, and a re-run succeeds', async (sig, code) => {
    stage.arrange?.();
    let ns: string | undefined;
    let pid: number | undefined;
    const r = await cache.run(stage.args, {
      onStarted: (p) => (pid = p),
      onStderr: (text) => {
        if (ns || !stage.running.test(text)) return;
        ns = readlinkSync(`/proc/${pid!}/ns/mnt`);
        process.kill(pid!, sig);
      },
    });
    expect(ns, `the stage never started:\n${r.stderr.slice(-2000)}`).toBeDefined();
    expect(r.code, r.stderr.slice(-2000)).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`${sig}: stopping and cleaning up`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(processesIn(ns!)).toEqual([]);
    // No lock left, and no half-made entry (an unpack, build or image still in its temp name).
    expect(cache.upperFiles().filter((f) => /\.lock$|\.tmp(-\d+)?(\/|$)|\.staging-\d+/.test(f))).toEqual([]);
    const again = await cache.run(stage.args);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).not.toMatch(/unpacking/); // the unpacked tree was kept
  });
});

describe('QEMU killed mid-boot', () => {
  it('SIGKILL to qemu-system-x86_64: unhealthy (exit 1) with the reason and the console tail', async () => {
    let pid: number | undefined;
    let killed: string | undefined;
    let tail = '';
    // Killed as soon as the guest kernel hands over to init (its console says so: --console streams it),
    // which is seconds before the doctor can send: a kill after a fixed delay raced a fast boot.
    const r = await cache.run(['up', '--arch', 'x86_64', '--console'], {
      onStarted: (p) => (pid = p),
      onStderr: (text) => {
        tail = (tail + text).slice(-4096); // a line may arrive in two chunks
        if (killed || !/Run \/init as init process/.test(tail)) return;
        const qemu = processesIn(readlinkSync(`/proc/${pid!}/ns/mnt`)).find((p) => p.endsWith('/qemu-system-x86_64'));
        if (!qemu) return;
        killed = qemu;
        process.kill(Number(qemu.split(' ')[0]), 'SIGKILL');
      },
    });
    expect(killed, r.stderr.slice(-2000)).toBeDefined();
    expect(r.code, r.stderr.slice(-3000)).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/UNHEALTHY/);
    expect(r.stdout + r.stderr).toMatch(/QEMU was killed \(SIGKILL\) before the verdict/);
    expect(r.stdout + r.stderr).toMatch(/console \(last lines[^\n]*\n\s+\| \S/);
  });
});
