// Kinds of check that several check files share: each factory returns the
// body of a check (needs, reasons, run) for one parameter, and the check file
// adds its name. Expectations come from the policy (GUEST, RULES).

import { type CheckName, FORBIDDEN_FILES, GUEST, cmdlineValue, cmdlineVerdict, forbiddenFile } from '../policy/index.ts';
import { type CheckContext, type CheckDefinition, describeMiss, error, fail, octal, pass, quote, rulesNaming } from './define.ts';
import type { ProbeSyscall } from './env.ts';
import { implausible, isAbsent, must, readCmdline, readMounts, syscallMissing } from './observe.ts';
import { PSEUDO_FILESYSTEMS } from './mounts.ts';

type Body<R extends string> = Pick<CheckDefinition<R>, 'needs' | 'reasons' | 'run'>;

/** The syscalls answer ENOSYS: the code behind them is not in the kernel. */
export function syscallsAbsent(names: readonly ProbeSyscall[]): Body<'syscall-available'> {
  return {
    needs: ['probe'],
    reasons: { 'syscall-available': 'a syscall answered something other than ENOSYS: the kernel implements it' },
    run(ctx) {
      const answers = names.map((n) => syscallMissing(ctx, n));
      const evidence = answers.map((a) => a.evidence);
      return answers.every((a) => a.missing) ? pass(evidence) : fail('syscall-available', evidence);
    },
  };
}

/** None of `names` is an entry of the sysfs directory; `witness` must be (it proves the listing is real). */
export function sysfsNamesAbsent(
  dirs: readonly { dir: string; names: readonly string[]; witness: string }[],
): Body<'present'> {
  return {
    needs: ['sysfs'],
    reasons: { present: 'a forbidden bus or class is registered in sysfs' },
    run(ctx) {
      const evidence: string[] = [];
      const found: string[] = [];
      for (const { dir, names, witness } of dirs) {
        const entries = must(ctx.list(dir), dir);
        if (!entries.includes(witness)) implausible(`${dir} lacks ${witness}: [${entries.join(', ')}]`);
        const hits = names.filter((n) => entries.includes(n));
        found.push(...hits.map((h) => `${dir}/${h}`));
        evidence.push(`${dir}: ${entries.length} entries; ${hits.length ? `has ${hits.join(', ')}` : `none of ${names.join(', ')}`}`);
      }
      return found.length ? fail('present', evidence) : pass(evidence);
    },
  };
}

/** A /proc file that must be absent or empty (e.g. /proc/modules, /proc/kallsyms). */
export function procFileAbsentOrEmpty(path: string): Body<'not-empty'> {
  return {
    needs: ['procfs'],
    reasons: { 'not-empty': `${path} exists and has content` },
    run(ctx) {
      const t = ctx.text(path);
      if (!t.ok && t.code === 'ENOENT') return pass([describeMiss(path, t.code)]);
      const text = must(t, path);
      if (text.length === 0) return pass([`${path}: empty`]);
      const lines = text.split('\n').filter(Boolean);
      return fail('not-empty', [`${path}: ${lines.length} lines, first ${quote(lines[0] ?? '')}`]);
    },
  };
}

/**
 * A /dev/mem-like node is absent from devtmpfs and its driver is absent from
 * the mem class in sysfs (devtmpfs creates a node for every registered char
 * device, and the mem class always holds null).
 */
export function memDeviceAbsent(name: 'mem' | 'port'): Body<'node-present' | 'driver-registered'> {
  return {
    needs: ['devtmpfs', 'sysfs'],
    reasons: {
      'node-present': `/dev/${name} exists`,
      'driver-registered': `/sys/class/mem/${name} exists: the driver is built in`,
    },
    run(ctx) {
      const classEntries = must(ctx.list('/sys/class/mem'), '/sys/class/mem');
      if (!classEntries.includes('null')) implausible(`/sys/class/mem lacks null: [${classEntries.join(', ')}]`);
      const node = `/dev/${name}`;
      const nodeAbsent = isAbsent(ctx, node);
      const evidence = [
        nodeAbsent ? `${node}: absent (ENOENT)` : `${node}: present`,
        `/sys/class/mem: [${classEntries.join(', ')}]`,
      ];
      if (!nodeAbsent) return fail('node-present', evidence);
      if (classEntries.includes(name)) return fail('driver-registered', evidence);
      return pass(evidence);
    },
  };
}

type CmdlineReason = 'param-missing' | 'param-wrong-value' | 'flag-overridden';

/**
 * Every command line rule that names `check` holds on /proc/cmdline, judged
 * by the policy's own cmdlineVerdict (last value wins; `rw` after `ro` wins).
 */
export function cmdlineParam(check: CheckName): Body<CmdlineReason> {
  const cancellable = rulesNaming(check).some((r) => r.kind === 'cmdline' && r.cancelledBy?.length);
  const reasons: Partial<Record<CmdlineReason, string>> = {
    'param-missing': 'the parameter is not on /proc/cmdline',
    'param-wrong-value': 'the last value of the parameter is not the one the policy asks for',
    // Declared only where a flag can be cancelled, so every declared reason can be shown.
    ...(cancellable ? { 'flag-overridden': 'the flag is followed by one that cancels it (e.g. ro ... rw), which wins' } : {}),
  };
  return {
    needs: ['procfs'],
    reasons: reasons as Record<CmdlineReason, string>,
    run(ctx) {
      const { raw, parsed } = readCmdline(ctx);
      const evidence = [`/proc/cmdline: ${quote(raw, 400)}`];
      let outcome: CmdlineReason | undefined;
      for (const rule of ctx.rules) {
        if (rule.kind !== 'cmdline') continue;
        const want = cmdlineValue(rule, ctx.arch);
        const verdict = cmdlineVerdict(rule, parsed, ctx.arch);
        evidence.push(`${rule.param}: the kernel has ${verdict.actual}; policy ${rule.id} wants ${want === true ? rule.param : `${rule.param}=${want}`}`);
        if (verdict.holds) continue;
        const got = parsed.get(rule.param);
        if (got === undefined) outcome ??= 'param-missing';
        else if (got === true && want === true) outcome ??= 'flag-overridden';
        else outcome ??= 'param-wrong-value';
      }
      return outcome ? fail(outcome, evidence) : pass(evidence);
    },
  };
}

export interface ProcessEntry {
  pid: string;
  comm: string;
  /** The executable's path (readlink /proc/PID/exe), or the errno code (kernel threads: ENOENT, not asked). */
  exe: { ok: true; value: string } | { ok: false; code: string };
  /** PF_KTHREAD in the flags of /proc/PID/stat: a kernel thread, whatever its name. */
  kthread: boolean;
}

/** include/linux/sched.h: set on every kernel thread, never on a user process. */
const PF_KTHREAD = 0x00200000;

/**
 * comm (field 2, in parentheses, may itself hold spaces and parentheses) and
 * flags (field 9) of /proc/PID/stat: one read gives both.
 */
function parseStat(stat: string, path: string): { comm: string; flags: number } {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  // The kernel separates the fields after comm by one space (fs/proc/array.c): a string split, cut at
  // field 9, instead of a regex over all ~50 (QuickJS runs a regex split per character).
  const flags = stat.slice(close + 1).trim().split(' ', 7)[6];
  if (open === -1 || close < open || flags === undefined || !/^\d+$/.test(flags)) implausible(`${path}: not "pid (comm) state ... flags ...": ${quote(stat)}`);
  return { comm: stat.slice(open + 1, close), flags: Number(flags) };
}

/**
 * Every process's comm, exe and kernel-thread flag, read once per run for all
 * the process checks. A kernel thread has no executable: its exe is not asked
 * (under emulation every read counts; PF_KTHREAD is the kernel's own word).
 */
export function processTable(ctx: CheckContext): ProcessEntry[] {
  return ctx.memo('processes', () => {
    const pids = must(ctx.list('/proc'), '/proc').filter((n) => /^\d+$/.test(n));
    if (!pids.includes(String(ctx.pid))) implausible(`/proc does not list the doctor's own pid ${ctx.pid}`);
    const table: ProcessEntry[] = [];
    for (const pid of pids) {
      const stat = ctx.text(`/proc/${pid}/stat`);
      // ENOENT/ESRCH: the process ended while we looked.
      if (!stat.ok && (stat.code === 'ENOENT' || stat.code === 'ESRCH')) continue;
      const { comm, flags } = parseStat(must(stat, `/proc/${pid}/stat`), `/proc/${pid}/stat`);
      const kthread = (flags & PF_KTHREAD) !== 0;
      table.push({ pid, comm, kthread, exe: kthread ? { ok: false, code: 'ENOENT' } : ctx.readlink(`/proc/${pid}/exe`) });
    }
    return table;
  });
}

/** "pid N: comm "x", exe /y" for evidence. */
export function describeProcess({ pid, comm, exe }: ProcessEntry): string {
  return `pid ${pid}: comm ${JSON.stringify(comm)}, exe ${exe.ok ? exe.value : describeMiss('exe', exe.code)}`;
}

/**
 * The regular files of the walked mounts that a rule of FORBIDDEN_FILES (the
 * image builder's table) names, by daemon; a rule reads the path within its
 * mount. Matched once per run for the three checks.
 */
function forbiddenFiles(ctx: CheckContext): Map<string, string[]> {
  return ctx.memo('forbidden-files', () => {
    const walk = modeWalk(ctx);
    const prefixes = walk.mounts.map((m) => m.slice(0, m.lastIndexOf(' '))).filter((m) => m !== '/').map((m) => `${m}/`);
    const byDaemon = new Map<string, string[]>();
    for (const p of walk.files) {
      let rel = p;
      for (const m of prefixes) if (p.startsWith(m) && m.length - 1 > p.length - rel.length) rel = p.slice(m.length - 1);
      const hit = forbiddenFile(rel);
      if (hit) byDaemon.set(hit.daemon, [...(byDaemon.get(hit.daemon) ?? []), `${p}: ${hit.what}`]);
    }
    return byDaemon;
  });
}

/** No process whose comm or executable's name is one of GUEST.forbiddenProcesses[key], and no file of the daemon's on a mounted filesystem. */
export function processAbsent(key: keyof typeof GUEST.forbiddenProcesses): Body<'process-running' | 'file-installed'> {
  const names: readonly string[] = GUEST.forbiddenProcesses[key];
  return {
    needs: ['procfs'],
    reasons: {
      'process-running': `a process named ${names.join(' or ')} is running`,
      'file-installed': `a file of ${key}'s (${FORBIDDEN_FILES[key].map((r) => r.what).join(', ')}) is on a mounted filesystem`,
    },
    run(ctx) {
      const table = processTable(ctx);
      const found: string[] = [];
      for (const p of table) {
        const exeName = p.exe.ok ? p.exe.value.replace(/ \(deleted\)$/, '').split('/').at(-1)! : undefined;
        if (names.includes(p.comm) || (exeName !== undefined && names.includes(exeName))) found.push(describeProcess(p));
      }
      const walk = modeWalk(ctx);
      const files = forbiddenFiles(ctx).get(key) ?? [];
      const evidence = [
        `scanned ${table.length} processes in /proc for ${names.join(', ')}`,
        ...found,
        `${walk.files.length} files of ${walk.mounts.length} mounts: ${files.length} of ${key}'s`,
        ...files,
      ];
      if (found.length) return fail('process-running', evidence);
      return files.length ? fail('file-installed', evidence) : pass(evidence);
    },
  };
}

export interface ModeWalk {
  /** "mountpoint fstype" of each mount walked. */
  mounts: string[];
  entries: number;
  /** Every non-symlink with the setuid or setgid bit. */
  special: { path: string; mode: number; kind: string }[];
  /** Every regular file (for the file-capability probe). */
  files: string[];
  unreadable: string[];
}

/**
 * Every mounted filesystem where files can be created (the root, its layers, /dev, /run), each walked from its mount
 * point without leaving it (directories on overlayfs always carry the
 * overlay's st_dev, so the walk follows directory st_dev). Done once per run
 * for both the setuid and the setgid check.
 */
function walkMounts(ctx: CheckContext): ModeWalk {
  const mounts = readMounts(ctx).filter((m) => !PSEUDO_FILESYSTEMS.has(m.fstype));
  const walk: ModeWalk = { mounts: [...new Set(mounts.map((m) => `${m.mountpoint} ${m.fstype}`))], entries: 0, special: [], files: [], unreadable: [] };
  for (const mp of new Set(mounts.map((m) => m.mountpoint))) {
    const w = ctx.walk(mp);
    walk.entries += w.entries;
    walk.special.push(...w.special);
    walk.files.push(...w.files);
    walk.unreadable.push(...w.unreadable.map((u) => describeMiss(u.path, u.code)));
  }
  return walk;
}

/** The walk of every mount where files can be created, once per run. */
export function modeWalk(ctx: CheckContext): ModeWalk {
  return ctx.memo('mode-walk', () => walkMounts(ctx));
}

/** No file with `bit` (setuid 0o4000 / setgid 0o2000) on any mounted filesystem where files can be created. */
export function modeBitAbsent(bit: 0o4000 | 0o2000, label: 'setuid' | 'setgid'): Body<'mode-bit-found'> {
  return {
    needs: ['procfs'],
    reasons: { 'mode-bit-found': `a ${label} file exists on a mounted filesystem` },
    run(ctx) {
      const walk = modeWalk(ctx);
      const found = walk.special.filter((f) => f.mode & bit).map((f) => `${f.path}: mode ${octal(f.mode)} (${f.kind})`);
      const evidence = [`walked ${walk.mounts.length} mounts (${walk.mounts.join(', ')}), ${walk.entries} entries`, ...found, ...walk.unreadable];
      if (found.length) return fail('mode-bit-found', evidence);
      if (walk.unreadable.length) return error('unreadable', evidence);
      return pass(evidence);
    },
  };
}
