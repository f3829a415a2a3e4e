import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Where kernel trees already are: a build unpacks Debian's linux-source-<series>
// once into the cache (src/build/source.ts); audit and tests reuse it.

/** The unpacked linux-source-<series> tree under `cacheRoot`, if a build left one (nothing is installed or unpacked here). */
export function cachedKernelTree(series: string, cacheRoot: string): string | undefined {
  const root = join(cacheRoot, 'sources');
  if (!existsSync(root)) return undefined;
  for (const sha of readdirSync(root)) {
    const tree = join(root, sha, `linux-source-${series}`);
    if (existsSync(join(tree, 'Makefile'))) return tree;
  }
  return undefined;
}
