import { gzipSync } from 'node:zlib';

// A reproducible initramfs: cpio "newc" written here rather than by cpio(1),
// so every header field is ours (inode numbers in path order, uid/gid 0,
// mtime 0) and device nodes need no root. gzip from zlib: its header carries
// no file name and mtime 0.

export type CpioEntry =
  | { type: 'dir'; path: string; mode: number }
  | { type: 'file'; path: string; mode: number; data: Buffer }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'chardev'; path: string; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function record(ino: number, mode: number, nlink: number, data: Buffer, name: string, rdev = { major: 0, minor: 0 }): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const header =
    '070701' +
    [ino, mode, 0, 0, nlink, 0, data.length, 0, 0, rdev.major, rdev.minor, nameBytes.length, 0].map(hex8).join('');
  const head = Buffer.concat([Buffer.from(header), nameBytes]);
  return Buffer.concat([head, Buffer.alloc(pad4(head.length)), data, Buffer.alloc(pad4(data.length))]);
}

/** The uncompressed archive. Entries are sorted by path, so parents come before children. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of sorted) {
    const name = e.path.replace(/^\/+/, '');
    if (!name) throw new Error(`cpio: empty path`);
    switch (e.type) {
      case 'dir':
        parts.push(record(ino++, S_IFDIR | e.mode, 2, Buffer.alloc(0), name));
        break;
      case 'file':
        parts.push(record(ino++, S_IFREG | e.mode, 1, e.data, name));
        break;
      case 'symlink':
        parts.push(record(ino++, S_IFLNK | 0o777, 1, Buffer.from(e.target), name));
        break;
      case 'chardev':
        parts.push(record(ino++, S_IFCHR | e.mode, 1, Buffer.alloc(0), name, e));
        break;
    }
  }
  parts.push(record(0, 0, 1, Buffer.alloc(0), 'TRAILER!!!'));
  return Buffer.concat(parts);
}

export function gzipCpio(entries: readonly CpioEntry[]): Buffer {
  return gzipSync(cpioNewc(entries), { level: 9 });
}

/** The smallest bootable initramfs: static busybox as /bin/sh and /bin/reboot, a console, and `initScript` as /init. */
export function busyboxInitramfs(busybox: Buffer, initScript: string): Buffer {
  return gzipCpio([
    { type: 'dir', path: '/bin', mode: 0o755 },
    { type: 'dir', path: '/dev', mode: 0o755 },
    { type: 'chardev', path: '/dev/console', mode: 0o600, major: 5, minor: 1 },
    { type: 'file', path: '/bin/busybox', mode: 0o755, data: busybox },
    { type: 'symlink', path: '/bin/sh', target: 'busybox' },
    { type: 'symlink', path: '/bin/reboot', target: 'busybox' },
    { type: 'file', path: '/init', mode: 0o555, data: Buffer.from(initScript) },
  ]);
}
