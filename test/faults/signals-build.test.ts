// Signals during the kernel build's two long stages, through the real CLI on a
// copy-on-write view of the cache (overlay.ts): the source unpack (the view's
// sources/ is empty, so Debian's tarball really is unpacked) and the compile
// (of the cached default build: one source file touched in the view and
// ccache off for that run, so make runs the compiler; the signal goes when a
// cc1 is seen running, not after a delay). Each must end with 130 / 143,
// make stopped rather than waited for (the object it was making is not
// rebuilt), nothing left running in the run's namespace (no tar, xz, make or cc1), no
// lock or half-made entry, nothing published that looks finished, and a
// re-run that succeeds reusing what was valid (the unpacked tree, the build
// tree's objects, ccache) and redoing the rest.

import { readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OverlayCache, type RunOptions, inSharedCache, overlayCache, processesIn } from './overlay.ts';

const SIGNALS = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const;

const HOST_NS = readlinkSync('/proc/self/ns/mnt');

/** No lock, no entry still under its temp name. */
const scratch = (files: string[]) => files.filter((f) => /\.lock$|\.tmp(-\d+)?(\/|$)|\.staging-\d+|\.new-\d+$/.test(f));

/** Sends `sig` to the run once `ready` says the stage is under way; records the run's namespace. */
function signalWhen(sig: NodeJS.Signals, ready: (pid: number, stderr: string) => boolean) {
  const state: { ns?: string; sent: boolean } = { sent: false };
  let pid = 0;
  let stderr = '';
  let poll: NodeJS.Timeout | undefined;
  const check = () => {
    if (!state.ns && pid) {
      // Once unshare has made the run's namespace (until then the pid is still in ours).
      const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (ns !== HOST_NS) state.ns = ns;
    }
    if (state.sent || !state.ns || !ready(pid, stderr)) return;
    state.sent = true;
    clearInterval(poll);
    process.kill(pid, sig);
  };
  const opts: RunOptions = {
    onStarted: (p) => {
      pid = p;
      poll = setInterval(check, 100); // a process can be the sign, not only a line
    },
    onStderr: (text) => {
      stderr += text;
      check();
    },
  };
  return { opts, state, done: () => clearInterval(poll) };
}

describe('a signal during the source unpack', () => {
  let cache: OverlayCache;
  beforeAll(() => {
    cache = overlayCache({ fresh: ['sources'] });
  });
  afterAll(() => cache?.dispose());

  it.each(SIGNALS)('%s: exit %i, no tar left, no entry, lock released; the re-run unpacks and configures', async (sig, code) => {
    const sources = cache.freshDir('sources');
    for (const f of readdirSync(sources)) await rm(join(sources, f), { recursive: true, force: true }); // each case unpacks
    // 6.1: its configure-only entry is small and no other run is likely to hold its lock.
    const args = ['build', '--arch', 'x86_64', '--kernel', '6.1', '--configure-only'];
    const s = signalWhen(sig, (_, err) => /unpacking \/usr\/src\/linux-source-/.test(err));
    const r = await cache.run(args, s.opts);
    s.done();
    expect(s.state.sent, `the unpack never started:\n${r.stderr.slice(-2000)}`).toBe(true);
    expect(r.code, r.stderr.slice(-2000)).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`${sig}: stopping and cleaning up`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(processesIn(s.state.ns!)).toEqual([]);
    expect(scratch(cache.upperFiles())).toEqual([]);
    expect(readdirSync(sources).filter((f) => f !== 'hashes.json')).toEqual([]);

    const again = await cache.run(args);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).toMatch(/unpacking \/usr\/src\/linux-source-/);
    expect(readdirSync(sources).filter((f) => f !== 'hashes.json')).toHaveLength(1);
  });
});

describe('a signal during the compile', () => {
  let cache: OverlayCache;
  let built: { cacheDir: string; image: { sha256: string }; source: { sha256: string } };
  let touched: string;
  beforeAll(async () => {
    // The cached default build (compiled in the shared cache once if it lacks it) and its source tree.
    await inSharedCache(['build', '--arch', 'x86_64', '--json']);
    cache = overlayCache();
    const r = await cache.run(['build', '--arch', 'x86_64', '--json']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    built = JSON.parse(r.stdout) as typeof built;
    const unpacked = join(cache.root, 'sources', built.source.sha256);
    // One file that takes the compiler a while (the unpack checked there is one top dir).
    touched = join(unpacked, readdirSync(unpacked)[0]!, 'kernel/sched/core.c');
  });
  afterAll(() => cache?.dispose());

  it.each(SIGNALS)('%s: exit %i, no make or cc1 left, nothing published, lock released; the re-run reuses tree, objects and ccache', async (sig, code) => {
    cache.shell(`touch ${JSON.stringify(touched)}`); // in the view: make must compile it again
    const s = signalWhen(sig, (_, err) => /\[compile\]/.test(err) && processesIn(s.state.ns!).some((p) => p.endsWith('/cc1')));
    const r = await cache.run(['build', '--arch', 'x86_64', '--force'], { ...s.opts, env: { CCACHE_DISABLE: '1' } });
    s.done();
    expect(s.state.sent, `no compiler ever ran:\n${r.stderr.slice(-2000)}`).toBe(true);
    expect(r.code, r.stderr.slice(-2000)).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`${sig}: stopping and cleaning up`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(processesIn(s.state.ns!)).toEqual([]);
    expect(scratch(cache.upperFiles())).toEqual([]);
    // Nothing that looks finished: neither the entry's manifest nor the output dir's.
    const manifest = join(built.cacheDir, 'manifest.json');
    expect(cache.shell(`test -e ${JSON.stringify(manifest)} && echo present || echo absent`).trim()).toBe('absent');
    expect(readdirSync(join(cache.cwd, 'out/x86_64'))).not.toContain('manifest.json');
    // make was stopped, not waited for: the object of the file it was compiling is still the old one.
    const object = join(built.cacheDir, 'obj/kernel/sched/core.o');
    expect(cache.shell(`test ${JSON.stringify(object)} -nt ${JSON.stringify(touched)} && echo rebuilt || echo stale`).trim()).toBe('stale');

    // No --force: the entry is unfinished, so the re-run builds it, in the kept build tree.
    const again = await cache.run(['build', '--arch', 'x86_64', '--json']);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).not.toMatch(/unpacking/);
    const rebuilt = JSON.parse(again.stdout) as typeof built & { cached: boolean; incremental: boolean; objectsCompiled: number; ccache?: { hits: number } };
    expect(rebuilt.cached).toBe(false);
    expect(rebuilt.incremental).toBe(true);
    expect(rebuilt.ccache?.hits, again.stderr.slice(-1500)).toBeGreaterThan(0); // the touched file came from ccache
    expect(rebuilt.image.sha256).toBe(built.image.sha256);
  });
});
