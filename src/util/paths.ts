import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Root of every cache (kernel sources, build trees, ccache, rootfs images).
 * CAPSEM_CACHE_DIR overrides it (CI, shared machines); a cache is always an
 * optimisation: deleting it must never break anything.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CAPSEM_CACHE_DIR) return env.CAPSEM_CACHE_DIR;
  const xdg = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(xdg, 'capsem-kernel');
}

export function cacheDir(sub: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), sub);
}
