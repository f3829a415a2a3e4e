// Signals during the source unpack, through the real CLI on a copy-on-write
// view of the cache (overlay.ts) whose sources/ is empty, so Debian's tarball
// really is unpacked. Each must end with 130 / 143, nothing left running in
// the run's namespace (no tar or xz), no lock or half-made entry, and a re-run
// that unpacks and configures.

import { readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OverlayCache, type RunOptions, overlayCache, processesIn } from './overlay.ts';

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
