import { chmod, chown, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

// Docker and OCI image layers applied in order onto one tree: each layer is
// first unpacked on its own (by tar, which keeps one archive's links inside
// it), then moved onto the tree here, top-down, so every parent on the tree is
// a real directory before anything is written below it (a lower layer's
// symlink can never carry an upper layer's file outside the tree).
// Whiteouts (the OCI spec's "Representing Changes"): `.wh.NAME` deletes NAME
// of the lower layers; `.wh..wh..opq` in a directory hides all of the lower
// layers' entries of that directory.

export const WHITEOUT = '.wh.';
export const OPAQUE = '.wh..wh..opq';

/** Moves the unpacked layer at `layer` onto `root` (a guest path `dir` of both), applying its whiteouts. */
export async function applyLayer(layer: string, root: string, dir = ''): Promise<void> {
  const names = (await readdir(join(layer, dir))).sort();
  if (names.includes(OPAQUE)) {
    for (const n of await readdir(join(root, dir))) await rm(join(root, dir, n), { recursive: true, force: true });
  }
  for (const n of names) {
    if (n === OPAQUE) continue;
    if (n.startsWith(WHITEOUT)) {
      await rm(join(root, dir, n.slice(WHITEOUT.length)), { recursive: true, force: true });
    }
  }
  for (const n of names) {
    if (n.startsWith(WHITEOUT)) continue;
    const rel = join(dir, n);
    const src = join(layer, rel);
    const dest = join(root, rel);
    const st = await lstat(src);
    const there = await lstat(dest).catch(() => undefined);
    if (st.isDirectory()) {
      if (there && !there.isDirectory()) await rm(dest, { recursive: true, force: true });
      if (!there?.isDirectory()) await mkdir(dest);
      await chown(dest, st.uid, st.gid);
      await chmod(dest, st.mode & 0o7777);
      await applyLayer(layer, root, rel);
    } else {
      if (there) await rm(dest, { recursive: true, force: true });
      await rename(src, dest);
    }
  }
}
