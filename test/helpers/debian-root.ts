import { join } from 'node:path';
import { runTool } from '../../src/guest/exec.ts';
import { fileEntry } from '../../src/util/cache.ts';
import { sha256 } from '../../src/util/fs.ts';
import { cacheDir } from '../../src/util/paths.ts';

// A real third-party root for the tests: Debian 12 made by Debian's own tool
// (`mmdebstrap --variant=minbase`, from the Debian archive, installed by
// `npm run setup`), as a tar archive, cached by what it is made of (suite,
// variant and the extra packages): made once per machine, then reused.

export interface DebianRoot {
  path: string;
  sha256: string;
  packages: readonly string[];
}

const SUITE = 'bookworm';
const MIRROR = 'http://deb.debian.org/debian';

export async function debianRoot(include: readonly string[] = []): Promise<DebianRoot> {
  const packages = [...include].sort();
  const key = sha256(JSON.stringify({ SUITE, variant: 'minbase', packages, MIRROR })).slice(0, 16);
  const name = packages.length ? `minbase+${packages.join('+')}` : 'minbase';
  const got = await fileEntry(join(cacheDir('test/debian-roots'), `${SUITE}-${name}-${key}`), 'root.tar', {
    what: `making a Debian ${SUITE} ${name} root with mmdebstrap`,
    redo: 'making it again',
    say: (m) => process.stderr.write(`${m}\n`),
    make: async (tmp) => {
      await runTool('mmdebstrap', [
        '--variant=minbase', '--mode=root', '--format=tar', '--quiet',
        ...(packages.length ? [`--include=${packages.join(',')}`] : []),
        SUITE, join(tmp, 'root.tar'), MIRROR,
      ]);
    },
  });
  return { ...got, packages };
}
