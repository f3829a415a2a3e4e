// An in-memory guest for the doctor's unit tests: files (with modes, owners,
// inode and device numbers), statfs magic per mount point, errno injection,
// and a fake probe. What a fixture tree on disk cannot carry (filesystem
// magic, block devices, st_dev) is plain data here.

import { createHash } from 'node:crypto';
import type { Arch } from '../../../src/policy/index.ts';
import {
  type DoctorEnv,
  type ExecAnswer,
  type FileInfo,
  type FileKind,
  type GuestFs,
  type Probe,
  ProbeError,
  type ProbeSyscall,
  walkTree,
} from '../../../src/doctor/env.ts';

export type Node =
  | { kind: 'file'; content: Buffer; mode: number; uid: number; ino?: number; dev?: number }
  | { kind: 'dir'; mode: number; dev?: number }
  | { kind: 'symlink'; target: string }
  | { kind: 'block' | 'char'; rdev: number; content: Buffer; mode: number };

export const file = (content: string | Buffer, o: { mode?: number; uid?: number; ino?: number; dev?: number } = {}): Node => ({
  kind: 'file',
  content: Buffer.from(content),
  mode: o.mode ?? 0o644,
  uid: o.uid ?? 0,
  ...(o.ino !== undefined ? { ino: o.ino } : {}),
  ...(o.dev !== undefined ? { dev: o.dev } : {}),
});
export const dir = (o: { mode?: number; dev?: number } = {}): Node => ({ kind: 'dir', mode: o.mode ?? 0o755, ...(o.dev !== undefined ? { dev: o.dev } : {}) });
export const link = (target: string): Node => ({ kind: 'symlink', target });
export const blockDev = (rdev: number, content: Buffer = Buffer.alloc(0)): Node => ({ kind: 'block', rdev, content, mode: 0o660 });
export const charDev = (rdev: number): Node => ({ kind: 'char', rdev, content: Buffer.alloc(0), mode: 0o666 });

export type SyscallReply = { ret: number; errno: number };

export interface Fixture {
  arch: Arch;
  /** The doctor's pid (must be listed in /proc to be plausible). */
  pid: number;
  /** Absolute guest paths; parent directories are implied. */
  files: Record<string, Node>;
  /** statfs f_type by mount point (longest prefix wins). */
  statfs: Record<string, number>;
  /** st_dev by mount point for nodes that do not set their own. */
  devs: Record<string, number>;
  /** Any access to these paths throws this errno. */
  errors: Record<string, string>;
  /** The probe's answers; 'missing' makes every call fail as if the binary were absent. */
  syscalls: Record<Exclude<ProbeSyscall, 'getpid'>, SyscallReply> | 'missing';
  /** getpid's answer relative to the probe's pid: 'honest' or a fixed (lying) number. */
  getpid: 'honest' | number;
  /** What exec of a written ELF does, by ELF class. */
  exec: { native: ExecAnswer; legacy32: ExecAnswer };
  /** Paths that carry a security.capability xattr. */
  fileCaps: readonly string[];
  /** What the probe's `cpu` says the CPU offers. */
  cpu: Record<string, boolean>;
}

/** Changes to a fixture: `null` deletes a path and everything under it. */
export interface FixturePatch {
  files?: Record<string, Node | null>;
  statfs?: Record<string, number>;
  devs?: Record<string, number>;
  errors?: Record<string, string>;
  syscalls?: Partial<Record<Exclude<ProbeSyscall, 'getpid'>, SyscallReply>> | 'missing';
  getpid?: 'honest' | number;
  exec?: Partial<Fixture['exec']>;
  fileCaps?: readonly string[];
  cpu?: Record<string, boolean>;
  arch?: Arch;
  pid?: number;
}

export function applyPatch(f: Fixture, p: FixturePatch = {}): Fixture {
  const files = { ...f.files };
  for (const [path, node] of Object.entries(p.files ?? {})) {
    if (node === null) {
      for (const k of Object.keys(files)) if (k === path || k.startsWith(path + '/')) delete files[k];
    } else files[path] = node;
  }
  let syscalls: Fixture['syscalls'];
  if (p.syscalls === 'missing') syscalls = 'missing';
  else if (p.syscalls === undefined) syscalls = f.syscalls;
  else if (f.syscalls === 'missing') throw new Error('cannot patch the answers of a missing probe');
  else syscalls = { ...f.syscalls, ...p.syscalls };
  return {
    arch: p.arch ?? f.arch,
    pid: p.pid ?? f.pid,
    files,
    statfs: { ...f.statfs, ...p.statfs },
    devs: { ...f.devs, ...p.devs },
    errors: { ...f.errors, ...p.errors },
    syscalls,
    getpid: p.getpid ?? f.getpid,
    exec: { ...f.exec, ...p.exec },
    fileCaps: p.fileCaps ?? f.fileCaps,
    cpu: { ...f.cpu, ...p.cpu },
  };
}

function errnoError(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

function longestPrefix<T>(map: Record<string, T>, path: string): T | undefined {
  let best: string | undefined;
  for (const mp of Object.keys(map)) {
    if ((mp === '/' || path === mp || path.startsWith(mp + '/')) && (best === undefined || mp.length > best.length)) best = mp;
  }
  return best === undefined ? undefined : map[best];
}


export function memoryFs(f: Fixture): GuestFs {
  const inos = new Map<string, number>();
  const inoOf = (p: string) => {
    if (!inos.has(p)) inos.set(p, 10_000 + inos.size);
    return inos.get(p)!;
  };
  const isDirImplied = (p: string) => p === '/' || Object.keys(f.files).some((k) => k.startsWith(p + '/'));
  const lookup = (p: string): Node | undefined => f.files[p] ?? (isDirImplied(p) ? { kind: 'dir', mode: 0o755 } : undefined);

  /** Resolves symlinks in every component (in the last one too when `follow`). */
  function resolve(path: string, follow: boolean, depth = 0): string {
    if (depth > 20) throw errnoError('ELOOP', path);
    const parts = path.split('/').filter(Boolean);
    let cur = '';
    for (let i = 0; i < parts.length; i++) {
      const next = `${cur}/${parts[i]}`;
      if (f.errors[next]) throw errnoError(f.errors[next]!, next);
      const node = lookup(next);
      const last = i === parts.length - 1;
      if (node?.kind === 'symlink' && (!last || follow)) {
        const target = node.target.startsWith('/') ? node.target : `${cur}/${node.target}`;
        cur = resolve(target, true, depth + 1);
      } else {
        if (!node) throw errnoError('ENOENT', next);
        if (!last && node.kind !== 'dir') throw errnoError('ENOTDIR', next);
        cur = next;
      }
    }
    return cur || '/';
  }

  function info(p: string, node: Node): FileInfo {
    const dev = ('dev' in node ? node.dev : undefined) ?? longestPrefix(f.devs, p) ?? 1;
    const kind: FileKind = node.kind;
    return {
      kind,
      mode: node.kind === 'symlink' ? 0o777 : node.mode,
      uid: node.kind === 'file' ? node.uid : 0,
      gid: 0,
      dev,
      ino: (node.kind === 'file' ? node.ino : undefined) ?? inoOf(p),
      rdev: node.kind === 'block' || node.kind === 'char' ? node.rdev : 0,
      size: node.kind === 'file' ? node.content.length : 0,
    };
  }

  function content(path: string): Buffer {
    const p = resolve(path, true);
    const node = lookup(p)!;
    if (node.kind === 'dir') throw errnoError('EISDIR', path);
    if (node.kind === 'symlink') throw errnoError('ELOOP', path);
    return node.content;
  }

  const guestFs: GuestFs = {
    readFile: (path) => content(path),
    readHead: (path, n) => content(path).subarray(0, n),
    readdir(path) {
      const p = resolve(path, true);
      if (lookup(p)!.kind !== 'dir') throw errnoError('ENOTDIR', path);
      const prefix = p === '/' ? '/' : p + '/';
      const names = new Set<string>();
      for (const k of Object.keys(f.files)) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]!);
      return [...names];
    },
    stat(path) {
      const p = resolve(path, true);
      return info(p, lookup(p)!);
    },
    lstat(path) {
      const p = resolve(path, false);
      return info(p, lookup(p)!);
    },
    readlink(path) {
      const p = resolve(path, false);
      const node = lookup(p)!;
      if (node.kind !== 'symlink') throw errnoError('EINVAL', path);
      return node.target;
    },
    readRecords: (path) => content(path),
    sha256: (path) => createHash('sha256').update(content(path)).digest('hex'),
    statfsType(path) {
      resolve(path, true);
      const magic = longestPrefix(f.statfs, path);
      if (magic === undefined) throw errnoError('ENOSYS', path);
      return magic;
    },
    walk: (top) => walkTree(guestFs, top),
  };
  return guestFs;
}

const PROBE_PID = 7777;

export function fakeProbe(f: Fixture, written: Map<string, Buffer>): Probe {
  return {
    path: '/usr/local/bin/capsem-probe',
    syscall(name) {
      if (f.syscalls === 'missing') throw new ProbeError('/usr/local/bin/capsem-probe: ENOENT');
      if (name === 'getpid') return { ret: f.getpid === 'honest' ? PROBE_PID : f.getpid, errno: 0, pid: PROBE_PID };
      return { ...f.syscalls[name], pid: PROBE_PID };
    },
    fileCaps(paths) {
      if (f.syscalls === 'missing') throw new ProbeError('/usr/local/bin/capsem-probe: ENOENT');
      return {
        withCaps: paths.filter((p) => f.fileCaps.includes(p)),
        unreadable: paths.filter((p) => f.errors[p]).map((p) => ({ path: p, code: f.errors[p]! })),
      };
    },
    cpu() {
      if (f.syscalls === 'missing') throw new ProbeError('/usr/local/bin/capsem-probe: ENOENT');
      return f.cpu;
    },
    exec(path) {
      const elf = written.get(path);
      if (!elf) return { kind: 'refused', errno: 2 };
      // ELF class: 1 = 32-bit, 2 = 64-bit.
      return elf[4] === 1 ? f.exec.legacy32 : f.exec.native;
    },
  };
}

/** A DoctorEnv over the fixture, plus what the doctor wrote to its scratch directory. */
export function fakeEnv(f: Fixture): DoctorEnv & { written: Map<string, Buffer> } {
  const written = new Map<string, Buffer>();
  return {
    fs: memoryFs(f),
    probe: fakeProbe(f, written),
    arch: f.arch,
    pid: f.pid,
    written,
    writeScratchExecutable(name, bytes) {
      const p = `/scratch/${name}`;
      written.set(p, bytes);
      return p;
    },
  };
}
