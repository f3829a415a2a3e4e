// Writes a fixture to a directory, for `capsem-doctor --root DIR` tests:
// files, directories, symlinks, modes; files that share an inode number become
// hard links (so the overlay-vs-lower-layer proof holds on disk too). Device
// nodes become regular files (no mknod) and statfs magic goes to an --fs-facts file.
import { chmodSync, linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Fixture } from './fake-guest.ts';

export function writeFixture(f: Fixture): { root: string; facts: string } {
  const root = mkdtempSync(join(tmpdir(), 'capsem-doctor-fixture-'));
  const byIno = new Map<number, string>();
  const dirs: [string, number][] = [];
  for (const [path, node] of Object.entries(f.files)) {
    const p = join(root, path);
    mkdirSync(dirname(p), { recursive: true });
    if (node.kind === 'dir') {
      mkdirSync(p, { recursive: true });
      dirs.push([p, node.mode]);
    } else if (node.kind === 'symlink') symlinkSync(node.target, p);
    else if (node.kind === 'file' && node.ino !== undefined && byIno.has(node.ino)) linkSync(byIno.get(node.ino)!, p);
    else {
      writeFileSync(p, node.content);
      chmodSync(p, node.mode);
      if (node.kind === 'file' && node.ino !== undefined) byIno.set(node.ino, p);
    }
  }
  for (const [p, mode] of dirs) chmodSync(p, mode);
  const facts = join(root, '..', `${root.split('/').at(-1)}.facts.json`);
  writeFileSync(facts, JSON.stringify(f.statfs));
  return { root, facts };
}
