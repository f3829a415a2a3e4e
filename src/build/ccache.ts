import { readFile, rm } from 'node:fs/promises';
import { tryCapture } from './host.ts';

// ccache hit rate for one build. ccache's configuration stays the user's
// (CCACHE_DIR, CCACHE_REMOTE_STORAGE, ... pass straight through to make), so a
// team can share a cache; a remote hit also counts as a hit, and is counted apart. We count this build's own results through a per-build
// stats log; when the user already set CCACHE_STATSLOG we diff the global
// counters instead (exact unless another build runs at the same time).

export interface CcacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0..1; 0 when nothing was cacheable. */
  hitRate: number;
  /** Of the hits, those served by remote storage (CCACHE_REMOTE_STORAGE: a cache shared by a team). Absent in older manifests. */
  remoteHits?: number;
}

const HIT = new Set(['direct_cache_hit', 'preprocessed_cache_hit']);

function stats(hits: number, misses: number, remoteHits: number): CcacheStats {
  const total = hits + misses;
  return { hits, misses, hitRate: total ? Math.round((hits / total) * 1000) / 1000 : 0, remoteHits };
}

/**
 * Counts the results in a stats log (`# file` headers, one counter per line).
 * Kbuild's compiler probes ($(cc-option) on /dev/null or stdin) are left out:
 * they would make a build that compiled nothing look like a 100% hit rate.
 */
export function parseStatsLog(text: string): CcacheStats {
  let hits = 0;
  let misses = 0;
  let remoteHits = 0;
  let probe = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) probe = /^#\s*(\/dev\/null)?$/.test(line);
    else if (probe) continue;
    else if (HIT.has(line)) hits++;
    else if (line === 'cache_miss') misses++;
    else if (line === 'remote_storage_hit') remoteHits++;
  }
  return stats(hits, misses, remoteHits);
}

async function globalCounters(env: NodeJS.ProcessEnv): Promise<Map<string, number>> {
  const out = (await tryCapture('ccache', ['--print-stats'], env)) ?? '';
  return new Map(out.split('\n').map((l) => l.split('\t')).filter((p) => p.length === 2).map(([k, v]) => [k!, Number(v)]));
}

export interface CcacheMeter {
  /** Extra environment for make. */
  env: NodeJS.ProcessEnv;
  finish(): Promise<CcacheStats>;
}

export async function startCcacheMeter(env: NodeJS.ProcessEnv, statsLogPath: string): Promise<CcacheMeter> {
  if (!env.CCACHE_STATSLOG) {
    await rm(statsLogPath, { force: true });
    return {
      env: { CCACHE_STATSLOG: statsLogPath },
      finish: async () => parseStatsLog(await readFile(statsLogPath, 'utf8').catch(() => '')),
    };
  }
  const before = await globalCounters(env);
  return {
    env: {},
    async finish() {
      const after = await globalCounters(env);
      const diff = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
      return stats(diff('direct_cache_hit') + diff('preprocessed_cache_hit'), diff('cache_miss'), diff('remote_storage_hit'));
    },
  };
}
