// What a check may observe, behind one seam: the guest's files (with statfs),
// the raw-syscall probe, the arch and the doctor's own pid. The real guest
// gets hostEnv(); unit tests hand the runner an in-memory fake; `--root`
// points the real implementation at a fixture tree.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arch } from '../policy/index.ts';

export type FileKind = 'file' | 'dir' | 'symlink' | 'block' | 'char' | 'fifo' | 'socket';

export interface FileInfo {
  kind: FileKind;
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  dev: number;
  ino: number;
  /** For device nodes: the device they stand for (st_rdev). */
  rdev: number;
  size: number;
}

/**
 * The guest's filesystem, addressed by guest paths ('/proc/cmdline').
 * Every method throws a Node-style error with an errno `code` ('ENOENT', ...).
 */
export interface GuestFs {
  readFile(path: string): Buffer;
  /** The first `length` bytes (fewer at end of file): superblocks, /proc/kcore. */
  readHead(path: string, length: number): Buffer;
  readdir(path: string): string[];
  stat(path: string): FileInfo;
  lstat(path: string): FileInfo;
  readlink(path: string): string;
  /** statfs(2) f_type: the filesystem's magic number. */
  statfsType(path: string): number;
  /** A record device (/dev/kmsg) read to its current end without blocking (a plain file: to its end). */
  readRecords(path: string): Buffer;
  /** sha256 of the file's content, hex, read in chunks (node's runtime is ~100 MB). */
  sha256(path: string): string;
  /** Every entry under `top` on its filesystem, as walkTree defines it (a runtime may do it natively). */
  walk(top: string): TreeWalk;
}

/** What walkTree saw under one directory. */
export interface TreeWalk {
  /** Entries lstat answered (symlinks included). */
  entries: number;
  /** Every non-symlink with the setuid or setgid bit. */
  special: { path: string; mode: number; kind: FileKind }[];
  /** Every regular file. */
  files: string[];
  /** What could not be listed or lstat'ed, with its errno code (ENOENT, a file gone meanwhile, is not listed). */
  unreadable: { path: string; code: string }[];
}

/**
 * The walk of `top`: lstat every entry (names sorted), depth first from the
 * last name, entering directories only on top's own st_dev (directories on
 * overlayfs carry the overlay's st_dev, so this stays on one mount).
 * capsem-doctor-rt does the same in C (n_walk): test/guest/doctor-runtime.test.ts compares.
 */
export function walkTree(fs: Pick<GuestFs, 'readdir' | 'lstat'>, top: string): TreeWalk {
  const walk: TreeWalk = { entries: 0, special: [], files: [], unreadable: [] };
  // ENOENT below the top: removed while we walked (a tmpfs in use), nothing left to scan.
  const attempt = <T>(path: string, f: () => T, absentToo = false): T | undefined => {
    try {
      return f();
    } catch (e) {
      const code = errnoCode(e);
      if (code === undefined) throw e;
      if (code !== 'ENOENT' || absentToo) walk.unreadable.push({ path, code });
      return undefined;
    }
  };
  const root = attempt(top, () => fs.lstat(top), true);
  if (!root) return walk;
  const stack = [top];
  while (stack.length) {
    const dir = stack.pop()!;
    const names = attempt(dir, () => fs.readdir(dir).sort());
    if (!names) continue;
    for (const n of names) {
      const p = dir === '/' ? `/${n}` : `${dir}/${n}`;
      const s = attempt(p, () => fs.lstat(p));
      if (!s) continue;
      walk.entries++;
      if (s.kind === 'symlink') continue;
      if (s.mode & 0o6000) walk.special.push({ path: p, mode: s.mode, kind: s.kind });
      if (s.kind === 'file') walk.files.push(p);
      if (s.kind === 'dir' && s.dev === root.dev) stack.push(p);
    }
  }
  return walk;
}

/** Syscalls the probe knows; getpid is the control that proves it issues real calls. */
export const PROBE_SYSCALLS = [
  'getpid',
  'bpf',
  'io_uring_setup',
  'userfaultfd',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'x32_getpid',
] as const;
export type ProbeSyscall = (typeof PROBE_SYSCALLS)[number];

export interface SyscallAnswer {
  ret: number;
  errno: number;
  /** The probe process's pid, as its parent saw it (the getpid control compares). */
  pid: number;
}

export type ExecAnswer =
  | { kind: 'refused'; errno: number }
  | { kind: 'ran'; exitCode: number | null; signal: string | null };

export interface Probe {
  /** Where the probe binary is (for evidence). */
  path: string;
  syscall(name: ProbeSyscall): SyscallAnswer;
  exec(path: string): ExecAnswer;
  /** Which of `paths` carry a security.capability xattr, and which could not be asked (errno code). */
  fileCaps(paths: readonly string[]): { withCaps: string[]; unreadable: { path: string; code: string }[] };
  /** What the CPU itself offers, by the probe's names (x86_64: smep, smap, umip; arm64: pauth, pauth-user). */
  cpu(): Record<string, boolean>;
}

/** The probe could not be run or answered nonsense. */
export class ProbeError extends Error {
  override name = 'ProbeError';
}

export interface DoctorEnv {
  fs: GuestFs;
  probe: Probe;
  arch: Arch;
  /** The doctor's own pid: it must appear in /proc. */
  pid: number;
  /** Writes an executable into a scratch directory; returns the path to hand to the probe. */
  writeScratchExecutable(name: string, bytes: Buffer): string;
}

// ---- errno names ---------------------------------------------------------------

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, n]) => [n, name]),
);

export function errnoName(n: number): string {
  return ERRNO_NAMES.get(n) ?? `errno ${n}`;
}

export function errnoNumber(name: keyof typeof osConstants.errno): number {
  return osConstants.errno[name];
}

/** The errno code of a thrown fs error, or undefined for anything else (a bug: let it propagate). */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

// ---- the real implementation ---------------------------------------------------

export interface HostEnvOptions {
  /** The guest's root ('/' inside the guest; a fixture tree in development). */
  root: string;
  proc?: string;
  sys?: string;
  dev?: string;
  probePath: string;
  /** The probe's calls in this process when the runtime has them (probePath is then not run). */
  inProcessProbe?: boolean;
  arch: Arch;
  /**
   * Development only: statfs answers by guest mount point instead of the kernel's
   * (a fixture tree cannot carry filesystem magic). Never used in the guest.
   */
  statfsFacts?: Record<string, number>;
}

/** An empty, `.` or `..` segment, or a trailing slash: what join() would rewrite. */
const NOT_NORMAL = /\/\/|\/\.\.?(\/|$)|.\/$/;

/** Maps guest paths to host paths: /proc, /sys and /dev may live elsewhere than under root. */
export function guestPathMapper(o: Pick<HostEnvOptions, 'root' | 'proc' | 'sys' | 'dev'>): (p: string) => string {
  const mounts: [string, string][] = [
    ['/proc', o.proc ?? join(o.root, 'proc')],
    ['/sys', o.sys ?? join(o.root, 'sys')],
    ['/dev', o.dev ?? join(o.root, 'dev')],
  ];
  // In the guest (root /, nothing moved) a normal absolute path is its own host path.
  const identity = o.root === '/' && o.proc === undefined && o.sys === undefined && o.dev === undefined;
  return (p) => {
    if (identity && p.startsWith('/') && !NOT_NORMAL.test(p)) return p;
    for (const [prefix, dir] of mounts) {
      if (p === prefix || p.startsWith(prefix + '/')) return dir + p.slice(prefix.length);
    }
    return join(o.root, p);
  };
}

function kindOf(s: fs.Stats): FileKind {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isBlockDevice()) return 'block';
  if (s.isCharacterDevice()) return 'char';
  if (s.isFIFO()) return 'fifo';
  return 'socket';
}

function info(s: fs.Stats): FileInfo {
  return { kind: kindOf(s), mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, dev: s.dev, ino: s.ino, rdev: s.rdev, size: s.size };
}

/** Longest guest mount-point prefix of `path` in `facts`. */
function factFor(facts: Record<string, number>, path: string): number {
  let best: string | undefined;
  for (const mp of Object.keys(facts)) {
    const under = mp === '/' || path === mp || path.startsWith(mp + '/');
    if (under && (best === undefined || mp.length > best.length)) best = mp;
  }
  if (best === undefined) throw Object.assign(new Error(`no statfs fact for ${path}`), { code: 'ENOSYS' });
  return facts[best]!;
}

/** capsem-doctor-rt's native walk and record read (its node:fs shim has them; node has not). */
const { capsemWalkSync: nativeWalk, capsemReadRecordsSync: nativeRecords } = fs as unknown as {
  capsemWalkSync?: (hostTop: string, guestTop: string) => TreeWalk;
  capsemReadRecordsSync?: (path: string) => Buffer;
};

export function hostFs(o: Omit<HostEnvOptions, 'probePath' | 'arch'>): GuestFs {
  const host = guestPathMapper(o);
  let hashBuffer: Buffer | undefined;
  // The native walk maps one prefix: only when /proc, /sys and /dev are where root has them.
  const native = nativeWalk && o.proc === undefined && o.sys === undefined && o.dev === undefined ? nativeWalk : undefined;
  const self: GuestFs = {
    readFile: (p) => fs.readFileSync(host(p)),
    readHead(p, length) {
      const fd = fs.openSync(host(p), 'r');
      try {
        const buf = Buffer.alloc(length);
        const n = fs.readSync(fd, buf, 0, length, 0);
        return buf.subarray(0, n);
      } finally {
        fs.closeSync(fd);
      }
    },
    readdir: (p) => fs.readdirSync(host(p)),
    stat: (p) => info(fs.statSync(host(p))),
    lstat: (p) => info(fs.lstatSync(host(p))),
    readlink: (p) => fs.readlinkSync(host(p)),
    statfsType: (p) => (o.statfsFacts ? factFor(o.statfsFacts, p) : Number(fs.statfsSync(host(p)).type)),
    sha256(p) {
      const fd = fs.openSync(host(p), 'r');
      try {
        const hash = createHash('sha256');
        // One buffer for every file: a fresh megabyte is a few hundred page faults, each costly under TCG.
        const buf = (hashBuffer ??= Buffer.alloc(1 << 18));
        for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
        return hash.digest('hex');
      } finally {
        fs.closeSync(fd);
      }
    },
    readRecords(p) {
      if (nativeRecords) return nativeRecords(host(p));
      // /dev/kmsg returns one record per read, EAGAIN at the end, EPIPE when the ring overwrote the next record.
      const fd = fs.openSync(host(p), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        const chunks: Buffer[] = [];
        const buf = Buffer.alloc(8192);
        for (;;) {
          let n: number;
          try {
            n = fs.readSync(fd, buf, 0, buf.length, null);
          } catch (e) {
            if (errnoCode(e) === 'EAGAIN') break;
            if (errnoCode(e) === 'EPIPE') continue;
            throw e;
          }
          if (n === 0) break;
          chunks.push(Buffer.from(buf.subarray(0, n)));
        }
        return Buffer.concat(chunks);
      } finally {
        fs.closeSync(fd);
      }
    },
    walk: (top) => (native ? native(host(top), top) : walkTree(self, top)),
  };
  return self;
}

const PROBE_TIMEOUT_MS = 10_000;

export function hostProbe(path: string): Probe {
  function run(args: string[], input?: string) {
    const r = spawnSync(path, args, { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, env: {}, ...(input !== undefined ? { input } : {}) });
    if (r.error) throw new ProbeError(`${path}: ${errnoCode(r.error) ?? r.error.message}`);
    return r;
  }
  // One process answers every syscall (a spawn costs far more than the calls,
  // most of all under emulation); getpid's answer is checked against its pid.
  let answers: Map<ProbeSyscall, SyscallAnswer> | undefined;
  function askAll(): Map<ProbeSyscall, SyscallAnswer> {
    const r = run(['syscall', ...PROBE_SYSCALLS]);
    const lines = r.stdout.split('\n');
    const parsed = PROBE_SYSCALLS.map((_, i) => /^(-?\d+) (\d+)$/.exec(lines[i] ?? ''));
    if (r.status !== 0 || lines.length !== PROBE_SYSCALLS.length + 1 || parsed.some((m) => !m)) {
      throw new ProbeError(`${path} syscall: exit ${r.status ?? r.signal}, output ${JSON.stringify(r.stdout + r.stderr)}`);
    }
    return new Map(PROBE_SYSCALLS.map((n, i) => [n, { ret: Number(parsed[i]![1]), errno: Number(parsed[i]![2]), pid: r.pid }]));
  }
  return {
    path,
    syscall(name) {
      answers ??= askAll();
      return answers.get(name)!;
    },
    fileCaps(paths) {
      const r = run(['fcaps'], paths.map((p) => p + '\0').join(''));
      const lines = r.stdout.split('\n').filter(Boolean);
      const caps = lines.map((l) => /^cap (.+)$/.exec(l)?.[1]);
      const errs = lines.map((l) => /^err (\d+) (.+)$/.exec(l));
      if (r.status !== 0 || lines.some((_, i) => caps[i] === undefined && !errs[i])) {
        throw new ProbeError(`${path} fcaps: exit ${r.status ?? r.signal}, output ${JSON.stringify((r.stdout + r.stderr).slice(0, 200))}`);
      }
      return {
        withCaps: caps.filter((c): c is string => c !== undefined),
        unreadable: errs.filter((m) => m !== null).map((m) => ({ path: m![2]!, code: errnoName(Number(m![1])) })),
      };
    },
    cpu() {
      const r = run(['cpu']);
      const lines = r.stdout.split('\n').filter(Boolean).map((l) => /^([a-z0-9-]+) ([01])$/.exec(l));
      if (r.status !== 0 || lines.length === 0 || lines.some((m) => !m)) {
        throw new ProbeError(`${path} cpu: exit ${r.status ?? r.signal}, output ${JSON.stringify((r.stdout + r.stderr).slice(0, 200))}`);
      }
      return Object.fromEntries(lines.map((m) => [m![1]!, m![2] === '1']));
    },
    exec(target) {
      const r = run(['exec', target]);
      const m = /^(\d+)\n$/.exec(r.stdout);
      if (m && r.status === 0) return { kind: 'refused', errno: Number(m[1]) };
      if (r.stdout === '') return { kind: 'ran', exitCode: r.status, signal: r.signal };
      throw new ProbeError(`${path} exec ${target}: unexpected output ${JSON.stringify(r.stdout)}`);
    },
  };
}

/** The probe's calls made by the doctor's own process (capsem-doctor-rt has them as natives). */
export interface ProbeCalls {
  /** [ret, errno] of the raw call. */
  syscall(name: ProbeSyscall): [number, number];
  /** The probe's exec: raw execve of `path` in a child (argv [path], empty environment). */
  exec(path: string, timeoutMs: number): ExecAnswer;
  cpu(): Record<string, boolean>;
  fileCaps: Probe['fileCaps'];
}

/** capsem-doctor-rt's ProbeCalls (its node:os shim has them; node has not). */
export const nativeProbeCalls = (os as unknown as { capsemProbeCalls?: ProbeCalls }).capsemProbeCalls;

/**
 * The probe with its calls made in this process: the same raw syscalls, CPUID
 * or PACIA and lgetxattr as capsem-probe (the runtime compiles its C), without
 * a process each. getpid's control compares with the pid /proc/self names.
 * `exec` forks, and the child execve's the target itself (not the probe first).
 */
export function inProcessProbe(calls: ProbeCalls, runtime: string): Probe {
  const self = () => {
    try {
      return Number(fs.readlinkSync('/proc/self'));
    } catch (e) {
      throw new ProbeError(`/proc/self: ${errnoCode(e) ?? (e as Error).message}`);
    }
  };
  return {
    path: `${runtime} (the probe's calls, in the doctor's process)`,
    syscall(name) {
      const [ret, errno] = calls.syscall(name);
      return { ret, errno, pid: self() };
    },
    cpu: () => calls.cpu(),
    fileCaps: (paths) => calls.fileCaps(paths),
    exec(path) {
      try {
        return calls.exec(path, PROBE_TIMEOUT_MS);
      } catch (e) {
        throw new ProbeError(`exec ${path}: ${errnoCode(e) ?? (e as Error).message}`);
      }
    },
  };
}

/** The doctor's environment on a real system (the guest, or a fixture tree with `root`). */
export function hostEnv(o: HostEnvOptions): DoctorEnv & { cleanup(): void } {
  let scratch: string | undefined;
  return {
    fs: hostFs(o),
    probe: o.inProcessProbe && nativeProbeCalls ? inProcessProbe(nativeProbeCalls, process.argv[0] ?? 'the runtime') : hostProbe(o.probePath),
    arch: o.arch,
    pid: process.pid,
    writeScratchExecutable(name, bytes) {
      scratch ??= fs.mkdtempSync(join(tmpdir(), 'capsem-doctor-'));
      const p = join(scratch, name);
      fs.writeFileSync(p, bytes, { mode: 0o755 });
      return p;
    },
    cleanup() {
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Node's process.arch, in the policy's vocabulary. */
export function hostArch(): Arch | undefined {
  return process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : undefined;
}
