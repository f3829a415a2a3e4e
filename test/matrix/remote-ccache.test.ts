import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/build/index.ts';
import { run } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/io.ts';

// A shared compile cache, shown working: Debian's redis-server on a free
// loopback port (no persistence) as ccache's remote storage. Machine A builds
// x86_64 with an empty local ccache and an empty build cache; machine B does the
// same with another empty local ccache and an empty build cache at the same
// path (a team sets one CAPSEM_CACHE_DIR, see README "Team set-up": ccache keys
// objects by their paths). B must take >= 90 % of its compiles from the remote.
// Two real compiles: x86_64 only, in `npm run test:matrix` (they do not fit every CI run). redis is redis-server (not ccache's HTTP
// backend) because Debian ships it as a daemon ready to run on one flag line,
// and ccache 4.7's redis backend needs no server-side configuration.

const READY_MS = 10_000;
const STOP_MS = 5_000;

let redis: ChildProcess | undefined;
let port = 0;
let dir: string;

/** A port the kernel has just handed out on 127.0.0.1 (bound and released). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => ok(p));
    });
  });
}

/** redis-server on 127.0.0.1:port, no RDB or AOF files; resolves once it accepts connections. */
function startRedis(p: number, workDir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(p), '--save', '', '--appendonly', 'no', '--dir', workDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error(`redis-server not ready within ${READY_MS} ms:\n${log}`)), READY_MS);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(timer);
        ok(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      fail(new Error(`redis-server did not start (${e.message}); scripts/setup.mjs installs it`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`redis-server exited ${code} before it was ready:\n${log}`));
    });
  });
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capsem-remote-ccache-'));
  port = await freeLoopbackPort();
  redis = await startRedis(port, dir);
});

afterAll(async () => {
  if (redis) await stopRedis(redis);
  await rm(dir, { recursive: true, force: true });
});

/** One clean machine: an empty build cache (at the team's path) and an empty local ccache, redis as remote storage. */
async function cleanMachineBuild(machine: string): Promise<{ manifest: Manifest; seconds: number }> {
  const buildCache = join(dir, 'capsem-cache');
  await rm(buildCache, { recursive: true, force: true });
  const io = captureIO();
  // The build's own progress log goes live to stderr (a line per stage, a heartbeat during make).
  io.stderr = (t) => void process.stderr.write(t);
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('CCACHE_')) delete env[k];
  io.env = {
    ...env,
    CAPSEM_CACHE_DIR: buildCache,
    CCACHE_DIR: join(dir, `ccache-${machine}`),
    CCACHE_REMOTE_STORAGE: `redis://127.0.0.1:${port}`,
  };
  const started = Date.now();
  const code = await run(['build', '--arch', 'x86_64', '--out', join(dir, `out-${machine}`), '--json'], io);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  expect(code).toBe(0);
  return { manifest: JSON.parse(io.out) as Manifest, seconds };
}

describe('ccache remote storage (redis on loopback) shared by two clean machines', () => {
  it('the second machine compiles >= 90 % of its objects from the remote cache', async () => {
    const a = await cleanMachineBuild('a');
    const b = await cleanMachineBuild('b');
    const figures = {
      remoteCcache: 'redis',
      first: { seconds: a.seconds, buildSeconds: a.manifest.buildSeconds, ...a.manifest.ccache },
      second: { seconds: b.seconds, buildSeconds: b.manifest.buildSeconds, ...b.manifest.ccache },
    };
    process.stdout.write(`remote-ccache: ${JSON.stringify(figures)}\n`);
    for (const m of [a.manifest, b.manifest]) {
      expect(m.cached).toBe(false);
      expect(m.incremental).toBe(false);
      expect(m.ccache).toBeDefined();
    }
    // Same inputs, same image: the remote cache changes speed, not output.
    expect(b.manifest.cacheKey).toBe(a.manifest.cacheKey);
    expect(b.manifest.image.sha256).toBe(a.manifest.image.sha256);
    // A: an empty remote, so nothing came from it.
    expect(a.manifest.ccache!.remoteHits).toBe(0);
    expect(a.manifest.ccache!.misses).toBeGreaterThan(500);
    // B: an empty local cache, so its hits are the remote's.
    const bc = b.manifest.ccache!;
    expect(bc.hits + bc.misses).toBeGreaterThan(500);
    expect(bc.hitRate).toBeGreaterThanOrEqual(0.9);
    expect(bc.remoteHits).toBeGreaterThanOrEqual(0.9 * (bc.hits + bc.misses));
  });
});
