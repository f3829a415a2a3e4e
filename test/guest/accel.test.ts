import { describe, expect, it } from 'vitest';
import { type HostFacts, decideAccel, kvmUnusable, readHostFacts } from '../../src/guest/accel.ts';
import { EnvironmentError } from '../../src/util/errors.ts';

const realKvmX86: HostFacts = { hostArch: 'x86_64', kvmOpen: 'ok', cpuFlags: ['fpu', 'vmx', 'sse2'], kvmModules: ['kvm', 'kvm_intel'] };
// The machine we develop on: /dev/kvm opens, but it is kvm_pvm on a CPU without vmx/svm.
const pvmHost: HostFacts = { hostArch: 'x86_64', kvmOpen: 'ok', cpuFlags: ['fpu', 'sse2', 'hypervisor'], kvmModules: ['kvm', 'kvm_pvm'] };
const arm64Host: HostFacts = { hostArch: 'arm64', kvmOpen: 'ok', cpuFlags: [], kvmModules: ['kvm'] };

// Each row: facts, guest arch, and why KVM is unusable (undefined: usable).
const cases: [string, HostFacts, 'x86_64' | 'arm64', RegExp | undefined][] = [
  ['x86_64 host with vmx', realKvmX86, 'x86_64', undefined],
  ['x86_64 host with svm', { ...realKvmX86, cpuFlags: ['svm'], kvmModules: ['kvm', 'kvm_amd'] }, 'x86_64', undefined],
  ['kvm_pvm, no vmx/svm', pvmHost, 'x86_64', /kvm_pvm/],
  ['kvm_pvm even with vmx', { ...pvmHost, cpuFlags: ['vmx'] }, 'x86_64', /kvm_pvm/],
  ['no vmx/svm flags', { ...realKvmX86, cpuFlags: ['sse2'] }, 'x86_64', /no vmx or svm/],
  ['/dev/kvm missing', { ...realKvmX86, kvmOpen: 'ENOENT' }, 'x86_64', /cannot be opened \(ENOENT\)/],
  ['/dev/kvm not permitted', { ...realKvmX86, kvmOpen: 'EACCES' }, 'x86_64', /EACCES/],
  ['arm64 guest on x86_64 host', realKvmX86, 'arm64', /only same-arch/],
  ['arm64 guest on arm64 host', arm64Host, 'arm64', undefined],
  ['x86_64 guest on arm64 host', arm64Host, 'x86_64', /only same-arch/],
];

describe('kvmUnusable', () => {
  it.each(cases)('%s', (_name, facts, guest, why) => {
    const got = kvmUnusable(guest, facts);
    if (why) expect(got).toMatch(why);
    else expect(got).toBeUndefined();
  });
});

describe('decideAccel', () => {
  it('auto picks KVM where usable, TCG with the reason otherwise', () => {
    expect(decideAccel('auto', 'x86_64', realKvmX86).accel).toBe('kvm');
    const d = decideAccel('auto', 'x86_64', pvmHost);
    expect(d.accel).toBe('tcg');
    expect(d.reason).toMatch(/^TCG \(emulation\): .*kvm_pvm/);
    expect(d.reason).not.toContain('\n');
  });

  it('kvm where unusable fails at once as an environment error (exit 2), with the reason', () => {
    expect(() => decideAccel('kvm', 'x86_64', pvmHost)).toThrow(EnvironmentError);
    expect(() => decideAccel('kvm', 'x86_64', pvmHost)).toThrow(/--accel kvm: KVM is not usable here: .*kvm_pvm/);
    expect(decideAccel('kvm', 'arm64', arm64Host).accel).toBe('kvm');
  });

  it('tcg is always honoured', () => {
    expect(decideAccel('tcg', 'x86_64', realKvmX86)).toEqual({ accel: 'tcg', reason: 'TCG (emulation) requested' });
  });

  it('reads this host without throwing', () => {
    const f = readHostFacts();
    expect(['x86_64', 'arm64', 'other']).toContain(f.hostArch);
    expect(typeof f.kvmOpen).toBe('string');
  });
});
