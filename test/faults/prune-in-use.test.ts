// `cache prune` while a build runs: the build holds its build entry's lock and
// reads its source tree (no lock: any number of builds read one tree), so
// `prune --keep 0` must skip both, saying by whom, and the build must finish.
// The build is stopped (SIGSTOP) mid-configure, so the prune surely runs while
// it is in use, not by timing luck.
//
// The cache is a temp dir whose sources/<sha256>/ is the shared cache's
// unpacked 6.12 tree bind-mounted read-only (a prune that tried to remove it
// fails on the read-only mount instead of deleting the shared tree).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSource } from '../../src/build/source.ts';
import { cacheRoot } from '../../src/util/paths.ts';
import { BIN, type Run } from './overlay.ts';

const base = mkdtempSync(join(tmpdir(), 'capsem-faults-prune-'));
const cache = join(base, 'cache');
let sourceEntry: string;
let mounted: string | undefined;
beforeAll(async () => {
  // Debian's 6.12 tree in the shared cache (installed and unpacked there first on a fresh machine).
  const source = await resolveSource({ kernel: '6.12', cwd: process.cwd(), cacheRoot: cacheRoot(), say: () => {} });
  sourceEntry = join(cache, 'sources', source.sha256);
  const tree = join(sourceEntry, basename(source.tree));
  mkdirSync(tree, { recursive: true });
  execFileSync('mount', ['--bind', source.tree, tree]);
  mounted = tree;
  execFileSync('mount', ['-o', 'remount,bind,ro', tree]);
  expect(() => writeFileSync(join(tree, '.capsem-write-probe'), ''), 'the bind mount must be read-only').toThrow(/EROFS/);
});
afterAll(() => {
  // Wherever the mount is now (a prune that renamed the entry aside moved it along).
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const at = line.split(' ')[1];
    if (at?.startsWith(`${base}/`)) execFileSync('umount', ['-l', at]);
  }
  rmSync(base, { recursive: true, force: true });
});

const env = { ...process.env, CAPSEM_CACHE_DIR: cache };

function start(args: string[], onStderr: (text: string) => void): { pid: number; done: Promise<Run> } {
  const child = spawn('node', [BIN, ...args], { cwd: base, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr(d.toString());
  });
  return { pid: child.pid!, done: new Promise((ok) => child.on('close', (code, signal) => ok({ code, signal, stdout, stderr }))) };
}

describe('cache prune --keep 0 during a build', () => {
  it('skips the build entry and the source tree the build uses, naming its pid; the build finishes', async () => {
    let stopped!: () => void;
    const isStopped = new Promise<void>((ok) => (stopped = ok));
    let pid = 0;
    let seen = false;
    const build = start(['build', '--arch', 'x86_64', '--configure-only', '--json'], (text) => {
      if (seen || !/\[configure\]/.test(text)) return;
      seen = true;
      process.kill(pid, 'SIGSTOP');
      stopped();
    });
    pid = build.pid;
    let prune: ReturnType<typeof spawnSync> | undefined;
    try {
      const ended = await Promise.race([isStopped.then(() => undefined), build.done]);
      expect(ended?.stderr.slice(-2000) ?? 'stopped mid-configure').toBe('stopped mid-configure');
      const builds = readdirSync(join(cache, 'builds')).filter((f) => /^[0-9a-f]{64}$/.test(f));
      expect(builds).toHaveLength(1);
      prune = spawnSync('node', [BIN, 'cache', 'prune', '--keep', '0'], { env, encoding: 'utf8' });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const r = await build.done;
    expect(prune.status, `${prune.stdout}${prune.stderr}`).toBe(0);
    expect(prune.stderr).toBe('');
    const out = prune.stdout as string;
    expect(out).toContain(`skipped source ${basename(sourceEntry)}: in use by process ${pid}`);
    expect(out).toMatch(new RegExp(`skipped build [0-9a-f]{64}: in use by process ${pid}\\n`));
    expect(out).not.toMatch(/removed (source|build) /);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(existsSync(join(sourceEntry, basename(mounted!), 'Makefile'))).toBe(true);

    // Once the build has ended, nothing holds them: the same prune removes the build entry (the
    // source tree is a read-only mount here, so it is dry-run only).
    const dry = spawnSync('node', [BIN, 'cache', 'prune', '--keep', '0', '--dry-run'], { env, encoding: 'utf8' });
    expect(dry.stdout).toContain(`would remove source ${basename(sourceEntry)}`);
    expect(dry.stdout).not.toMatch(/skipped/);
  });
});
