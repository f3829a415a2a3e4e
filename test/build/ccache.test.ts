import { describe, expect, it } from 'vitest';
import { parseStatsLog } from '../../src/build/ccache.ts';

describe('ccache stats log', () => {
  it('counts direct and preprocessed hits against misses', () => {
    const log = ['# a.c', 'cache_miss', 'direct_cache_miss', '# a.c', 'direct_cache_hit', 'local_storage_hit', '# b.c', 'preprocessed_cache_hit', '# c.c', 'cache_miss'].join('\n');
    expect(parseStatsLog(log)).toEqual({ hits: 2, misses: 2, hitRate: 0.5, remoteHits: 0 });
  });
  it('leaves out kbuild compiler probes (/dev/null, stdin)', () => {
    const log = ['# /dev/null', 'direct_cache_hit', '# ', 'cache_miss', '# init/main.c', 'cache_miss'].join('\n');
    expect(parseStatsLog(log)).toEqual({ hits: 0, misses: 1, hitRate: 0, remoteHits: 0 });
  });
  it('counts hits served by remote storage apart (ccache 4.7\'s log for a redis hit)', () => {
    const log = ['# init/main.c', 'direct_cache_hit', 'local_storage_miss', 'local_storage_read_miss', 'remote_storage_hit', 'remote_storage_read_hit', '# init/version.c', 'cache_miss', 'remote_storage_miss'].join('\n');
    expect(parseStatsLog(log)).toEqual({ hits: 1, misses: 1, hitRate: 0.5, remoteHits: 1 });
  });
  it('an empty log is a 0 hit rate, not NaN', () => {
    expect(parseStatsLog('')).toEqual({ hits: 0, misses: 0, hitRate: 0, remoteHits: 0 });
  });
});

describe('make\'s environment', () => {
  it('passes every CCACHE_* setting through (remote storage included) and drops what would steer kbuild', async () => {
    const { prepare } = await import('../../src/build/configure.ts');
    const env = {
      ...process.env,
      CCACHE_REMOTE_STORAGE: 'redis://127.0.0.1:6379',
      CCACHE_REMOTE_ONLY: 'true',
      CCACHE_DIR: '/tmp/some-ccache',
      CCACHE_BASEDIR: '/srv',
      KCFLAGS: '-O0',
      CROSS_COMPILE: 'evil-',
    };
    const prep = await prepare({ arch: 'x86_64', env });
    for (const k of ['CCACHE_REMOTE_STORAGE', 'CCACHE_REMOTE_ONLY', 'CCACHE_DIR', 'CCACHE_BASEDIR'] as const) expect(prep.makeEnv[k], k).toBe(env[k]);
    expect(prep.makeEnv.KCFLAGS).toBeUndefined();
    expect(prep.makeEnv.CROSS_COMPILE).toBeUndefined();
  });
});
