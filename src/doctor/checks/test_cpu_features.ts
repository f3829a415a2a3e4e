import type { Arch } from '../../policy/index.ts';
import { type CheckContext, defineCheck, error, fail, pass, quote } from '../define.ts';
import { ProbeError } from '../env.ts';
import { Bail, implausible, must, readKernelLog } from '../observe.ts';

/**
 * A protection the CPU provides and the kernel must switch on. `cpu` names the
 * probe's answer for what the CPU itself offers (CPUID, an instruction that
 * traps when absent); without it the feature is taken as offered, so its
 * absence fails instead of passing as "the CPU lacks it". `flag` is the
 * /proc/cpuinfo word (x86 flags, arm64 Features) the kernel shows only when it
 * enabled the feature; `line` is the kernel's own boot message for it.
 */
interface Feature {
  name: string;
  /** The policy rules it verifies (any one makes it expected); none: always built in (SMEP, SMAP since 5.x), verified on every run. */
  rules?: readonly string[];
  cpu?: string;
  flag?: string;
  line?: { re: RegExp; says: string };
  /** The probe's answer that proves the kernel enabled it for user space (arm64: PACIA signed a pointer). */
  inEffect?: string;
}

export const CPU_FEATURES: Record<Arch, readonly Feature[]> = {
  x86_64: [
    { name: 'SMEP', cpu: 'smep', flag: 'smep' },
    { name: 'SMAP', cpu: 'smap', flag: 'smap' },
    { name: 'UMIP', rules: ['x86-umip'], cpu: 'umip', flag: 'umip', line: { re: /^x86\/cpu: User Mode Instruction Prevention \(UMIP\) activated/, says: 'x86/cpu: User Mode Instruction Prevention (UMIP) activated' } },
    // Software: any x86_64 CPU can run it (pti=on forces it even where the CPU is not affected).
    { name: 'PTI', rules: ['x86-page-table-isolation', 'cmdline-pti'], flag: 'pti', line: { re: /^Kernel\/User page tables isolation: enabled/, says: 'Kernel/User page tables isolation: enabled' } },
  ],
  arm64: [
    // PAN and BTI have no EL0 test of the CPU's own support: a CPU without them fails here.
    { name: 'PAN', rules: ['arm64-pan'], line: { re: /^CPU features: detected: Privileged Access Never/, says: 'CPU features: detected: Privileged Access Never' } },
    { name: 'BTI', rules: ['arm64-bti'], flag: 'bti', line: { re: /^CPU features: detected: Branch Target Identification/, says: 'CPU features: detected: Branch Target Identification' } },
    {
      name: 'pointer authentication',
      rules: ['arm64-ptr-auth'],
      cpu: 'pauth',
      flag: 'paca',
      line: { re: /^CPU features: detected: Address authentication/, says: 'CPU features: detected: Address authentication ...' },
      inEffect: 'pauth-user',
    },
  ],
};

const MELTDOWN = '/sys/devices/system/cpu/vulnerabilities/meltdown';

function cpuinfoFlags(ctx: CheckContext): Set<string> {
  const text = must(ctx.text('/proc/cpuinfo'), '/proc/cpuinfo');
  const m = /^(?:flags|Features)\s*:(.*)$/m.exec(text);
  if (!m) implausible(`/proc/cpuinfo has no flags/Features line: ${quote(text)}`);
  return new Set(m[1]!.trim().split(/\s+/));
}

function askCpu(ctx: CheckContext): Record<string, boolean> {
  try {
    return ctx.probe.cpu();
  } catch (e) {
    if (e instanceof ProbeError) throw new Bail(error('unreadable', [e.message]));
    throw e;
  }
}

// What the kernel turned on, read where it says so: /proc/cpuinfo (the kernel
// clears a flag it did not enable: clearcpuid=, nopti, arm64.nopauth), its boot
// line, and for pointer authentication a pointer actually signed.
export default defineCheck({
  name: 'test_cpu_features',
  needs: ['procfs', 'sysfs', 'probe'],
  reasons: { 'feature-off': 'the CPU offers a protection the kernel did not turn on (its /proc/cpuinfo flag, boot line or effect is missing)' },
  run(ctx) {
    const rules = new Set(ctx.rules.map((r) => r.id));
    const features = CPU_FEATURES[ctx.arch].filter((f) => f.rules === undefined || f.rules.some((r) => rules.has(r)));
    const flags = cpuinfoFlags(ctx);
    const log = features.some((f) => f.line) ? readKernelLog(ctx) : [];
    const cpu = features.some((f) => f.cpu || f.inEffect) ? askCpu(ctx) : {};
    const evidence: string[] = [];
    let off = false;
    for (const f of features) {
      for (const k of [f.cpu, f.inEffect]) if (k !== undefined && typeof cpu[k] !== 'boolean') implausible(`${ctx.probe.path} cpu did not answer ${k}: ${JSON.stringify(cpu)}`);
      if (f.cpu && !cpu[f.cpu]) {
        evidence.push(`${f.name}: the CPU lacks it (probe cpu: ${f.cpu} 0): nothing for the kernel to turn on`);
        continue;
      }
      const seen: string[] = [];
      let on = true;
      if (f.flag) {
        const has = flags.has(f.flag);
        seen.push(`/proc/cpuinfo ${has ? 'has' : 'lacks'} ${f.flag}`);
        on &&= has;
      }
      if (f.line) {
        const line = log.find((m) => f.line!.re.test(m));
        seen.push(line ? `boot log ${quote(line, 100)}` : `no boot line "${f.line.says}"`);
        on &&= line !== undefined;
      }
      if (f.inEffect) {
        seen.push(`probe: a PACIA ${cpu[f.inEffect] ? 'signed' : 'did not sign'} a pointer`);
        on &&= cpu[f.inEffect]!;
      }
      evidence.push(`${f.name}: ${f.cpu ? `the CPU offers it (probe cpu: ${f.cpu} 1)` : 'expected on'}; ${seen.join('; ')}: ${on ? 'on' : 'OFF'}`);
      off ||= !on;
    }
    if (features.some((f) => f.name === 'PTI')) {
      const v = must(ctx.text(MELTDOWN), MELTDOWN).trim();
      const ok = v === 'Mitigation: PTI' || v === 'Not affected';
      evidence.push(`${MELTDOWN}: ${quote(v)} (policy: "Mitigation: PTI", or "Not affected" by the CPU)`);
      off ||= !ok;
    }
    return off ? fail('feature-off', evidence) : pass(evidence);
  },
});
