import { describe, expect, it } from 'vitest';
import { parseStatsLog } from '../../src/build/ccache.ts';

describe('ccache stats log', () => {
  it('counts direct and preprocessed hits against misses', () => {
    const log = ['# a.c', 'cache_miss', 'direct_cache_miss', '# a.c', 'direct_cache_hit', 'local_storage_hit', '# b.c', 'preprocessed_cache_hit', '# c.c', 'cache_miss'].join('\n');
    expect(parseStatsLog(log)).toEqual({ hits: 2, misses: 2, hitRate: 0.5 });
  });
  it('leaves out kbuild compiler probes (/dev/null, stdin)', () => {
    const log = ['# /dev/null', 'direct_cache_hit', '# ', 'cache_miss', '# init/main.c', 'cache_miss'].join('\n');
    expect(parseStatsLog(log)).toEqual({ hits: 0, misses: 1, hitRate: 0 });
  });
  it('an empty log is a 0 hit rate, not NaN', () => {
    expect(parseStatsLog('')).toEqual({ hits: 0, misses: 0, hitRate: 0 });
  });
});
