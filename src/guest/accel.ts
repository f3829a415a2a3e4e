import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { arch as nodeArch } from 'node:os';
import type { Arch } from '../policy/index.ts';
import { EnvironmentError } from '../util/errors.ts';

// Honest acceleration: KVM only where it can really run our guest. Some hosts
// have a /dev/kvm that opens but is the paravirtual kvm_pvm module on a CPU
// without vmx/svm; a stock guest kernel crawls there under instruction
// emulation for minutes and then dies with a KVM emulation failure. So the
// decision is made from facts, with the reason said in one line.

export type Accel = 'kvm' | 'tcg';
export type AccelRequest = Accel | 'auto';

/** What the decision is made from (read from the host, or injected by tests). */
export interface HostFacts {
  hostArch: Arch | 'other';
  /** Opening /dev/kvm read-write: 'ok' or the errno code ('ENOENT', 'EACCES', ...). */
  kvmOpen: string;
  /** x86 CPU flags from /proc/cpuinfo (empty on other hosts). */
  cpuFlags: readonly string[];
  /** Loaded KVM modules (names under /sys/module starting with kvm). */
  kvmModules: readonly string[];
}

export interface AccelDecision {
  accel: Accel;
  /** One line: why this accelerator. */
  reason: string;
}

/** Why KVM cannot run a `guest` here, or undefined when it can. */
export function kvmUnusable(guest: Arch, f: HostFacts): string | undefined {
  if (f.hostArch !== guest) return `the host is ${f.hostArch}, the guest ${guest}: KVM runs only same-arch guests`;
  if (f.kvmOpen !== 'ok') return `/dev/kvm cannot be opened (${f.kvmOpen})`;
  if (guest === 'x86_64') {
    if (f.kvmModules.includes('kvm_pvm')) {
      return '/dev/kvm is the paravirtual kvm_pvm module, which cannot run a stock guest kernel';
    }
    if (!f.cpuFlags.includes('vmx') && !f.cpuFlags.includes('svm')) {
      return 'the CPU has no vmx or svm flag (no hardware virtualization)';
    }
  }
  return undefined;
}

/** The decision for a request. `kvm` where KVM is unusable is an EnvironmentError (exit 2), at once. */
export function decideAccel(request: AccelRequest, guest: Arch, facts: HostFacts): AccelDecision {
  const why = kvmUnusable(guest, facts);
  if (request === 'tcg') return { accel: 'tcg', reason: 'TCG (emulation) requested' };
  if (request === 'kvm') {
    if (why) throw new EnvironmentError(`--accel kvm: KVM is not usable here: ${why}`);
    return { accel: 'kvm', reason: 'KVM requested and usable' };
  }
  if (why) return { accel: 'tcg', reason: `TCG (emulation): ${why}` };
  return { accel: 'kvm', reason: `KVM: /dev/kvm opens${guest === 'x86_64' ? ' and the CPU has hardware virtualization' : ''}` };
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export function readHostFacts(): HostFacts {
  const a = nodeArch();
  const hostArch: HostFacts['hostArch'] = a === 'x64' ? 'x86_64' : a === 'arm64' ? 'arm64' : 'other';
  let kvmOpen = 'ok';
  try {
    closeSync(openSync('/dev/kvm', 'r+'));
  } catch (e) {
    kvmOpen = (e as NodeJS.ErrnoException).code ?? 'error';
  }
  const flagsLine = /^flags\s*:\s*(.*)$/m.exec(readOr('/proc/cpuinfo', ''))?.[1] ?? '';
  const kvmModules = ['kvm', 'kvm_intel', 'kvm_amd', 'kvm_pvm'].filter((m) => existsSync(`/sys/module/${m}`));
  return { hostArch, kvmOpen, cpuFlags: flagsLine.split(/\s+/).filter(Boolean), kvmModules };
}
