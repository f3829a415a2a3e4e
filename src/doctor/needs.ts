// Preconditions, proven once per run before any check that needs them. A path
// test on /proc means nothing unless /proc is procfs; an ENOSYS from the probe
// means nothing unless the probe is shown to issue real syscalls. A need that
// does not hold turns every check that needs it into an error, never a pass.

import { ProbeError, errnoName } from './env.ts';
import { type CheckContext, quote } from './define.ts';
import { ELF_EXIT_CODE, ISA_BY_ARCH, exitElf } from './elf.ts';
import { mountAt, parseMounts } from './mounts.ts';

// Filesystem magic numbers (include/uapi/linux/magic.h).
export const MAGIC = {
  proc: 0x9fa0,
  sysfs: 0x62656572,
  tmpfs: 0x01021994,
  ramfs: 0x858458f6,
} as const;

export type NeedId = 'procfs' | 'self' | 'sysfs' | 'devtmpfs' | 'probe' | 'exec';

export interface NeedProof {
  ok: boolean;
  evidence: string[];
}

export interface Need {
  /** Reported as the check's reason when the need does not hold. */
  reason: string;
  /** What holding proves, for docs. */
  proves: string;
  /** Needs proven before this one. */
  requires: readonly NeedId[];
  prove(ctx: CheckContext): NeedProof;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/**
 * The doctor itself is unconfined: a seccomp filter could answer ENOSYS for
 * anything, NoNewPrivs or a reduced capability set could make a present
 * feature look absent (EPERM), and a user namespace could show a private view.
 */
function proveSelf(ctx: CheckContext): NeedProof {
  const status = ctx.text('/proc/self/status');
  if (!status.ok) return { ok: false, evidence: [`/proc/self/status: ${status.code}`] };
  const field = (key: string) => new RegExp(`^${key}:\\s+(\\S+)$`, 'm').exec(status.value)?.[1];
  const [seccomp, noNewPrivs, capEff] = [field('Seccomp'), field('NoNewPrivs'), field('CapEff')];
  const last = ctx.text('/proc/sys/kernel/cap_last_cap');
  const lastCap = last.ok ? Number(last.value.trim()) : NaN;
  const full = Number.isInteger(lastCap) ? (1n << BigInt(lastCap + 1)) - 1n : undefined;
  const capsFull = full !== undefined && capEff !== undefined && /^[0-9a-f]+$/i.test(capEff) && BigInt('0x' + capEff) === full;
  // Without SECCOMP the line is absent and no filter can exist; without USER_NS uid_map is, and only the initial namespace exists.
  const seccompOk = seccomp === undefined || seccomp === '0';
  const uidMap = ctx.text('/proc/self/uid_map');
  const initialNs = uidMap.ok ? uidMap.value.trim().split(/\s+/).join(' ') === '0 0 4294967295' : uidMap.code === 'ENOENT';
  const evidence = [
    `/proc/self/status: Seccomp ${seccomp ?? 'absent (no SECCOMP in the kernel)'}, NoNewPrivs ${noNewPrivs ?? 'absent'}, ` +
      `CapEff ${capEff ?? 'absent'} (policy: Seccomp 0, NoNewPrivs 0, CapEff ${full === undefined ? `full; cap_last_cap ${last.ok ? quote(last.value) : last.code}` : full.toString(16).padStart(16, '0')})`,
    `/proc/self/uid_map: ${uidMap.ok ? quote(uidMap.value) : uidMap.code === 'ENOENT' ? 'absent (no USER_NS: only the initial namespace)' : uidMap.code} (policy: "0 0 4294967295", the initial user namespace)`,
  ];
  return { ok: seccompOk && noNewPrivs === '0' && capsFull && initialNs, evidence };
}

function statfsIs(ctx: CheckContext, path: string, name: string, magics: readonly number[]): NeedProof {
  let type: number;
  try {
    type = ctx.env.fs.statfsType(path);
  } catch (e) {
    return { ok: false, evidence: [`statfs(${path}): ${(e as { code?: string }).code ?? (e as Error).message}`] };
  }
  const ok = magics.includes(type);
  return {
    ok,
    evidence: [`statfs(${path}).f_type = ${hex(type)}${ok ? ` (${name})` : `, not ${name} (${magics.map(hex).join(' or ')})`}`],
  };
}

export const NEEDS: Record<NeedId, Need> = {
  procfs: {
    reason: 'proc-not-procfs',
    proves: '/proc is a mounted procfs (statfs magic)',
    requires: [],
    prove: (ctx) => statfsIs(ctx, '/proc', 'procfs', [MAGIC.proc]),
  },
  self: {
    reason: 'doctor-confined',
    proves: 'the doctor runs unconfined (Seccomp 0, NoNewPrivs 0, every capability effective, the initial user namespace): a filter cannot pass for a missing feature',
    requires: ['procfs'],
    prove: proveSelf,
  },
  sysfs: {
    reason: 'sys-not-sysfs',
    proves: '/sys is a mounted sysfs (statfs magic)',
    requires: [],
    prove: (ctx) => statfsIs(ctx, '/sys', 'sysfs', [MAGIC.sysfs]),
  },
  devtmpfs: {
    reason: 'dev-not-devtmpfs',
    proves: '/dev is the kernel\'s devtmpfs (statfs magic tmpfs/ramfs and devtmpfs in /proc/mounts): device nodes mirror the drivers',
    requires: ['procfs'],
    prove(ctx) {
      const magic = statfsIs(ctx, '/dev', 'tmpfs/ramfs', [MAGIC.tmpfs, MAGIC.ramfs]);
      if (!magic.ok) return magic;
      const text = ctx.text('/proc/mounts');
      if (!text.ok) return { ok: false, evidence: [...magic.evidence, `/proc/mounts: ${text.code}`] };
      let fstype: string | undefined;
      try {
        fstype = mountAt(parseMounts(text.value), '/dev')?.fstype;
      } catch (e) {
        return { ok: false, evidence: [...magic.evidence, (e as Error).message] };
      }
      return {
        ok: fstype === 'devtmpfs',
        evidence: [...magic.evidence, `/proc/mounts: /dev is ${fstype === undefined ? 'not mounted' : `type ${fstype}`}`],
      };
    },
  },
  probe: {
    reason: 'probe-unusable',
    proves: 'the syscall probe runs and issues real syscalls (its getpid answers its own pid)',
    requires: [],
    prove(ctx) {
      try {
        const a = ctx.probe.syscall('getpid');
        const ok = a.ret === a.pid && a.errno === 0;
        return { ok, evidence: [`${ctx.probe.path} syscall getpid = ${a.ret} (errno ${a.errno}), probe pid ${a.pid}`] };
      } catch (e) {
        if (e instanceof ProbeError) return { ok: false, evidence: [e.message] };
        throw e;
      }
    },
  },
  exec: {
    reason: 'exec-unusable',
    proves: `a native ELF written to the scratch directory runs through the probe (exits ${ELF_EXIT_CODE})`,
    requires: ['probe'],
    prove(ctx) {
      const isa = ISA_BY_ARCH[ctx.arch].native;
      try {
        const path = ctx.env.writeScratchExecutable(`native-${isa}`, exitElf(isa));
        const r = ctx.probe.exec(path);
        const ok = r.kind === 'ran' && r.exitCode === ELF_EXIT_CODE;
        const what = r.kind === 'ran' ? `ran, exit ${r.exitCode ?? r.signal}` : `refused: ${errnoName(r.errno)}`;
        return { ok, evidence: [`exec ${isa} control ${path}: ${what}`] };
      } catch (e) {
        if (e instanceof ProbeError || (e as { code?: unknown }).code !== undefined) {
          return { ok: false, evidence: [`exec control: ${(e as Error).message}`] };
        }
        throw e;
      }
    },
  },
};

/** `ids` and everything they require, each after its requirements. */
export function needClosure(ids: readonly NeedId[]): NeedId[] {
  const out: NeedId[] = [];
  const visit = (id: NeedId) => {
    if (out.includes(id)) return;
    NEEDS[id].requires.forEach(visit);
    out.push(id);
  };
  ids.forEach(visit);
  return out;
}
