// Observations several checks share. Each either returns what it saw or
// throws Bail with an error outcome (unreadable, implausible), which the
// runner reports as that check's result: a check never passes on a read it
// could not make.

import { type ParsedCmdline, parseCmdline, parsedPolicyCmdline } from '../policy/index.ts';
import { type CheckContext, type Got, type Outcome, type SharedReason, describeMiss, error, quote } from './define.ts';
import { type FileInfo, type ProbeSyscall, ProbeError, errnoName, errnoNumber } from './env.ts';
import { type Mount, parseMounts } from './mounts.ts';

/** Ends a check early with an error outcome. */
export class Bail extends Error {
  constructor(readonly outcome: Outcome<SharedReason>) {
    super(outcome.evidence.join('; '));
  }
}

export function must<T>(got: Got<T>, path: string): T {
  if (!got.ok) throw new Bail(error('unreadable', [describeMiss(path, got.code)]));
  return got.value;
}

export function implausible(evidence: string): never {
  throw new Bail(error('implausible', [evidence]));
}

/** true when `path` does not exist (lstat ENOENT); false when it does; Bail on any other errno. */
export function isAbsent(ctx: CheckContext, path: string): boolean {
  const s = ctx.lstat(path);
  if (s.ok) return false;
  if (s.code === 'ENOENT') return true;
  throw new Bail(error('unreadable', [describeMiss(path, s.code)]));
}

export function readMounts(ctx: CheckContext): Mount[] {
  const text = must(ctx.text('/proc/mounts'), '/proc/mounts');
  let mounts: Mount[];
  try {
    mounts = parseMounts(text);
  } catch (e) {
    return implausible((e as Error).message);
  }
  if (mounts.length === 0) implausible('/proc/mounts is empty');
  return mounts;
}

/** Filesystem types from /proc/filesystems ("nodev\tproc" or "\text4"); it must list proc. */
export function readFilesystems(ctx: CheckContext): Set<string> {
  const text = must(ctx.text('/proc/filesystems'), '/proc/filesystems');
  const names = new Set(
    text
      .split('\n')
      .map((l) => l.split('\t').at(-1)!.trim())
      .filter(Boolean),
  );
  if (!names.has('proc')) implausible(`/proc/filesystems does not list proc: ${quote(text)}`);
  return names;
}

/** The entries of /proc/net; it must list dev (every kernel with networking has it). */
export function listProcNet(ctx: CheckContext): string[] {
  const names = must(ctx.list('/proc/net'), '/proc/net');
  if (!names.includes('dev')) implausible(`/proc/net does not list dev: [${names.join(', ')}]`);
  return names;
}

/** /proc/cmdline as read and parsed once per run (eight checks and the runner's boot facts read it). */
export function readCmdline(ctx: CheckContext): { raw: string; parsed: ParsedCmdline } {
  return ctx.memo('cmdline', () => {
    const raw = must(ctx.text('/proc/cmdline'), '/proc/cmdline').replace(/\n$/, '');
    return { raw, parsed: parseCmdline(raw) };
  });
}

/** The command line the policy asks for on this target, parsed (once: the policy memoises it). */
export function policyCmdline(ctx: CheckContext): ParsedCmdline {
  return parsedPolicyCmdline(ctx.arch, ctx.target.kernel);
}

/**
 * Whether the file at `path` is the file at the same path under `layer`
 * (a mount point): same inode number, same size, same mode. Overlayfs without
 * xino reports a lower file's real inode number (with a per-layer pseudo
 * st_dev), so a copied-up or replaced file does not match.
 */
export function sameFileOnLayer(ctx: CheckContext, path: string, layer: string): { same: boolean; seen: FileInfo; onLayer: Got<FileInfo>; evidence: string } {
  const seen = must(ctx.stat(path), path);
  const layerPath = layer === '/' ? path : layer + path;
  const onLayer = ctx.stat(layerPath);
  if (!onLayer.ok) return { same: false, seen, onLayer, evidence: describeMiss(layerPath, onLayer.code) };
  const l = onLayer.value;
  const same = l.ino === seen.ino && l.size === seen.size && l.mode === seen.mode;
  return {
    same,
    seen,
    onLayer,
    evidence: `${path} ino ${seen.ino} size ${seen.size}; ${layerPath} ino ${l.ino} size ${l.size}: ${same ? 'same file' : 'different files'}`,
  };
}

const ENOSYS = errnoNumber('ENOSYS');

/** Asks the probe for one syscall: ENOSYS means the kernel lacks it. */
export function syscallMissing(ctx: CheckContext, name: ProbeSyscall): { missing: boolean; evidence: string } {
  let a;
  try {
    a = ctx.probe.syscall(name);
  } catch (e) {
    if (e instanceof ProbeError) throw new Bail(error('unreadable', [e.message]));
    throw e;
  }
  return {
    missing: a.ret === -1 && a.errno === ENOSYS,
    evidence: `${name}() = ${a.ret}${a.ret === -1 ? ` ${errnoName(a.errno)}` : ''}`,
  };
}

/**
 * The kernel's log messages, read once per run from /dev/kmsg (root reads it
 * even with dmesg_restrict). Records are "prio,seq,usec,flags;text" with
 * continuation lines (" KEY=value") after them; the boot always logs "Linux version".
 */
export function readKernelLog(ctx: CheckContext): string[] {
  return ctx.memo('kernel-log', () => {
    const raw = must(ctx.records('/dev/kmsg'), '/dev/kmsg');
    const messages = raw
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith(' '))
      .map((l) => l.slice(l.indexOf(';') + 1));
    if (!messages.some((m) => m.startsWith('Linux version'))) implausible(`/dev/kmsg: ${messages.length} records, none "Linux version ..."`);
    return messages;
  });
}
