import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../src/util/paths.ts';

/** The unpacked Debian linux-source tree for a series (6.1, 6.12) under the build cache, if present. */
export function kernelSource(series: string): string | undefined {
  const root = join(cacheRoot(), 'sources');
  if (!existsSync(root)) return undefined;
  for (const sha of readdirSync(root)) {
    const tree = join(root, sha, `linux-source-${series}`);
    if (existsSync(join(tree, 'Makefile'))) return tree;
  }
  return undefined;
}
