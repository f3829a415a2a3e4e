// A check is one file: its name (from the policy's CHECKS), the preconditions
// it needs proven first, the reason ids it may report (with what each means),
// and `run`. The rules it verifies and what it proves are read from the
// policy, never restated here.

import { type Arch, CHECKS, type CheckName, DEFAULT_KERNEL, RULES, type Rule, type Target, appliesToArch, resolveRule } from '../policy/index.ts';
import type { CheckStatus } from './types.ts';
import type { DoctorEnv, FileInfo, Probe, TreeWalk } from './env.ts';
import { errnoCode } from './env.ts';
import type { NeedId } from './needs.ts';

export interface Outcome<R extends string = string> {
  status: CheckStatus;
  /** Set for fail and error: a key of the check's `reasons`, a need's reason or a shared reason. */
  reason?: R;
  evidence: string[];
}

/** Reasons any check may report without declaring them. */
export const SHARED_REASONS = {
  unreadable: 'something the check must read could not be read (the evidence names the path and errno)',
  implausible: 'a kernel interface answered what the kernel could not have written (e.g. /proc without our own pid)',
  crashed: 'the check threw: a bug in the doctor (the evidence has the message)',
} as const;
export type SharedReason = keyof typeof SHARED_REASONS;

export const pass = (evidence: string[]): Outcome<never> => ({ status: 'pass', evidence });
export const fail = <R extends string>(reason: R, evidence: string[]): Outcome<R> => ({ status: 'fail', reason, evidence });
export const error = <R extends string>(reason: R, evidence: string[]): Outcome<R> => ({ status: 'error', reason, evidence });

/** A read that may fail: the errno code is data, not an exception. */
export type Got<T> = { ok: true; value: T } | { ok: false; code: string };

/** What a check sees: tagged reads of guest paths, the probe, the arch, the rules it verifies here. */
export interface CheckContext {
  arch: Arch;
  /** What the running kernel is, in the policy's terms (arch, version, toolchain). */
  target: Target;
  /** The policy rules this check verifies on this target (arch-applicable, not waived). */
  rules: readonly Rule[];
  pid: number;
  probe: Probe;
  env: DoctorEnv;
  text(path: string): Got<string>;
  head(path: string, length: number): Got<Buffer>;
  list(path: string): Got<string[]>;
  stat(path: string): Got<FileInfo>;
  lstat(path: string): Got<FileInfo>;
  readlink(path: string): Got<string>;
  /** A record device read to its current end (the kernel log, /dev/kmsg). */
  records(path: string): Got<string>;
  /** sha256 of a file's content (hex). */
  digest(path: string): Got<string>;
  /** Every entry under `path` on its own filesystem (env.ts walkTree); what it could not read is in `unreadable`. */
  walk(path: string): TreeWalk;
  /** Computes once per run what several checks observe alike (e.g. the filesystem walk). */
  memo<T>(key: string, compute: () => T): T;
}

function attempt<T>(f: () => T): Got<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    const code = errnoCode(e);
    if (code === undefined) throw e;
    return { ok: false, code };
  }
}

export function checkContext(
  env: DoctorEnv,
  rules: readonly Rule[] = [],
  shared = new Map<string, unknown>(),
  target: Target = { arch: env.arch, kernel: DEFAULT_KERNEL, toolchain: 'gcc' },
): CheckContext {
  return {
    arch: env.arch,
    target,
    rules,
    pid: env.pid,
    probe: env.probe,
    env,
    text: (p) => attempt(() => env.fs.readFile(p).toString('utf8')),
    head: (p, n) => attempt(() => env.fs.readHead(p, n)),
    list: (p) => attempt(() => env.fs.readdir(p).sort()),
    stat: (p) => attempt(() => env.fs.stat(p)),
    lstat: (p) => attempt(() => env.fs.lstat(p)),
    readlink: (p) => attempt(() => env.fs.readlink(p)),
    records: (p) => attempt(() => env.fs.readRecords(p).toString('utf8')),
    digest: (p) => attempt(() => env.fs.sha256(p)),
    walk: (p) => env.fs.walk(p),
    memo<T>(key: string, compute: () => T): T {
      if (!shared.has(key)) shared.set(key, compute());
      return shared.get(key) as T;
    },
  };
}

export interface CheckDefinition<R extends string> {
  name: CheckName;
  /** Preconditions proven (once per run) before `run`; a failed one makes the check an error. */
  needs: readonly NeedId[];
  /** Every reason id `run` may return, with what it means. */
  reasons: Record<R, string>;
  run(ctx: CheckContext): Outcome<R | SharedReason>;
}

export interface Check<R extends string = string> extends CheckDefinition<R> {
  /** One line from the policy: what passing proves. */
  proves: string;
  /** The policy rules that name this check (all arches). */
  rules: readonly string[];
}

/** Check name -> the rules that name it, in RULES order: one pass over RULES instead of one per check (twice each run). */
let rulesByCheck: Map<string, Rule[]> | undefined;

/** Policy rules that name `check` (a fresh array). */
export function rulesNaming(check: string): Rule[] {
  if (!rulesByCheck) {
    rulesByCheck = new Map();
    for (const r of RULES) {
      for (const c of r.checks ?? []) {
        const list = rulesByCheck.get(c);
        if (!list) rulesByCheck.set(c, [r]);
        // A check named twice by one rule: r is already its list's last (no Set per rule: ~600 at every doctor start).
        else if (list.at(-1) !== r) list.push(r);
      }
    }
  }
  return [...(rulesByCheck.get(check) ?? [])];
}

/**
 * The rules `check` verifies on `target`: those for its arch that the policy
 * does not waive there. (A rule whose Kconfig symbol is gone from a kernel
 * still counts: the runtime property it names is still expected.)
 */
export function rulesToVerify(check: string, target: Target): { verify: Rule[]; waived: string[] } {
  const verify: Rule[] = [];
  const waived: string[] = [];
  for (const r of rulesNaming(check)) {
    if (!appliesToArch(r, target.arch)) continue;
    const res = resolveRule(r, target);
    if (res.status === 'waived') waived.push(`${r.id} waived: ${res.reason}`);
    else verify.push(r);
  }
  return { verify, waived };
}

/** The policy's CHECKS by name, built on the first defineCheck (one lookup per check, not a scan). */
let specByName: Map<string, (typeof CHECKS)[number]> | undefined;

/** Every check needs `self`: nothing a confined doctor sees can be trusted. */
export function defineCheck<const R extends string>(def: CheckDefinition<R>): Check<R> {
  const spec = (specByName ??= new Map(CHECKS.map((c) => [c.name, c]))).get(def.name)!;
  const needs: NeedId[] = ['self', ...def.needs.filter((n) => n !== 'self')];
  return { ...def, needs, proves: spec.proves, rules: rulesNaming(def.name).map((r) => r.id) };
}

// ---- evidence wording ----------------------------------------------------------

/** "path: absent (ENOENT)" / "path: EACCES" for a failed read. */
export function describeMiss(path: string, code: string): string {
  return code === 'ENOENT' ? `${path}: absent (ENOENT)` : `${path}: ${code}`;
}

/** A file's content for evidence: quoted, trimmed, cut to a readable length. */
export function quote(text: string, max = 200): string {
  const t = text.trim();
  return JSON.stringify(t.length > max ? `${t.slice(0, max)}…` : t);
}

export function octal(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}

/**
 * An observed set against the exact set the policy allows: evidence names
 * what was read, what was expected, and every extra and missing element.
 */
export function compareSets(what: string, seen: readonly string[], expected: readonly string[]): { same: boolean; evidence: string[] } {
  const extra = seen.filter((x) => !expected.includes(x));
  const missing = expected.filter((x) => !seen.includes(x));
  const evidence = [`${what}: [${seen.join(', ')}] (policy: exactly ${expected.join(', ')})`];
  if (extra.length) evidence.push(`not allowed: ${extra.join(', ')}`);
  if (missing.length) evidence.push(`missing: ${missing.join(', ')}`);
  return { same: extra.length === 0 && missing.length === 0, evidence };
}
