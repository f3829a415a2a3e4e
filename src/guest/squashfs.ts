import { runTool } from './exec.ts';

// The squashfs the guest boots from: made reproducibly with mksquashfs, read
// back with unsquashfs (its listing for the re-check, or a whole image as a
// user's base root).

/**
 * Data blocks are stored uncompressed (-noD); inodes, directories and
 * fragments are zstd. Under TCG the guest decompresses in emulation, and node
 * (99 MB, of which a cold start reads tens of MB) dominated boot: measured on
 * x86_64 TCG, alternating boots on a loaded host, the doctor's own run took
 * 2.6-4.2 s with -noD against 5.5-7.8 s with zstd level 9 data, and the
 * image builds in well under a second instead of 8 s (level 9) or 50 s
 * (default 15). The price is size: 107 MB instead of 39 MB.
 */
export const SQUASHFS_OPTIONS = ['-comp', 'zstd', '-Xcompression-level', '9', '-noD'] as const;

/**
 * A reproducible squashfs of `staging`: fixed times, sorted. Our own tree is
 * made everything root-owned without xattrs; a user's root (`keepOwners`)
 * keeps its owners and its xattrs (a file capability stays what it was, for
 * the doctor to find).
 */
export async function makeSquashfs(staging: string, out: string, signal?: AbortSignal, keepOwners = false): Promise<void> {
  await runTool(
    'mksquashfs',
    [
      staging, out, '-noappend', ...SQUASHFS_OPTIONS,
      ...(keepOwners ? ['-xattrs'] : ['-all-root', '-no-xattrs']),
      '-mkfs-time', '0', '-all-time', '0', '-processors', '2', '-no-progress', '-quiet',
    ],
    // The options fix the times; mksquashfs refuses them together with SOURCE_DATE_EPOCH, so drop it.
    { signal, env: { ...process.env, SOURCE_DATE_EPOCH: undefined } },
  );
}

/** '-rwsr-xr-x' -> 0o4755 (ls-style permissions, as unsquashfs -lln prints them). */
export function parsePerms(perms: string): number {
  const bit = (i: number, set: string, value: number) => (set.includes(perms[i]!) ? value : 0);
  return (
    bit(1, 'r', 0o400) | bit(2, 'w', 0o200) | bit(3, 'xs', 0o100) | bit(3, 'sS', 0o4000) |
    bit(4, 'r', 0o040) | bit(5, 'w', 0o020) | bit(6, 'xs', 0o010) | bit(6, 'sS', 0o2000) |
    bit(7, 'r', 0o004) | bit(8, 'w', 0o002) | bit(9, 'xt', 0o001) | bit(9, 'tT', 0o1000)
  );
}

export interface ListedEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
}

/** Parses `unsquashfs -lln` output (paths relative to the image root). */
export function parseSquashfsListing(text: string): ListedEntry[] {
  const out: ListedEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S{10})\s+(\d+)\/(\d+)\s+\S+\s+\S+\s+\S+\s+squashfs-root(\/.*?)?(?: -> .*)?$/.exec(line);
    if (!m) continue;
    out.push({ path: m[4] ?? '/', type: m[1]![0]!, mode: parsePerms(m[1]!), uid: Number(m[2]), gid: Number(m[3]) });
  }
  return out;
}

export async function listSquashfs(image: string, signal?: AbortSignal): Promise<ListedEntry[]> {
  return parseSquashfsListing(await runTool('unsquashfs', ['-lln', image], { signal }));
}

/** Unpacks a whole image into `dest` (which must not exist), owners, modes and xattrs kept (run as root). */
export async function unsquashfs(image: string, dest: string, signal?: AbortSignal): Promise<void> {
  await runTool('unsquashfs', ['-no-progress', '-quiet', '-d', dest, image], { signal });
}

/** True when `head` (a file's first bytes) is a squashfs superblock. */
export function isSquashfs(head: Buffer): boolean {
  return head.subarray(0, 4).toString('latin1') === 'hsqs';
}
